"""Analytics events and masked content-gap texts: written in batches, read by period, purged by age.

Where a conversation starts is decided here, when events are written: a user's turn starts one when it
is their first, or comes more than ``CONVERSATION_GAP_SECONDS`` after their previous turn (kept in
``analytics_last_turns``, so several bot processes agree). Each write also adds to a per-user monthly
rollup, from which the 13-month trend is counted without reading a million events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from analytics.events import USER_KINDS, Event, QuestionText
from store.database import Database, Executor, Row

CONVERSATION_GAP_SECONDS = 30 * 60
EVENT_COLUMNS = ("at", "user_key", "municipality", "language", "kind", "intent", "skill", "outcome",
                 "category", "seconds", "sources", "month")
STORED_COLUMNS = (*EVENT_COLUMNS, "starts")
TEXT_COLUMNS = ("at", "user_key", "municipality", "kind", "text")
ROWS_PER_STATEMENT = 500  # 13 parameters a row stays far below both databases' parameter limits
SOURCE_SEPARATOR = "\n"
# The monthly rollups (analytics/parts.py says what each row means), table analytics_rollup_<name>.
ROLLUP_COLUMNS = {
    "users": ("month", "municipality", "user_key", "conversations", "knowledge", "self_solved", "escalated",
              "abandoned"),
    "codes": ("month", "dimension", "code", "user_key", "count"),
    "waits": ("month", "kind", "seconds"),
    "counts": ("month", "name", "count"),
}
_USER_KINDS = frozenset(kind.value for kind in USER_KINDS)


def _insert(table: str, columns: Sequence[str], count: int) -> str:
    row = "(" + ", ".join("?" * len(columns)) + ")"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([row] * count)


def event_row(event: Event) -> tuple[Any, ...]:
    return (event.at, event.user_key, event.municipality, event.language, event.kind, event.intent,
            event.skill, event.outcome, event.category, event.seconds, SOURCE_SEPARATOR.join(event.sources),
            event.month)


def text_row(text: QuestionText) -> tuple[Any, ...]:
    return (text.at, text.user_key, text.municipality, text.kind, text.text)


async def _insert_rows(tx: Executor, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]],
                       suffix: str = "") -> None:
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start:start + ROWS_PER_STATEMENT]
        await tx.execute(_insert(table, columns, len(chunk)) + suffix, *[value for row in chunk for value in row])


class AnalyticsRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, events: Sequence[Event], texts: Sequence[QuestionText] = ()) -> None:
        """Write a batch in one transaction (a few multi-row statements, never one per event): the events
        with their conversation starts, the users' last turns and the monthly rollup."""
        events = sorted(events, key=lambda event: event.at)
        async with self._db.transaction() as tx:
            last = await self._last_turns(tx, {event.user_key for event in events if event.kind in _USER_KINDS})
            rows, rollup = [], defaultdict(lambda: [0, 0])
            for event in events:
                starts = 0
                if event.kind in _USER_KINDS:
                    previous = last.get(event.user_key)
                    starts = int(previous is None or event.at - previous > CONVERSATION_GAP_SECONDS)
                    last[event.user_key] = max(event.at, previous or event.at)
                    counts = rollup[(event.month, event.municipality, event.user_key)]
                    counts[0] += 1
                    counts[1] += starts
                rows.append((*event_row(event), starts))
            await _insert_rows(tx, "analytics_events", STORED_COLUMNS, rows)
            await _insert_rows(tx, "analytics_texts", TEXT_COLUMNS, [text_row(text) for text in texts])
            await _insert_rows(tx, "analytics_last_turns", ("user_key", "at"), list(last.items()),
                               " ON CONFLICT (user_key) DO UPDATE SET at = excluded.at")
            await _insert_rows(
                tx, "analytics_user_months", ("month", "municipality", "user_key", "turns", "conversations"),
                [(*key, turns, conversations) for key, (turns, conversations) in rollup.items()],
                " ON CONFLICT (month, municipality, user_key) DO UPDATE SET "
                "turns = analytics_user_months.turns + excluded.turns, "
                "conversations = analytics_user_months.conversations + excluded.conversations")

    async def _last_turns(self, tx: Executor, keys: set[str]) -> dict[str, float]:
        found: dict[str, float] = {}
        ordered = sorted(keys)
        for start in range(0, len(ordered), ROWS_PER_STATEMENT):
            chunk = ordered[start:start + ROWS_PER_STATEMENT]
            rows = await tx.fetch_all(
                f"SELECT user_key, at FROM analytics_last_turns WHERE user_key IN ({', '.join('?' * len(chunk))})",
                *chunk)
            found.update({row["user_key"]: row["at"] for row in rows})
        return found

    async def event_rows(self, start: float, end: float) -> list[tuple[Any, ...]]:
        """Every event with ``start <= at < end`` as tuples in ``STORED_COLUMNS`` order (``starts`` is 1 on
        the turn that starts a conversation; ``sources`` is one string, split by ``SOURCE_SEPARATOR``)."""
        return await self._db.fetch_tuples(
            f"SELECT {', '.join(STORED_COLUMNS)} FROM analytics_events WHERE at >= ? AND at < ?", start, end,
        )

    async def monthly_counts(self, first_month: int, last_month: int) -> tuple[list[Row], list[Row]]:
        """From the rollup: conversations (by the month and municipality of their first turn) and active
        users per month and municipality, and active users per month."""
        cells = await self._db.fetch_all(
            "SELECT month, municipality, SUM(conversations) AS conversations, COUNT(*) AS users "
            "FROM analytics_user_months WHERE month >= ? AND month <= ? GROUP BY month, municipality",
            first_month, last_month,
        )
        months = await self._db.fetch_all(
            "SELECT month, COUNT(DISTINCT user_key) AS users FROM analytics_user_months "
            "WHERE month >= ? AND month <= ? GROUP BY month", first_month, last_month,
        )
        return cells, months

    async def first_event_month(self) -> int | None:
        value = await self._db.fetch_value("SELECT MIN(month) AS month FROM analytics_events WHERE month > 0")
        return int(value) if value is not None else None

    async def rolled_months(self, first_month: int, last_month: int) -> list[int]:
        """The months from ``first_month`` to ``last_month`` whose rollups are written (all of each, or none)."""
        rows = await self._db.fetch_all(
            "SELECT month FROM analytics_rollup_months WHERE month >= ? AND month <= ? ORDER BY month",
            first_month, last_month)
        return [int(row["month"]) for row in rows]

    async def rollup_rows(self, months: Sequence[int]) -> dict[str, list[tuple[Any, ...]]]:
        """The rollup rows of ``months`` (per table, in ``ROLLUP_COLUMNS`` order)."""
        found: dict[str, list[tuple[Any, ...]]] = {name: [] for name in ROLLUP_COLUMNS}
        if not months:
            return found
        marks = ", ".join("?" * len(months))
        for name, columns in ROLLUP_COLUMNS.items():
            found[name] = await self._db.fetch_tuples(
                f"SELECT {', '.join(columns)} FROM analytics_rollup_{name} WHERE month IN ({marks})", *months)
        return found

    async def save_rollup(self, month: int, rows: dict[str, list[tuple[Any, ...]]], events: int, now: float) -> None:
        """Replace one month's rollups in one transaction: running it twice leaves the same rows."""
        async with self._db.transaction() as tx:
            for name in ("months", *ROLLUP_COLUMNS):
                await tx.execute(f"DELETE FROM analytics_rollup_{name} WHERE month = ?", month)
            for name, columns in ROLLUP_COLUMNS.items():
                await _insert_rows(tx, f"analytics_rollup_{name}", columns, rows.get(name, []))
            await tx.execute("INSERT INTO analytics_rollup_months (month, events, rolled_at) VALUES (?, ?, ?)",
                             month, events, now)

    async def texts(self, start: float, end: float) -> list[QuestionText]:
        rows = await self._db.fetch_all(
            f"SELECT {', '.join(TEXT_COLUMNS)} FROM analytics_texts WHERE at >= ? AND at < ? ORDER BY at",
            start, end,
        )
        return [QuestionText(**row) for row in rows]

    async def purge(self, events_before: float, texts_before: float, months_before: int) -> tuple[int, int]:
        """Delete what is older than the retention; return how many events and texts went."""
        async with self._db.transaction() as tx:
            events = await tx.execute("DELETE FROM analytics_events WHERE at < ?", events_before)
            texts = await tx.execute("DELETE FROM analytics_texts WHERE at < ?", texts_before)
            await tx.execute("DELETE FROM analytics_user_months WHERE month < ?", months_before)
            for name in ("months", *ROLLUP_COLUMNS):
                await tx.execute(f"DELETE FROM analytics_rollup_{name} WHERE month < ?", months_before)
            await tx.execute("DELETE FROM analytics_last_turns WHERE at < ?", events_before)
        return events, texts
