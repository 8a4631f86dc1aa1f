"""Analytics at scale: a year of synthetic events (8,300 users, 5 municipalities, >= 1,000,000 turns) in
SQLite and in PostgreSQL. Prints the time to record one event on the turn path (p50/p95/p99), the time
to roll up the closed months, to write the monthly report for one month and for 13 months (with November
still open, so counted from its events, and after it is rolled up too; --raw: also all 13 from raw events),
and the database size per million events. Each figure is printed with the load average (2 shared cores).

    .venv/bin/python bench/report.py [--turns 1000000] [--database-url postgresql://...] [--skip-postgres] [--raw]

PostgreSQL: a throwaway cluster is started when initdb/pg_ctl are installed (or pass --database-url).
Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.events import Event, Kind, Note, Outcome, Pseudonyms, QuestionText, Subject, local_month  # noqa: E402
from analytics.monthly import write_monthly_report  # noqa: E402
from analytics.recorder import EventRecorder  # noqa: E402
from analytics.rollup import roll_up_closed_months  # noqa: E402
from bench.common import percentile  # noqa: E402
from core.settings import Settings  # noqa: E402
from store.store import open_store  # noqa: E402

OSLO = ZoneInfo("Europe/Oslo")
MUNICIPALITIES = {"molde": 0.45, "hustadvika": 0.2, "rauma": 0.13, "vestnes": 0.12, "aukra": 0.1}
FIRST_DAY = datetime(2025, 12, 1, tzinfo=OSLO)
DAYS = 365
# What one turn achieves, and how often (the rest of a turn's fields follow from it).
OUTCOMES = {
    Outcome.ANSWERED: 0.50, Outcome.ABSTAINED: 0.10, Outcome.HANDLED: 0.22, Outcome.TICKET_CREATED: 0.05,
    Outcome.HANDOFF_OPENED: 0.02, Outcome.HANDOFF_CLOSED: 0.01, Outcome.FEEDBACK_UP: 0.05,
    Outcome.FEEDBACK_DOWN: 0.02, Outcome.PC_ORDER: 0.01, Outcome.COMMENT: 0.005, Outcome.ERROR: 0.015,
}
SKILL = {Outcome.ANSWERED: "knowledge", Outcome.ABSTAINED: "knowledge", Outcome.FEEDBACK_UP: "knowledge",
         Outcome.FEEDBACK_DOWN: "knowledge", Outcome.TICKET_CREATED: "tickets", Outcome.HANDOFF_OPENED: "handoff",
         Outcome.HANDOFF_CLOSED: "handoff", Outcome.PC_ORDER: "pc_replacement", Outcome.COMMENT: "feedback",
         Outcome.HANDLED: "help", Outcome.ERROR: "knowledge"}
CATEGORIES = ["access", "password", "email", "pc", "software", "printing", "remote_access", "phone"]
SOURCES = [f"https://rorikt.sharepoint.com/sites/kompetanseportalen/SitePages/side-{n}.aspx" for n in range(120)]
GAP_TEMPLATES = [
    "Hvordan {verb} jeg {thing} i {system}?", "{system} virker ikke når jeg skal {verb} {thing}",
    "Får feilmelding i {system} om {thing}", "Hvor finner jeg {thing} i {system}?",
]
GAP_WORDS = {
    "system": ["Visma", "Helseplattformen", "Public 360", "Skooler", "Feide", "Teams", "Outlook", "VPN"],
    "thing": ["lønnsslippen", "timelisten", "fraværet", "signaturen", "arkivet", "vaktplanen", "kalenderen"],
    "verb": ["endre", "finne", "registrere", "åpne"],
}


def synthetic_events(turns: int, users: int, seed: int = 13) -> tuple[list[Event], list[QuestionText]]:
    """``turns`` user turns over a year, in conversations of 1-6 turns a few minutes apart, plus the
    system events of handoffs, and masked gap questions for the last 90 days (their retention)."""
    rng = np.random.default_rng(seed)
    names, weights = list(MUNICIPALITIES), np.array(list(MUNICIPALITIES.values()))
    home = rng.choice(len(names), size=users, p=weights / weights.sum())
    keys = [f"{n:020x}" for n in rng.integers(0, 2**63, size=users)]
    activity = rng.pareto(1.5, size=users) + 0.2  # a few heavy users, many light ones
    activity /= activity.sum()
    outcome_names = list(OUTCOMES)
    outcome_p = np.array(list(OUTCOMES.values()))
    outcome_p /= outcome_p.sum()
    start = FIRST_DAY.timestamp()
    texts_from = start + (DAYS - 90) * 86400
    events: list[Event] = []
    texts: list[QuestionText] = []
    made = 0
    while made < turns:
        batch = min(50_000, turns - made)
        lengths = rng.integers(1, 7, size=batch // 3 + 1)
        who = rng.choice(users, size=len(lengths), p=activity)
        day = rng.integers(0, DAYS, size=len(lengths))
        second = rng.normal(11.5, 2.5, size=len(lengths)).clip(6, 20) * 3600
        for conversation, length in enumerate(lengths):
            if made >= turns:
                break
            user = int(who[conversation])
            at = start + int(day[conversation]) * 86400 + float(second[conversation])
            for outcome in rng.choice(len(outcome_names), size=int(length), p=outcome_p):
                outcome = outcome_names[outcome]
                at += float(rng.integers(20, 400))
                events.append(_event(at, keys[user], names[home[user]], outcome, rng))
                made += 1
                if outcome is Outcome.HANDOFF_OPENED and rng.random() < 0.85:
                    wait = float(rng.gamma(2.0, 120))
                    events.append(_event(at + wait, keys[user], names[home[user]], Outcome.HANDOFF_TAKEN, rng, wait))
                    chat = float(rng.gamma(3.0, 200))
                    events.append(_event(at + wait + chat, keys[user], names[home[user]], Outcome.HANDOFF_ENDED,
                                         rng, chat))
                if outcome in (Outcome.ABSTAINED, Outcome.FEEDBACK_DOWN) and at >= texts_from:
                    texts.append(QuestionText(at, keys[user], names[home[user]],
                                              "unanswered" if outcome is Outcome.ABSTAINED else "disliked",
                                              _question(rng)))
    events.sort(key=lambda event: event.at)  # as they arrive: conversation starts are decided on write
    return events, texts


def _event(at: float, key: str, municipality: str, outcome: Outcome, rng, seconds: float | None = None) -> Event:  # noqa: ANN001
    system = outcome in (Outcome.HANDOFF_TAKEN, Outcome.HANDOFF_ENDED)
    action = outcome in (Outcome.FEEDBACK_UP, Outcome.FEEDBACK_DOWN, Outcome.TICKET_CREATED, Outcome.PC_ORDER)
    kind = Kind.SYSTEM if system else Kind.ACTION if action else Kind.MESSAGE
    sources = tuple(SOURCES[int(i)] for i in rng.zipf(1.6, size=int(rng.integers(1, 4))) % len(SOURCES)) \
        if outcome is Outcome.ANSWERED else ()
    category = CATEGORIES[int(rng.integers(0, len(CATEGORIES)))] if outcome is Outcome.TICKET_CREATED else ""
    return Event(at, key, municipality, "nb", kind.value, "knowledge" if kind is Kind.MESSAGE else "",
                 SKILL.get(outcome, "handoff"), outcome.value, category, seconds, sources, local_month(at, OSLO))


def _question(rng) -> str:  # noqa: ANN001
    template = GAP_TEMPLATES[int(rng.integers(0, len(GAP_TEMPLATES)))]
    return template.format(**{name: words[int(rng.integers(0, len(words)))] for name, words in GAP_WORDS.items()})


async def record_latency(samples: int = 100_000) -> tuple[float, float, float]:
    """The turn path's cost: EventRecorder.record (no database: the writer runs in the background)."""

    class Nowhere:
        async def add(self, events, texts=()) -> None:  # noqa: ANN001
            return None

    recorder = EventRecorder(Nowhere(), Pseudonyms("bench-key"), lambda: datetime.now(OSLO),  # type: ignore[arg-type]
                             batch_size=10**9)
    subject = Subject("00000000-0000-0000-0000-000000000001", "molde", "nb")
    notes = [Note(Outcome.ANSWERED, sources=tuple(SOURCES[:3])), Note(Outcome.HANDLED),
             Note(Outcome.ABSTAINED, question="Hvordan endrer jeg signaturen i Outlook? Ring 91234567")]
    timings = []
    for index in range(samples):
        started = time.perf_counter_ns()
        recorder.record(subject, notes[index % 3], kind=Kind.MESSAGE, intent="knowledge", skill="knowledge")
        timings.append((time.perf_counter_ns() - started) / 1e6)
        if recorder.pending >= 10_000:
            await recorder.flush()
    return percentile(timings, 0.5), percentile(timings, 0.95), percentile(timings, 0.99)


async def size_of_events(store, url: str) -> float:  # noqa: ANN001
    if url.startswith("sqlite"):
        pages = await store.db.fetch_value(
            "SELECT SUM(pgsize) AS n FROM dbstat WHERE name IN ('analytics_events', 'analytics_events_by_time')")
        return float(pages)
    return float(await store.db.fetch_value("SELECT pg_total_relation_size('analytics_events') AS n"))


def load() -> str:
    return "load " + Path("/proc/loadavg").read_text().split(" ", 3)[2] if Path("/proc/loadavg").exists() else ""


async def size_of_rollups(store, url: str) -> float:  # noqa: ANN001
    if url.startswith("sqlite"):  # the tables, their primary-key indexes and the waits' index
        return float(await store.db.fetch_value(
            "SELECT SUM(pgsize) AS n FROM dbstat WHERE name LIKE '%analytics_rollup_%'") or 0)
    tables = [f"analytics_rollup_{name}" for name in ("months", "users", "codes", "waits", "counts")]
    return float(sum([await store.db.fetch_value(f"SELECT pg_total_relation_size('{table}') AS n") for table in tables]))


async def run(url: str, label: str, events: list[Event], texts: list[QuestionText], folder: Path, *,
              raw: bool) -> None:
    settings = Settings(_env_file=None, env="test", data_dir=folder, database_url=url)  # type: ignore[call-arg]
    window = settings.analytics_self_solved_hours * 3600
    store = await open_store(url)

    async def report(months: int, name: str, *, rollups: bool = True) -> str:
        started, cpu = time.perf_counter(), time.process_time()
        await write_monthly_report(store.analytics, store.pc.campaigns, settings, 2026, 11, months=months,
                                   now=datetime(2026, 12, 3, 9, tzinfo=OSLO), directory=folder / f"{label}-{name}",
                                   rollups=rollups)
        return (f"{time.perf_counter() - started:.2f} s (CPU {time.process_time() - cpu:.2f} s, "
                f"{load()})")

    async def roll_up(now: datetime) -> str:
        started = time.perf_counter()
        months = await roll_up_closed_months(store.analytics, now, timezone=settings.timezone, window_seconds=window)
        return f"{len(months)} months in {time.perf_counter() - started:.1f} s ({load()})"

    try:
        started = time.perf_counter()
        for position in range(0, len(events), 20_000):
            await store.analytics.add(events[position:position + 20_000])
        await store.analytics.add([], texts)
        load_seconds = time.perf_counter() - started
        print(f"{label}: loaded {len(events):,} events in {load_seconds:.1f} s "
              f"({len(events) / load_seconds:,.0f} events/s, in batches of 20,000; {load()})")
        if raw:
            print(f"{label}: report for 13 months, all from raw events: {await report(13, 'raw-13m', rollups=False)}")
        # 1 December: November is still open (its self-solved window), so it is counted from its events
        print(f"{label}: rollup job, closed months up to October 2026: {await roll_up(datetime(2026, 12, 1, 8, tzinfo=OSLO))}")
        print(f"{label}: report for November (open month, from raw events): {await report(1, 'open-1m')}")
        print(f"{label}: report for 13 months (12 from rollups, November from raw events): "
              f"{await report(13, 'open-13m')} (target < 10 s)")
        print(f"{label}: rollup job, November closed: {await roll_up(datetime(2026, 12, 3, 9, tzinfo=OSLO))}")
        print(f"{label}: report for November (from its rollup): {await report(1, '1m')}")
        print(f"{label}: report for 13 months (all from rollups): {await report(13, '13m')} (target < 10 s)")
        size, rollups = await size_of_events(store, url), await size_of_rollups(store, url)
        print(f"{label}: events table with index {size / 1e6:.1f} MB = {size / len(events):.0f} bytes per event, "
              f"{size / len(events):.0f} MB per million events; rollups {rollups / 1e6:.1f} MB "
              f"({rollups / len(events):.0f} MB per million events)")
        print(f"{label}: reports written to {folder}/{label}-*/rapport.html")
    finally:
        await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=8_300)
    parser.add_argument("--database-url", default="", help="a PostgreSQL database to use (default: a throwaway cluster)")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--keep", type=Path, help="write the databases and reports here instead of a temporary folder")
    parser.add_argument("--raw", action="store_true", help="also time the 13-month report from raw events only")
    args = parser.parse_args()
    p50, p95, p99 = await record_latency()
    print(f"record one event on the turn path: p50 {p50 * 1000:.1f} µs, p95 {p95 * 1000:.1f} µs, "
          f"p99 {p99 * 1000:.1f} µs (target p95 < 500 µs; {load()})")
    started = time.perf_counter()
    events, texts = synthetic_events(args.turns, args.users)
    users = len({event.user_key for event in events})
    print(f"generated {len(events):,} events ({args.turns:,} turns, {users:,} users, 5 municipalities, "
          f"{DAYS} days from {FIRST_DAY:%Y-%m-%d}) and {len(texts):,} masked gap questions "
          f"in {time.perf_counter() - started:.1f} s")
    with ExitStack() as stack:
        folder = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rakel-report-bench-")))
        folder.mkdir(parents=True, exist_ok=True)
        await run(f"sqlite:///{folder / 'bench.db'}", "SQLite", events, texts, folder, raw=args.raw)
        if args.skip_postgres:
            return
        url = args.database_url
        if not url:
            from tests.postgres import temporary_cluster

            try:
                url = stack.enter_context(temporary_cluster())
            except LookupError as reason:
                print(f"PostgreSQL: skipped ({reason})")
                return
        await run(url, "PostgreSQL", events, texts, folder, raw=args.raw)


if __name__ == "__main__":
    asyncio.run(main())
