"""Nothing lost, nothing doubled: Pureservice down, slow or refusing, a restart, two bot processes."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from core.ports import TicketDeskError, TicketDraft
from store.leases import LeaseKeeper
from store.tickets_requests import SENDING, TicketRequestRepository
from tests.fakes.pureservice import FakePureservice
from tests.harness import KARI, OLA, text_of
from tests.skills.tickets.conftest import (
    LocalTeams,
    button,
    draft_for,
    press,
    pureservice_settings,
    result_card,
    start_bot,
    the_card,
    wait_until,
)

POST_TICKET = dict(method="POST", path="/ticket/")


def tickets_with(fake: FakePureservice, reference_prefix: str = "rakel:") -> list[dict]:
    return [t for t in fake.tickets if str(t.get("customerReference", "")).startswith(reference_prefix)]


def references(fake: FakePureservice) -> list[str]:
    return [t["customerReference"] for t in tickets_with(fake)]


async def messages_to(harness, user, count: int, timeout: float = 10.0) -> list[dict]:
    return await harness.connector.wait_for(user.conversation_id, count, timeout)


async def refresh(harness, user, card: dict) -> dict:
    return result_card(await harness.channel.click(user, "tickets.refresh", card["refresh"]["action"]["data"]))


async def test_when_pureservice_is_down_the_ticket_is_queued_and_the_number_arrives_later(ps_bot, fake_pureservice):
    fake_pureservice.fail_next(503, 3, **POST_TICKET)
    card = await draft_for(ps_bot, KARI, "lag en sak: Outlook starter ikke")
    before = len(ps_bot.connector.replies(KARI.conversation_id))

    queued = result_card(await press(ps_bot, KARI, card, "tickets.send"))
    assert "Saken blir sendt" in str(queued) and "du får saksnummeret her i chatten" in str(queued)
    assert button(queued, "tickets.send") is None
    assert queued["refresh"]["action"]["verb"] == "tickets.refresh"  # Teams re-asks when Kari looks at it

    replies = await messages_to(ps_bot, KARI, before + 1)
    [ticket] = tickets_with(fake_pureservice)
    number = str(ticket["requestNumber"])
    told = replies[before]
    assert f"saksnummer **{number}**" in told["text"] and "Outlook starter ikke" in told["text"]
    assert the_card(told)["actions"][0]["url"].endswith(f"/agent/app#/ticket/{number}")
    refreshed = await refresh(ps_bot, KARI, queued)
    assert number in str(refreshed) and "Saken er sendt" in str(refreshed)
    await asyncio.sleep(0.5)  # the worker keeps going: still one ticket, one message
    assert len(tickets_with(fake_pureservice)) == 1
    assert len(ps_bot.connector.replies(KARI.conversation_id)) == before + 1


async def test_a_slow_pureservice_queues_the_ticket_and_the_retry_finds_it_instead_of_doubling_it(
    ps_bot, fake_pureservice
):
    fake_pureservice.slow_next(1.0, **POST_TICKET)  # longer than the client's 0.5 s: no answer, but stored
    card = await draft_for(ps_bot, KARI, "lag en sak: Skjermen min er svart")
    before = len(ps_bot.connector.replies(KARI.conversation_id))

    queued = result_card(await press(ps_bot, KARI, card, "tickets.send"))
    assert "Saken blir sendt" in str(queued)

    [told] = (await messages_to(ps_bot, KARI, before + 1))[before:]
    [ticket] = tickets_with(fake_pureservice)
    assert str(ticket["requestNumber"]) in told["text"]
    assert len(fake_pureservice.requests_to("/ticket/", "POST")) == 1  # the retry looked it up, did not post


async def test_a_queued_ticket_is_sent_after_a_restart_and_the_user_told(tmp_path, fake_pureservice):
    fake_pureservice.add_user("Kari", "Nordmann", KARI.member.email)
    settings = pureservice_settings(tmp_path, fake_pureservice, tickets_retry_initial_seconds=600)
    teams = await LocalTeams.start()
    first = await start_bot(settings, teams)
    try:
        fake_pureservice.fail_next(503, 1, **POST_TICKET)
        card = await draft_for(first, KARI, "lag en sak: Hjemmeområdet mitt er borte")
        queued = result_card(await press(first, KARI, card, "tickets.send"))
        assert "Saken blir sendt" in str(queued)
        before = len(teams.connector.replies(KARI.conversation_id))
    finally:
        await first.close()  # the bot stops; Kari's Teams (the connector) does not
    assert tickets_with(fake_pureservice) == []

    later = datetime.now(UTC) + timedelta(minutes=15)  # the stored schedule says: try again later
    second = await start_bot(settings, teams, clock=lambda: later)
    try:
        [told] = (await messages_to(second, KARI, before + 1))[before:]
        [ticket] = tickets_with(fake_pureservice)
        assert str(ticket["requestNumber"]) in told["text"]
        refreshed = await refresh(second, KARI, queued)
        assert str(ticket["requestNumber"]) in str(refreshed)
    finally:
        await second.close()
        await teams.close()


async def test_a_refused_ticket_keeps_the_draft_visible_and_can_be_sent_again(ps_bot, fake_pureservice):
    fake_pureservice.fail_next(422, 1, **POST_TICKET)
    card = await draft_for(ps_bot, KARI, "lag en sak: Teams varsler ikke om nye meldinger")

    refused = result_card(await press(ps_bot, KARI, card, "tickets.send", phone="912 34 567"))
    assert "Saken ble ikke tatt imot" in str(refused) and "innholdet ble avvist" in str(refused)
    assert "71 11 10 00" in str(refused)
    assert button(refused, "tickets.send") is not None  # still the draft, with the user's phone number
    assert any(item.get("value") == "912 34 567" for item in refused["body"] if item.get("id") == "phone")
    assert tickets_with(fake_pureservice) == []

    created = result_card(await press(ps_bot, KARI, refused, "tickets.send"))
    [ticket] = tickets_with(fake_pureservice)
    assert str(ticket["requestNumber"]) in str(created)
    assert "Telefon: 912 34 567" in ticket["description"]


async def test_a_requester_pureservice_does_not_know_without_a_fallback_is_told_clearly(
    tmp_path, fake_pureservice
):
    harness = await start_bot(pureservice_settings(tmp_path, fake_pureservice, pureservice_fallback_requester_email=""))
    try:
        card = await draft_for(harness, OLA, "lag en sak: Jeg mangler tilgang til fellesmappen")
        refused = result_card(await press(harness, OLA, card, "tickets.send"))
        assert "saksystemet kjenner ikke e-postadressen din" in str(refused)
        assert button(refused, "tickets.send") is not None
        [listed] = await harness.channel.say(OLA, "mine saker")
        assert "Jeg mangler tilgang til fellesmappen" in text_of(listed)
        assert "Ikke tatt imot" in text_of(listed)
    finally:
        await harness.close()


async def test_a_ticket_refused_in_the_background_reaches_the_user_and_the_card_reopens(ps_bot, fake_pureservice):
    fake_pureservice.fail_next(503, 1, **POST_TICKET)
    fake_pureservice.fail_next(422, 1, **POST_TICKET)
    card = await draft_for(ps_bot, KARI, "lag en sak: Adobe ber om lisens")
    before = len(ps_bot.connector.replies(KARI.conversation_id))

    queued = result_card(await press(ps_bot, KARI, card, "tickets.send"))
    [told] = (await messages_to(ps_bot, KARI, before + 1))[before:]
    assert "ble ikke tatt imot av saksystemet: innholdet ble avvist" in told["text"]

    reopened = await refresh(ps_bot, KARI, queued)
    assert "Saken ble ikke tatt imot" in str(reopened) and button(reopened, "tickets.send") is not None
    created = result_card(await press(ps_bot, KARI, reopened, "tickets.send"))
    [ticket] = tickets_with(fake_pureservice)
    assert str(ticket["requestNumber"]) in str(created)


async def test_a_send_that_stopped_with_its_process_is_finished_by_the_worker(ps_bot, fake_pureservice):
    card = await draft_for(ps_bot, KARI, "lag en sak: Tastaturet er dødt")
    request_id = button(card, "tickets.send")["data"]["request"]
    db = ps_bot.runtime.store.db
    # The click claimed the draft in another process, which died before the outbox had it: its lease
    # was last renewed a minute ago.
    dead = LeaseKeeper(db, owner="dead-process", clock=lambda: time.time() - 60)
    requests = TicketRequestRepository(db, dead)
    request = await requests.get(request_id)
    assert await requests.claim_for_send(request, time.time())
    await dead.close()  # (its heartbeat; a kill -9 would not release the lease, so put it back)
    await db.execute("INSERT INTO leases (name, owner, expires_at, taken_at) VALUES (?, 'dead-process', ?, ?)",
                     f"ticket_request:{request_id}", time.time() - 50, time.time() - 60)
    assert (await requests.get(request_id)).state == SENDING
    before = len(ps_bot.connector.replies(KARI.conversation_id))

    [told] = (await messages_to(ps_bot, KARI, before + 1))[before:]
    [ticket] = tickets_with(fake_pureservice)
    assert ticket["subject"] == "Tastaturet er dødt" and str(ticket["requestNumber"]) in told["text"]


async def test_readiness_checks_pureservice_when_it_is_configured(ps_bot, fake_pureservice):
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{ps_bot.endpoint}/readyz") as response:
            assert response.status == 200
            assert (await response.json())["checks"]["pureservice"] == "ok"
        fake_pureservice.fail_next(503, 1)
        async with session.get(f"{ps_bot.endpoint}/readyz") as response:
            assert response.status == 503
            assert (await response.json())["checks"]["pureservice"].startswith("failed")


async def test_the_local_desk_needs_no_pureservice_readiness_check(bot):
    assert "pureservice" not in bot.runtime.readiness


@pytest.mark.postgres
async def test_two_bot_processes_on_postgresql_send_each_queued_ticket_once(
    tmp_path: Path, fresh_postgres_url: str, fake_pureservice
):
    fake_pureservice.add_user("Kari", "Nordmann", KARI.member.email)
    fake_pureservice.add_user("Ola", "Hansen", OLA.member.email)
    settings = dict(database_url=fresh_postgres_url)
    teams = await LocalTeams.start()
    first = await start_bot(pureservice_settings(tmp_path / "a", fake_pureservice, **settings), teams)
    second = await start_bot(pureservice_settings(tmp_path / "b", fake_pureservice, **settings), teams)
    try:
        fake_pureservice.fail_next(503, 6, **POST_TICKET)  # Pureservice is down for the six clicks
        clicks = []
        for number, (harness, user) in enumerate([(first, KARI), (second, OLA)] * 3):
            card = await draft_for(harness, user, f"lag en sak: Problem nummer {number} med skriveren")
            clicks.append(press(harness, user, card, "tickets.send"))
        fake_pureservice.delay = 0.2  # every request takes a while: the two workers' rounds overlap
        answers = [result_card(result) for result in await asyncio.gather(*clicks)]
        assert all("Saken blir sendt" in str(answer) for answer in answers)

        async def all_created() -> bool:
            return len(tickets_with(fake_pureservice)) >= 6

        await wait_until(all_created, timeout=30)
        await asyncio.sleep(1.0)  # both workers keep polling: nothing more may happen
        created = references(fake_pureservice)
        assert len(created) == len(set(created)) == 6
        posts = [json.loads(r.body)["tickets"][0]["customerReference"]
                 for r in fake_pureservice.requests_to("/ticket/", "POST")]
        assert len(posts) == 6 + 6  # six refused during the outage, then exactly one POST per ticket

        async def everyone_told() -> bool:
            told = [a for u in (KARI, OLA) for a in first.connector.replies(u.conversation_id)
                    if "er nå registrert hos Kundeservice" in (a.get("text") or "")]
            return len(told) >= 6

        await wait_until(everyone_told, timeout=30)
        await asyncio.sleep(0.5)
        told = [a for u in (KARI, OLA) for a in first.connector.replies(u.conversation_id)
                if "er nå registrert hos Kundeservice" in (a.get("text") or "")]
        assert len(told) == 6  # each user hears each number once, whichever process sent it
    finally:
        await second.close()
        await first.close()
        await teams.close()


def a_draft(key: str, **fields) -> TicketDraft:
    values = dict(subject="Bytte av PC", description="PC-en er seks år gammel.", category="pc", priority="normal",
                  requester_email=KARI.member.email, requester_name="Kari Nordmann", idempotency_key=key)
    return TicketDraft(**{**values, **fields})


async def test_the_submitter_other_skills_use_creates_once_per_key_and_queues_when_the_desk_is_down(
    ps_bot, fake_pureservice
):
    submitter = ps_bot.runtime.skills.tickets
    await ps_bot.channel.say(KARI, "hei")  # Kari has talked to Rakel, so Rakel can write to her later
    first = await submitter.submit(a_draft("pc:order-1"), notify_user_id=KARI.member.aad_object_id)
    again = await submitter.submit(a_draft("pc:order-1", subject="Endret"), notify_user_id=KARI.member.aad_object_id)
    assert not first.queued and first.ticket == again.ticket
    assert [t["subject"] for t in fake_pureservice.tickets] == ["Bytte av PC"]

    before = len(ps_bot.connector.replies(KARI.conversation_id))
    fake_pureservice.fail_next(503, 2, **POST_TICKET)
    queued = await submitter.submit(a_draft("pc:order-2"), notify_user_id=KARI.member.aad_object_id)
    assert queued.queued and queued.ticket is None
    [told] = (await messages_to(ps_bot, KARI, before + 1))[before:]
    number = str(fake_pureservice.tickets[-1]["requestNumber"])
    assert number in told["text"] and "Bytte av PC" in told["text"]

    fake_pureservice.fail_next(422, 1, **POST_TICKET)
    with pytest.raises(TicketDeskError) as refused:
        await submitter.submit(a_draft("pc:order-3"))
    assert refused.value.retryable is False
    fixed = await submitter.submit(a_draft("pc:order-3", description="Rettet"))
    assert fixed.ticket is not None and len(tickets_with(fake_pureservice, "pc:order-3")) == 1
