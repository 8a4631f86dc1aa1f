"""A handoff lives in the store: a restarted service carries on mid-chat, two bot processes on one
PostgreSQL database let exactly one agent take a request and relay for each other, and a message
whose delivery failed is delivered later, in order."""

from __future__ import annotations

import asyncio
import time

from store.handoffs import RELAY_LEASE_TTL_SECONDS, HandoffRepository, HandoffState, RelayMessage, Sender
from store.leases import LeaseKeeper
from tests.harness import KARI, text_of
from tests.skills.handoff.conftest import (
    LISE,
    PER,
    agent_clicks,
    agent_says,
    filed_tickets,
    handoff_id_of,
    handoff_settings,
    request_card,
    response_card,
    start_desk,
    the_thread,
    thread_texts,
)


async def test_a_restart_in_the_middle_of_a_chat_loses_nothing(tmp_path, demo_index, clock):
    settings = handoff_settings(tmp_path, demo_index)
    first = await start_desk(settings, clock)
    await first.channel.say(KARI, "kan jeg snakke med et menneske")
    thread = the_thread(first)
    handoff_id = handoff_id_of(request_card(first, thread))
    await agent_clicks(first, PER, thread, "handoff.claim", {"handoff_id": handoff_id})
    await first.channel.say(KARI, "Teams krasjer når jeg deler skjerm", expect=0)
    await first.close()

    second = await start_desk(settings, clock)  # a new process on the same database
    try:
        assert await second.channel.say(KARI, "Er du der fortsatt?", expect=0) == []  # still held: no bot answer
        assert await thread_texts(second, thread, 1) == ["**Kari Nordmann:** Er du der fortsatt?"]
        await agent_says(second, PER, thread, "Ja! Prøv å oppdatere Teams.")
        assert (await second.connector.wait_for(KARI.conversation_id, 1))[-1]["text"] == (
            "**Per Agent:** Ja! Prøv å oppdatere Teams.")
        await agent_clicks(second, PER, thread, "handoff.end", {"handoff_id": handoff_id, "resolved": True})
        [ticket] = await filed_tickets(second)
        conversation = ticket.description.split("Samtalen (personopplysninger maskert):\n")[1]
        transcript = conversation.split("\n\nLøsning: ")[0].splitlines()  # the local desk adds the solution
        assert transcript == [
            "[10:00] Kari Nordmann: Teams krasjer når jeg deler skjerm",
            "[10:00] Kari Nordmann: Er du der fortsatt?",
            "[10:00] Per Agent: Ja! Prøv å oppdatere Teams.",
        ]
    finally:
        await second.close()


async def test_two_processes_on_one_postgresql_database_let_exactly_one_agent_take_it(
    tmp_path, demo_index, fresh_postgres_url, clock
):
    first = await start_desk(handoff_settings(tmp_path / "a", demo_index, database_url=fresh_postgres_url), clock)
    second = await start_desk(handoff_settings(tmp_path / "b", demo_index, database_url=fresh_postgres_url), clock)
    try:
        await first.channel.say(KARI, "kan jeg snakke med et menneske")
        thread = the_thread(first)
        handoff_id = handoff_id_of(request_card(first, thread))
        per, lise = await asyncio.gather(
            agent_clicks(first, PER, thread, "handoff.claim", {"handoff_id": handoff_id}),
            agent_clicks(second, LISE, thread, "handoff.claim", {"handoff_id": handoff_id}),
        )
        shown = [text_of({"attachments": [{"content": response_card(result)}]}) for result in (per, lise)]
        assert sum("tok saken før deg" in text for text in shown) == 1
        stored = await first.runtime.store.handoffs.get(handoff_id)
        winner, other = (PER, LISE) if stored.agent_name == "Per Agent" else (LISE, PER)
        await asyncio.sleep(0.1)
        told = [a for a in first.connector.replies(KARI.conversation_id) if "har tatt saken" in text_of(a)]
        assert len(told) == 1

        # The user's messages land on one process, the agent's on the other; both arrive, in order.
        await first.channel.say(KARI, "Outlook henger", expect=0)
        await first.channel.say(KARI, "siden i morges", expect=0)
        await agent_says(second, winner, thread, "Jeg ser på det")
        await agent_says(second, other, thread, "(notat: samme som i går)")
        threads = first.connector.replies(thread) + second.connector.replies(thread)
        relayed = [activity["text"] for activity in threads if activity.get("text", "").startswith("**Kari")]
        assert relayed == ["**Kari Nordmann:** Outlook henger", "**Kari Nordmann:** siden i morges"]
        to_user = [a["text"] for a in await first.connector.wait_for(KARI.conversation_id, 3) if a.get("text")]
        assert to_user[-1] == f"**{stored.agent_name}:** Jeg ser på det"
        assert not any("notat" in text for text in to_user)
    finally:
        await first.close()
        await second.close()


async def claimed_thread(bot) -> str:
    await bot.channel.say(KARI, "kan jeg snakke med et menneske")
    thread = the_thread(bot)
    await agent_clicks(bot, PER, thread, "handoff.claim", {"handoff_id": handoff_id_of(request_card(bot, thread))})
    await bot.connector.wait_for(KARI.conversation_id, 2)
    return thread


async def test_a_failed_delivery_is_retried_by_the_background_job(bot, monkeypatch):
    monkeypatch.setattr("skills.handoff.relay.STALLED_SECONDS", 0.05)
    thread = await claimed_thread(bot)
    bot.connector.fail_next(429, retry_after=0)  # Teams throttles the relay
    await bot.channel.say(KARI, "Hallo?", expect=0)
    assert bot.connector.replies(thread)[1:] == []
    assert await thread_texts(bot, thread, 1) == ["**Kari Nordmann:** Hallo?"]


async def test_nothing_overtakes_a_message_whose_delivery_failed(bot):
    thread = await claimed_thread(bot)
    bot.connector.fail_next(503)
    for text in ("én", "to", "tre"):
        await bot.channel.say(KARI, text, expect=0)
    assert await thread_texts(bot, thread, 3) == ["**Kari Nordmann:** én", "**Kari Nordmann:** to", "**Kari Nordmann:** tre"]


async def test_a_dead_processes_relay_lease_is_taken_over_within_seconds(bot):
    """A process killed mid-relay (no heartbeat any more) holds its lease only a few seconds, not 30."""
    thread = await claimed_thread(bot)
    [handoff] = await bot.runtime.store.handoffs.in_state(HandoffState.CLAIMED)
    frozen = time.time()
    dead = HandoffRepository(bot.runtime.store.db, LeaseKeeper(bot.runtime.store.db, ttl=RELAY_LEASE_TTL_SECONDS,
                                                                heartbeat=1.0, clock=lambda: frozen))
    assert await dead.take_lease(handoff.id, Sender.USER)  # its clock stands still: it never renews again
    started = time.monotonic()
    await bot.channel.say(KARI, "Hallo, er det noen der?", expect=0)
    assert await thread_texts(bot, thread, 1, timeout=8) == ["**Kari Nordmann:** Hallo, er det noen der?"]
    assert time.monotonic() - started < 5.0


async def test_a_clean_shutdown_finishes_the_send_under_way_and_hands_the_lease_back(
    tmp_path, demo_index, clock, monkeypatch
):
    """A redeploy (SIGTERM): the message being sent when it came is delivered once, and the next process
    relays at once instead of waiting for the old lease to run out."""
    monkeypatch.setattr("skills.handoff.relay.STALLED_SECONDS", 0.0)
    settings = handoff_settings(tmp_path, demo_index)
    first = await start_desk(settings, clock)
    thread = await claimed_thread(first)
    [handoff] = await first.runtime.store.handoffs.in_state(HandoffState.CLAIMED)
    first.connector.delay_next(1.0)  # the channel is slow to take the next message
    waiting = RelayMessage(handoff_id=handoff.id, seq=0, sender=Sender.USER, sender_name="Kari Nordmann",
                           text="Skjermen er svart", masked="Skjermen er svart", received_at=time.time())
    assert await first.runtime.store.handoffs.append(waiting, "stored-before-the-shutdown")
    await asyncio.sleep(0.3)  # the background job is sending it now
    await first.close()

    second = await start_desk(settings, clock)
    try:
        second.connector.activities = first.connector.activities  # the same Teams
        started = time.monotonic()
        await second.channel.say(KARI, "Hallo?", expect=0)
        texts = await thread_texts(second, thread, 2, timeout=3)
        assert time.monotonic() - started < 2.0
        assert texts == ["**Kari Nordmann:** Skjermen er svart", "**Kari Nordmann:** Hallo?"]
    finally:
        await second.close()


async def test_teams_repeating_an_activity_the_dead_instance_stored_delivers_it_at_once(bot, monkeypatch):
    """An instance stored a message and died before relaying it; Teams, with no answer, sends the activity
    again to another instance, which relays it from the store now (not at the next upkeep round)."""
    monkeypatch.setattr("skills.handoff.relay.STALLED_SECONDS", 3600.0)  # the upkeep would not help
    thread = await claimed_thread(bot)
    [handoff] = await bot.runtime.store.handoffs.in_state(HandoffState.CLAIMED)
    activity = bot.channel.activity(KARI, "message", text="Skriveren er tom for toner")
    stored = RelayMessage(handoff_id=handoff.id, seq=0, sender=Sender.USER, sender_name="Kari Nordmann",
                          text="Skriveren er tom for toner", masked="Skriveren er tom for toner", received_at=time.time())
    assert await bot.runtime.store.handoffs.append(stored, activity["id"])  # what the dead instance did
    assert (await bot.channel.post(activity)).status == 200  # Teams' repeat
    assert await thread_texts(bot, thread, 1, timeout=2) == ["**Kari Nordmann:** Skriveren er tom for toner"]
