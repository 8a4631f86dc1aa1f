"""Feedback: thumbs on answers (with question, answer and sources) and free comments on Rakel."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

from core.pii import MaskedText
from store.database import Database


@dataclass
class FeedbackEntry:
    user_id: str
    conversation_id: str
    kind: str  # "answer" | "general"
    rating: int | None = None  # +1, -1 or None for a plain comment
    question: MaskedText = MaskedText("")
    answer: MaskedText = MaskedText("")
    sources: list[str] = field(default_factory=list)
    comment: MaskedText = MaskedText("")
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


class FeedbackRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, entry: FeedbackEntry) -> str:
        """Store an entry; the same id again (a double click, a changed mind) replaces rating and comment."""
        await self._db.execute(
            "INSERT INTO feedback (id, user_id, conversation_id, kind, rating, question, answer, sources, "
            "comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment",
            entry.id, entry.user_id, entry.conversation_id, entry.kind, entry.rating, entry.question,
            entry.answer, json.dumps(entry.sources), entry.comment, time.time(),
        )
        return entry.id

    async def add_comment(self, feedback_id: str, comment: str) -> None:
        await self._db.execute("UPDATE feedback SET comment = ? WHERE id = ?", comment, feedback_id)

    async def count_ratings(self, conversation_id: str, rating: int) -> int:
        return await self._db.fetch_value(
            "SELECT COUNT(*) AS n FROM feedback WHERE conversation_id = ? AND rating = ?", conversation_id, rating
        )

    async def recent(self, limit: int = 100) -> list[FeedbackEntry]:
        rows = await self._db.fetch_all("SELECT * FROM feedback ORDER BY created_at DESC LIMIT ?", limit)
        return [
            FeedbackEntry(
                id=row["id"], user_id=row["user_id"], conversation_id=row["conversation_id"], kind=row["kind"],
                rating=row["rating"], question=row["question"], answer=row["answer"],
                sources=json.loads(row["sources"]), comment=row["comment"],
            )
            for row in rows
        ]
