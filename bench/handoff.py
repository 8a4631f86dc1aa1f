"""Handoff to Kundeservice under load: many users ask for a person at once, a few agents race to take
the requests and chat with them, through the bot's HTTP endpoint and the local connector.

The bot runs as its own process (as `rakel serve`, its clock moved to an ordinary Monday 10:00 so the
bench runs the same on evenings, weekends and holidays). Every user asks for a person; every agent
clicks "Ta saken" on every request (exactly one must win each); then each chat runs a number of rounds
in which the user sends a burst of messages and the agent answers with a burst in the thread; at the end
the agents close the chats, and the transcripts go to the local ticket desk. People take a while to
write (``--think``, 5 s on average: 100 chats then make about 40 relayed messages a second, far more
than five agents can write); ``--think 0`` makes it a saturation test instead.

Tickets go to a strict Pureservice fake (tests/fakes/pureservice.py), so the transcripts are counted
there. Every tenth user pastes a screenshot with their first message (every fourth of those a link that
cannot be fetched): counted are pictures sent, re-posted inline in the thread, and failed (said so).
Then a restart half-way through a second set of chats, as a rolling redeploy does it: two bot processes
on one database behind a "load balancer" (the clients fail over), and the one taking the traffic is
stopped with SIGTERM, and in a second run killed with SIGKILL, while messages flow both ways and a
few sends are under way (Teams answers them slowly just then).

Printed: messages relayed, lost (must be 0), out of order (must be 0), duplicates, double claims, and
the relay delay Rakel adds: from the moment a message is posted to the bot until its relayed copy reaches
the connector (the other side's Teams), p50/p95/p99 (target p95 < 100 ms); transcripts filed in the
Pureservice fake; pictures; and per restart the time from the stop until both directions relay again
(target < 5 s), messages lost (0) and doubled (0 where our own record tells; after a SIGKILL a message
whose send was cut off may be sent again, since Teams cannot be asked whether it arrived: printed).

    .venv/bin/python bench/handoff.py [--users 100] [--agents 5] [--rounds 5] [--burst 2] [--think 5]
                                      [--restart-chats 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import psutil
from aiohttp import web
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, free_port, percentile  # noqa: E402
from bot.local_client import BOT_ID, TENANT_ID, LocalChannel, LocalUser  # noqa: E402
from bot.local_connector import LocalConnector, start_local_connector  # noqa: E402
from store.handoffs import RELAY_LEASE_TTL_SECONDS  # noqa: E402
from tests.fakes.pureservice import API_KEY, FALLBACK_REQUESTER_EMAIL, FakePureservice  # noqa: E402

CHANNEL = "19:kundeservice-bench@thread.tacv2"
OFFICE_HOURS = datetime(2026, 5, 11, 10, 0, tzinfo=ZoneInfo("Europe/Oslo"))  # an ordinary Monday
TAG = re.compile(r"\bm:(\d+):([ua]):(\d+)\b")
WAIT_SECONDS = 20.0


# --- the bot process -----------------------------------------------------------------------------
def serve_in_office_hours() -> None:
    """`rakel serve` (graceful on SIGTERM) with the clock moved to office hours."""
    import cli.serve
    from core.logging_setup import configure_logging
    from core.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    offset = OFFICE_HOURS - datetime.now(UTC)
    prepare = cli.serve.prepare

    async def prepared(settings_: Any, **_: Any) -> web.Application:
        return await prepare(settings_, clock=lambda: datetime.now(UTC) + offset)

    cli.serve.prepare = prepared  # type: ignore[assignment]
    asyncio.run(cli.serve.run(settings))


class BotProcess:
    """One bot process on a fixed port and a shared data dir (so a second one shares the database)."""

    started: list[BotProcess] = []

    def __init__(self, env: dict[str, str], data_dir: str) -> None:
        self.port = free_port()
        self.env = {**os.environ, "RAKEL_DATA_DIR": data_dir, "RAKEL_PORT": str(self.port), **env}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/messages"

    async def start(self, session: aiohttp.ClientSession) -> None:
        self.log = Path(self.env["RAKEL_DATA_DIR"]) / f"bot-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen([sys.executable, __file__, "--serve"], cwd=ROOT, env=self.env,
                                            stdout=subprocess.DEVNULL, stderr=log)
        BotProcess.started.append(self)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"bot exited: {self.log.read_text()[-2000:]}")
            try:
                async with session.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        raise RuntimeError("bot did not start within 180 s")

    def cpu(self) -> float:
        return sum(psutil.Process(self.process.pid).cpu_times()[:2]) if self.process else 0.0  # type: ignore[union-attr]

    def stop(self, signum: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signum)

    async def wait(self) -> None:
        while self.process and self.process.poll() is None:
            await asyncio.sleep(0.05)


# --- what arrives at the connector ---------------------------------------------------------------
class Arrivals:
    """When each tagged message reached the connector, and in which order per chat and direction."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.inline_pictures: dict[str, int] = defaultdict(int)  # tag -> pictures shown inline with it
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
                activity = next((a for a in reversed(stored) if a.get("id") == activity_id), {})
                pictures = sum(1 for item in activity.get("attachments") or []
                               if str(item.get("contentUrl", "")).startswith("data:image/"))
                for match in TAG.finditer(activity.get("text") or ""):
                    self._record(match, arrived)
                    self.inline_pictures[match.group(0)] += pictures
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
    """The people in Teams, posting to the bot through a "load balancer": the first endpoint that takes
    the activity (a stopped process refuses, and Teams sends it again to another instance)."""

    def __init__(self, channel: LocalChannel, connector: LocalConnector, arrivals: Arrivals, endpoints: list[str]) -> None:
        self.channel = channel
        self.connector = connector
        self.arrivals = arrivals
        self.endpoints = endpoints
        self.sent: dict[str, float] = {}
        self.accepted: set[str] = set()  # tags a bot answered 200 for

    def in_thread(self, agent: LocalUser, thread: str, type_: str, **fields: Any) -> dict[str, Any]:
        activity = self.channel.activity(agent, type_, **fields)
        activity["conversation"] = {"id": thread, "conversationType": "channel", "tenantId": TENANT_ID}
        return activity

    async def post(self, activity: dict[str, Any]) -> dict[str, Any] | str:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            for endpoint in list(self.endpoints):
                try:
                    async with self.channel.session.post(endpoint, json=activity) as response:
                        body = await response.text()
                        if response.status == 200:
                            return json.loads(body) if body and response.content_type == "application/json" else body
                except aiohttp.ClientError:
                    continue  # this instance is gone: the next one
            if time.monotonic() > deadline:
                raise RuntimeError("no bot instance took the activity")
            await asyncio.sleep(0.2)

    async def user_says(self, user: LocalUser, text: str, attachments: list[dict[str, Any]] | None = None) -> None:
        fields = {"attachments": attachments} if attachments else {}
        await self.post(self.channel.activity(user, "message", text=text, **fields))

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
        self.accepted.add(tag)


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    return activity["attachments"][0]["content"]


def requests_in_channel(connector: LocalConnector, known: set[str] = frozenset()) -> dict[str, tuple[str, str]]:  # type: ignore[assignment]
    """thread id -> (user's name, handoff id) for every handoff card in the channel (not in ``known``)."""
    found = {}
    for thread in connector.channel_threads(CHANNEL):
        if thread in known:
            continue
        card = card_of(connector.replies(thread)[0])
        ids = [action["data"]["handoff_id"] for action in card.get("actions", []) if "handoff_id" in action.get("data", {})]
        if ids:
            found[thread] = (card["body"][0]["text"].removeprefix("💬 ").split(" vil chatte")[0], ids[0])
    return found


# --- pictures ------------------------------------------------------------------------------------
def screenshot(seed: int) -> bytes:
    """A screenshot-like PNG (flat areas and some text-like noise), 20-60 KB."""
    rng = random.Random(seed)
    picture = Image.new("RGB", (800, 500), (240, 240, 240))
    pixels = picture.load()
    for _ in range(4000):
        x, y = rng.randrange(800), rng.randrange(500)
        pixels[x, y] = (rng.randrange(80), rng.randrange(80), rng.randrange(200))  # type: ignore[index]
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


class FileServer:
    """Where the pasted screenshots are fetched from (Teams' attachment store)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.url = ""

    async def start(self) -> web.AppRunner:
        app = web.Application()
        app.router.add_get("/{name}", self._get)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return runner

    async def _get(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["name"])
        return web.Response(status=404) if data is None else web.Response(body=data, content_type="image/png")


# --- the run -------------------------------------------------------------------------------------
async def run(args: argparse.Namespace) -> None:
    connector = LocalConnector()
    arrivals = Arrivals()
    arrivals.watch(connector)
    runner, service_url = await start_local_connector(connector)
    files = FileServer()
    files_runner = await files.start()
    users = [LocalUser.create(f"Bruker {n}", f"bruker{n}@molde.kommune.no") for n in range(args.users + args.restart_chats)]
    agents = [LocalUser.create(f"Agent {n}", f"agent{n}@ror-ikt.no") for n in range(args.agents)]
    async with FakePureservice(seed=7) as pureservice:
        for user in users:
            first, last = user.member.name.split(" ")
            pureservice.add_user(first, last, user.member.email)
        env = {"RAKEL_KUNDESERVICE_CONVERSATION_ID": CHANNEL, "RAKEL_KUNDESERVICE_SERVICE_URL": service_url,
               "RAKEL_LOG_LEVEL": "ERROR", "RAKEL_PURESERVICE_URL": pureservice.url,
               "RAKEL_PURESERVICE_API_KEY": API_KEY, "RAKEL_PURESERVICE_FALLBACK_REQUESTER_EMAIL": FALLBACK_REQUESTER_EMAIL,
               "RAKEL_PURESERVICE_REQUESTS_PER_MINUTE": "60000", "RAKEL_HANDOFF_CHECK_INTERVAL_SECONDS": "2",
               "RAKEL_SHUTDOWN_DELAY_SECONDS": "0"}
        if args.database_url:
            env["RAKEL_DATABASE_URL"] = args.database_url
        with tempfile.TemporaryDirectory(prefix="rakel-bench-handoff-") as data_dir:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
                first = BotProcess(env, data_dir)
                await first.start(session)
                channel = LocalChannel(first.endpoint, connector, service_url, session)
                for person in users + agents:
                    channel.join(person)
                desk = Desk(channel, connector, arrivals, [first.endpoint])
                try:
                    threads = await report(desk, users[:args.users], agents, args, first, files, pureservice)
                    await restarts(desk, users[args.users:], agents, args, first, env, data_dir, session, threads)
                finally:
                    for process in BotProcess.started:
                        process.stop(signal.SIGKILL)
    await files_runner.cleanup()
    await runner.cleanup()


async def report(desk: Desk, users: list[LocalUser], agents: list[LocalUser], args: argparse.Namespace,
                 process: BotProcess, files: FileServer, pureservice: FakePureservice) -> set[str]:
    # 1. everyone asks for a person at once
    started = time.perf_counter()
    await asyncio.gather(*(desk.user_says(user, "kan jeg snakke med et menneske") for user in users))
    requests = requests_in_channel(desk.connector)
    print(f"{len(users)} users asked for a person at once: {len(requests)} requests in the channel "
          f"({(time.perf_counter() - started) * 1000:.0f} ms)")
    by_name = {user.member.name: index for index, user in enumerate(users)}

    # 2. every agent clicks "Ta saken" on every request, in its own random order
    winners, claim_ms = await claim_all(desk, agents, requests)
    cpu_before = process.cpu()
    double = sum(1 for names in winners.values() if len(names) > 1)
    print(f"{len(agents)} agents clicked «Ta saken» {len(claim_ms)} times: {len(winners)} requests taken, "
          f"double claims {double} (must be 0); claim p95 {percentile(claim_ms, .95):.1f} ms")
    by_agent = Counter(names[0] for names in winners.values())
    print(f"  taken per agent: {', '.join(f'{name} {count}' for name, count in sorted(by_agent.items()))}")

    # 3. the chats: the user writes a burst, the agent answers with a burst, round after round; every
    # tenth user pastes a screenshot with the first message (every fourth of those cannot be fetched)
    agent_of = {thread: next(a for a in agents if a.member.name == names[0]) for thread, names in winners.items()}
    with_picture: dict[str, bool] = {}  # tag -> the picture can be fetched

    async def typing() -> None:
        await asyncio.sleep(random.uniform(0.5, 1.5) * args.think)

    def picture_for(index: int, tag: str) -> list[dict[str, Any]]:
        if index % 10:
            return []
        name = f"skjerm-{index}.png"
        fetchable = index % 40 != 0
        if fetchable:
            files.files[name] = screenshot(index)
        with_picture[tag] = fetchable
        url = f"{files.url}/{name}"
        return [{"contentType": "image/png", "contentUrl": url, "name": name},
                {"contentType": "text/html", "content": f'<p><img src="{url}"></p>'}]

    async def chat(thread: str) -> None:
        index = by_name[requests[thread][0]]
        user, agent = users[index], agent_of[thread]
        number = 0
        for round_ in range(args.rounds):
            await typing()
            for tag in [f"m:{index}:u:{number + k}" for k in range(args.burst)]:
                attachments = picture_for(index, tag) if round_ == 0 and tag.endswith(":u:0") else []
                await desk.relay(lambda text, a=attachments: desk.user_says(user, text, a), tag)
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
    cpu = process.cpu() - cpu_before
    await asyncio.sleep(1.0)  # anything still on its way
    arrived = desk.arrivals.at
    delays = [(arrived[tag] - sent) * 1000 for tag, sent in desk.sent.items() if tag in arrived and tag not in with_picture]
    picture_delays = [(arrived[tag] - desk.sent[tag]) * 1000 for tag in with_picture if tag in arrived]
    lost = sum(1 for tag in desk.sent if tag not in arrived)
    to_thread = sum(1 for tag in arrived if ":u:" in tag)
    print(f"messages relayed: {len(arrived)} ({to_thread} user → thread, {len(arrived) - to_thread} agent → user) "
          f"in {elapsed:.1f} s; lost {lost} (must be 0), out of order {desk.arrivals.out_of_order} (must be 0), "
          f"duplicates {desk.arrivals.duplicates}")
    print(f"relay delay added by Rakel (text): p50 {percentile(delays, .5):.1f} ms, p95 {percentile(delays, .95):.1f} ms "
          f"(target < 100), p99 {percentile(delays, .99):.1f} ms, max {max(delays, default=float('nan')):.1f} ms")
    print(f"server CPU {cpu / max(1, len(delays) + len(claim_ms)) * 1000:.2f} ms per click or relayed message")
    inline = sum(1 for tag, fetchable in with_picture.items() if fetchable and desk.arrivals.inline_pictures[tag] == 1)
    failed_said = sum(1 for tag, fetchable in with_picture.items() if not fetchable and tag in arrived
                      and desk.arrivals.inline_pictures[tag] == 0)
    print(f"pictures pasted: {len(with_picture)} ({sum(with_picture.values())} fetchable); re-posted inline in the "
          f"thread {inline} (must be {sum(with_picture.values())}); not fetchable and said so {failed_said} "
          f"(must be {len(with_picture) - sum(with_picture.values())}); relay delay with a picture p95 "
          f"{percentile(picture_delays, .95):.0f} ms")

    # 4. the agents close the chats; the transcripts go to Pureservice
    await asyncio.gather(*(desk.click(agent, thread, "handoff.end", {"handoff_id": requests[thread][1], "resolved": True})
                           for thread, agent in agent_of.items()))
    transcripts = [row for row in pureservice.all("ticket") if str(row.get("customerReference", "")).startswith("handoff-")]
    resolved = pureservice.id_of("status", "Løst")
    with_files = {row["ticketId"] for row in pureservice.all("attachment")}
    print(f"chats closed: {len(agent_of)}; transcripts filed in the Pureservice fake: {len(transcripts)} "
          f"(resolved {sum(1 for row in transcripts if row['statusId'] == resolved)}, with the screenshot attached "
          f"{sum(1 for row in transcripts if row['id'] in with_files)})")
    return set(requests)


async def claim_all(desk: Desk, agents: list[LocalUser], requests: dict[str, tuple[str, str]]
                    ) -> tuple[dict[str, list[str]], list[float]]:
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

    await asyncio.gather(*(take_all(agent) for agent in agents))
    return winners, claim_ms


# --- a restart half-way --------------------------------------------------------------------------
async def restarts(desk: Desk, users: list[LocalUser], agents: list[LocalUser], args: argparse.Namespace,
                   first: BotProcess, env: dict[str, str], data_dir: str, session: aiohttp.ClientSession,
                   known: set[str]) -> None:
    """Two instances on one database; the one taking the traffic is stopped while messages flow both ways."""
    if not users:
        return
    second = BotProcess(env, data_dir)
    await second.start(session)
    desk.endpoints[:] = [first.endpoint, second.endpoint]
    await asyncio.gather(*(desk.user_says(user, "kan jeg snakke med et menneske") for user in users))
    requests = requests_in_channel(desk.connector, known)
    winners, _ = await claim_all(desk, agents, requests)
    agent_of = {thread: next(a for a in agents if a.member.name == names[0]) for thread, names in winners.items()}
    by_name = {user.member.name: index for index, user in enumerate(users, start=100_000)}
    live = [first, second]
    counters: dict[str, int] = defaultdict(int)  # message numbers go on across both restarts
    for signum in (signal.SIGTERM, signal.SIGKILL):
        await one_restart(desk, agent_of, requests, by_name, users, live, signum, env, data_dir, session, counters)


async def one_restart(desk: Desk, agent_of: dict[str, LocalUser], requests: dict[str, tuple[str, str]],
                      by_name: dict[str, int], users: list[LocalUser], live: list[BotProcess], signum: int,
                      env: dict[str, str], data_dir: str, session: aiohttp.ClientSession,
                      counters: dict[str, int]) -> None:
    stopped = asyncio.Event()
    stop_at: list[float] = []
    tags: list[str] = []
    duplicates_before = desk.arrivals.duplicates
    pace = 0.25  # seconds between one person's messages: about 8 messages a second per direction for 20 chats

    async def talk(thread: str, direction: str) -> None:
        index = by_name[requests[thread][0]]
        user, agent = users[index - 100_000], agent_of[thread]
        end = None
        while end is None or time.perf_counter() < end:
            number = counters[f"{index}{direction}"] = counters[f"{index}{direction}"] + 1
            tag = f"m:{index}:{direction}:{number}"
            tags.append(tag)
            if direction == "u":
                await desk.relay(lambda text: desk.user_says(user, text), tag)
            else:
                await desk.relay(lambda text: desk.agent_says(agent, thread, f"Svar {text}"), tag)
            await asyncio.sleep(pace * random.uniform(0.5, 1.5))
            if end is None and stopped.is_set():
                end = time.perf_counter() + 6.0  # keep talking a while after the stop

    async def stopper() -> None:
        await asyncio.sleep(3.0)
        desk.connector.delay_next(1.0, count=8)  # Teams is slow for a moment: sends are in flight at the stop
        await asyncio.sleep(0.3)
        stop_at.append(time.perf_counter())
        live[0].stop(signum)
        stopped.set()

    await asyncio.gather(stopper(), *(talk(thread, direction) for thread in agent_of for direction in "ua"))
    await asyncio.sleep(2 * RELAY_LEASE_TTL_SECONDS + 2.0)  # longer than a dead holder's lease: late is not lost
    await live[0].wait()
    at = desk.arrivals.at
    stop = stop_at[0]

    def back_after(direction: str) -> float:
        """Seconds from the stop until a message sent after it arrived in this direction."""
        after = [at[tag] for tag in tags if f":{direction}:" in tag and tag in at and desk.sent[tag] >= stop]
        return min(after, default=float("nan")) - stop

    def stalled(direction: str) -> float:
        """The longest time a message sent after the stop waited (what a user in the chat notices)."""
        waits = [at[tag] - desk.sent[tag] for tag in tags if f":{direction}:" in tag and tag in at and desk.sent[tag] >= stop]
        return max(waits, default=float("nan"))

    lost = sum(1 for tag in tags if tag in desk.accepted and tag not in at)
    name = "SIGTERM (a redeploy)" if signum == signal.SIGTERM else "SIGKILL (a crash)"
    print(f"restart half-way, {name}, {len(agent_of)} chats talking both ways: relaying again after "
          f"{max(back_after('u'), back_after('a')):.2f} s (user → thread {back_after('u'):.2f} s, agent → user "
          f"{back_after('a'):.2f} s; target < 5), longest wait of a message sent after the stop "
          f"{max(stalled('u'), stalled('a')):.2f} s; messages {len(tags)}, lost {lost} (must be 0), doubled "
          f"{desk.arrivals.duplicates - duplicates_before}")
    replacement = BotProcess(env, data_dir)  # the redeploy brings the stopped instance back
    await replacement.start(session)
    live[:] = [live[1], replacement]
    desk.endpoints[:] = [process.endpoint for process in live]


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
    parser.add_argument("--restart-chats", type=int, default=20, help="chats talking while an instance is stopped")
    parser.add_argument("--database-url", default="", help="e.g. postgresql://… (default: SQLite in a temp dir)")
    asyncio.run(run(parser.parse_args()))
