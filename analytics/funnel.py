"""The PC campaign funnel: of the employees whose campaign card was delivered in a month, how many
ordered, how many orders were approved, and for how many the swap ticket was filed (created, or queued
for Kundeservice), per municipality, as things stand when the report is made.

A person belongs to the month their card was delivered (local time). Cells with fewer than
``MIN_GROUP_USERS`` people, and those the total would give away (``definitions.left_out``), are left out;
the totals count everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analytics.definitions import MIN_GROUP_USERS, left_out
from store.pc.models import APPROVED, NOT_MINE, ORDERED, REJECTED, TICKET_CREATED, TICKET_QUEUED

STEPS = ("messaged", "ordered", "approved", "ticket_filed")
OTHERS = ("rejected", "not_mine", "no_answer")
TOTAL = "totalt"


@dataclass(frozen=True)
class Funnel:
    period: pd.DataFrame  # municipality, people, *STEPS, *OTHERS (shown municipalities, then the total)
    hidden: int  # municipalities left out of ``period``
    trend: pd.DataFrame  # month, municipality, people, *STEPS, *OTHERS (shown cells, then each month's total)

    @property
    def total(self) -> dict[str, Any] | None:
        rows = self.period[self.period["municipality"] == TOTAL].to_dict("records")
        return rows[0] if rows else None


def people(rows: Sequence[Sequence[Any]], timezone: str) -> pd.DataFrame:
    """One row per delivered card (``CampaignRepository.funnel_rows``) with its month and the steps reached."""
    frame = pd.DataFrame.from_records(list(rows), columns=["municipality", "user_key", "sent_at", "response", "state",
                                                           "ticket_state"])
    local = pd.to_datetime(frame["sent_at"], unit="s", utc=True).dt.tz_convert(timezone)
    approved = frame["state"] == APPROVED
    return pd.DataFrame({
        "month": (local.dt.year * 100 + local.dt.month).astype("int64"), "municipality": frame["municipality"],
        "user_key": frame["user_key"], "messaged": True, "ordered": frame["response"] == ORDERED,
        "approved": approved,
        "ticket_filed": approved & frame["ticket_state"].isin([TICKET_CREATED, TICKET_QUEUED]),
        "rejected": frame["state"] == REJECTED, "not_mine": frame["response"] == NOT_MINE,
        "no_answer": ~frame["response"].isin([ORDERED, NOT_MINE]),
    })


def _counts(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    columns = [*by, "people", *STEPS, *OTHERS]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    counted = frame.groupby(by).agg(people=("user_key", "nunique"), **{name: (name, "sum") for name in (*STEPS, *OTHERS)})
    return counted.reset_index()[columns].astype({name: "int64" for name in ("people", *STEPS, *OTHERS)})


def _with_total(frame: pd.DataFrame, by: list[str]) -> tuple[pd.DataFrame, int]:
    """Per ``by`` (nothing, or the month): the municipalities ``left_out`` keeps, then the total; and how
    many municipality cells were left out."""
    cells = _counts(frame, [*by, "municipality"])
    groups = cells.groupby(by)["people"] if by else [(None, cells["people"])]
    hidden = pd.concat([left_out(people) for _, people in groups]) if len(cells) else pd.Series(dtype=bool)
    shown = cells[~hidden.reindex(cells.index, fill_value=False)]
    totals = _counts(frame.assign(municipality=TOTAL), [*by, "municipality"])
    table = pd.concat([shown, totals[totals["people"] >= MIN_GROUP_USERS]], ignore_index=True)
    table = (table.assign(last=table["municipality"] == TOTAL).sort_values([*by, "last", "municipality"])
             .drop(columns="last").reset_index(drop=True))
    return table, len(cells) - len(shown)


def funnel(rows: Sequence[Sequence[Any]], period_months: Sequence[int], trend_months: Sequence[int],
           timezone: str) -> Funnel:
    frame = people(rows, timezone)
    period, hidden = _with_total(frame[frame["month"].isin(period_months)], [])
    trend, _ = _with_total(frame[frame["month"].isin(trend_months)], ["month"])
    return Funnel(period, hidden, trend)
