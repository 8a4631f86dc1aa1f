"""With an LLM configured: the draft is summarised through a function call on masked text, and the
embedded prefill stands whenever the LLM fails, is slow or answers nonsense."""

from __future__ import annotations

import asyncio

import pytest

from core.ports import LlmError, LlmReply, ToolCall
from tests.harness import KARI
from tests.skills.routing import embedded_router
from tests.skills.tickets.conftest import draft_for, inputs, press, result_card, start_bot, ticket_settings

SUMMARY = {
    "subject": "Skriver i 2. etasje skriver ikke ut",
    "summary": "Skriveren i 2. etasje har sluttet å skrive ut siden i morges. Hele avdelingen er berørt.",
    "category": "printing",
    "priority": "high",
}


class FakeLlm:
    """Routes with the embedded rules; answers the ticket_draft call as told."""

    def __init__(self) -> None:
        self.summary: dict | None = dict(SUMMARY)
        self.fail = False
        self.delay = 0.0
        self.ticket_calls: list[dict] = []

    async def chat(self, messages, *, tools=None, tool_choice=None, max_tokens=600, timeout=None) -> LlmReply:
        name = tools[0]["function"]["name"] if tools else ""
        if name == "route":
            intent = embedded_router().classify_now(messages[-1]["content"]).intent
            return LlmReply("", [ToolCall("route", {"intent": intent, "confidence": 0.9})])
        if name != "ticket_draft":
            return LlmReply("Prøv å starte PC-en på nytt.")
        self.ticket_calls.append({"messages": messages, "tools": tools, "tool_choice": tool_choice})
        await asyncio.sleep(self.delay)
        if self.fail:
            raise LlmError("model unavailable")
        return LlmReply("", [ToolCall("ticket_draft", self.summary)] if self.summary else [])

    async def embed(self, texts):
        raise LlmError("no embeddings")


@pytest.fixture
def llm() -> FakeLlm:
    return FakeLlm()


@pytest.fixture
async def llm_bot(tmp_path, llm):
    harness = await start_bot(ticket_settings(tmp_path, tickets_llm_timeout_seconds=0.5), llm=llm)
    yield harness
    await harness.close()


TEXT = "lag en sak: Skriveren i 2. etg skriver ikke ut, ring meg på 912 34 567 eller kari@molde.kommune.no. Hilsen Kari"


async def test_the_llm_summarises_subject_description_category_and_priority(llm_bot, llm):
    card = await draft_for(llm_bot, KARI, TEXT)
    fields = inputs(card)
    assert fields["subject"] == SUMMARY["subject"]
    assert fields["description"].startswith(SUMMARY["summary"] + "\n\nBrukerens egne ord:\nSkriveren i 2. etg")
    assert "912 34 567" in fields["description"]  # the ticket keeps what the user wrote for Kundeservice
    assert fields["category"] == "printing"
    assert "Høy" in str(card)
    [call] = llm.ticket_calls
    assert call["tool_choice"] == {"type": "function", "function": {"name": "ticket_draft"}}
    assert call["tools"][0]["function"]["parameters"]["properties"]["priority"]["enum"] == [
        "low", "normal", "high", "critical"]
    sent = str(call["messages"])
    assert "912 34 567" not in sent and "kari@molde.kommune.no" not in sent and "Hilsen Kari" not in sent
    assert "[telefon]" in sent and "[e-post]" in sent


async def test_the_llm_never_sees_a_fodselsnummer(llm_bot, llm):
    await draft_for(llm_bot, KARI, "lag en sak: Journalen til 01019012345 låser seg")
    assert "01019012345" not in str(llm.ticket_calls)


@pytest.mark.parametrize("trouble", ["error", "slow", "nonsense", "no call"])
async def test_when_the_llm_fails_the_embedded_prefill_is_used(llm_bot, llm, trouble):
    llm.fail = trouble == "error"
    llm.delay = 2.0 if trouble == "slow" else 0.0
    if trouble == "nonsense":
        llm.summary = {**SUMMARY, "category": "coffee-machine"}
    if trouble == "no call":
        llm.summary = None
    card = await draft_for(llm_bot, KARI, "lag en sak: Outlook krasjer når jeg åpner kalenderen")
    fields = inputs(card)
    assert fields["subject"] == "Outlook krasjer når jeg åpner kalenderen"
    assert fields["description"] == "Outlook krasjer når jeg åpner kalenderen"
    assert fields["category"] == "email"
    result_card(await press(llm_bot, KARI, card, "tickets.send"))
    [ticket] = await llm_bot.runtime.adapters.desk.local.all()
    assert ticket.subject == "Outlook krasjer når jeg åpner kalenderen"
