"""What the clock decides: closed on weekends, evenings and public holidays (the next opening, the
phone number and a ticket on offer), nobody taking the request in time, Kundeservice closing with
someone in the queue, and a user who ended without the agent choosing how to save it."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.cards import validate_card
from store.handoffs import HandoffState
from tests.harness import KARI, cards_of, text_of
from tests.skills.handoff.conftest import (
    CHANNEL,
    OSLO,
    PER,
    agent_clicks,
    buttons,
    filed_tickets,
    handoff_id_of,
    handoff_settings,
    request_card,
    response_card,
    settle,
    start_desk,
    the_thread,
    thread_texts,
    wait_for_tickets,
)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 5, 17, 11, 0, tzinfo=OSLO),
         "Kundeservice har stengt nå (Grunnlovsdag) og åpner igjen i morgen kl. 08:00."),
        (datetime(2026, 5, 14, 10, 0, tzinfo=OSLO),
         "Kundeservice har stengt nå (Kristi himmelfartsdag) og åpner igjen i morgen kl. 08:00."),
        (datetime(2026, 5, 15, 15, 30, tzinfo=OSLO), "Kundeservice har stengt nå og åpner igjen mandag kl. 08:00."),
        (datetime(2026, 5, 22, 17, 0, tzinfo=OSLO), "Kundeservice har stengt nå og åpner igjen tirsdag kl. 08:00."),
    ],
)
async def test_when_closed_the_user_hears_when_it_opens_the_phone_and_gets_a_ticket_button(bot, clock, moment, expected):
    clock.set(moment)
    [reply] = await bot.channel.say(KARI, "kan jeg snakke med et menneske")
    [card] = cards_of(reply)
    validate_card(card)
    said = card["body"][0]["text"]
    assert said.startswith(expected)
    assert "ringe dem på 71 11 10 00" in said
    assert buttons(card) == [("Opprett sak nå", "tickets.start")]
    assert bot.connector.channel_threads(CHANNEL) == []  # nothing posted to an empty office
    assert await bot.runtime.store.dialogs.active(KARI.conversation_id) is None


async def test_the_closed_answer_comes_in_nynorsk_and_passes_the_question_on_to_the_ticket(bot, clock):
    clock.set(datetime(2026, 5, 16, 12, 0, tzinfo=OSLO))
    [reply] = await bot.channel.say(KARI, "eg vil snakke med nokon om at skrivaren ikkje verkar")
    [card] = cards_of(reply)
    assert card["body"][0]["text"].startswith("Kundeservice har stengt no og opnar igjen måndag kl. 08:00.")
    assert card["actions"][0]["data"]["question"] == "eg vil snakke med nokon om at skrivaren ikkje verkar"


async def test_nobody_taking_it_in_ten_minutes_offers_a_ticket_and_keeps_it_in_the_queue(bot, clock):
    await bot.channel.say(KARI, "kan jeg snakke med et menneske")
    thread = the_thread(bot)
    clock.advance(minutes=9, seconds=59)
    await settle(bot)
    assert len(bot.connector.replies(KARI.conversation_id)) == 1  # not yet
    clock.advance(seconds=1)
    offer = (await bot.connector.wait_for(KARI.conversation_id, 2))[-1]
    [card] = cards_of(offer)
    validate_card(card)
    assert "ingen i Kundeservice har fått tatt saken din ennå" in text_of(offer) and "nr. 1" in text_of(offer)
    assert buttons(card) == [("Opprett sak nå", "tickets.start"), ("Gå ut av køen", "")]
    assert await thread_texts(bot, thread, 1) == [
        "Ingen har tatt denne på 10 minutter. Kari Nordmann har fått tilbud om å lage sak, men står fortsatt i kø."]
    still_there = request_card(bot, thread)
    assert "Venter fortsatt – ingen har tatt saken på 10 min" in text_of({"attachments": [{"content": still_there}]})
    assert buttons(still_there) == [("Ta saken", "handoff.claim")]
    await settle(bot)
    assert len(bot.connector.replies(KARI.conversation_id)) == 2  # told once
    await agent_clicks(bot, PER, thread, "handoff.claim", {"handoff_id": handoff_id_of(still_there)})
    assert "Per Agent fra Kundeservice har tatt saken" in text_of((await bot.connector.wait_for(KARI.conversation_id, 3))[-1])


async def test_the_claim_timeout_is_a_setting(tmp_path, demo_index, clock):
    bot = await start_desk(handoff_settings(tmp_path, demo_index, handoff_claim_timeout_minutes=2), clock)
    try:
        await bot.channel.say(KARI, "kan jeg snakke med et menneske")
        clock.advance(minutes=2)
        offer = (await bot.connector.wait_for(KARI.conversation_id, 2))[-1]
        assert "ennå" in text_of(offer)
    finally:
        await bot.close()


async def test_when_kundeservice_closes_with_someone_in_the_queue_they_are_let_go_with_a_ticket_offer(bot, clock):
    clock.set(datetime(2026, 5, 13, 15, 25, tzinfo=OSLO))  # the Wednesday before Ascension Day
    await bot.channel.say(KARI, "kan jeg snakke med et menneske")
    thread = the_thread(bot)
    clock.set(datetime(2026, 5, 13, 15, 30, tzinfo=OSLO))
    closed = (await bot.connector.wait_for(KARI.conversation_id, 2))[-1]
    assert "Kundeservice har stengt for i dag" in text_of(closed) and "fredag kl. 08:00" in text_of(closed)
    assert buttons(cards_of(closed)[0]) == [("Opprett sak nå", "tickets.start")]
    assert await thread_texts(bot, thread, 1) == ["Kundeservice har stengt, og Kari Nordmann har fått tilbud om å lage sak i stedet."]
    assert buttons(request_card(bot, thread)) == []
    [answer] = await bot.channel.say(KARI, "hei")  # no longer held
    assert "Dette kan jeg hjelpe deg med" in text_of(answer)


async def ended_by_the_user(bot) -> tuple[str, str]:
    await bot.channel.say(KARI, "kan jeg snakke med et menneske")
    thread = the_thread(bot)
    handoff_id = handoff_id_of(request_card(bot, thread))
    await agent_clicks(bot, PER, thread, "handoff.claim", {"handoff_id": handoff_id})
    await bot.channel.say(KARI, "avslutt", expect=1)
    return thread, handoff_id


async def test_a_chat_the_user_ended_is_filed_as_open_at_once_when_no_agent_chooses(bot, clock):
    thread, handoff_id = await ended_by_the_user(bot)
    clock.advance(seconds=50)
    await settle(bot)
    assert await filed_tickets(bot) == []  # the agent still has a moment to choose
    clock.advance(seconds=15)
    [ticket] = await wait_for_tickets(bot, 1)  # a minute after the user ended, not fifteen
    assert "Ikke løst i chatten" in ticket.description and ticket.status == "Ny"
    notes = await thread_texts(bot, thread, 3)  # noted after the handoff has recorded its ticket
    assert notes[-1].startswith("Ingen har valgt ennå, så samtalen er lagret som åpen sak med en gang.")
    stored = await bot.runtime.store.handoffs.get(handoff_id)
    assert stored.state is HandoffState.WRAPPING_UP and stored.ticket_number == ticket.number
    told = (await bot.connector.wait_for(KARI.conversation_id, 4))[-1]
    assert told["text"] == f"Samtalen er lagret som sak {ticket.number} hos Kundeservice."
    assert buttons(request_card(bot, thread)) == [("Lagre som løst", "handoff.end"), ("Lagre som åpen sak", "handoff.end")]
    clock.advance(minutes=15)
    await settle(bot)
    assert (await bot.runtime.store.handoffs.get(handoff_id)).state is HandoffState.CLOSED
    assert "Ingen valgte hvordan samtalen skulle lagres, så den lagres som åpen sak." in await thread_texts(bot, thread, 4)
    assert len(await filed_tickets(bot)) == 1


async def test_choosing_lost_after_the_early_filing_updates_that_ticket_to_resolved(bot, clock):
    thread, handoff_id = await ended_by_the_user(bot)
    clock.advance(minutes=2)
    [ticket] = await wait_for_tickets(bot, 1)
    card = response_card(await agent_clicks(bot, PER, thread, "handoff.end", {"handoff_id": handoff_id, "resolved": True}))
    assert f"løst, sak {ticket.number}" in text_of({"attachments": [{"content": card}]})
    [again] = await filed_tickets(bot)
    assert again.number == ticket.number and again.status == "Løst"  # updated, not a second ticket
    assert f"Sak {ticket.number} er oppdatert til løst i Pureservice." in await thread_texts(bot, thread, 5)
    assert (await bot.runtime.store.handoffs.get(handoff_id)).ticket_update is None
