"""The replacement rule: a PC is due when it is ``max_age_years`` old (or older) on the campaign date."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.language import Language


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def due_date(purchased: date, max_age_years: int) -> date:
    """The day the PC may be replaced."""
    return years_after(purchased, max_age_years)


def is_due(purchased: date, on: date, max_age_years: int) -> bool:
    return due_date(purchased, max_age_years) <= on


def age_in_months(purchased: date, on: date) -> int:
    months = (on.year - purchased.year) * 12 + on.month - purchased.month
    return max(0, months - (1 if on.day < purchased.day else 0))


def age_text(purchased: date, on: date, language: Language) -> str:
    years, months = divmod(age_in_months(purchased, on), 12)
    if language is Language.ENGLISH:
        text = f"{years} year{'s' if years != 1 else ''}"
        return f"{text} and {months} month{'s' if months != 1 else ''}" if months else text
    month_word = "måned" if months == 1 else ("månader" if language is Language.NYNORSK else "måneder")
    return f"{years} år og {months} {month_word}" if months else f"{years} år"


def local_date(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def norwegian_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")
