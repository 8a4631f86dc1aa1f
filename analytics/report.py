"""Gather the monthly report's figures from the events, the masked texts and the PC campaign store."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from analytics import definitions as d
from analytics import parts as p
from analytics import periods
from analytics.events import QuestionText, TextKind
from analytics.funnel import Funnel, funnel
from analytics.gaps import Gaps, find_gaps
from core.settings import Settings
from skills.pc_replacement.campaign import CAMPAIGN
from store.analytics import AnalyticsRepository
from store.pc.campaigns import CampaignRepository

TREND_MONTHS = 13
MAX_COMMENTS = 10
TOP_SOURCES = 10


@dataclass
class MonthlyReport:
    period: periods.Period
    trend_months: list[int]
    generated_at: datetime
    totals: d.Rates
    by_municipality: dict[str, d.Rates]
    trend: pd.DataFrame  # month, municipality, conversations, users (small cells empty)
    tickets: pd.DataFrame  # category, count, users
    tickets_total: int
    tickets_hidden: int
    handoffs: d.HandoffFigures
    feedback: d.FeedbackFigures
    comments: list[str]  # masked; empty when fewer than MIN_GROUP_USERS people commented
    comment_count: int
    gaps: Gaps
    sources: pd.DataFrame  # source, count, users
    sources_hidden: int
    pc_funnel: Funnel
    rolled_months: list[int] = field(default_factory=list)  # counted from the rollups, the rest from events

    @property
    def shown(self) -> bool:
        """False when the whole period has too few users to show anything."""
        return self.totals.users >= d.MIN_GROUP_USERS


async def build_monthly_report(analytics: AnalyticsRepository, campaigns: CampaignRepository, settings: Settings,
                               year: int, month: int, *, months: int = 1, now: datetime,
                               rollups: bool = True) -> MonthlyReport:
    """Read what the period needs: the rollups of its closed months (analytics/rollup.py) and the raw
    events of the others (``rollups=False``: every month from the raw events); then count (pandas,
    scikit-learn) in a thread, so the service keeps answering while a report is made."""
    period = periods.Period.months_ending(year, month, months, settings.timezone)
    trend_period = periods.Period.months_ending(year, month, max(TREND_MONTHS, months), settings.timezone)
    trend_months = trend_period.months[-TREND_MONTHS:]
    rolled = await analytics.rolled_months(period.months[0], period.months[-1]) if rollups else []
    raw_months = [key for key in period.months if key not in rolled]
    raw_runs: list[tuple[list[int], list[tuple[Any, ...]]]] = []  # each run of consecutive months not rolled up, with the events of its window
    for run in _runs(raw_months):
        raw = periods.Period(periods.month_start(run[0]), periods.month_start(run[-1]), settings.timezone)
        raw_runs.append((run, await analytics.event_rows(*periods.window(raw, settings.analytics_self_solved_hours * 3600))))
    rollup_rows = await analytics.rollup_rows(rolled)
    cells, totals = await analytics.monthly_counts(trend_months[0], trend_months[-1])
    texts = await analytics.texts(period.start.timestamp(), period.end.timestamp())
    pc_rows = await campaigns.funnel_rows(CAMPAIGN, trend_period.start.timestamp(), trend_period.end.timestamp())
    trend = d.monthly_trend(cells, totals, trend_months)
    return await asyncio.to_thread(_count, settings, period, trend_months, raw_runs, rollup_rows, rolled,
                                   trend, texts, pc_rows, now)


def _runs(months: list[int]) -> list[list[int]]:
    """Consecutive months together: [202511, 202609, 202610] -> [[202511], [202609, 202610]]."""
    runs: list[list[int]] = []
    for key in months:
        if runs and periods.next_month(runs[-1][-1]) == key:
            runs[-1].append(key)
        else:
            runs.append([key])
    return runs


def _count(settings: Settings, period: periods.Period, trend_months: list[int],
           raw_runs: list[tuple[list[int], list[tuple[Any, ...]]]], rollup_rows: dict[str, list[tuple[Any, ...]]],
           rolled: list[int],
           trend: pd.DataFrame, texts: list[QuestionText], pc_rows: list[tuple[Any, ...]], now: datetime) -> MonthlyReport:
    window_seconds = settings.analytics_self_solved_hours * 3600
    found = [p.from_rows(rollup_rows), *(p.from_events(d.event_frame(rows), months, window_seconds=window_seconds)
                                         for months, rows in raw_runs)]
    parts = p.combined(found)
    ticket_table, tickets_hidden = d.grouped_counts(parts.codes, d.TICKETS, "category", beside_total=True)
    sources, sources_hidden = d.grouped_counts(parts.codes, d.SOURCES, "source")
    comments = [text for text in texts if text.kind == TextKind.COMMENT.value]
    show_comments = len({text.user_key for text in comments}) >= d.MIN_GROUP_USERS
    return MonthlyReport(
        period=period, trend_months=trend_months, generated_at=now,
        totals=d.rates(parts.users), by_municipality=d.rates_by_municipality(parts.users),
        trend=trend,
        tickets=ticket_table, tickets_total=int(parts.codes.loc[parts.codes["dimension"] == d.TICKETS, "count"].sum()),
        tickets_hidden=tickets_hidden,
        handoffs=d.handoff_figures(parts.counts, parts.waits, parts.codes),
        feedback=d.feedback_figures(parts.counts, parts.codes),
        comments=[text.text for text in reversed(comments)][:MAX_COMMENTS] if show_comments else [],
        comment_count=len(comments),
        gaps=find_gaps(texts), sources=sources.head(TOP_SOURCES), sources_hidden=sources_hidden,
        pc_funnel=funnel(pc_rows, period.months, trend_months, settings.timezone),
        rolled_months=rolled,
    )
