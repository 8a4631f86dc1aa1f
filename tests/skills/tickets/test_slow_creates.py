"""A create that Pureservice answers only after 30, 50 or 120 s (an incident at Pureservice) makes one
ticket, also when the bot stops or dies meanwhile and another process takes the ticket over.

The outbox, the real Pureservice desk and client, the lease keeper and a SQLite store run against the
fake Pureservice (which stores a slow create only when it answers, the worst case) on an event loop
whose clock jumps to the next timer (tests/virtual_time.py): minutes pass in milliseconds, nobody
waits for real. The settings are the defaults (attempt 180 s, recheck 3 s, lease 10 s, retry 15 s).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from connectors.pureservice import PureserviceClient, PureserviceTicketDesk
from core.ports import PostedMessage, TicketDraft
from skills.tickets.outbox import RetrySchedule, TicketOutbox
from store.database import Database, open_database
from store.leases import LeaseKeeper
from store.migrations import migrate
from store.tickets_outbox import CREATED, OutboxRepository
from tests.fakes.pureservice import API_KEY, FALLBACK_REQUESTER_EMAIL, FakePureservice
from tests.virtual_time import run_virtual, utc_clock, wall_clock

KARI = "kari.nordmann@molde.kommune.no"
DEFAULTS = dict(attempt_timeout=180.0, recheck_delay=3.0, wait_seconds=4.0, interval=2.0, concurrency=4)


@dataclass
class Told:
    """The Messenger: what users were told."""

    messages: list[tuple[str, str]] = field(default_factory=list)

    async def send_to_user(self, user_id: str, reply: Any) -> str:
        self.messages.append((user_id, reply.text))
        return "activity"

    async def start_thread(self, channel_id: str, reply: Any) -> PostedMessage:
        raise AssertionError("not used")

    async def send_to_conversation(self, conversation_id: str, reply: Any) -> str:
        raise AssertionError("not used")

    async def update_message(self, conversation_id: str, activity_id: str, reply: Any) -> None:
        raise AssertionError("not used")

    async def open_conversation(self, user_id: str) -> None:
        raise AssertionError("not used")


@dataclass
class Process:
    """One bot process: its own database connection, lease keeper, desk and outbox worker."""

    db: Database
    leases: LeaseKeeper
    outbox: TicketOutbox
    desk: PureserviceTicketDesk
    worker: asyncio.Task[None] | None = None

    def start_worker(self) -> None:
        self.worker = asyncio.ensure_future(self.outbox.run())

    async def stop(self) -> None:
        """A clean shutdown: attempts cancelled, leases handed back."""
        if self.worker is not None:
            self.worker.cancel()
            await asyncio.gather(self.worker, return_exceptions=True)
        await self.leases.close()
        await self.desk.close()
        await self.db.close()

    async def kill(self) -> None:
        """kill -9: the connection goes first, so nothing is released; then the tasks stop."""
        await self.db.close()
        await self.stop()


async def start_process(url: str, fake: FakePureservice, told: Told, seconds: Callable[[], float]) -> Process:
    db = await open_database(url)
    await migrate(db)
    loop = asyncio.get_running_loop()
    leases = LeaseKeeper(db, clock=seconds)
    client = PureserviceClient(fake.url, API_KEY, requests_per_minute=60_000, timeout_seconds=10.0)
    desk = PureserviceTicketDesk(client, fallback_requester_email=FALLBACK_REQUESTER_EMAIL,
                                 create_timeout=DEFAULTS["attempt_timeout"])
    outbox = TicketOutbox(
        OutboxRepository(db, leases), desk, told, clock=utc_clock(loop),
        schedule=RetrySchedule(15.0, 900.0), refused_schedule=RetrySchedule(900.0, 21600.0),
        kundeservice_phone="71 11 10 00", **DEFAULTS,
    )
    return Process(db, leases, outbox, desk)


def draft(key: str) -> TicketDraft:
    return TicketDraft(subject="Outlook henger", description="Outlook henger når jeg åpner kalenderen.",
                       category="email", priority="normal", requester_email=KARI, requester_name="Kari Nordmann",
                       idempotency_key=key)


def posts(fake: FakePureservice) -> list[str]:
    return [json.loads(r.body)["tickets"][0]["customerReference"] for r in fake.requests_to("/ticket/", "POST")]


async def until(condition: Callable[[], Any], seconds: float) -> None:
    """Wait (virtual time) until ``condition()`` is true, at most ``seconds``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not await condition():
        assert loop.time() < deadline, "not in time"
        await asyncio.sleep(1.0)


async def created(process: Process, key: str) -> bool:
    entry = await process.outbox.entry(key)
    return entry is not None and entry.state == CREATED


@pytest.mark.parametrize("answer_after", [30.0, 50.0, 120.0])
def test_a_create_answered_late_makes_one_ticket_and_the_user_hears_its_number(tmp_path: Path, answer_after):
    async def scenario() -> None:
        seconds = wall_clock(asyncio.get_running_loop())
        async with FakePureservice() as fake:
            fake.add_user("Kari", "Nordmann", KARI)
            told = Told()
            bot = await start_process(f"sqlite:///{tmp_path / 'rakel.db'}", fake, told, seconds)
            fake.slow_next(answer_after, method="POST", path="/ticket/")
            bot.start_worker()
            submitted = await bot.outbox.submit(draft("rakel:slow"), notify_user_id="kari")
            assert submitted.queued  # the click is answered after 4 s: "it will be sent"
            await until(lambda: created(bot, "rakel:slow"), answer_after + 600)
            await asyncio.sleep(120)  # two more minutes of workers: nothing more happens
            assert posts(fake) == ["rakel:slow"] and len(fake.tickets) == 1
            number = str(fake.tickets[0]["requestNumber"])
            assert len(told.messages) == 1 and number in told.messages[0][1]
            await bot.stop()

    run_virtual(scenario())


@pytest.mark.parametrize("ending", ["stop", "kill"])
def test_a_process_that_ends_during_a_slow_create_is_taken_over_without_a_second_ticket(tmp_path: Path, ending):
    """The create is answered after 120 s; the first process stops (or dies) after 10 s. The second
    process takes the ticket (at once after a stop, 10 s after a kill), looks for it while the first
    create may still land, finds it and tells the user - it never posts again."""

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        seconds = wall_clock(loop)
        url = f"sqlite:///{tmp_path / 'rakel.db'}"
        async with FakePureservice() as fake:
            fake.add_user("Kari", "Nordmann", KARI)
            told = Told()
            first = await start_process(url, fake, told, seconds)
            fake.slow_next(120.0, method="POST", path="/ticket/")
            first.start_worker()
            assert (await first.outbox.submit(draft("rakel:cut"), notify_user_id="kari")).queued
            await asyncio.sleep(6.0)
            await (first.stop() if ending == "stop" else first.kill())
            second = await start_process(url, fake, told, seconds)
            second.start_worker()
            await until(lambda: created(second, "rakel:cut"), 300)
            await asyncio.sleep(120)
            assert posts(fake) == ["rakel:cut"] and len(fake.tickets) == 1
            assert len(told.messages) == 1 and str(fake.tickets[0]["requestNumber"]) in told.messages[0][1]
            await second.stop()

    run_virtual(scenario())


def test_a_retry_after_an_answered_failure_looks_once_and_creates_once(tmp_path: Path):
    """A 500 that came after the work (the ticket is stored) is found by the desk's own retry; two 503s
    before the work send the ticket back to the outbox, whose retry looks once (the answers leave
    nothing on its way, so there is nothing to wait for) and creates it once."""

    async def scenario() -> None:
        seconds = wall_clock(asyncio.get_running_loop())
        async with FakePureservice() as fake:
            fake.add_user("Kari", "Nordmann", KARI)
            bot = await start_process(f"sqlite:///{tmp_path / 'rakel.db'}", fake, Told(), seconds)
            fake.fail_next(500, 1, method="POST", path="/ticket/", after_handling=True)
            fake.fail_next(503, 2, method="POST", path="/ticket/")
            bot.start_worker()
            await bot.outbox.submit(draft("rakel:a"), notify_user_id="kari")
            await bot.outbox.submit(draft("rakel:b"), notify_user_id="kari")
            await until(lambda: created(bot, "rakel:a"), 120)
            await until(lambda: created(bot, "rakel:b"), 120)
            assert sorted(posts(fake)) == ["rakel:a", "rakel:b", "rakel:b", "rakel:b"]  # b: refused twice, then made
            assert sorted(t["customerReference"] for t in fake.tickets) == ["rakel:a", "rakel:b"]
            searches = [r for r in fake.requests_to("/ticket/", "GET") if "rakel:b" in r.query.get("filter", "")]
            assert len(searches) == 3  # before each of the desk's two POSTs, and before the outbox's
            await bot.stop()

    run_virtual(scenario())
