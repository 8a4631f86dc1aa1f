"""Gather the monthly report's figures from the events, the masked texts and the PC campaign store."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from analytics import definitions as d
from analytics.events import Outcome, QuestionText, TextKind
from analytics.gaps import Gaps, find_gaps
from core.settings import Settings
from skills.pc_replacement.report import CampaignReport, build_report
from store.analytics import AnalyticsRepository
from store.pc.campaigns import CampaignRepository

TREND_MONTHS = 13
MAX_CAMPAIGNS = 3
MAX_COMMENTS = 10
TOP_SOURCES = 10


@dataclass
class MonthlyReport:
    period: d.Period
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
    campaigns: list[CampaignReport] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        """False when the whole period has too few users to show anything."""
        return self.totals.users >= d.MIN_GROUP_USERS


async def build_monthly_report(analytics: AnalyticsRepository, campaigns: CampaignRepository, settings: Settings,
                               year: int, month: int, *, months: int = 1, now: datetime) -> MonthlyReport:
    """Read what the period needs, then count (pandas, scikit-learn) in a thread: the service keeps
    answering while a report is made."""
    period = d.Period.months_ending(year, month, months, settings.timezone)
    trend_period = d.Period.months_ending(year, month, max(TREND_MONTHS, months), settings.timezone)
    months = trend_period.months[-TREND_MONTHS:]
    detail_start, detail_end = d.window(period, settings.analytics_self_solved_hours * 3600)
    rows = await analytics.event_rows(detail_start, detail_end)
    cells, totals = await analytics.monthly_counts(months[0], months[-1])
    texts = await analytics.texts(period.start.timestamp(), period.end.timestamp())
    funnels = await _campaigns(campaigns, period)
    trend = d.monthly_trend(cells, totals, months)
    return await asyncio.to_thread(_count, settings, period, trend_period, rows, trend, texts, funnels, now)


def _count(settings: Settings, period: d.Period, trend_period: d.Period, rows: list[tuple[Any, ...]],
           trend: pd.DataFrame, texts: list[QuestionText], funnels: list[CampaignReport], now: datetime) -> MonthlyReport:
    window_seconds = settings.analytics_self_solved_hours * 3600
    frame = d.event_frame(rows)
    table = d.conversations(frame, window_seconds=window_seconds)
    current = table[period.contains(table["month"])]
    events = d.in_period(frame, period)
    tickets = events[events["outcome"] == Outcome.TICKET_CREATED.value]
    ticket_table, tickets_hidden = d.grouped_counts(tickets, "category")
    sources, sources_hidden = d.grouped_counts(d.cited_sources(events), "source")
    comments = [text for text in texts if text.kind == TextKind.COMMENT.value]
    show_comments = len({text.user_key for text in comments}) >= d.MIN_GROUP_USERS
    months = trend_period.months[-TREND_MONTHS:]
    return MonthlyReport(
        period=period, trend_months=months, generated_at=now,
        totals=d.rates(current), by_municipality=d.rates_by_municipality(current),
        trend=trend,
        tickets=ticket_table, tickets_total=len(tickets), tickets_hidden=tickets_hidden,
        handoffs=d.handoff_figures(events), feedback=d.feedback_figures(events),
        comments=[text.text for text in reversed(comments)][:MAX_COMMENTS] if show_comments else [],
        comment_count=len(comments),
        gaps=find_gaps(texts), sources=sources.head(TOP_SOURCES), sources_hidden=sources_hidden,
        campaigns=funnels,
    )


async def _campaigns(repository: CampaignRepository, period: d.Period) -> list[CampaignReport]:
    """The PC campaigns started by the end of the period (newest first), with their funnel per
    municipality (the rendering leaves out municipalities with fewer than MIN_GROUP_USERS employees)."""
    started = [campaign for campaign in await repository.all("campaign")
               if campaign.created_at < period.end.timestamp()]
    started.sort(key=lambda campaign: campaign.created_at, reverse=True)
    reports = []
    for campaign in started[:MAX_CAMPAIGNS]:
        report = await build_report(repository, campaign)
        reports.append(CampaignReport(report.campaign, report.rows, []))  # never the names of who has not acted
    return reports
