"""The monthly rollups: the report's figures are the same whether a month is counted from its raw
events or read from its rollup, on SQLite and PostgreSQL; the job rolls up closed months only, once.

The event set is the hand-counted November (tests/analytics/handcounted.py) plus, across the month
boundary: m7 asks on 31 October 23:50 and writes again at 00:10 (one October conversation), then files a
ticket at 08:00 on 1 November (a new November conversation, and inside the self-solved window of the
October answer, which is therefore not self-solved); r1 has a handoff in October (claimed after 5
minutes, a 15-minute chat). October by hand: conversations m1, m7, r1 = 3, knowledge 2 (m1, m7),
self-solved 1 (m1), escalated 1 (r1). 13 months to November: 19 + 1 + 3 = 23 conversations, 17 users
(m7 is new, m1 and r1 were in November), claims 120 s and 300 s: median 3.5 minutes.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from analytics import recorder
from analytics.report import MonthlyReport, build_monthly_report
from analytics.rollup import last_closed_month, roll_up_closed_months
from core.lifecycle import Lifecycle
from store.store import open_store
from tests.analytics.handcounted import OSLO, A, event, hand_counted_events
from tests.conftest import make_settings

OCTOBER_31 = datetime(2026, 10, 31, 23, 50, tzinfo=OSLO)
OCTOBER_20 = datetime(2026, 10, 20, 12, 0, tzinfo=OSLO)
DECEMBER_5 = datetime(2026, 12, 5, 9, 0, tzinfo=OSLO)
WINDOW = 24 * 3600.0
FIGURES = ("totals", "by_municipality", "trend", "tickets", "tickets_total", "tickets_hidden", "handoffs", "feedback",
           "sources", "sources_hidden")


def across_months() -> list:
    return [*hand_counted_events(),
            event("m7", 0, "answered", sources=(A,), base=OCTOBER_31),
            event("m7", 20, "handled", skill="help", base=OCTOBER_31),
            event("m7", 8 * 60 + 10, "ticket_created", kind="action", skill="tickets", category="access",
                  base=OCTOBER_31),
            event("r1", 0, "handoff_opened", skill="handoff", category="other", base=OCTOBER_20),
            event("r1", 5, "handoff_taken", kind="system", skill="handoff", seconds=300, base=OCTOBER_20),
            event("r1", 20, "handoff_ended", kind="system", skill="handoff", seconds=900, base=OCTOBER_20)]


def assert_same(first: MonthlyReport, second: MonthlyReport) -> None:
    for name in FIGURES:
        left, right = getattr(first, name), getattr(second, name)
        if isinstance(left, pd.DataFrame):
            pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True), obj=name)
        else:
            assert left == right, name


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rollup.db'}"
    return request.getfixturevalue("fresh_postgres_url")


async def test_the_report_is_the_same_from_rollups_and_from_events(tmp_path, database_url):
    settings = make_settings(tmp_path, database_url=database_url)
    store = await open_store(database_url)
    try:
        await store.analytics.add(across_months())

        async def report(months: int, rollups: bool) -> MonthlyReport:
            return await build_monthly_report(store.analytics, store.pc.campaigns, settings, 2026, 11, months=months,
                                              now=DECEMBER_5, rollups=rollups)

        raw = {months: await report(months, rollups=False) for months in (1, 2, 13)}
        assert await roll_up_closed_months(store.analytics, DECEMBER_5, timezone=settings.timezone,
                                           window_seconds=WINDOW) == [202610, 202611]
        rolled = {months: await report(months, rollups=True) for months in (1, 2, 13)}
        for months in (1, 2, 13):
            assert raw[months].rolled_months == [] and rolled[months].rolled_months == [202610, 202611][-months:]
            assert_same(raw[months], rolled[months])
        october = await build_monthly_report(store.analytics, store.pc.campaigns, settings, 2026, 10, now=DECEMBER_5)
        year = rolled[13]
    finally:
        await store.close()
    assert october.rolled_months == [202610]
    assert (october.totals.conversations, october.totals.users, october.totals.knowledge, october.totals.self_solved,
            october.totals.escalated) == (3, 3, 2, 1, 1)
    assert rolled[1].totals.conversations == 20 and rolled[1].totals.users == 17  # m7's ticket on 1 November
    assert (year.totals.conversations, year.totals.users) == (23, 17)
    assert year.handoffs.opened == 2 and year.handoffs.claim_median_minutes == pytest.approx(3.5)
    assert year.handoffs.claim_p90_minutes == pytest.approx((120 + 0.9 * 180) / 60)
    assert year.tickets_total == 7 and year.feedback.answers == 12


async def test_the_job_rolls_up_closed_months_once_and_the_open_month_stays_raw(tmp_path):
    settings = make_settings(tmp_path)
    store = await open_store(settings.database_target)
    try:
        await store.analytics.add(across_months())
        december_1 = datetime(2026, 12, 1, 8, 0, tzinfo=OSLO)  # November's tickets can still spoil its answers
        assert await roll_up_closed_months(store.analytics, december_1, timezone=settings.timezone,
                                           window_seconds=WINDOW) == [202610]
        mixed = [await build_monthly_report(store.analytics, store.pc.campaigns, settings, 2026, 11, months=13,
                                            now=december_1, rollups=rollups) for rollups in (True, False)]
        assert mixed[0].rolled_months == [202610]  # raw before and after October
        assert_same(*mixed)
        assert await roll_up_closed_months(store.analytics, DECEMBER_5, timezone=settings.timezone,
                                           window_seconds=WINDOW) == [202611]
        assert await roll_up_closed_months(store.analytics, DECEMBER_5, timezone=settings.timezone,
                                           window_seconds=WINDOW) == []
        tables = {name: await store.db.fetch_value(f"SELECT COUNT(*) AS n FROM analytics_rollup_{name}")
                  for name in ("months", "users", "codes", "waits", "counts")}
        await store.analytics.save_rollup(202611, (await store.analytics.rollup_rows([202611])), 29, 0.0)
        assert {name: await store.db.fetch_value(f"SELECT COUNT(*) AS n FROM analytics_rollup_{name}")
                for name in tables} == tables  # replacing a month leaves the same rows
        december = await build_monthly_report(store.analytics, store.pc.campaigns, settings, 2026, 12, now=DECEMBER_5)
        assert december.rolled_months == [] and december.totals.conversations == 1  # m1 on 2 December, from events
        await store.analytics.purge(0.0, 0.0, 202611)
        assert await store.analytics.rolled_months(202601, 202612) == [202611]
    finally:
        await store.close()


def test_a_month_closes_after_the_self_solved_window_and_the_grace():
    assert last_closed_month(datetime(2026, 12, 2, 5, 59, tzinfo=OSLO), "Europe/Oslo", WINDOW) == 202610
    assert last_closed_month(datetime(2026, 12, 2, 6, 0, tzinfo=OSLO), "Europe/Oslo", WINDOW) == 202611
    assert last_closed_month(datetime(2027, 1, 15, tzinfo=OSLO), "Europe/Oslo", WINDOW) == 202612


async def test_the_service_runs_the_rollup_as_a_shared_job(tmp_path):
    """analytics.recorder.build registers it with the lifecycle, whose jobs run under a lease
    (bot/workers.run_exclusively): one instance at a time."""
    settings = make_settings(tmp_path)
    store = await open_store(settings.database_target)
    life = Lifecycle()
    ran: dict[str, object] = {}

    async def once(_interval: float, job, name: str) -> None:  # noqa: ANN001 - the maintenance loop's job
        ran[name] = await job()

    try:
        await store.analytics.add(across_months())
        recorder.build(settings, life, store.analytics, lambda: DECEMBER_5, on_event=lambda _event: None, repeat=once)
        await life.background["analytics-rollup"]()
        assert ran["analytics-rollup"] == [202610, 202611]
    finally:
        await life.close()
        await store.close()
