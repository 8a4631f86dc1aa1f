"""The PC replacement campaign at ROR-IKT's size, against a fake Bot Connector that enforces Teams' rate
limits and injects faults, with the sending process killed (SIGKILL) half-way and started again.

- 8,300 employees in the register, 1,700 of them with a PC older than six years;
- most have a stored conversation reference, the rest get a 1:1 chat created by AAD object id;
- the fake connector answers 429 (Retry-After) when a bot exceeds 7 messages/s, 8 per 2 s or 60 per 30 s
  in one conversation, or about 30 requests/s for the app in the tenant; it also injects random 429s and
  5xx (500/502/503/504);
- `rakel campaign run` runs as a child process; it is killed at a random moment in the middle and run
  again, as an operator would after a crash.

Printed: messages delivered, duplicates (must be 0), missed (must be 0), elapsed time over the minimum
the configured rate allows (target ≤ 1.10; measured from the first request Teams sees to the last, so the
kill and the restart count, and as wall clock with both process start-ups), throttling and faults seen,
and the peak memory.

Two more scenarios (``--scenarios steady first monthly``):
- first: the first campaign, 90 % of the targets without a conversation, Teams' conversation-creation
  limit enforced by the fake connector and a 60 s 429 storm; sent, duplicates, missed, elapsed over the
  minimum both limits allow plus the storm (target ≤ 1.15), sends left for the service, and after one
  follow-up round of the service (`rakel campaign remind`) what is left (must be 0). Scaled down to 300
  due (at 2 new conversations a second the full 1,700 take a quarter of an hour of real time).
- monthly: two consecutive monthly campaigns in one process on a virtual business clock, stale cards
  pressed: orders per PC (must be 1), swap tickets per PC (1), reminder cards per person per day (≤ 1).

    .venv/bin/python bench/campaign.py [--users 8300] [--expired 1700] [--rate 20] [--faults 0.01] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.settings import Settings  # noqa: E402
from store.store import open_store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN_DATE = date(2025, 3, 3)
TENANT = "00000000-0000-0000-0000-00000000ab01"
MUNICIPALITIES = (("molde", 0.46), ("hustadvika", 0.2), ("rauma", 0.13), ("vestnes", 0.12), ("aukra", 0.09))
HEADER = "Enhet-ID;Serienummer;Modell;Innkjøpsdato;Bruker;Navn;Bruker-ID;Kommune;Avdeling;Leder;Status;Ansattstatus"


# --- the register ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Employee:
    upn: str
    aad_id: str
    municipality: str
    expired: bool


def make_register(path: Path, users: int, expired: int, rng: random.Random) -> list[Employee]:
    people: list[Employee] = []
    expired_numbers = set(rng.sample(range(users), expired))
    lines = [HEADER]
    leaders: dict[str, list[str]] = defaultdict(list)
    for number in range(users):
        municipality = rng.choices([m for m, _ in MUNICIPALITIES], [w for _, w in MUNICIPALITIES])[0]
        upn = f"ansatt{number:05d}@{municipality}.kommune.no"
        person = Employee(upn, str(uuid.uuid5(uuid.NAMESPACE_URL, upn)), municipality, number in expired_numbers)
        people.append(person)
        team = leaders[municipality]
        leader = team[rng.randrange(len(team))] if team and number % 12 else ""
        if not leader:
            team.append(upn)  # every twelfth employee leads a team
        if person.expired:
            bought = date(rng.randint(2014, 2018), rng.randint(1, 12), rng.randint(1, 28))
        else:
            bought = date(rng.randint(2019, 2024), rng.randint(1, 12), rng.randint(1, 28))
            if bought.year == 2019 and bought <= date(2019, 3, 3):
                bought = date(2019, 6, 1)
        lines.append(";".join([
            f"PC{number:05d}", f"SN{number:07d}", "Lenovo ThinkPad T14", f"{bought:%d.%m.%Y}", upn, f"Ansatt {number}",
            person.aad_id, f"{municipality.capitalize()} kommune", "Avdeling", leader, "I bruk", "",
        ]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return people


# --- the fake Bot Connector -----------------------------------------------------------------
@dataclass
class FakeTeams:
    """A Bot Connector that enforces Teams' documented bot limits and injects faults: optionally a limit
    on creating conversations (``create_limits``) and a 429 storm (every request refused for a while)."""

    fault_rate: float
    rng: random.Random
    create_limits: tuple[tuple[float, int], ...] = ()  # (window seconds, max conversations created)
    storm_after: float = float("inf")  # seconds after the first request
    storm_seconds: float = 0.0
    storm_retry_after: str = "5"
    delivered: Counter = field(default_factory=Counter)  # AAD id -> messages delivered
    created: Counter = field(default_factory=Counter)  # AAD id -> 1:1 chats created
    answers: Counter = field(default_factory=Counter)
    first_request: float = 0.0
    last_request: float = 0.0
    _tenant: deque = field(default_factory=deque)
    _conversations: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    _creations: deque = field(default_factory=deque)

    PER_CONVERSATION = ((1.0, 7), (2.0, 8), (30.0, 60))  # (window seconds, max messages)
    PER_TENANT = (1.0, 30)  # about 30 requests a second per app and tenant

    def _over(self, times: deque, window: float, limit: int, now: float) -> bool:
        return sum(1 for moment in times if moment > now - window) >= limit

    def _admit(self, conversation: str | None) -> web.Response | None:
        now = time.monotonic()
        self.first_request = self.first_request or now
        self.last_request = now
        storm = self.first_request + self.storm_after
        if storm <= now < storm + self.storm_seconds:
            self.answers["429 storm"] += 1
            return self._throttle(self.storm_retry_after)
        if conversation is None and any(self._over(self._creations, window, limit, now)
                                        for window, limit in self.create_limits):
            self.answers["429 creation limit"] += 1
            return self._throttle()
        while self._tenant and self._tenant[0] < now - self.PER_TENANT[0]:
            self._tenant.popleft()
        if len(self._tenant) >= self.PER_TENANT[1]:
            self.answers["429 tenant limit"] += 1
            return self._throttle()
        if conversation is not None:
            times = self._conversations[conversation]
            if any(self._over(times, window, limit, now) for window, limit in self.PER_CONVERSATION):
                self.answers["429 conversation limit"] += 1
                return self._throttle()
        self._tenant.append(now)
        if self.rng.random() < self.fault_rate:
            self.answers["429 injected"] += 1
            return self._throttle()
        if self.rng.random() < self.fault_rate:
            status = self.rng.choice((500, 502, 503, 504))
            self.answers[f"{status} injected"] += 1
            return web.json_response({"error": {"code": "ServiceError"}}, status=status)
        if conversation is not None:
            self._conversations[conversation].append(now)
        else:
            self._creations.append(now)
        return None

    def _throttle(self, retry_after: str = "1") -> web.Response:
        return web.json_response({"error": {"code": "Throttled"}}, status=429, headers={"Retry-After": retry_after})

    async def post_activity(self, request: web.Request) -> web.Response:
        conversation = request.match_info["conversation_id"]
        await request.read()
        if (refused := self._admit(conversation)) is not None:
            return refused
        self.delivered[conversation.split("-", 1)[1]] += 1  # a:bench-<AAD id> or a:created-<AAD id>
        self.answers["200 message"] += 1
        return web.json_response({"id": f"act-{sum(self.delivered.values())}"})

    async def create_conversation(self, request: web.Request) -> web.Response:
        parameters = await request.json()
        if (refused := self._admit(None)) is not None:
            return refused
        member = parameters["members"][0]["id"]
        self.created[member] += 1
        self.answers["200 conversation"] += 1
        return web.json_response({"id": f"a:created-{member}", "activityId": ""})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self.create_conversation)
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self.post_activity)
        app.router.add_post("/v3/conversations/{conversation_id}/activities/{reply_to}", self.post_activity)
        return app


async def seed_references(settings: Settings, people: list[Employee], service_url: str, share: float,
                          rng: random.Random) -> int:
    """Stored conversation references for the employees who have opened Rakel; return how many lack one."""
    store = await open_store(settings.database_target)
    missing = 0
    try:
        for person in people:
            if rng.random() > share:
                missing += person.expired
                continue
            conversation = f"a:bench-{person.aad_id}"
            reference = {
                "channelId": "msteams", "serviceUrl": service_url,
                "conversation": {"id": conversation, "conversationType": "personal", "tenantId": TENANT},
                "user": {"id": f"29:{person.aad_id}", "aadObjectId": person.aad_id}, "bot": {"id": "28:rakel"},
            }
            await store.references.save(person.aad_id, conversation, service_url, reference)
    finally:
        await store.close()
    return missing


async def serve(teams: FakeTeams) -> tuple[web.AppRunner, str]:
    """The fake Bot Connector on a free local port; its service URL."""
    runner = web.AppRunner(teams.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/"  # type: ignore[union-attr]


def campaign_env(data: Path, service_url: str) -> dict[str, str]:
    """The environment of the `rakel campaign` processes: their data, the register and the fake Teams."""
    return {**os.environ, "RAKEL_DATA_DIR": str(data), "RAKEL_PC_INVENTORY_CSV": str(data / "register.csv"),
            "RAKEL_KUNDESERVICE_SERVICE_URL": service_url, "RAKEL_APP_TENANT_ID": TENANT,
            "RAKEL_LOG_LEVEL": "WARNING", "RAKEL_PC_FALLBACK_APPROVERS": '{"default": "leder@molde.kommune.no"}'}


def start_run(env: dict[str, str], log: Path, campaign: str = "bench") -> subprocess.Popen:
    command = [sys.executable, "-m", "cli.main", "campaign", "run", "--campaign", campaign,
               "--date", CAMPAIGN_DATE.isoformat()]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT)


def start_remind(env: dict[str, str], log: Path) -> subprocess.Popen:
    """One follow-up round, as the running service does every RAKEL_PC_BACKGROUND_INTERVAL_SECONDS."""
    return subprocess.Popen([sys.executable, "-m", "cli.main", "campaign", "remind"], cwd=ROOT, env=env,
                            stdout=log.open("a"), stderr=subprocess.STDOUT)


async def left_for_the_service(settings: Settings, campaign: str) -> int:
    store = await open_store(settings.database_target)
    try:
        return int(await store.db.fetch_value(
            "SELECT COUNT(*) AS n FROM pc_targets WHERE campaign_id = ? AND delivery = 'failed' "
            "AND retry_at IS NOT NULL", campaign) or 0)
    finally:
        await store.close()


async def wait_for(process: subprocess.Popen) -> int:
    while process.poll() is None:
        await asyncio.sleep(0.1)
    return process.returncode


async def main(args: argparse.Namespace) -> None:
    if "steady" in args.scenarios:
        print("== a campaign with most conversations stored, killed half-way and run again ==")
        await steady(args)
    if "first" in args.scenarios:
        print("\n== the first campaign: most employees never opened Rakel, a 429 storm ==")
        await first_campaign(args)
    if "monthly" in args.scenarios:
        print("\n== two consecutive monthly campaigns, stale cards pressed ==")
        await monthly_campaigns(args)


async def steady(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="rakel-bench-campaign-") as folder:
        data = Path(folder)
        people = make_register(data / "register.csv", args.users, args.expired, rng)
        teams = FakeTeams(args.faults, random.Random(args.seed + 1))
        runner, service_url = await serve(teams)
        env = campaign_env(data, service_url)
        if args.rate:
            env["RAKEL_PC_CAMPAIGN_RATE_PER_SECOND"] = str(args.rate)
        settings = Settings(_env_file=None, data_dir=data)  # type: ignore[call-arg]
        rate = args.rate or Settings(_env_file=None).pc_campaign_rate_per_second  # type: ignore[call-arg]
        without_reference = await seed_references(settings, people, service_url, args.opened, rng)
        expected = {person.aad_id for person in people if person.expired}
        create_rate = Settings(_env_file=None).pc_create_rate_per_second  # type: ignore[call-arg]
        # one request per message, one per new chat; new chats also within their own budget
        minimum = max((len(expected) + without_reference) / rate, without_reference / create_rate)
        log = data / "runs.log"

        started = time.monotonic()
        first = start_run(env, log)
        kill_after = minimum * rng.uniform(0.35, 0.65) if args.kill else float("inf")
        while first.poll() is None and time.monotonic() - started < kill_after:
            await asyncio.sleep(0.05)
        killed_at = sum(teams.delivered.values())
        if args.kill:
            first.send_signal(signal.SIGKILL)
            await wait_for(first)
            second = start_run(env, log)
        else:
            second = first
        status = await wait_for(second)
        elapsed = time.monotonic() - started
        await runner.cleanup()

        delivered = {user for user, count in teams.delivered.items() if count}
        duplicates = sum(count - 1 for count in teams.delivered.values() if count > 1)
        missed = len(expected - delivered)
        strays = len(delivered - expected)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if status != 0:
            print(log.read_text()[-3000:])
        print(f"register: {args.users} employees, {len(expected)} with a PC older than 6 years; "
              f"{without_reference} of them without a stored conversation (1:1 chat created by AAD id)")
        print(f"rate: {rate:g} requests/s (RAKEL_PC_CAMPAIGN_RATE_PER_SECOND), faults injected: {args.faults:.0%} 429 "
              f"+ {args.faults:.0%} 5xx")
        print(f"kill: SIGKILL after {kill_after:.1f} s with {killed_at} messages delivered; restarted; "
              f"second run exit status {status}")
        print(f"messages sent: {sum(teams.delivered.values())} to {len(delivered)} employees "
              f"(chats created: {sum(teams.created.values())})")
        print(f"duplicates: {duplicates}   missed: {missed}   messages to people not due: {strays}")
        sending = teams.last_request - teams.first_request
        print(f"elapsed: {sending:.1f} s from the first request to Teams to the last (the kill and restart included), "
              f"minimum at {rate:g}/s: {minimum:.1f} s, ratio {sending / minimum:.3f}")
        print(f"wall clock: {elapsed:.1f} s, ratio {elapsed / minimum:.3f} (also both process start-ups, "
              f"{args.users:,}-row plans and exits)")
        throttled = sum(count for name, count in teams.answers.items() if name.startswith("429"))
        paused = minimum + throttled * 1.0  # every 429 says Retry-After: 1, and the whole run honours it
        print(f"with the Retry-After pauses Teams asked for ({throttled} × 1 s, honoured by every sender): minimum "
              f"{paused:.1f} s, ratio {sending / paused:.3f}")
        print("connector answers: " + ", ".join(f"{name} {count}" for name, count in sorted(teams.answers.items())))
        print(f"peak memory of the campaign process: {peak_mb:.0f} MB")
        summary = [text for text in log.read_text().splitlines() if "mottakere" in text]
        print("the resumed run said: " + " ".join(summary).strip())


# --- the first campaign: conversations to create, a 429 storm -------------------------------
async def first_campaign(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed + 10)
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    rate, create_rate = defaults.pc_campaign_rate_per_second, defaults.pc_create_rate_per_second
    with tempfile.TemporaryDirectory(prefix="rakel-bench-first-") as folder:
        data = Path(folder)
        people = make_register(data / "register.csv", args.first_users, args.first_expired, rng)
        # Teams' conversation-creation limit, at the documented 60 per 30 s (= Rakel's default budget)
        teams = FakeTeams(0.0, random.Random(args.seed + 11), create_limits=((30.0, round(30 * create_rate)),),
                          storm_after=args.storm_after, storm_seconds=args.storm_seconds)
        runner, service_url = await serve(teams)
        env = campaign_env(data, service_url)
        settings = Settings(_env_file=None, data_dir=data)  # type: ignore[call-arg]
        without = await seed_references(settings, people, service_url, 1.0 - args.first_without, rng)
        expected = {person.aad_id for person in people if person.expired}
        log = data / "runs.log"

        started = time.monotonic()
        status = await wait_for(start_run(env, log, "first"))
        elapsed, run_wall = teams.last_request - teams.first_request, time.monotonic() - started
        after_run = {user for user, count in teams.delivered.items() if count}
        left = await left_for_the_service(settings, "first")
        remind_status = await wait_for(start_remind(env, log))
        left_after = await left_for_the_service(settings, "first")
        await runner.cleanup()

        delivered = {user for user, count in teams.delivered.items() if count}
        duplicates = sum(count - 1 for count in teams.delivered.values() if count > 1)
        # both limits, plus the storm (nothing can be sent while Teams refuses everything)
        minimum = max((len(expected) + without) / rate, without / create_rate) + args.storm_seconds
        if status not in (0, 3) or remind_status != 0:
            print(log.read_text()[-3000:])
        print(f"register: {args.first_users} employees, {len(expected)} due, {without} of them "
              f"({without / len(expected):.0%}) without a conversation (scaled down from 1,700 due: at Teams' "
              f"conversation-creation limit the full first campaign takes ~{1700 * args.first_without / create_rate / 60:.0f}"
              " min of real time)")
        print(f"limits: {rate:g} requests/s, {create_rate:g} new conversations/s (enforced by the fake connector: "
              f"{round(30 * create_rate)} per 30 s), a {args.storm_seconds:.0f} s 429 storm (Retry-After "
              f"{teams.storm_retry_after} s) {args.storm_after:.0f} s after the first request")
        print(f"after the run (exit status {status}): sent {len(after_run)}, left for the service to retry {left}")
        print(f"after one follow-up round of the service: sent {len(delivered)}, left {left_after}")
        print(f"duplicates: {duplicates}   missed: {len(expected - delivered)}   "
              f"messages to people not due: {len(delivered - expected)}")
        print(f"elapsed: {elapsed:.1f} s from the first request to the last of the run; minimum both limits allow "
              f"plus the storm: {minimum:.1f} s, ratio {elapsed / minimum:.3f} (wall clock of the run {run_wall:.1f} s)")
        print("connector answers: " + ", ".join(f"{name} {count}" for name, count in sorted(teams.answers.items())))


# --- two monthly campaigns, stale cards pressed ------------------------------------------------
class VirtualClock:
    """The business clock of the monthly scenario: days pass at once."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def reminder_cards(connector) -> Counter:  # noqa: ANN001 - bot.local_connector.LocalConnector
    """Reminder cards each 1:1 chat holds (one chat per person)."""
    found: Counter = Counter()
    for conversation, activities in list(connector.activities.items()):
        for activity in activities:
            for attachment in activity.get("attachments") or []:
                body = (attachment.get("content") or {}).get("body") or [{}]
                if str(body[0].get("text", "")).startswith("Påminnelse"):
                    found[conversation] += 1
    return found


async def monthly_campaigns(args: argparse.Namespace) -> None:
    """In one process on a virtual business clock (days pass at once): March's campaign, some order and
    some are approved; April's campaign a month later, then everyone who answers presses both months'
    cards (in random order) and the leaders approve; then three weeks of the service's follow-up rounds."""
    from bot.local_client import LocalUser
    from skills.catalog import pc_ports
    from skills.pc_replacement.approvals import Approvals
    from skills.pc_replacement.campaign import CampaignRunner
    from skills.pc_replacement.cards import VERB_APPROVE, VERB_ORDER
    from skills.pc_replacement.context import PcContext
    from skills.pc_replacement.followups import FollowUps
    from skills.pc_replacement.planning import Planner
    from tests.harness import start_harness

    rng = random.Random(args.seed + 20)
    leaders = [LocalUser.create(f"Leder {n}", f"leder{n:02d}@molde.kommune.no") for n in range(10)]
    staff = [LocalUser.create(f"Ansatt {n}", f"ansatt{n:04d}@molde.kommune.no") for n in range(args.monthly_users)]
    lead = {person.member.email: leaders[n % len(leaders)] for n, person in enumerate(staff)}
    with tempfile.TemporaryDirectory(prefix="rakel-bench-monthly-") as folder:
        data = Path(folder)
        lines = [HEADER] + [
            ";".join([f"PC{n:05d}", f"SN{n:07d}", "Lenovo ThinkPad T14", bought, person.member.email, person.member.name,
                      person.member.aad_object_id, "Molde kommune", "Avdeling", manager, "I bruk", ""])
            for n, (person, bought, manager) in enumerate(
                [(p, "14.02.2018", lead[p.member.email].member.email) for p in staff]
                + [(p, "01.09.2024", "") for p in leaders])]
        (data / "register.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        clock = VirtualClock(datetime(2025, 3, 3, 9, 0, tzinfo=UTC))
        settings = Settings(_env_file=None, data_dir=data, pc_inventory_csv=data / "register.csv",  # type: ignore[call-arg]
                            pc_fallback_approvers={"default": leaders[0].member.email}, app_tenant_id=TENANT,
                            pc_campaign_rate_per_second=30, pc_create_rate_per_second=30, log_level="WARNING")
        harness = await start_harness(settings, clock=clock)
        logging.getLogger().setLevel(logging.WARNING)
        by_id = {person.member.aad_object_id: person for person in [*staff, *leaders]}
        for person in by_id.values():
            harness.channel.join(person)
        ports = pc_ports(harness.runtime.adapters, harness.runtime.skills.tickets)
        context = PcContext.create(ports)
        planner = Planner(ports.inventory, ports.directory, ports.repo.orders, settings.pc_fallback_approvers)
        repo = ports.repo

        async def press(person, campaign: str) -> None:  # noqa: ANN001 - a LocalUser
            await harness.channel.click(person, VERB_ORDER, {"campaign": campaign, "user": person.member.email})

        async def approve(share: float) -> None:
            for order in await repo.orders.all():
                if order.state == "awaiting" and order.approver_id and rng.random() < share:
                    await harness.channel.click(by_id[order.approver_id], VERB_APPROVE, {"order": order.id})

        try:
            await CampaignRunner(context, planner).run("pc-2025-03", date(2025, 3, 3))
            for person in rng.sample(staff, len(staff) * 3 // 10):  # March: 30 % order at once
                await press(person, "pc-2025-03")
            await approve(0.5)
            clock.advance(days=31)
            april = await CampaignRunner(context, planner).run("pc-2025-04", date(2025, 4, 3))
            answering = rng.sample(staff, len(staff) * 6 // 10)  # the rest never answer: they are reminded
            for person in answering:
                for campaign in rng.sample(["pc-2025-03", "pc-2025-04"], 2):  # both months' cards, stale first or not
                    await press(person, campaign)
            await approve(1.0)
            followups = FollowUps(context, Approvals(context))
            per_day: list[int] = []
            for _ in range(21):
                clock.advance(days=1)
                before = reminder_cards(harness.connector)
                for _ in range(2):  # the service runs every few minutes; two rounds a day is plenty to double
                    await followups.run_once()
                after = reminder_cards(harness.connector)
                per_day.append(max([after[c] - before[c] for c in after] or [0]))
            orders = await repo.orders.all()
            orders_per_pc = Counter(device.serial for order in orders for device in order.devices)
            tickets = await harness.runtime.store.db.fetch_all("SELECT subject FROM ticket_local")
            swaps = Counter(subject.rsplit("(", 1)[1].rstrip(")") for subject in (row["subject"] for row in tickets)
                            if subject.startswith("PC-bytte godkjent"))
            approved = sum(order.state == "approved" for order in orders)
        finally:
            await harness.close()
        print(f"{len(staff)} employees with a due PC, {len(leaders)} leaders; March: 30 % order, half approved; April's "
              f"campaign sends {april.outcomes['sent']} cards (PCs ordered in March are skipped); then "
              f"{len(answering)} press both months' cards and every order is approved; 21 days of follow-ups")
        print(f"orders: {len(orders)} for {len(orders_per_pc)} PCs, orders per PC: max {max(orders_per_pc.values())} "
              f"(target 1); approved {approved}")
        print(f"swap tickets: {sum(swaps.values())} for {len(swaps)} PCs, per PC: max {max(swaps.values() or [0])} "
              f"(target 1)")
        print(f"reminder cards per person per day: max {max(per_day)} (target ≤ 1); "
              f"reminders sent in all: {sum(reminder_cards(harness.connector).values())}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=8300)
    parser.add_argument("--expired", type=int, default=1700)
    parser.add_argument("--rate", type=float, default=0.0, help="requests/s (default: the setting's default)")
    parser.add_argument("--faults", type=float, default=0.01, help="share of requests answered 429, and again 5xx")
    parser.add_argument("--opened", type=float, default=0.9, help="share of employees with a stored conversation")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-kill", dest="kill", action="store_false", help="one run, no crash")
    parser.add_argument("--first-users", type=int, default=1500, help="first campaign: employees in the register")
    parser.add_argument("--first-expired", type=int, default=300, help="first campaign: of them with a due PC")
    parser.add_argument("--first-without", type=float, default=0.9, help="first campaign: share without a chat")
    parser.add_argument("--storm-after", type=float, default=20.0, help="first campaign: 429 storm starts (s)")
    parser.add_argument("--storm-seconds", type=float, default=60.0, help="first campaign: 429 storm length (s)")
    parser.add_argument("--monthly-users", type=int, default=240, help="monthly campaigns: employees")
    parser.add_argument("--scenarios", nargs="+", default=["steady", "first", "monthly"],
                        choices=["steady", "first", "monthly"])
    asyncio.run(main(parser.parse_args()))
