"""Routing: the embedded router (no LLM) in three languages with typos, and the LLM router with its
JSON-schema function call and its fallback."""

from __future__ import annotations

import asyncio

import jsonschema
import pytest

from core.language import Language, detect_language
from core.ports import LlmError, LlmReply, ToolCall
from skills.intents import Intent
from skills.router.embedded import EmbeddedRouter
from skills.router.llm import ROUTE_TOOL, LlmRouter

ROUTES = [
    ("kan eg få snakke med eit menneske", Intent.TALK_TO_HUMAN),
    ("Kan jeg snakke med noen?", Intent.TALK_TO_HUMAN),
    ("agent please", Intent.TALK_TO_HUMAN),
    ("lag en sak", Intent.CREATE_TICKET),
    ("lag en sakk", Intent.CREATE_TICKET),
    ("meld feil om skriveren", Intent.CREATE_TICKET),
    ("opprett ei sak", Intent.CREATE_TICKET),
    ("create a ticket please", Intent.CREATE_TICKET),
    ("mine saker", Intent.TICKET_STATUS),
    ("status på saken min", Intent.TICKET_STATUS),
    ("my tickets", Intent.TICKET_STATUS),
    ("jeg trenger ny pc", Intent.PC_REPLACEMENT),
    ("pc-en min er gammel", Intent.PC_REPLACEMENT),
    ("hei", Intent.GREETING_HELP),
    ("heii rakel", Intent.GREETING_HELP),
    ("kva kan du hjelpe med", Intent.GREETING_HELP),
    ("tilbakemelding", Intent.FEEDBACK),
    ("hva blir været i morgen", Intent.OUT_OF_SCOPE),
    ("skrivern virker ikke", Intent.KNOWLEDGE),
    ("hei, skriveren virker ikke", Intent.KNOWLEDGE),
    ("hvordan setter jeg opp ny pc", Intent.KNOWLEDGE),
    ("korleis byter eg passord", Intent.KNOWLEDGE),
    # a phrase counts only within one sentence and in order
    ("Hei! Jeg har et problem med PC-en. Hvordan bytter jeg passord? Takk for hjelpen", Intent.KNOWLEDGE),
]


@pytest.mark.parametrize(("text", "intent"), ROUTES)
def test_the_embedded_router(text, intent):
    assert EmbeddedRouter().classify_now(text).intent is intent


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
    parameters = ROUTE_TOOL["function"]["parameters"]
    jsonschema.Draft202012Validator.check_schema(parameters)
    assert set(parameters["properties"]["intent"]["enum"]) == {intent.value for intent in Intent}


async def test_the_llm_router_uses_the_function_call():
    llm = ScriptedLlm(reply=LlmReply("", [ToolCall("route", {"intent": "ticket_status", "confidence": 0.8})]))
    result = await LlmRouter(llm, EmbeddedRouter(), timeout=1).classify("har dere sett på det jeg meldte?", Language.BOKMAAL)
    assert (result.intent, result.router) == (Intent.TICKET_STATUS, "llm")
    assert llm.calls[0]["tool_choice"] == {"type": "function", "function": {"name": "route"}}


async def test_personal_data_is_masked_before_routing():
    llm = ScriptedLlm(reply=LlmReply("", [ToolCall("route", {"intent": "create_ticket", "confidence": 0.8})]))
    await LlmRouter(llm, EmbeddedRouter(), timeout=1).classify("lag sak, ring 912 34 567", Language.BOKMAAL)
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
    result = await LlmRouter(llm, EmbeddedRouter(), timeout=0.2).classify("lag en sak", Language.BOKMAAL)
    assert (result.intent, result.router) == (Intent.CREATE_TICKET, "embedded")
