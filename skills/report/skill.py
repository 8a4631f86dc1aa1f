"""«rapport» in Teams: ROR-IKT staff (RAKEL_REPORT_STAFF) get a card with the month's key figures and a
signed link to the full report. Anyone else's «rapport» is routed like any other message."""

from __future__ import annotations

import asyncio
import importlib
import logging
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from analytics.links import ReportLinks
from analytics.texts import MONTHS, period_name
from core import cards
from core.messages import Reply
from core.settings import Settings
from skills.registry import Skill
from skills.report import texts
from skills.turn import Turn
from store.analytics import AnalyticsRepository
from store.pc.campaigns import CampaignRepository

log = logging.getLogger(__name__)

_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_NAMED = re.compile(r"^([a-zæøå]{3,})\.?(?:\s+(\d{4}))?$")


def requested_month(argument: str, now: datetime) -> tuple[int, int] | None:
    """"" = last month; "2026-11"; "november" (the latest November so far) or "november 2026"; "nå"."""
    text = argument.strip().lower()
    if not text:
        return (now.year - 1, 12) if now.month == 1 else (now.year, now.month - 1)
    if text in texts.THIS_MONTH_WORDS:
        return now.year, now.month
    if match := _YEAR_MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        return (year, month) if 1 <= month <= 12 else None
    if match := _NAMED.match(text):
        months = [number for number, name in enumerate(MONTHS, 1) if name.startswith(match.group(1))]
        if len(months) != 1:
            return None
        month = months[0]
        year = int(match.group(2)) if match.group(2) else (now.year if month <= now.month else now.year - 1)
        return year, month
    return None


class ReportSkill(Skill):
    name = "report"
    commands = ("rapport", "report")

    def __init__(self, settings: Settings, analytics: AnalyticsRepository, campaigns: CampaignRepository,
                 clock: Callable[[], datetime]) -> None:
        self._settings, self._analytics, self._campaigns, self._clock = settings, analytics, campaigns, clock
        self._staff = {entry.strip().lower() for entry in settings.report_staff}
        self._links = ReportLinks(settings.analytics_secret, settings.public_base_url)

    def _may_see(self, turn: Turn) -> bool:
        return bool(self._staff) and bool({turn.user.id.lower(), turn.user.email.lower()} & self._staff)

    async def on_command(self, turn: Turn, argument: str) -> bool:
        if not self._may_see(turn):
            return False
        settings = self._settings
        now = self._clock().astimezone(ZoneInfo(settings.timezone))
        wanted = requested_month(argument, now)
        if wanted is None:
            await turn.send(texts.BAD_MONTH(turn.language))
            return True
        year, month = wanted
        period = period_name(date(year, month, 1), date(year, month, 1))
        await turn.send(texts.WORKING(turn.language, period=period))
        try:
            # pandas, matplotlib and scikit-learn (~150 MB, seconds to import) come with analytics.monthly: loaded
            # on the first report, in a thread so the service keeps answering, never at start-up
            await asyncio.to_thread(importlib.import_module, "analytics.monthly")
            from analytics.monthly import build_monthly_report, render_monthly_report, report_folder
            from analytics.render import key_figures

            report = await build_monthly_report(self._analytics, self._campaigns, settings, year, month, now=now)
            folder = report_folder(settings, year, month, 1)
            files = await render_monthly_report(report, settings, folder)
        except Exception:  # noqa: BLE001 - staff get a plain message; the log has the details
            log.exception("the monthly report failed")
            await turn.send(texts.FAILED(turn.language))
            return True
        expires = int((now + timedelta(hours=settings.report_link_hours)).timestamp())
        link = self._links.url(folder.name, files.html.name, expires)
        figures = key_figures(report)
        body = [cards.heading(texts.TITLE(turn.language, period=period)),
                cards.facts(figures) if figures else cards.paragraph(texts.TOO_FEW(turn.language)),
                cards.paragraph(texts.LINK_NOTE(turn.language, hours=round(settings.report_link_hours),
                                                folder=str(folder)), subtle=True)]
        await turn.send(Reply(card=cards.card(body, [cards.open_url(texts.OPEN(turn.language), link)])))
        return True
