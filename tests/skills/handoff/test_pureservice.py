"""The handoff against a strict Pureservice fake: the transcript becomes a ticket there (with the chat's
pictures as attachments), and a chat filed as open before the agent chose is resolved later with a
PATCH of the ticket, not a second ticket."""

from __future__ import annotations

import pytest

from tests.fakes.pureservice import FakePureservice
from tests.harness import KARI
from tests.skills.handoff.conftest import (
    PER,
    agent_clicks,
    handoff_settings,
    settle,
    start_desk,
    thread_texts,
)
from tests.skills.handoff.test_handoff import claimed
from tests.skills.handoff.test_pictures import pasted, png
from tests.skills.tickets.conftest import API_KEY, FALLBACK_REQUESTER_EMAIL


@pytest.fixture
async def bot(tmp_path, demo_index, clock, fake_pureservice: FakePureservice):
    fake_pureservice.add_user("Kari", "Nordmann", KARI.member.email)
    settings = handoff_settings(
        tmp_path, demo_index, pureservice_url=fake_pureservice.url, pureservice_api_key=API_KEY,
        pureservice_fallback_requester_email=FALLBACK_REQUESTER_EMAIL, pureservice_timeout_seconds=1.0,
        pureservice_requests_per_minute=60_000, tickets_send_wait_seconds=2.0,
    )
    harness = await start_desk(settings, clock)
    yield harness
    await harness.close()


def tickets(fake: FakePureservice) -> list[dict]:
    return list(fake.all("ticket"))


async def test_the_transcript_is_a_pureservice_ticket_with_the_chats_pictures(bot, fake_pureservice, file_server):
    thread, handoff_id = await claimed(bot)
    await bot.channel.say(KARI, "Slik ser det ut", expect=0, attachments=pasted(file_server.add("feil.png", png())))
    await thread_texts(bot, thread, 1)
    await agent_clicks(bot, PER, thread, "handoff.end", {"handoff_id": handoff_id, "resolved": True})
    [ticket] = tickets(fake_pureservice)
    assert ticket["customerReference"] == f"handoff-{handoff_id}"
    assert ticket["statusId"] == fake_pureservice.id_of("status", "Løst")
    [attachment] = [row for row in fake_pureservice.all("attachment") if row["ticketId"] == ticket["id"]]
    assert attachment["fileName"] == "001-image.png"
    assert fake_pureservice.attachment_bytes[attachment["id"]] == png()


async def test_an_early_open_filing_is_resolved_in_place_when_the_agent_chooses_lost(bot, fake_pureservice, clock):
    thread, handoff_id = await claimed(bot)
    await bot.channel.say(KARI, "avslutt", expect=1)
    clock.advance(minutes=2)
    await settle(bot, 20)
    [ticket] = tickets(fake_pureservice)
    assert ticket["statusId"] == fake_pureservice.id_of("status", "Ny")
    await agent_clicks(bot, PER, thread, "handoff.end", {"handoff_id": handoff_id, "resolved": True})
    [ticket] = tickets(fake_pureservice)  # the same ticket, PATCHed
    assert ticket["statusId"] == fake_pureservice.id_of("status", "Løst")
    assert "Løst i chat med Per Agent" in ticket["solution"]
