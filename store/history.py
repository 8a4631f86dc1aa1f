"""The last turns of each conversation (personal data masked), for follow-up questions."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from store.database import Database

KEEP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class TurnRecord:
    role: str  # "user" | "assistant"
    text: str


class HistoryRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, conversation_id: str, role: str, text: str) -> None:
        now = time.time()
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO conversation_turns (id, conversation_id, role, text, created_at) VALUES (?, ?, ?, ?, ?)",
                uuid.uuid4().hex,
                conversation_id,
                role,
                text,
                now,
            )
            await tx.execute(
                "DELETE FROM conversation_turns WHERE conversation_id = ? AND created_at < ?",
                conversation_id,
                now - KEEP_SECONDS,
            )

    async def recent(self, conversation_id: str, limit: int = 6) -> list[TurnRecord]:
        rows = await self._db.fetch_all(
            "SELECT role, text FROM conversation_turns WHERE conversation_id = ? "
            "ORDER BY created_at DESC, id DESC LIMIT ?",
            conversation_id,
            limit,
        )
        return [TurnRecord(row["role"], row["text"]) for row in reversed(rows)]
