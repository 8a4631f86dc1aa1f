"""The replacement rule: a PC is due when it is older than ``years`` on the campaign date (ROR-IKT
replaces PCs *after* six years), or, with ``RAKEL_PC_DUE_RULE=at_age``, from the day it turns that age."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.language import Language


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class DueRule:
    years: int
    older_than: bool = True  # False: due on the day it turns ``years`` (the boundary day counts)

    @classmethod
    def of(cls, years: int, rule: str) -> DueRule:
        """From the settings: ``pc_max_age_years`` and ``pc_due_rule`` ("older_than" | "at_age")."""
        return cls(years, older_than=rule == "older_than")

    def due_date(self, purchased: date) -> date:
        """The first day the PC may be replaced."""
        birthday = years_after(purchased, self.years)
        return birthday + timedelta(days=1) if self.older_than else birthday

    def is_due(self, purchased: date, on: date) -> bool:
        return self.due_date(purchased) <= on


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


_MONTHS = {
    Language.BOKMAAL: ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
                       "oktober", "november", "desember"),
    Language.ENGLISH: ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                       "October", "November", "December"),
}


def long_date(day: date, language: Language) -> str:
    """"3. november" (nynorsk shares bokmål's month names), "3 November" in English."""
    if language is Language.ENGLISH:
        return f"{day.day} {_MONTHS[Language.ENGLISH][day.month - 1]}"
    return f"{day.day}. {_MONTHS[Language.BOKMAAL][day.month - 1]}"
