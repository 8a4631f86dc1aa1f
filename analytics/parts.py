"""What the report counts its figures from, month by month: the same tables whether counted from the
raw events (the current month, or a month not rolled up yet) or read from the rollups of closed months
(analytics/rollup.py), so the report's figures cannot depend on where they came from.

- ``users``: per month, municipality and user key, the user's conversations that began that month and how
  many were knowledge conversations, self-solved, escalated and abandoned (definitions.conversations).
- ``codes``: per month, dimension, code and user key, how many: ticket categories (``ticket``), cited
  sources (``source``), events in handoffs (``handoff``, code "") and ratings (``rating``, code "").
- ``waits``: every time to claim (``claim``) and chat length (``chat``) in seconds, since medians and
  percentiles cannot be combined from monthly figures.
- ``counts``: per month, the handoff outcomes, answers, rated answers and thumbs.

Distinct users are counted over the months a figure covers from the user keys in ``users`` and
``codes``: a month's distinct users cannot be added to the next month's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analytics import definitions as d
from analytics.events import RATINGS, Outcome
from store.analytics import ROLLUP_COLUMNS, SOURCE_SEPARATOR

_COUNTED = (Outcome.HANDOFF_OPENED, Outcome.HANDOFF_TAKEN, Outcome.HANDOFF_CLOSED, Outcome.HANDOFF_ENDED,
            Outcome.ANSWERED, Outcome.FEEDBACK_UP, Outcome.FEEDBACK_DOWN)
_RATINGS = [outcome.value for outcome in RATINGS]


@dataclass(frozen=True)
class MonthParts:
    users: pd.DataFrame
    codes: pd.DataFrame
    waits: pd.DataFrame
    counts: pd.DataFrame

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """As rows for the rollup tables (``ROLLUP_COLUMNS`` order), plain Python values."""
        return {name: list(getattr(self, name)[list(columns)].astype(object).itertuples(index=False, name=None))
                for name, columns in ROLLUP_COLUMNS.items()}


def from_rows(rows: dict[str, Sequence[Sequence[Any]]]) -> MonthParts:
    """From the rollup tables (``AnalyticsRepository.rollup_rows``)."""
    return MonthParts(**{name: pd.DataFrame.from_records(list(rows.get(name, [])), columns=list(columns))
                         for name, columns in ROLLUP_COLUMNS.items()})


def combined(parts: Iterable[MonthParts]) -> MonthParts:
    chosen = list(parts)
    return MonthParts(**{name: pd.concat([getattr(part, name) for part in chosen], ignore_index=True)
                         if chosen else pd.DataFrame(columns=list(columns))
                         for name, columns in ROLLUP_COLUMNS.items()})


def from_events(frame: pd.DataFrame, months: Sequence[int], *, window_seconds: float) -> MonthParts:
    """Count ``months`` from the raw events (``definitions.event_frame``) of their window
    (``definitions.window``: a day before and the self-solved window after)."""
    table = d.conversations(frame, window_seconds=window_seconds)
    table = table[table["month"].isin(months)].assign(municipality=lambda t: t["municipality"].astype(str))
    users = (table.groupby(["month", "municipality", "user_key"])
             .agg(conversations=("user", "size"), knowledge=("knowledge", "sum"), self_solved=("self_solved", "sum"),
                  escalated=("escalated", "sum"), abandoned=("abandoned", "sum"))
             .reset_index())
    events = frame[frame["month"].isin(months)]
    outcome = events["outcome"].astype(str)
    tickets = events[outcome == Outcome.TICKET_CREATED.value]
    codes = pd.concat([
        _codes(tickets.assign(code=tickets["category"].astype(str)), d.TICKETS),
        _codes(_sources(events[outcome == Outcome.ANSWERED.value]), d.SOURCES),
        _codes(events[events["skill"].astype(str) == "handoff"].assign(code=""), d.HANDOFF_USERS),
        _codes(events[outcome.isin(_RATINGS)].assign(code=""), d.RATING_USERS),
    ], ignore_index=True)
    waits = pd.concat([
        _waits(events[outcome == Outcome.HANDOFF_TAKEN.value], d.CLAIM),
        _waits(events[outcome == Outcome.HANDOFF_ENDED.value], d.CHAT),
    ], ignore_index=True)
    rated = events[outcome.isin(_RATINGS) & (events["skill"].astype(str) == "knowledge")]
    named = pd.concat([
        pd.DataFrame({"month": events["month"], "name": outcome})[outcome.isin([o.value for o in _COUNTED])],
        pd.DataFrame({"month": rated["month"], "name": d.RATED_ANSWERS}),
    ], ignore_index=True)
    counts = named.groupby(["month", "name"]).size().rename("count").reset_index()
    return MonthParts(users=_plain(users, "users"), codes=_plain(codes, "codes"), waits=_plain(waits, "waits"),
                      counts=_plain(counts, "counts"))


def _sources(answers: pd.DataFrame) -> pd.DataFrame:
    """One row per (answer, cited source): month, user_key, code."""
    split = answers[["month", "user_key"]].assign(code=answers["sources"].str.split(SOURCE_SEPARATOR)).explode("code")
    return split[split["code"].notna() & (split["code"] != "")]


def _codes(rows: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """How many ``rows`` (with month, user_key and code) per month, code and user."""
    chosen = pd.DataFrame({"month": rows["month"], "user_key": rows["user_key"].astype(str),
                           "code": rows["code"].astype(str)})
    counted = chosen.groupby(["month", "code", "user_key"]).size().rename("count").reset_index()
    return counted.assign(dimension=dimension)


def _waits(events: pd.DataFrame, kind: str) -> pd.DataFrame:
    seconds = events["seconds"].dropna()
    return pd.DataFrame({"month": events.loc[seconds.index, "month"], "kind": kind, "seconds": seconds.astype(float)})


def _plain(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The rollup table's columns, with the integer columns as integers (as read back from the database)."""
    frame = frame.reindex(columns=list(ROLLUP_COLUMNS[name])).reset_index(drop=True)
    for column in frame.columns:
        if column in ("month", "conversations", "knowledge", "self_solved", "escalated", "abandoned", "count"):
            frame[column] = frame[column].astype("int64")
        elif column != "seconds":
            frame[column] = frame[column].astype(str)
    return frame
