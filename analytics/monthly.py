"""The monthly report in one call, for `rakel report` and for «rapport» in Teams."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from analytics.render import ReportFiles, write_report
from analytics.report import MonthlyReport, build_monthly_report
from core.settings import Settings
from store.analytics import AnalyticsRepository
from store.pc.campaigns import CampaignRepository


def report_folder(settings: Settings, year: int, month: int, months: int) -> Path:
    name = f"{year:04d}-{month:02d}" if months == 1 else f"{year:04d}-{month:02d}-{months}m"
    return settings.reports_path / name


async def write_monthly_report(analytics: AnalyticsRepository, campaigns: CampaignRepository, settings: Settings,
                               year: int, month: int, *, months: int = 1, now: datetime,
                               directory: Path | None = None, rollups: bool = True) -> ReportFiles:
    report = await build_monthly_report(analytics, campaigns, settings, year, month, months=months, now=now,
                                        rollups=rollups)
    return await render_monthly_report(report, settings, directory or report_folder(settings, year, month, months))


async def render_monthly_report(report: MonthlyReport, settings: Settings, directory: Path) -> ReportFiles:
    """Charts and HTML are CPU work: done in a thread so the service keeps answering meanwhile."""
    return await asyncio.to_thread(write_report, report, directory, settings.analytics_self_solved_hours,
                                   settings.analytics_text_retention_days)
