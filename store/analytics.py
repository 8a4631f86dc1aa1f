"""Analytics events and masked content-gap texts: written in batches, read by period, purged by age."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analytics.events import Event, QuestionText
from store.database import Database, Row

EVENT_COLUMNS = ("at", "user_key", "municipality", "language", "kind", "intent", "skill", "outcome",
                 "category", "seconds", "sources")
TEXT_COLUMNS = ("at", "user_key", "municipality", "kind", "text")
ROWS_PER_STATEMENT = 500  # 11 parameters a row stays far below both databases' parameter limits
SOURCE_SEPARATOR = "\n"


def _insert(table: str, columns: Sequence[str], count: int) -> str:
    row = "(" + ", ".join("?" * len(columns)) + ")"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([row] * count)


def event_row(event: Event) -> tuple[Any, ...]:
    return (event.at, event.user_key, event.municipality, event.language, event.kind, event.intent,
            event.skill, event.outcome, event.category, event.seconds, SOURCE_SEPARATOR.join(event.sources))


def text_row(text: QuestionText) -> tuple[Any, ...]:
    return (text.at, text.user_key, text.municipality, text.kind, text.text)


class AnalyticsRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, events: Sequence[Event], texts: Sequence[QuestionText] = ()) -> None:
        """Write a batch in one transaction: a few multi-row INSERTs, never one round trip per event."""
        async with self._db.transaction() as tx:
            for table, columns, rows in (("analytics_events", EVENT_COLUMNS, [event_row(e) for e in events]),
                                         ("analytics_texts", TEXT_COLUMNS, [text_row(t) for t in texts])):
                for start in range(0, len(rows), ROWS_PER_STATEMENT):
                    chunk = rows[start:start + ROWS_PER_STATEMENT]
                    await tx.execute(_insert(table, columns, len(chunk)), *[value for row in chunk for value in row])

    async def event_rows(self, start: float, end: float) -> list[Row]:
        """Every event with ``start <= at < end`` as plain rows (a report reads a million of them;
        ``sources`` stays one string, split by ``SOURCE_SEPARATOR``)."""
        return await self._db.fetch_all(
            f"SELECT {', '.join(EVENT_COLUMNS)} FROM analytics_events WHERE at >= ? AND at < ?", start, end,
        )

    async def texts(self, start: float, end: float) -> list[QuestionText]:
        rows = await self._db.fetch_all(
            f"SELECT {', '.join(TEXT_COLUMNS)} FROM analytics_texts WHERE at >= ? AND at < ? ORDER BY at",
            start, end,
        )
        return [QuestionText(**row) for row in rows]

    async def purge(self, events_before: float, texts_before: float) -> tuple[int, int]:
        """Delete what is older than the retention; return how many events and texts went."""
        async with self._db.transaction() as tx:
            events = await tx.execute("DELETE FROM analytics_events WHERE at < ?", events_before)
            texts = await tx.execute("DELETE FROM analytics_texts WHERE at < ?", texts_before)
        return events, texts
