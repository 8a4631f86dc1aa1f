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

    .venv/bin/python bench/campaign.py [--users 8300] [--expired 1700] [--rate 20] [--faults 0.01] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
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
from datetime import date
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
    """A Bot Connector that enforces Teams' documented bot limits and injects faults."""

    fault_rate: float
    rng: random.Random
    delivered: Counter = field(default_factory=Counter)  # AAD id -> messages delivered
    created: Counter = field(default_factory=Counter)  # AAD id -> 1:1 chats created
    answers: Counter = field(default_factory=Counter)
    first_request: float = 0.0
    last_request: float = 0.0
    _tenant: deque = field(default_factory=deque)
    _conversations: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))

    PER_CONVERSATION = ((1.0, 7), (2.0, 8), (30.0, 60))  # (window seconds, max messages)
    PER_TENANT = (1.0, 30)  # about 30 requests a second per app and tenant

    def _over(self, times: deque, window: float, limit: int, now: float) -> bool:
        return sum(1 for moment in times if moment > now - window) >= limit

    def _admit(self, conversation: str | None) -> web.Response | None:
        now = time.monotonic()
        self.first_request = self.first_request or now
        self.last_request = now
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
        return None

    def _throttle(self) -> web.Response:
        return web.json_response({"error": {"code": "Throttled"}}, status=429, headers={"Retry-After": "1"})

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


def start_run(env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "cli.main", "campaign", "run", "--campaign", "bench",
               "--date", CAMPAIGN_DATE.isoformat()]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT)


async def wait_for(process: subprocess.Popen) -> int:
    while process.poll() is None:
        await asyncio.sleep(0.1)
    return process.returncode


async def main(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="rakel-bench-campaign-") as folder:
        data = Path(folder)
        people = make_register(data / "register.csv", args.users, args.expired, rng)
        teams = FakeTeams(args.faults, random.Random(args.seed + 1))
        runner = web.AppRunner(teams.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        service_url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/"  # type: ignore[union-attr]
        env = {**os.environ, "RAKEL_DATA_DIR": str(data), "RAKEL_PC_INVENTORY_CSV": str(data / "register.csv"),
               "RAKEL_KUNDESERVICE_SERVICE_URL": service_url, "RAKEL_APP_TENANT_ID": TENANT,
               "RAKEL_LOG_LEVEL": "WARNING", "RAKEL_PC_FALLBACK_APPROVERS": '{"default": "leder@molde.kommune.no"}'}
        if args.rate:
            env["RAKEL_PC_CAMPAIGN_RATE_PER_SECOND"] = str(args.rate)
        settings = Settings(_env_file=None, data_dir=data)  # type: ignore[call-arg]
        rate = args.rate or Settings(_env_file=None).pc_campaign_rate_per_second  # type: ignore[call-arg]
        without_reference = await seed_references(settings, people, service_url, args.opened, rng)
        expected = {person.aad_id for person in people if person.expired}
        minimum = (len(expected) + without_reference) / rate  # one request per message, one per new chat
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
        print("connector answers: " + ", ".join(f"{name} {count}" for name, count in sorted(teams.answers.items())))
        print(f"peak memory of the campaign process: {peak_mb:.0f} MB")
        summary = [text for text in log.read_text().splitlines() if "mottakere" in text]
        print("the resumed run said: " + " ".join(summary).strip())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=8300)
    parser.add_argument("--expired", type=int, default=1700)
    parser.add_argument("--rate", type=float, default=0.0, help="requests/s (default: the setting's default)")
    parser.add_argument("--faults", type=float, default=0.01, help="share of requests answered 429, and again 5xx")
    parser.add_argument("--opened", type=float, default=0.9, help="share of employees with a stored conversation")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-kill", dest="kill", action="store_false", help="one run, no crash")
    asyncio.run(main(parser.parse_args()))
