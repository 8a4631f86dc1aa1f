"""The report's definitions, in code. Each is written out in the README ("Analytics: definitions") and
tested against a hand-counted event set (tests/analytics/test_definitions.py).

- A *conversation* is one user's turns (messages, dialog steps, card clicks) with no gap over 30 minutes.
  It belongs to the month and municipality of its first turn.
- A *knowledge conversation* has at least one knowledge outcome (answered, abstained or clarified).
- A conversation is *self-solved* when Rakel answered in it and, from its first answer until
  ``window`` after its last turn, the same user got no ticket, no handoff and gave no thumbs down
  (an answer counts as resolved when rated up or not rated, as Moveworks counts it).
- *Deflection* = self-solved ÷ knowledge conversations (ServiceNow's definition).
- *Escalation rate* = conversations with a ticket created or a handoff opened ÷ conversations.
- *Abandonment* = conversations whose last turn left the user without an answer or a way on
  (abstained, clarified or error) ÷ conversations.
- *Time to claim*: from a handoff request until an agent takes it.
- *CSAT* = thumbs up ÷ all thumbs (answers and handoff chats).
- *Active users*: distinct users with at least one turn.
Groups smaller than ``MIN_GROUP_USERS`` distinct users are never shown, not even as a total minus the
groups shown (see ``left_out``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analytics.events import ESCALATIONS, KNOWLEDGE_OUTCOMES, USER_KINDS, Outcome
from store.analytics import STORED_COLUMNS

MIN_GROUP_USERS = 5
# names in MonthParts (analytics/parts.py): wait kinds, code dimensions, counts beyond the outcomes
CLAIM, CHAT = "claim", "chat"
TICKETS, SOURCES, HANDOFF_USERS, RATING_USERS = "ticket", "source", "handoff", "rating"
RATED_ANSWERS = "rated_answers"
ABANDONING = frozenset({Outcome.ABSTAINED, Outcome.CLARIFIED, Outcome.ERROR})
_SPOILERS = frozenset({*ESCALATIONS, Outcome.FEEDBACK_DOWN})


_CODES = ("municipality", "language", "kind", "intent", "skill", "outcome", "category")


def event_frame(rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """Events as a table (``AnalyticsRepository.event_rows``, in ``STORED_COLUMNS`` order), with the
    user as a small integer (``user``) and whether the row is the user's own turn."""
    frame = pd.DataFrame.from_records(rows, columns=list(STORED_COLUMNS))
    for column in _CODES:  # few distinct values: categories compare and group fast
        frame[column] = frame[column].astype("category")
    frame["user"] = pd.factorize(frame["user_key"])[0]
    frame["user_turn"] = frame["kind"].isin([kind.value for kind in USER_KINDS])
    return frame


def _is(frame: pd.DataFrame, outcomes: frozenset[Outcome] | set[Outcome]) -> pd.Series:
    return frame["outcome"].isin([outcome.value for outcome in outcomes])


def conversations(frame: pd.DataFrame, *, window_seconds: float) -> pd.DataFrame:
    """One row per conversation: user_key, user, municipality, month, start, end, last_outcome and the
    flags knowledge, answered, escalated, abandoned and self_solved."""
    turns = frame[frame["user_turn"]]
    turns = turns.iloc[np.lexsort((turns["at"].to_numpy(), turns["user"].to_numpy()))]
    user, at = turns["user"].to_numpy(), turns["at"].to_numpy()
    new = turns["starts"].to_numpy() == 1  # where a conversation starts is the store's rule (store.analytics)
    if len(new):  # ... and one user's turns never continue another's (a window may begin mid-conversation)
        new[0] = True
        new[1:] |= user[1:] != user[:-1]
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:] - 1, len(turns) - 1) if len(starts) else starts

    def any_of(flags: pd.Series) -> np.ndarray:
        return np.logical_or.reduceat(flags.to_numpy(), starts) if len(starts) else np.zeros(0, dtype=bool)

    answer_at = np.where((turns["outcome"] == Outcome.ANSWERED.value).to_numpy(), at, np.inf)
    first_answer = np.minimum.reduceat(answer_at, starts) if len(starts) else np.zeros(0)
    last_outcome = turns["outcome"].iloc[ends].reset_index(drop=True)
    table = pd.DataFrame({
        "user_key": turns["user_key"].iloc[starts].to_numpy(), "user": user[starts],
        "municipality": turns["municipality"].iloc[starts].reset_index(drop=True),
        "month": turns["month"].iloc[starts].to_numpy(), "start": at[starts], "end": at[ends],
        "last_outcome": last_outcome, "knowledge": any_of(_is(turns, KNOWLEDGE_OUTCOMES)),
        "escalated": any_of(_is(turns, ESCALATIONS)),
        "first_answer": np.where(np.isfinite(first_answer), first_answer, np.nan),
    })
    table["answered"] = table["first_answer"].notna()
    table["abandoned"] = table["last_outcome"].isin([outcome.value for outcome in ABANDONING])
    table["self_solved"] = _self_solved(table, frame, window_seconds)
    return table


def _self_solved(table: pd.DataFrame, frame: pd.DataFrame, window_seconds: float) -> np.ndarray:
    """Answered, and the user's next ticket, handoff or thumbs down (if any) comes after the window."""
    answered = table.loc[table["answered"], ["user", "first_answer", "end"]].sort_values("first_answer")
    solved = np.zeros(len(table), dtype=bool)
    if answered.empty:
        return solved
    spoilers = (frame.loc[frame["user_turn"] & _is(frame, _SPOILERS), ["user", "at"]]
                .rename(columns={"at": "spoiler_at"}).sort_values("spoiler_at"))
    merged = pd.merge_asof(answered.reset_index(), spoilers, left_on="first_answer", right_on="spoiler_at",
                           by="user", direction="forward")
    solved[merged["index"].to_numpy()] = (merged["spoiler_at"].isna()
                                          | (merged["spoiler_at"] > merged["end"] + window_seconds)).to_numpy()
    return solved


def share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Rates:
    conversations: int
    users: int
    knowledge: int
    self_solved: int
    escalated: int
    abandoned: int

    @property
    def deflection(self) -> float | None:
        return share(self.self_solved, self.knowledge)

    @property
    def escalation(self) -> float | None:
        return share(self.escalated, self.conversations)

    @property
    def abandonment(self) -> float | None:
        return share(self.abandoned, self.conversations)


def rates(users: pd.DataFrame) -> Rates:
    """The rates of the conversations summed in ``users`` (``MonthParts.users``: one row per month,
    municipality and user); active users are the distinct user keys, never a sum over months."""
    return Rates(
        conversations=int(users["conversations"].sum()), users=int(users["user_key"].nunique()),
        knowledge=int(users["knowledge"].sum()), self_solved=int(users["self_solved"].sum()),
        escalated=int(users["escalated"].sum()), abandoned=int(users["abandoned"].sum()),
    )


def left_out(users: pd.Series) -> pd.Series:
    """Which groups of a table that also shows their total to leave out (``users``: distinct users per
    group). Groups under MIN_GROUP_USERS users, and then, smallest first, as many more as it takes for
    what is left out to be at least two groups with MIN_GROUP_USERS users together: otherwise the total
    minus the groups shown would give a small group's figures (complementary suppression, as statistics
    offices do it)."""
    hidden = users < MIN_GROUP_USERS
    for group in users[~hidden].sort_values(kind="stable").index:
        if not hidden.any() or (hidden.sum() >= 2 and users[hidden].sum() >= MIN_GROUP_USERS):
            break
        hidden[group] = True
    return hidden


def rates_by_municipality(users: pd.DataFrame) -> dict[str, Rates]:
    """Per municipality, leaving out those the overall rates would give away (``left_out``)."""
    found = {str(name): rates(group) for name, group in users.groupby("municipality", sort=True)}
    hidden = left_out(pd.Series({name: figures.users for name, figures in found.items()}, dtype="int64"))
    return {name: figures for name, figures in found.items() if not hidden[name]}


def monthly_trend(cells: list[dict[str, Any]], totals: list[dict[str, Any]], months: list[int]) -> pd.DataFrame:
    """Conversations and active users per month and municipality (``AnalyticsRepository.monthly_counts``),
    plus the total of each month; cells under MIN_GROUP_USERS users, and those the month's total would
    give away (``left_out``), are empty. Columns: month, municipality, conversations, users."""
    found = pd.DataFrame.from_records(cells, columns=["month", "municipality", "conversations", "users"])
    found = found[found["month"].isin(months)].reset_index(drop=True)
    hidden_cells = found.groupby("month")["users"].transform(lambda users: left_out(users))
    users = {row["month"]: row["users"] for row in totals}
    conversations = found.groupby("month")["conversations"].sum()
    result = pd.concat([found, pd.DataFrame({
        "month": months, "municipality": "totalt",
        "conversations": [int(conversations.get(month, 0)) for month in months],
        "users": [int(users.get(month, 0)) for month in months],
    })], ignore_index=True)
    result[["conversations", "users"]] = result[["conversations", "users"]].astype("Int64")
    hidden = pd.concat([hidden_cells.astype(bool), pd.Series(False, index=range(len(months)))], ignore_index=True)
    hidden |= result["users"] < MIN_GROUP_USERS
    result[["conversations", "users"]] = result[["conversations", "users"]].mask(hidden)
    return result


def grouped_counts(codes: pd.DataFrame, dimension: str, column: str, *,
                   beside_total: bool = False) -> tuple[pd.DataFrame, int]:
    """Count and distinct users per code of ``dimension`` (``MonthParts.codes``); groups under
    MIN_GROUP_USERS users are left out, and when the report shows the dimension's total
    (``beside_total``) also those the total would give away (``left_out``). Returns the table (column,
    count, users; largest first) and how many groups were left out."""
    chosen = codes[codes["dimension"] == dimension]
    if chosen.empty:
        return pd.DataFrame(columns=[column, "count", "users"]), 0
    table = (chosen.groupby("code").agg(count=("count", "sum"), users=("user_key", "nunique"))
             .reset_index().rename(columns={"code": column}))
    table["count"] = table["count"].astype(int)
    hidden = left_out(table["users"]) if beside_total else table["users"] < MIN_GROUP_USERS
    kept = table[~hidden].sort_values(["count", column], ascending=[False, True])
    return kept.reset_index(drop=True), len(table) - len(kept)


@dataclass(frozen=True)
class HandoffFigures:
    opened: int
    taken: int
    closed_hours: int  # asked for a person while Kundeservice was closed
    ended: int
    claim_median_minutes: float | None
    claim_p90_minutes: float | None
    chat_median_minutes: float | None
    users: int

    @property
    def taken_share(self) -> float | None:
        return share(self.taken, self.opened)


def _minutes(values: pd.Series, quantile: float) -> float | None:
    return float(values.quantile(quantile)) / 60 if len(values) else None


def _count(counts: pd.DataFrame, name: str) -> int:
    return int(counts.loc[counts["name"] == name, "count"].sum())


def _users(codes: pd.DataFrame, dimension: str) -> int:
    return int(codes.loc[codes["dimension"] == dimension, "user_key"].nunique())


def handoff_figures(counts: pd.DataFrame, waits: pd.DataFrame, codes: pd.DataFrame) -> HandoffFigures:
    """From ``MonthParts``: the handoff counts, the waits (quantiles need every value, so every wait is
    kept) and the distinct users in handoffs."""
    claims, chats = waits.loc[waits["kind"] == CLAIM, "seconds"], waits.loc[waits["kind"] == CHAT, "seconds"]
    return HandoffFigures(
        opened=_count(counts, Outcome.HANDOFF_OPENED.value), taken=_count(counts, Outcome.HANDOFF_TAKEN.value),
        closed_hours=_count(counts, Outcome.HANDOFF_CLOSED.value), ended=_count(counts, Outcome.HANDOFF_ENDED.value),
        claim_median_minutes=_minutes(claims, 0.5), claim_p90_minutes=_minutes(claims, 0.9),
        chat_median_minutes=_minutes(chats, 0.5), users=_users(codes, HANDOFF_USERS),
    )


@dataclass(frozen=True)
class FeedbackFigures:
    answers: int
    rated_answers: int
    up: int  # all thumbs up (answers and handoff chats)
    down: int
    users: int  # distinct users who gave a rating

    @property
    def rating_rate(self) -> float | None:
        """Share of answers that got a thumbs up or down."""
        return share(self.rated_answers, self.answers)

    @property
    def csat(self) -> float | None:
        return share(self.up, self.up + self.down)


def feedback_figures(counts: pd.DataFrame, codes: pd.DataFrame) -> FeedbackFigures:
    return FeedbackFigures(
        answers=_count(counts, Outcome.ANSWERED.value), rated_answers=_count(counts, RATED_ANSWERS),
        up=_count(counts, Outcome.FEEDBACK_UP.value), down=_count(counts, Outcome.FEEDBACK_DOWN.value),
        users=_users(codes, RATING_USERS),
    )
