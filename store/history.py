"""The last turns of each conversation (personal data masked), for follow-up questions."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from core.pii import MaskedText
from store.database import Database

KEEP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class TurnRecord:
    role: str  # "user" | "assistant"
    text: MaskedText  # only masked text is kept (core.pii)


class HistoryRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, conversation_id: str, *turns: TurnRecord) -> None:
        """Append turns in one statement (one round trip on the hot path)."""
        if not turns:
            return
        now = time.time()
        rows = ", ".join(["(?, ?, ?, ?, ?)"] * len(turns))
        values = []
        for offset, turn in enumerate(turns):
            values += [uuid.uuid4().hex, conversation_id, turn.role, turn.text, now + offset * 1e-6]
        await self._db.execute(
            f"INSERT INTO conversation_turns (id, conversation_id, role, text, created_at) VALUES {rows}", *values
        )

    async def recent(self, conversation_id: str, limit: int = 6) -> list[TurnRecord]:
        rows = await self._db.fetch_all(
            "SELECT role, text FROM conversation_turns WHERE conversation_id = ? AND created_at >= ? "
            "ORDER BY created_at DESC, id DESC LIMIT ?",
            conversation_id,
            time.time() - KEEP_SECONDS,
            limit,
        )
        return [TurnRecord(row["role"], row["text"]) for row in reversed(rows)]

    async def prune(self) -> int:
        """Delete turns older than KEEP_SECONDS (run by the maintenance loop, not per turn)."""
        return await self._db.execute("DELETE FROM conversation_turns WHERE created_at < ?", time.time() - KEEP_SECONDS)
