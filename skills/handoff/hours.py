"""Kundeservice's opening hours: weekdays and times from settings, closed on public holidays (the
maintained ``holidays`` library, moving feasts included) and on extra closed days from settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from core.language import Language
from core.settings import Settings
from skills.handoff import texts

_SEARCH_DAYS = 366  # a year without an opening day is a configuration error


@dataclass(frozen=True)
class OpeningHours:
    opens: time
    closes: time
    weekdays: frozenset[int]  # Monday = 0
    zone: ZoneInfo
    public_holidays: holidays.HolidayBase
    closed_days: frozenset[date]

    @classmethod
    def from_settings(cls, settings: Settings) -> OpeningHours:
        return cls(
            opens=settings.opening_time,
            closes=settings.closing_time,
            weekdays=frozenset(settings.opening_weekdays),
            zone=ZoneInfo(settings.timezone),
            public_holidays=public_holidays(settings.handoff_holiday_country, settings.handoff_holiday_subdivision),
            closed_days=frozenset(settings.handoff_closed_days),
        )

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def holiday(self, day: date) -> str | None:
        """The public holiday's name (in Norwegian where the library has it), or None."""
        return self.public_holidays.get(day)

    def is_open_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.public_holidays and day not in self.closed_days

    def is_open(self, moment: datetime) -> bool:
        local = self.local(moment)
        return self.is_open_day(local.date()) and self.opens <= local.time() < self.closes

    def next_opening(self, moment: datetime) -> datetime:
        """When Kundeservice next opens after ``moment`` (local time); ``moment`` itself if open now."""
        local = self.local(moment)
        for offset in range(_SEARCH_DAYS):
            day = local.date() + timedelta(days=offset)
            if not self.is_open_day(day):
                continue
            opening = datetime.combine(day, self.opens, tzinfo=self.zone)
            if offset == 0 and local.time() >= self.closes:
                continue
            return max(opening, local)
        raise ValueError("no opening day within a year: check RAKEL_OPENING_WEEKDAYS and the closed days")


def public_holidays(country: str, subdivision: str = "") -> holidays.HolidayBase:
    """The country's public holidays, named in Norwegian where the library has the names.
    Raises NotImplementedError for an unknown country or subdivision."""
    found = holidays.country_holidays(country, subdiv=subdivision or None)
    if "no" in found.supported_languages:
        return holidays.country_holidays(country, subdiv=subdivision or None, language="no")
    return found


def describe_opening(opening: datetime, now: datetime, language: Language) -> str:
    """When ``opening`` (local time, from next_opening) is, seen from ``now``: "i dag kl. 08:00",
    "i morgen kl. 08:00", "mandag kl. 08:00" or, a week or more away, "tirsdag 7. april kl. 08:00"."""
    days = (opening.date() - now.astimezone(opening.tzinfo).date()).days
    at = opening.strftime("%H:%M")
    if days <= 0:
        return texts.TODAY_AT(language, time=at)
    if days == 1:
        return texts.TOMORROW_AT(language, time=at)
    weekday = texts.WEEKDAYS[language.value][opening.weekday()]
    if days < 7:
        return texts.WEEKDAY_AT(language, weekday=weekday, time=at)
    month = texts.MONTHS[language.value][opening.month - 1]
    return texts.DATE_AT(language, weekday=weekday, day=opening.day, month=month, time=at)
