"""Report periods: whole local months, as 202611-style keys. No pandas here: the rollup job decides
what to roll up in the server process, and only the counting itself loads pandas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import pandas as pd


def month_key(day: date) -> int:
    return day.year * 100 + day.month


def month_start(key: int) -> date:
    return date(key // 100, key % 100, 1)


def next_month(key: int) -> int:
    return key + 1 if key % 100 < 12 else (key // 100 + 1) * 100 + 1


def previous_month(key: int) -> int:
    return key - 1 if key % 100 > 1 else (key // 100 - 1) * 100 + 12


@dataclass(frozen=True)
class Period:
    """Whole months in local time: ``first`` .. ``last`` (inclusive), as 202611-style keys."""

    first: date
    last: date
    timezone: str

    @classmethod
    def months_ending(cls, year: int, month: int, count: int, timezone: str) -> Period:
        first = year * 12 + month - 1 - (count - 1)
        return cls(date(first // 12, first % 12 + 1, 1), date(year, month, 1), timezone)

    @property
    def months(self) -> list[int]:
        keys, year, month = [], self.first.year, self.first.month
        while (year, month) <= (self.last.year, self.last.month):
            keys.append(year * 100 + month)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return keys

    @property
    def start(self) -> datetime:
        return datetime(self.first.year, self.first.month, 1, tzinfo=ZoneInfo(self.timezone))

    @property
    def end(self) -> datetime:
        year, month = (self.last.year + 1, 1) if self.last.month == 12 else (self.last.year, self.last.month + 1)
        return datetime(year, month, 1, tzinfo=ZoneInfo(self.timezone))

    def contains(self, keys: pd.Series) -> pd.Series:
        return keys.between(month_key(self.first), month_key(self.last))


def window(period: Period, window_seconds: float) -> tuple[float, float]:
    """The events a period's figures need: a day before (a conversation running over midnight) and the
    self-solved window after."""
    return (period.start - timedelta(days=1)).timestamp(), period.end.timestamp() + window_seconds
