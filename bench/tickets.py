"""Tickets through the bot with nothing lost and nothing doubled, under failures and a restart.

N users (default 200) each ask Rakel for a ticket ("lag en sak: ...") and press "Send" on the draft
card, all at once, through the real HTTP endpoint (Teams-shaped activities, a local connector). The
fake Pureservice fails 20 % of all requests (500/503/429; half of them after doing the work, so a
create may be stored and still answer 500). Halfway through the clicks the bot is stopped (requests
in flight are cut off after one second) and started again on the same database and port; clicks that
hit the downtime are repeated, as a user (or Teams) would.

Printed: clicks answered with a number at once or "queued", tickets created, duplicates (must be 0),
lost (must be 0), users told their number later, and the time until the outbox is empty.

    .venv/bin/python bench/tickets.py [--tickets 200] [--failure-rate 0.2] [--requests-per-minute 6000]
                                      [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
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


async def main(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.ERROR)
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
    asyncio.run(main(parser.parse_args()))
