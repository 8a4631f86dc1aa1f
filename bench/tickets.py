"""Tickets through the bot with nothing lost and nothing doubled, under failures and a restart.

N users (default 200) each ask Rakel for a ticket ("lag en sak: ...") and press "Send" on the draft
card, all at once, through the real HTTP endpoint (Teams-shaped activities, a local connector). The
fake Pureservice fails 20 % of all requests (500/503/429; half of them after doing the work, so a
create may be stored and still answer 500). Halfway through the clicks the bot is stopped (requests
in flight are cut off after one second) and started again on the same database and port; clicks that
hit the downtime are repeated, as a user (or Teams) would.

Printed: clicks answered with a number at once or "queued", tickets created, duplicates (must be 0),
lost (must be 0), users told their number later, and the time until the outbox is empty.

Then (issue 18) two more scenarios on the default ticket settings (attempt 180 s, recheck 3 s, leases of
10 s renewed every 2 s):
- slow creates: three users press "Send" while Pureservice answers creates only after 30, 50 and 120 s
  (storing each ticket just before it answers, the worst case); printed: doubled, lost, time to told;
- kill -9 with tickets queued: Pureservice refuses every create (503) while N users press "Send"; the
  bot (a `rakel serve` process) is killed with SIGKILL, Pureservice comes back, the bot is started
  again; printed: doubled, lost, time from the restart to each user being told the number (< 15 s).

    .venv/bin/python bench/tickets.py [--tickets 200] [--failure-rate 0.2] [--requests-per-minute 6000]
                                      [--database-url postgresql://...] [--only burst|slow|kill]
                                      [--queued 20]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import Runtime, build_runtime  # noqa: E402
from bench.common import free_port  # noqa: E402
from bot.local_client import LocalChannel, LocalUser  # noqa: E402
from bot.local_connector import LocalConnector, start_local_connector  # noqa: E402
from bot.server import create_app  # noqa: E402
from core.settings import Settings  # noqa: E402
from tests.fakes.pureservice import API_KEY, FALLBACK_REQUESTER_EMAIL, FakePureservice  # noqa: E402

PROBLEMS = (
    "Skriveren i {n}. etasje skriver ikke ut", "Outlook henger når jeg åpner kalender nummer {n}",
    "VPN kobler ned etter {n} minutter", "Jeg får ikke logget inn i Visma fra kontor {n}",
    "Skjerm {n} på møterommet flimrer", "Teams mister lyden i møte {n}",
)
CLICK_RETRY_SECONDS = 0.5
CLICK_GIVE_UP_SECONDS = 120.0


class Bot:
    """The bot on a fixed port, so it can be stopped and started again at the same address."""

    def __init__(self, settings: Settings, port: int) -> None:
        self.settings, self.port = settings, port
        self.runner: web.AppRunner | None = None
        self.runtime: Runtime | None = None

    async def start(self) -> None:
        self.runtime = await build_runtime(self.settings)
        self.runner = web.AppRunner(create_app(self.runtime), access_log=None, shutdown_timeout=1.0)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        assert self.runner is not None
        await self.runner.cleanup()  # cuts off clicks in flight, stops the workers, closes the store


async def post(channel: LocalChannel, activity: dict[str, Any]) -> Any:
    """Post until the bot answers 200 (connection refused or cut off during the restart: try again)."""
    deadline = time.monotonic() + CLICK_GIVE_UP_SECONDS
    while True:
        try:
            result = await channel.post(activity)
            if result.status == 200:
                return result.body
        except (TimeoutError, aiohttp.ClientError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the bot did not answer for two minutes")
        await asyncio.sleep(CLICK_RETRY_SECONDS)


async def draft_card(channel: LocalChannel, connector: LocalConnector, user: LocalUser, text: str) -> dict:
    while True:
        before = len(connector.replies(user.conversation_id))
        await post(channel, channel.activity(user, "message", text=text))
        try:
            replies = await connector.wait_for(user.conversation_id, before + 1, timeout=10)
        except TimeoutError:
            continue  # the message was cut off by the restart: say it again
        for activity in replies[before:]:
            for attachment in activity.get("attachments") or []:
                card = attachment.get("content") or {}
                if any(action.get("verb") == "tickets.send" for action in card.get("actions", [])):
                    return card


def inputs(card: dict) -> dict[str, str]:
    return {item["id"]: item.get("value", "") for item in card["body"] if str(item.get("type")).startswith("Input.")}


async def one_ticket(
    number: int, channel: LocalChannel, connector: LocalConnector, user: LocalUser, started: list[int],
    restart_at: int, restart: asyncio.Event, results: dict[str, str],
) -> None:
    card = await draft_card(channel, connector, user, "lag en sak: " + PROBLEMS[number % len(PROBLEMS)].format(n=number))
    send = next(action for action in card["actions"] if action.get("verb") == "tickets.send")
    data = {**send["data"], **inputs(card)}
    started[0] += 1
    if started[0] == restart_at:
        restart.set()
    value = {"action": {"type": "Action.Execute", "verb": "tickets.send", "data": data}, "trigger": "manual"}
    body = await post(channel, channel.activity(user, "invoke", name="adaptiveCard/action", value=value))
    answer = str(body.get("value"))
    results[send["data"]["request"]] = (
        "created" if "Saken er sendt" in answer else "queued" if "Saken blir sendt" in answer
        else "sending" if "Saken sendes" in answer else "refused" if "ikke tatt imot" in answer else "other"
    )


TOLD = "er nå registrert hos Kundeservice"


async def press_send(channel: LocalChannel, user: LocalUser, card: dict) -> str:
    """Press "Send" on a draft card as Teams does; the answer card's text."""
    send = next(action for action in card["actions"] if action.get("verb") == "tickets.send")
    value = {"action": {"type": "Action.Execute", "verb": "tickets.send", "data": {**send["data"], **inputs(card)}},
             "trigger": "manual"}
    return str((await post(channel, channel.activity(user, "invoke", name="adaptiveCard/action", value=value))).get("value"))


async def told_at(connector: LocalConnector, users: list[LocalUser], since: float, timeout: float) -> dict[str, float]:
    """When each user was told a ticket number (seconds after ``since``), waiting at most ``timeout``."""
    told: dict[str, float] = {}
    while len(told) < len(users) and time.monotonic() - since < timeout:
        for user in users:
            if user.member.email not in told and any(TOLD in (a.get("text") or "") for a in connector.replies(user.conversation_id)):
                told[user.member.email] = time.monotonic() - since
        await asyncio.sleep(0.1)
    return told


async def drafts(
    channel: LocalChannel, connector: LocalConnector, users: list[LocalUser], problem: str
) -> tuple[list[dict], set[str]]:
    """Each user asks for a ticket ("lag en sak: <problem>"); their draft cards and the tickets' keys."""
    for user in users:
        channel.join(user)
    cards = [await draft_card(channel, connector, user, "lag en sak: " + problem.format(n=n))
             for n, user in enumerate(users)]
    keys = {"rakel:" + next(a for a in c["actions"] if a.get("verb") == "tickets.send")["data"]["request"] for c in cards}
    return cards, keys


def doubled_and_lost(fake: FakePureservice, keys: set[str]) -> tuple[int, int, int]:
    made = [t.get("customerReference", "") for t in fake.tickets if t.get("customerReference", "") in keys]
    return len(set(made)), len(made) - len(set(made)), len(keys - set(made))


async def slow_creates(args: argparse.Namespace) -> None:
    delays = (30.0, 50.0, 120.0)
    async with FakePureservice(seed=3) as fake:
        users = [LocalUser.create(f"Treg {n}", f"treg{n}@rauma.kommune.no") for n in range(len(delays))]
        for user in users:
            fake.add_user("Treg", user.member.name.split()[-1], user.member.email)
        connector = LocalConnector()
        connector_runner, service_url = await start_local_connector(connector)
        with tempfile.TemporaryDirectory(prefix="rakel-bench-slow-") as data_dir:
            settings = Settings(
                _env_file=None, env="test", data_dir=Path(data_dir), database_url=args.database_url,  # type: ignore[call-arg]
                kundeservice_service_url=service_url, log_level="ERROR", pureservice_url=fake.url,
                pureservice_api_key=API_KEY, pureservice_fallback_requester_email=FALLBACK_REQUESTER_EMAIL,
                pureservice_requests_per_minute=args.requests_per_minute,
            )
            bot = Bot(settings, free_port())
            await bot.start()
            session = aiohttp.ClientSession()
            channel = LocalChannel(f"http://127.0.0.1:{bot.port}/api/messages", connector, service_url, session)
            cards, keys = await drafts(channel, connector, users, "Outlook henger, tilfelle {n}")
            for delay in delays:
                fake.slow_next(delay, method="POST", path="/ticket/")
            clicked = time.monotonic()
            answers = await asyncio.gather(*(press_send(channel, user, card) for user, card in zip(users, cards, strict=True)))
            told = await told_at(connector, users, clicked, max(delays) + 120)
            await asyncio.sleep(20)  # the workers keep going: nothing more may happen
            created, doubled, lost = doubled_and_lost(fake, keys)
            posts = len(fake.requests_to("/ticket/", "POST"))
            print(f"slow creates (Pureservice answers after {', '.join(f'{d:g}' for d in delays)} s; attempt "
                  f"{settings.tickets_attempt_timeout_seconds:g} s, recheck {settings.tickets_recheck_seconds:g} s):")
            print(f"  clicks answered 'it will be sent': {sum('Saken blir sendt' in a for a in answers)} of {len(users)}")
            print(f"  created {created}, doubled {doubled}, lost {lost}; POST /ticket/ sent {posts} times")
            print("  told the number after: " + ", ".join(f"{t:.1f} s" for t in sorted(told.values()))
                  + f" ({len(told)} of {len(users)} told)")
            await session.close()
            await bot.stop()
        await connector_runner.cleanup()


async def kill_with_queue(args: argparse.Namespace) -> None:
    from bench.scale import Instance  # (bench/scale.py imports this module)

    async with FakePureservice(seed=5) as fake:
        users = [LocalUser.create(f"Kø {n}", f"ko{n}@vestnes.kommune.no") for n in range(args.queued)]
        for user in users:
            fake.add_user("Kø", user.member.name.split()[-1], user.member.email)
        connector = LocalConnector()
        connector_runner, service_url = await start_local_connector(connector)
        with tempfile.TemporaryDirectory(prefix="rakel-bench-kill-") as data_dir:
            port = free_port()
            bot = Instance("bot", port, {
                **os.environ, "RAKEL_PORT": str(port), "RAKEL_DATA_DIR": data_dir, "RAKEL_LOG_LEVEL": "ERROR",
                "RAKEL_DATABASE_URL": args.database_url, "RAKEL_KUNDESERVICE_SERVICE_URL": service_url,
                "RAKEL_PURESERVICE_URL": fake.url, "RAKEL_PURESERVICE_API_KEY": API_KEY,
                "RAKEL_PURESERVICE_FALLBACK_REQUESTER_EMAIL": FALLBACK_REQUESTER_EMAIL,
                "RAKEL_PURESERVICE_REQUESTS_PER_MINUTE": str(args.requests_per_minute),
                # Pureservice's outage ends with the restart: a short retry schedule, so that the figure is the
                # take-over (leases), not the back-off.
                "RAKEL_TICKETS_RETRY_INITIAL_SECONDS": "2", "RAKEL_TICKETS_RETRY_MAX_SECONDS": "4",
            })
            await bot.start()
            session = aiohttp.ClientSession()
            channel = LocalChannel(f"http://127.0.0.1:{port}/api/messages", connector, service_url, session)
            cards, keys = await drafts(channel, connector, users, "Skriveren på kontor {n} er død")
            fake.failure_rate, fake.failure_statuses = 1.0, (503,)  # every request refused: nothing is created
            answers = await asyncio.gather(*(press_send(channel, user, card) for user, card in zip(users, cards, strict=True)))
            await asyncio.sleep(3)  # the worker retries the queue a few times
            bot.signal(signal.SIGKILL)
            await bot.wait()
            fake.failure_rate = 0.0
            restarted = time.monotonic()
            await bot.start()
            ready = time.monotonic() - restarted
            told = await told_at(connector, users, restarted, 120)
            await asyncio.sleep(10)
            if os.environ.get("BENCH_DEBUG"):
                for request, at in zip(fake.requests, fake.arrivals, strict=False):
                    if at > restarted and request.path.endswith("/ticket/"):
                        print(f"    {at - restarted:6.1f} s {request.method} {request.path} {request.query.get('filter', '')[:40]}")
            created, doubled, lost = doubled_and_lost(fake, keys)
            times = sorted(told.values())
            print(f"kill -9 with {len(users)} tickets queued (Pureservice refusing every create, then back at the restart):")
            print(f"  clicks answered 'it will be sent': {sum('Saken blir sendt' in a for a in answers)} of {len(users)}")
            print(f"  created {created}, doubled {doubled}, lost {lost}")
            if times:
                print(f"  from the restart to the number told: first {times[0]:.1f} s, median {times[len(times) // 2]:.1f} s, "
                      f"last {times[-1]:.1f} s ({len(times)} of {len(users)} told; the restarted bot was ready after {ready:.1f} s)")
            else:
                print("  nobody was told a number within 120 s of the restart")
            await session.close()
            bot.signal(signal.SIGTERM)
            await bot.wait()
        await connector_runner.cleanup()


async def main(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.ERROR)
    if args.only in ("", "burst"):
        await burst(args)
    if args.only in ("", "slow"):
        await slow_creates(args)
    if args.only in ("", "kill"):
        await kill_with_queue(args)


async def burst(args: argparse.Namespace) -> None:
    async with FakePureservice(seed=7) as fake:
        users = [LocalUser.create(f"Bruker {n}", f"bruker{n}@molde.kommune.no") for n in range(args.tickets)]
        for n, user in enumerate(users):
            if n % 10:  # every tenth user is not in Pureservice: the fallback requester files it
                fake.add_user("Bruker", str(n), user.member.email)
        connector = LocalConnector()
        connector_runner, service_url = await start_local_connector(connector)
        with tempfile.TemporaryDirectory(prefix="rakel-bench-tickets-") as data_dir:
            settings = Settings(
                _env_file=None, env="test", data_dir=Path(data_dir), database_url=args.database_url,  # type: ignore[call-arg]
                kundeservice_service_url=service_url, log_level="ERROR",
                pureservice_url=fake.url, pureservice_api_key=API_KEY,
                pureservice_fallback_requester_email=FALLBACK_REQUESTER_EMAIL,
                pureservice_requests_per_minute=args.requests_per_minute, pureservice_timeout_seconds=2.0,
                tickets_retry_initial_seconds=1.0, tickets_retry_max_seconds=5.0,
                tickets_worker_interval_seconds=0.2, tickets_worker_concurrency=8,
                tickets_attempt_timeout_seconds=30.0,
            )
            bot = Bot(settings, free_port())
            await bot.start()
            fake.failure_rate, fake.failure_after_handling = args.failure_rate, 0.5
            session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
            channel = LocalChannel(f"http://127.0.0.1:{bot.port}/api/messages", connector, service_url, session)
            for user in users:
                channel.join(user)
            started, restart, results = [0], asyncio.Event(), {}
            began = time.monotonic()

            async def restarter() -> float:
                await restart.wait()
                down = time.monotonic()
                await bot.stop()
                await bot.start()
                return time.monotonic() - down

            restarting = asyncio.create_task(restarter())
            await asyncio.gather(*(
                one_ticket(n, channel, connector, user, started, args.tickets // 2, restart, results)
                for n, user in enumerate(users)
            ))
            clicks_done = time.monotonic()
            downtime = await restarting
            assert bot.runtime is not None
            store = bot.runtime.store
            while True:
                counts = await store.tickets.outbox.counts()
                sending = await store.db.fetch_value("SELECT COUNT(*) AS n FROM ticket_requests WHERE state = 'sending'")
                if not counts.get("pending") and not sending and sum(counts.values()) >= len(results):
                    break
                if time.monotonic() - clicks_done > 600:
                    print("outbox not empty after 10 minutes:", counts)
                    break
                await asyncio.sleep(0.1)
            drained = time.monotonic()
            fake.failure_rate = 0.0
            await asyncio.sleep(3)  # late notifications
            references = [t.get("customerReference", "") for t in fake.tickets]
            ours = {f"rakel:{request}" for request in results}
            created = [ref for ref in references if ref in ours]
            told = sum(
                1 for user in users for activity in connector.replies(user.conversation_id)
                if "er nå registrert hos Kundeservice" in (activity.get("text") or "")
            )
            queued = sum(1 for outcome in results.values() if outcome != "created")
            failures = sum(1 for status in fake.answered if status >= 429)
            print(f"tickets asked for through the bot: {len(results)} ({args.tickets} users, one restart "
                  f"after {args.tickets // 2} clicks; bot down {downtime:.1f} s)")
            print(f"Pureservice: {len(fake.answered)} requests, {failures} failed by injection "
                  f"({args.failure_rate:.0%}), {args.requests_per_minute}/min client limit")
            print("click answers: " + ", ".join(
                f"{name} {sum(1 for v in results.values() if v == name)}"
                for name in ("created", "queued", "sending", "refused", "other")))
            print(f"created: {len(set(created))}")
            print(f"duplicates: {len(created) - len(set(created))}")
            print(f"lost: {len(ours - set(created))}")
            print(f"told the number later: {told} of {queued} not answered with a number at once")
            print(f"outbox: {await store.tickets.outbox.counts()}")
            print(f"clicks answered in {clicks_done - began:.1f} s; outbox empty {drained - clicks_done:.1f} s "
                  f"after the last click ({drained - began:.1f} s after the first)")
            await session.close()
            await bot.stop()
        await connector_runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--failure-rate", type=float, default=0.2)
    parser.add_argument("--requests-per-minute", type=int, default=6000,
                        help="the Pureservice client's limit (the SaaS allows about 100; the fake has none)")
    parser.add_argument("--database-url", default="", help="PostgreSQL instead of a SQLite file")
    parser.add_argument("--only", choices=("burst", "slow", "kill"), default="", help="one scenario only")
    parser.add_argument("--queued", type=int, default=20, help="tickets queued when the bot is killed")
    asyncio.run(main(parser.parse_args()))
