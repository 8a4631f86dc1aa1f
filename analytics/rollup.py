"""The rollup job: each closed month is counted once from its raw events into the rollup tables
(analytics/parts.py), which the report then reads instead of the month's events.

A month is *closed* once everything its figures need has been written: its end, plus the self-solved
window (a ticket that long after an answer still spoils it), plus ``GRACE`` for batches still on their
way. The job rolls up every closed month since the oldest event that is not rolled up yet; a month's
rows are replaced in one transaction, so running it twice (or after a crash) gives the same rows.
It runs in one process at a time (``Lifecycle.runs``: bot/workers.run_exclusively under a lease).
Only counting a month loads pandas, in a thread: a server with nothing to roll up never imports it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from analytics.periods import Period, month_key, month_start, previous_month, window
from store.analytics import AnalyticsRepository

log = logging.getLogger(__name__)
GRACE = timedelta(hours=6)


def last_closed_month(now: datetime, timezone: str, window_seconds: float) -> int:
    """The newest month whose end + window + GRACE has passed."""
    key = month_key(now.astimezone(ZoneInfo(timezone)).date())
    while True:
        period = Period.months_ending(key // 100, key % 100, 1, timezone)
        if period.end + timedelta(seconds=window_seconds) + GRACE <= now:
            return key
        key = previous_month(key)


async def roll_up_month(repository: AnalyticsRepository, month: int, timezone: str, window_seconds: float) -> int:
    """Count ``month`` from its events and replace its rollups; returns how many of its events there were."""
    period = Period.months_ending(month // 100, month % 100, 1, timezone)
    rows = await repository.event_rows(*window(period, window_seconds))

    def count() -> tuple[dict[str, list[tuple[Any, ...]]], int]:
        from analytics import definitions as d
        from analytics import parts as p

        frame = d.event_frame(rows)
        events = int((frame["month"] == month).sum())
        return p.from_events(frame, [month], window_seconds=window_seconds).rows(), events

    parts, events = await asyncio.to_thread(count)
    await repository.save_rollup(month, parts, events, time.time())
    return events


async def roll_up_closed_months(repository: AnalyticsRepository, now: datetime, *, timezone: str,
                                window_seconds: float) -> list[int]:
    """Roll up every closed month not rolled up yet; returns the months it rolled up."""
    first = await repository.first_event_month()
    if first is None:
        return []
    last = last_closed_month(now, timezone, window_seconds)
    if first > last:
        return []
    done = set(await repository.rolled_months(first, last))
    months = Period(month_start(first), month_start(last), timezone).months
    rolled = []
    for month in months:
        if month not in done:
            events = await roll_up_month(repository, month, timezone, window_seconds)
            log.info("analytics: month rolled up", extra={"month": month, "events": events})
            rolled.append(month)
    return rolled


def rollup_job(repository: AnalyticsRepository, clock: Callable[[], datetime], *, timezone: str,
               window_seconds: float):  # noqa: ANN201 - a no-argument coroutine function
    """The rollup as a no-argument job for the service's maintenance loop."""
    return lambda: roll_up_closed_months(repository, clock(), timezone=timezone, window_seconds=window_seconds)
