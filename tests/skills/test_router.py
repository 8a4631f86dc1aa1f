"""Routing: the embedded router (no LLM) in three languages with typos, and the LLM router with its
JSON-schema function call and its fallback."""

from __future__ import annotations

import asyncio

import jsonschema
import pytest

from core.language import Language, detect_language
from core.ports import LlmError, LlmReply, ToolCall
from skills.router.llm import LlmRouter, route_tool
from tests.skills.routing import declared_intents, embedded_router

ROUTES = [
    ("kan eg få snakke med eit menneske", "handoff"),
    ("Kan jeg snakke med noen?", "handoff"),
    ("agent please", "handoff"),
    ("lag en sak", "create_ticket"),
    ("lag en sakk", "create_ticket"),
    ("meld feil om skriveren", "create_ticket"),
    ("opprett ei sak", "create_ticket"),
    ("create a ticket please", "create_ticket"),
    ("mine saker", "my_tickets"),
    ("status på saken min", "my_tickets"),
    ("my tickets", "my_tickets"),
    ("jeg trenger ny pc", "pc_order"),
    ("pc-en min er gammel", "pc_order"),
    ("hei", "greeting"),
    ("heii rakel", "greeting"),
    ("kva kan du hjelpe med", "help"),
    ("tilbakemelding", "feedback"),
    ("hva blir været i morgen", "out_of_scope"),
    ("skrivern virker ikke", "knowledge"),
    ("hei, skriveren virker ikke", "knowledge"),
    ("hvordan setter jeg opp ny pc", "knowledge"),
    ("korleis byter eg passord", "knowledge"),
    # a phrase counts only within one sentence and in order
    ("Hei! Jeg har et problem med PC-en. Hvordan bytter jeg passord? Takk for hjelpen", "knowledge"),
]


@pytest.mark.parametrize(("text", "intent"), ROUTES)
def test_the_embedded_router(text, intent):
    assert embedded_router().classify_now(text).intent == intent


@pytest.mark.parametrize(
    ("text", "language"),
    [("kan eg få snakke med eit menneske", Language.NYNORSK), ("korleis byter eg passord", Language.NYNORSK),
     ("Hvordan bytter jeg passord?", Language.BOKMAAL), ("lag en sak", Language.BOKMAAL),
     ("I forgot my password", Language.ENGLISH), ("agent please", Language.ENGLISH), ("", Language.BOKMAAL)],
)
def test_language_detection(text, language):
    assert detect_language(text) is language


class ScriptedLlm:
    def __init__(self, *, reply: LlmReply | None = None, error: Exception | None = None, delay: float = 0) -> None:
        self.reply, self.error, self.delay = reply, error, delay
        self.calls: list[dict] = []

    async def chat(self, messages, *, tools=None, tool_choice=None, max_tokens=600, timeout=None):
        self.calls.append({"messages": messages, "tools": tools, "tool_choice": tool_choice})
        await asyncio.sleep(self.delay)
        if self.error:
            raise self.error
        return self.reply

    async def embed(self, texts):
        raise LlmError("none")


def test_the_route_tool_is_a_valid_json_schema_listing_every_intent():
    parameters = route_tool(declared_intents())["function"]["parameters"]
    jsonschema.Draft202012Validator.check_schema(parameters)
    assert set(parameters["properties"]["intent"]["enum"]) == {spec.name for spec in declared_intents()}


async def test_the_llm_router_uses_the_function_call():
    llm = ScriptedLlm(reply=LlmReply("", [ToolCall("route", {"intent": "ticket_status", "confidence": 0.8})]))
    result = await LlmRouter(llm, embedded_router(), 1, declared_intents()).classify("har dere sett på det jeg meldte?", Language.BOKMAAL)
    assert (result.intent, result.router) == ("my_tickets", "llm")
    assert llm.calls[0]["tool_choice"] == {"type": "function", "function": {"name": "route"}}


async def test_personal_data_is_masked_before_routing():
    llm = ScriptedLlm(reply=LlmReply("", [ToolCall("route", {"intent": "create_ticket", "confidence": 0.8})]))
    await LlmRouter(llm, embedded_router(), 1, declared_intents()).classify("lag sak, ring 912 34 567", Language.BOKMAAL)
    assert "912 34 567" not in str(llm.calls[0]["messages"])


@pytest.mark.parametrize(
    "llm",
    [
        ScriptedLlm(error=LlmError("503")),
        ScriptedLlm(reply=LlmReply("", []), delay=5),  # slower than the router's timeout
        ScriptedLlm(reply=LlmReply("I think you want a ticket")),  # no function call
        ScriptedLlm(reply=LlmReply("", [ToolCall("route", {"intent": "order_pizza", "confidence": 1})])),
    ],
    ids=["error", "timeout", "no-call", "unknown-intent"],
)
async def test_the_llm_router_falls_back_to_the_embedded_router(llm):
    result = await LlmRouter(llm, embedded_router(), 0.2, declared_intents()).classify("lag en sak", Language.BOKMAAL)
    assert (result.intent, result.router) == ("create_ticket", "embedded")
