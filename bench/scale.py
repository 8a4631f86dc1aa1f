"""Scale-out: PostgreSQL + two `rakel serve` processes + nginx on loopback, under a fixed rate of turns.

Timeline (60 s by default): steady with both instances; half-way SIGTERM instance A (it drains and exits
0); A is started again; then SIGKILL instance B. At each kill a burst of users presses "Send" on ticket
cards at once (pressing again while unanswered, as Teams does). Printed per phase: turns sent, answered
(HTTP 200 and the reply reached the connector), failed (5xx, no answer, or no reply), p50/p95 latency;
tickets from the bursts that were lost or doubled at the (fake) Pureservice; background jobs seen
running on both instances at once (each instance's /metrics sampled every 0.25 s); and turns/s of two
instances vs one at saturation (closed loop through nginx).

    .venv/bin/python bench/scale.py [--rate 40] [--duration 60] [--burst 20]

Needs PostgreSQL (initdb/pg_ctl) and nginx (apt-get install nginx-light).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, free_port, percentile  # noqa: E402
from bench.tickets import draft_card, inputs  # noqa: E402
from bot.local_client import LocalChannel, LocalUser  # noqa: E402
from bot.local_connector import LocalConnector, start_local_connector  # noqa: E402
from tests.fakes.pureservice import API_KEY, FALLBACK_REQUESTER_EMAIL, FakePureservice  # noqa: E402
from tests.harness import wait_until_ok  # noqa: E402
from tests.postgres import temporary_cluster  # noqa: E402

JOB_GAUGE = re.compile(r'^rakel_background_job_running\{job="([^"]+)"\} 1\.0$', re.MULTILINE)
KILL_WINDOW_SECONDS = 5.0
REPLY_WAIT_SECONDS = 5.0
CLICK_RETRY_SECONDS = 1.0
NGINX_MAIN = """
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
{site}
}}
"""


@dataclass
class Instance:
    """One `rakel serve` process on a fixed port (so it can be started again at the same address)."""

    name: str
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        async with aiohttp.ClientSession() as session:
            if not await wait_until_ok(session, f"http://127.0.0.1:{self.port}/readyz",
                                       running=lambda: self.process.poll() is None):  # type: ignore[union-attr]
                raise RuntimeError(f"{self.name} did not become ready (exit code {self.process.poll()})")

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    async def wait(self) -> int:
        assert self.process is not None
        while self.process.poll() is None:
            await asyncio.sleep(0.05)
        return self.process.returncode


@dataclass
class Turn:
    sent_at: float
    activity_id: str
    status: int = 0  # 0: no HTTP answer
    latency_ms: float = 0.0


@dataclass
class Run:
    started: float = field(default_factory=time.monotonic)
    turns: list[Turn] = field(default_factory=list)
    job_holders: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    jobs_twice: Counter[str] = field(default_factory=Counter)

    def at(self) -> float:
        return time.monotonic() - self.started


async def one_turn(channel: LocalChannel, user: LocalUser, run: Run) -> None:
    activity = channel.activity(user, "message", text="hjelp")
    turn = Turn(run.at(), activity["id"])
    run.turns.append(turn)
    began = time.perf_counter()
    try:
        result = await channel.post(activity)
        turn.status = result.status
    except (aiohttp.ClientError, TimeoutError):
        turn.status = 0
    turn.latency_ms = (time.perf_counter() - began) * 1000


async def open_loop(channel: LocalChannel, users: list[LocalUser], rate: float, duration: float, run: Run) -> None:
    tasks = []
    for number in range(int(rate * duration)):
        await asyncio.sleep(max(0.0, number / rate - run.at()))
        tasks.append(asyncio.create_task(one_turn(channel, users[number % len(users)], run)))
    await asyncio.gather(*tasks)


async def sample_jobs(instances: list[Instance], run: Run, stop: asyncio.Event) -> None:
    """Which instance runs which background job, four times a second; a job on two at once is counted."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1)) as session:
        while not stop.is_set():
            running: dict[str, list[str]] = defaultdict(list)
            for instance in instances:
                try:
                    async with session.get(f"http://127.0.0.1:{instance.port}/metrics") as response:
                        for job in JOB_GAUGE.findall(await response.text()):
                            running[job].append(instance.name)
                except (aiohttp.ClientError, TimeoutError):
                    pass
            for job, names in running.items():
                run.job_holders[job].update(names)
                if len(names) > 1:
                    run.jobs_twice[job] += 1
            await asyncio.sleep(0.25)


async def click_send(channel: LocalChannel, user: LocalUser, card: dict) -> None:
    """Press "Send" and press again while the bot does not answer 200 (Teams repeats unanswered clicks)."""
    send = next(action for action in card["actions"] if action.get("verb") == "tickets.send")
    value = {"action": {"type": "Action.Execute", "verb": "tickets.send", "data": {**send["data"], **inputs(card)}},
             "trigger": "manual"}
    for _ in range(60):
        try:
            if (await channel.post(channel.activity(user, "invoke", name="adaptiveCard/action", value=value))).status == 200:
                return
        except (aiohttp.ClientError, TimeoutError):
            pass
        await asyncio.sleep(CLICK_RETRY_SECONDS)


def phase_of(sent_at: float, marks: dict[str, float]) -> str:
    if sent_at < marks["sigterm"]:
        return "1 steady, two instances"
    if sent_at < marks["sigterm"] + KILL_WINDOW_SECONDS:
        return "2 SIGTERM A (window)"
    if sent_at < marks["sigkill"]:
        return "3 B alone, A restarting"
    if sent_at < marks["sigkill"] + KILL_WINDOW_SECONDS:
        return "4 SIGKILL B (window)"
    return "5 after, A alone"


def report_phases(run: Run, connector: LocalConnector, marks: dict[str, float]) -> None:
    replied = {activity.get("replyToId") for replies in connector.activities.values() for activity in replies}
    phases: dict[str, list[Turn]] = defaultdict(list)
    for turn in run.turns:
        phases[phase_of(turn.sent_at, marks)].append(turn)
    print(f"{'phase':30} {'sent':>5} {'answered':>8} {'failed':>6} {'p50 ms':>7} {'p95 ms':>7}  failures")
    for name in sorted(phases):
        turns = phases[name]
        answered = [t for t in turns if t.status == 200 and t.activity_id in replied]
        failures = Counter("no reply" if t.status == 200 else f"HTTP {t.status}" if t.status else "no answer"
                           for t in turns if t not in answered)
        latencies = [t.latency_ms for t in answered]
        print(f"{name:30} {len(turns):5d} {len(answered):8d} {len(turns) - len(answered):6d} "
              f"{percentile(latencies, .5):7.1f} {percentile(latencies, .95):7.1f}  {dict(failures) or ''}")


async def saturation(channel: LocalChannel, users: list[LocalUser], seconds: float) -> float:
    done, deadline = [0], time.monotonic() + seconds

    async def conversation(user: LocalUser) -> None:
        while time.monotonic() < deadline:
            result = await channel.post(channel.activity(user, "message", text="hjelp"))
            if result.status == 200:
                done[0] += 1

    began = time.monotonic()
    await asyncio.gather(*(conversation(user) for user in users))
    return done[0] / (time.monotonic() - began)


def cpu_seconds(processes: dict[str, list[psutil.Process]]) -> dict[str, float]:
    totals = {}
    for name, group in processes.items():
        total = 0.0
        for process in group:
            try:
                total += sum(process.cpu_times()[:2])
            except psutil.NoSuchProcess:
                pass
        totals[name] = total
    return totals


def postgres_processes(port: int) -> list[psutil.Process]:
    for process in psutil.process_iter(["cmdline"]):
        if f"-p {port}" in " ".join(process.info["cmdline"] or []):
            return [process, *process.children()]
    return []


async def main(args: argparse.Namespace) -> None:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        sys.exit("nginx is missing: apt-get install nginx-light")
    nginx_binary = shutil.which("nginx") or "/usr/sbin/nginx"
    connector = LocalConnector()
    connector_runner, service_url = await start_local_connector(connector)
    users = [LocalUser.create(f"Bruker {n}", f"bruker{n}@molde.kommune.no") for n in range(args.users)]
    clickers = [LocalUser.create(f"Saksmelder {n}", f"saksmelder{n}@aukra.kommune.no") for n in range(2 * args.burst)]
    with temporary_cluster() as database_url, tempfile.TemporaryDirectory(prefix="rakel-scale-") as root:
        async with FakePureservice(seed=11) as pureservice:
            for user in clickers:
                pureservice.add_user("Saksmelder", user.member.name.split()[-1], user.member.email)
            common = {
                **os.environ, "RAKEL_DATABASE_URL": database_url, "RAKEL_LOG_LEVEL": "ERROR",
                "RAKEL_KUNDESERVICE_SERVICE_URL": service_url, "RAKEL_PURESERVICE_URL": pureservice.url,
                "RAKEL_PURESERVICE_API_KEY": API_KEY, "RAKEL_PURESERVICE_FALLBACK_REQUESTER_EMAIL": FALLBACK_REQUESTER_EMAIL,
                "RAKEL_PURESERVICE_REQUESTS_PER_MINUTE": "6000", "RAKEL_PURESERVICE_TIMEOUT_SECONDS": "2",
                "RAKEL_TICKETS_RETRY_INITIAL_SECONDS": "2", "RAKEL_TICKETS_RETRY_MAX_SECONDS": "5",
                "RAKEL_TICKETS_WORKER_INTERVAL_SECONDS": "0.5", "RAKEL_HANDOFF_CHECK_INTERVAL_SECONDS": "1",
                "RAKEL_PC_BACKGROUND_INTERVAL_SECONDS": "2",
                "RAKEL_SHUTDOWN_DELAY_SECONDS": "1", "RAKEL_SHUTDOWN_GRACE_SECONDS": "10",
            }
            instances = []
            for name in ("A", "B"):
                port = free_port()
                data_dir = Path(root) / name
                instances.append(Instance(name, port, {**common, "RAKEL_PORT": str(port), "RAKEL_DATA_DIR": str(data_dir)}))
            a, b = instances
            await asyncio.gather(a.start(), b.start())
            lb_port = free_port()
            Path(root, "nginx.conf").write_text(nginx_conf(root, lb_port, a.port, b.port))
            nginx = subprocess.Popen([nginx_binary, "-p", root, "-c", f"{root}/nginx.conf", "-g", "daemon off;"])
            await asyncio.sleep(0.5)
            session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                            timeout=aiohttp.ClientTimeout(total=30))
            channel = LocalChannel(f"http://127.0.0.1:{lb_port}/api/messages", connector, service_url, session)
            for user in users + clickers:
                channel.join(user)
            cards = [await draft_card(channel, connector, user, f"lag en sak: Skriveren i {n}. etasje skriver ikke ut")
                     for n, user in enumerate(clickers)]
            requests = {card_request(card) for card in cards}

            run, stop_sampling = Run(), asyncio.Event()
            marks = {"sigterm": args.duration / 2, "restart": args.duration / 2 + 8, "sigkill": args.duration * 0.75}
            sampler = asyncio.create_task(sample_jobs(instances, run, stop_sampling))
            load = asyncio.create_task(open_loop(channel, users, args.rate, args.duration, run))
            bursts = []
            await asyncio.sleep(marks["sigterm"] - run.at())
            a.signal(signal.SIGTERM)
            bursts += [asyncio.create_task(click_send(channel, u, c)) for u, c in zip(clickers[:args.burst], cards, strict=False)]
            exit_code = await a.wait()
            await asyncio.sleep(max(0.0, marks["restart"] - run.at()))
            await a.start()
            await asyncio.sleep(max(0.0, marks["sigkill"] - run.at()))
            b.signal(signal.SIGKILL)
            bursts += [asyncio.create_task(click_send(channel, u, c))
                       for u, c in zip(clickers[args.burst:], cards[args.burst:], strict=False)]
            await load
            await asyncio.gather(*bursts)
            await asyncio.sleep(REPLY_WAIT_SECONDS)
            print(f"rate {args.rate:.0f} turns/s for {args.duration:.0f} s through nginx; SIGTERM A at "
                  f"{marks['sigterm']:.0f} s (exit code {exit_code}), A started again at {marks['restart']:.0f} s, "
                  f"SIGKILL B at {marks['sigkill']:.0f} s")
            report_phases(run, connector, marks)
            print("nginx upstream errors and 503s of a draining instance (each retried on the other instance): "
                  + str(dict(Counter(nginx_errors(Path(root, "error.log"))))))
            if args.nginx_log:
                shutil.copy(Path(root, "error.log"), args.nginx_log)

            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not requests <= tickets_by_request(pureservice).keys():
                await asyncio.sleep(0.5)
            created = tickets_by_request(pureservice)
            lost = len(requests - created.keys())
            doubled = sum(count - 1 for count in created.values() if count > 1)
            print(f"tickets: {len(requests)} card clicks during the kills, {len(requests & created.keys())} created, "
                  f"{lost} lost, {doubled} doubled")
            stop_sampling.set()
            await sampler
            holders = ", ".join(f"{job}: {'+'.join(sorted(names))}" for job, names in sorted(run.job_holders.items()))
            print(f"background jobs run twice: {sum(1 for count in run.jobs_twice.values() if count)} "
                  f"of {len(run.job_holders)} ({dict(run.jobs_twice) or 'none'}); instances that ran each: {holders}")

            await b.start()
            await asyncio.sleep(1)
            sat_users = users[: args.saturation_conversations]
            processes = {"instances": [psutil.Process(i.process.pid) for i in instances],  # type: ignore[union-attr]
                         "nginx": [psutil.Process(nginx.pid), *psutil.Process(nginx.pid).children()],
                         "postgres": postgres_processes(int(database_url.rsplit(":", 1)[1].split("/")[0])),
                         "load generator": [psutil.Process()]}
            before, wall = cpu_seconds(processes), time.monotonic()
            two = await saturation(channel, sat_users, args.saturation_seconds)
            shares = {name: (value - before[name]) / (time.monotonic() - wall) for name, value in cpu_seconds(processes).items()}
            b.signal(signal.SIGTERM)
            await b.wait()
            await asyncio.sleep(3)  # nginx marks B down after one refused connection
            one = await saturation(channel, sat_users, args.saturation_seconds)
            print(f"saturation ({len(sat_users)} conversations, closed loop through nginx): two instances "
                  f"{two:.0f} turns/s, one instance {one:.0f} turns/s (x{two / one:.2f})")
            print("  CPU while two instances ran (cores): " + ", ".join(f"{k} {v:.2f}" for k, v in shares.items())
                  + f" of {psutil.cpu_count()}")
            await session.close()
            a.signal(signal.SIGTERM)
            await a.wait()
            nginx.terminate()
            nginx.wait(timeout=10)
    await connector_runner.cleanup()


def nginx_conf(root: str, port: int, port_a: int, port_b: int) -> str:
    """infra/nginx/rakel.conf (what compose ships) with loopback addresses, inside a main configuration."""
    site = (ROOT / "infra" / "nginx" / "rakel.conf").read_text()
    for old, new in (("rakel-1:3978", f"127.0.0.1:{port_a}"), ("rakel-2:3978", f"127.0.0.1:{port_b}"),
                     ("listen 8080;", f"listen 127.0.0.1:{port};")):
        assert old in site, old
        site = site.replace(old, new)
    return NGINX_MAIN.format(root=root, site=site)


def nginx_errors(log: Path) -> list[str]:
    """The kinds of upstream errors nginx logged ("connect() failed (111: Connection refused)", …)."""
    kinds = re.findall(r"\[error\] [^*]*\*\d+ (.*?) while", log.read_text() if log.exists() else "")
    return [re.sub(r"\s+", " ", kind)[:60] for kind in kinds]


def card_request(card: dict) -> str:
    send = next(action for action in card["actions"] if action.get("verb") == "tickets.send")
    return f"rakel:{send['data']['request']}"  # the customerReference the ticket carries


def tickets_by_request(pureservice: FakePureservice) -> Counter[str]:
    return Counter(str(ticket.get("customerReference", "")) for ticket in pureservice.tickets)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=40.0, help="turns per second through nginx")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--burst", type=int, default=20, help="card clicks at each kill")
    parser.add_argument("--saturation-conversations", type=int, default=32)
    parser.add_argument("--saturation-seconds", type=float, default=10.0)
    parser.add_argument("--nginx-log", type=Path, help="keep nginx's error log here")
    asyncio.run(main(parser.parse_args()))
