"""Handoff to Kundeservice under load: many users ask for a person at once, a few agents race to take
the requests and chat with them, through the bot's HTTP endpoint and the local connector.

The bot runs as its own process (as `rakel serve`, its clock moved to an ordinary Monday 10:00 so the
bench runs the same on evenings, weekends and holidays). Every user asks for a person; every agent
clicks "Ta saken" on every request (exactly one must win each); then each chat runs a number of rounds
in which the user sends a burst of messages and the agent answers with a burst in the thread; at the end
the agents close the chats, and the transcripts go to the local ticket desk. People take a while to
write (``--think``, 5 s on average: 100 chats then make about 40 relayed messages a second, far more
than five agents can write); ``--think 0`` makes it a saturation test instead.

Printed: messages relayed, lost (must be 0), out of order (must be 0), duplicates, double claims, and
the relay delay Rakel adds: from the moment a message is posted to the bot until its relayed copy reaches
the connector (the other side's Teams), p50/p95/p99 (target p95 < 100 ms).

    .venv/bin/python bench/handoff.py [--users 100] [--agents 5] [--rounds 5] [--burst 2] [--think 5]
                                      [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentile, running_server  # noqa: E402
from bot.local_client import BOT_ID, TENANT_ID, LocalChannel, LocalUser  # noqa: E402
from bot.local_connector import LocalConnector, start_local_connector  # noqa: E402

CHANNEL = "19:kundeservice-bench@thread.tacv2"
OFFICE_HOURS = datetime(2026, 5, 11, 10, 0, tzinfo=ZoneInfo("Europe/Oslo"))  # an ordinary Monday
TAG = re.compile(r"\bm:(\d+):([ua]):(\d+)\b")
WAIT_SECONDS = 20.0


# --- the bot process -----------------------------------------------------------------------------
def serve_in_office_hours() -> None:
    from cli.serve import prepare
    from core.logging_setup import configure_logging
    from core.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    offset = OFFICE_HOURS - datetime.now(UTC)

    async def build() -> web.Application:
        return await prepare(settings, clock=lambda: datetime.now(UTC) + offset)

    web.run_app(build(), host=settings.host, port=settings.port, print=None, access_log=None)


# --- what arrives at the connector ---------------------------------------------------------------
class Arrivals:
    """When each tagged message reached the connector, and in which order per chat and direction."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.duplicates = 0
        self.out_of_order = 0
        self._last: dict[tuple[str, str], int] = {}
        self._waiters: dict[str, asyncio.Event] = defaultdict(asyncio.Event)

    def watch(self, connector: LocalConnector) -> None:
        """Time every message the bot posts, before the connector stores it."""
        post = connector._post_activity

        async def timed(request: web.Request) -> web.Response:
            arrived = time.perf_counter()
            response = await post(request)
            activity_id = json.loads(response.body)["id"] if response.status == 200 else None
            if activity_id:
                stored = connector.activities[request.match_info["conversation_id"]]
                text = next((a.get("text") or "" for a in reversed(stored) if a.get("id") == activity_id), "")
                for match in TAG.finditer(text):
                    self._record(match, arrived)
            return response

        connector._post_activity = timed  # type: ignore[method-assign]

    def _record(self, match: re.Match[str], arrived: float) -> None:
        tag = match.group(0)
        if tag in self.at:
            self.duplicates += 1
            return
        self.at[tag] = arrived
        chat, direction, number = match.group(1), match.group(2), int(match.group(3))
        if number < self._last.get((chat, direction), -1):
            self.out_of_order += 1
        self._last[(chat, direction)] = max(number, self._last.get((chat, direction), -1))
        self._waiters[tag].set()

    async def wait(self, tag: str) -> bool:
        try:
            await asyncio.wait_for(self._waiters[tag].wait(), WAIT_SECONDS)
            return True
        except TimeoutError:
            return False


# --- the people ----------------------------------------------------------------------------------
class Desk:
    def __init__(self, channel: LocalChannel, connector: LocalConnector, arrivals: Arrivals) -> None:
        self.channel = channel
        self.connector = connector
        self.arrivals = arrivals
        self.sent: dict[str, float] = {}

    def in_thread(self, agent: LocalUser, thread: str, type_: str, **fields: Any) -> dict[str, Any]:
        activity = self.channel.activity(agent, type_, **fields)
        activity["conversation"] = {"id": thread, "conversationType": "channel", "tenantId": TENANT_ID}
        return activity

    async def post(self, activity: dict[str, Any]) -> dict[str, Any] | str:
        result = await self.channel.post(activity)
        if result.status != 200:
            raise RuntimeError(f"HTTP {result.status}: {result.body}")
        return result.body

    async def user_says(self, user: LocalUser, text: str) -> None:
        await self.post(self.channel.activity(user, "message", text=text))

    async def agent_says(self, agent: LocalUser, thread: str, text: str) -> None:
        mention = {"type": "mention", "text": "<at>Rakel</at>", "mentioned": {"id": BOT_ID, "name": "Rakel"}}
        await self.post(self.in_thread(agent, thread, "message", text=f"<at>Rakel</at> {text}", entities=[mention]))

    async def click(self, agent: LocalUser, thread: str, verb: str, data: dict[str, Any]) -> dict[str, Any]:
        value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
        body = await self.post(self.in_thread(agent, thread, "invoke", name="adaptiveCard/action", value=value,
                                              replyToId=thread.split("=")[-1]))
        assert isinstance(body, dict)
        return body

    async def relay(self, send: Any, tag: str) -> None:
        self.sent[tag] = time.perf_counter()
        await send(tag)


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    return activity["attachments"][0]["content"]


def requests_in_channel(connector: LocalConnector) -> dict[str, tuple[str, str]]:
    """thread id -> (user's name, handoff id) for every handoff card in the channel."""
    found = {}
    for thread in connector.channel_threads(CHANNEL):
        card = card_of(connector.replies(thread)[0])
        ids = [action["data"]["handoff_id"] for action in card.get("actions", []) if "handoff_id" in action.get("data", {})]
        if ids:
            found[thread] = (card["body"][0]["text"].removeprefix("💬 ").split(" vil chatte")[0], ids[0])
    return found


# --- the run -------------------------------------------------------------------------------------
async def run(args: argparse.Namespace) -> None:
    connector = LocalConnector()
    arrivals = Arrivals()
    arrivals.watch(connector)
    runner, service_url = await start_local_connector(connector)
    users = [LocalUser.create(f"Bruker {n}", f"bruker{n}@molde.kommune.no") for n in range(args.users)]
    agents = [LocalUser.create(f"Agent {n}", f"agent{n}@ror-ikt.no") for n in range(args.agents)]
    env = {"RAKEL_KUNDESERVICE_CONVERSATION_ID": CHANNEL, "RAKEL_KUNDESERVICE_SERVICE_URL": service_url,
           "RAKEL_LOG_LEVEL": "ERROR"}
    if args.database_url:
        env["RAKEL_DATABASE_URL"] = args.database_url
    with running_server(env, argv=[__file__, "--serve"]) as (base, process):
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            channel = LocalChannel(f"{base}/api/messages", connector, service_url, session)
            for person in users + agents:
                channel.join(person)
            desk = Desk(channel, connector, arrivals)
            await report(desk, users, agents, args, process)
    await runner.cleanup()


async def report(desk: Desk, users: list[LocalUser], agents: list[LocalUser], args: argparse.Namespace, process: Any) -> None:
    # 1. everyone asks for a person at once
    started = time.perf_counter()
    await asyncio.gather(*(desk.user_says(user, "kan jeg snakke med et menneske") for user in users))
    requests = requests_in_channel(desk.connector)
    print(f"{len(users)} users asked for a person at once: {len(requests)} requests in the channel "
          f"({(time.perf_counter() - started) * 1000:.0f} ms)")
    by_name = {user.member.name: index for index, user in enumerate(users)}

    # 2. every agent clicks "Ta saken" on every request, in its own random order
    winners: dict[str, list[str]] = defaultdict(list)
    claim_ms: list[float] = []

    async def take_all(agent: LocalUser) -> None:
        threads = list(requests)
        random.shuffle(threads)
        for thread in threads:
            clicked = time.perf_counter()
            body = await desk.click(agent, thread, "handoff.claim", {"handoff_id": requests[thread][1]})
            claim_ms.append((time.perf_counter() - clicked) * 1000)
            shown = json.dumps(body["value"], ensure_ascii=False)
            if "tok saken før deg" not in shown and f"Tatt av {agent.member.name} " in shown:
                winners[thread].append(agent.member.name)

    cpu_before = sum(process.cpu_times()[:2])
    await asyncio.gather(*(take_all(agent) for agent in agents))
    double = sum(1 for names in winners.values() if len(names) > 1)
    print(f"{len(agents)} agents clicked «Ta saken» {len(claim_ms)} times: {len(winners)} requests taken, "
          f"double claims {double} (must be 0); claim p95 {percentile(claim_ms, .95):.1f} ms")
    by_agent = Counter(names[0] for names in winners.values())
    print(f"  taken per agent: {', '.join(f'{name} {count}' for name, count in sorted(by_agent.items()))}")

    # 3. the chats: the user writes a burst, the agent answers with a burst, round after round
    agent_of = {thread: next(a for a in agents if a.member.name == names[0]) for thread, names in winners.items()}

    async def typing() -> None:
        await asyncio.sleep(random.uniform(0.5, 1.5) * args.think)

    async def chat(thread: str) -> None:
        index = by_name[requests[thread][0]]
        user, agent = users[index], agent_of[thread]
        number = 0
        for _ in range(args.rounds):
            await typing()
            for tag in [f"m:{index}:u:{number + k}" for k in range(args.burst)]:
                await desk.relay(lambda text: desk.user_says(user, text), tag)
            if not await desk.arrivals.wait(f"m:{index}:u:{number + args.burst - 1}"):
                return
            await typing()
            for tag in [f"m:{index}:a:{number + k}" for k in range(args.burst)]:
                await desk.relay(lambda text: desk.agent_says(agent, thread, f"Svar {text}"), tag)
            if not await desk.arrivals.wait(f"m:{index}:a:{number + args.burst - 1}"):
                return
            number += args.burst

    started = time.perf_counter()
    await asyncio.gather(*(chat(thread) for thread in agent_of))
    elapsed = time.perf_counter() - started
    cpu = sum(process.cpu_times()[:2]) - cpu_before
    await asyncio.sleep(1.0)  # anything still on its way
    delays = [(desk.arrivals.at[tag] - sent) * 1000 for tag, sent in desk.sent.items() if tag in desk.arrivals.at]
    lost = sum(1 for tag in desk.sent if tag not in desk.arrivals.at)
    to_thread = sum(1 for tag in desk.arrivals.at if ":u:" in tag)
    print(f"messages relayed: {len(delays)} ({to_thread} user → thread, {len(delays) - to_thread} agent → user) "
          f"in {elapsed:.1f} s; lost {lost} (must be 0), out of order {desk.arrivals.out_of_order} (must be 0), "
          f"duplicates {desk.arrivals.duplicates}")
    print(f"relay delay added by Rakel: p50 {percentile(delays, .5):.1f} ms, p95 {percentile(delays, .95):.1f} ms "
          f"(target < 100), p99 {percentile(delays, .99):.1f} ms, max {max(delays, default=float('nan')):.1f} ms")
    print(f"server CPU {cpu / max(1, len(delays) + len(claim_ms)) * 1000:.2f} ms per click or relayed message")

    # 4. the agents close the chats; the transcripts go to the ticket desk
    await asyncio.gather(*(desk.click(agent, thread, "handoff.end", {"handoff_id": requests[thread][1], "resolved": True})
                           for thread, agent in agent_of.items()))
    filed = sum(1 for thread in agent_of
                if any("Samtalen er lagret som sak" in (a.get("text") or "") for a in desk.connector.replies(thread)))
    print(f"chats closed: {len(agent_of)}, transcripts filed as tickets: {filed}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve_in_office_hours()
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--agents", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--burst", type=int, default=2)
    parser.add_argument("--think", type=float, default=5.0,
                        help="mean seconds a person takes to write an answer (0: no pause, the saturation test)")
    parser.add_argument("--database-url", default="", help="e.g. postgresql://… (default: SQLite in a temp dir)")
    asyncio.run(run(parser.parse_args()))
