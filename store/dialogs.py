"""Multi-turn state: which skill holds a conversation, at which step, with which data."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from store.database import Database

_UPSERT = """
INSERT INTO dialogs (conversation_id, skill, step, data, updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (conversation_id) DO UPDATE SET skill = excluded.skill, step = excluded.step,
    data = excluded.data, updated_at = excluded.updated_at
"""


@dataclass
class Dialog:
    skill: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


class DialogRepository:
    def __init__(self, db: Database, idle_timeout_seconds: float = 1800) -> None:
        self._db = db
        self._idle_timeout = idle_timeout_seconds

    async def active(self, conversation_id: str) -> Dialog | None:
        """The dialog holding this conversation, unless it has been idle too long."""
        row = await self._db.fetch_one(
            "SELECT skill, step, data FROM dialogs WHERE conversation_id = ? AND updated_at >= ?",
            conversation_id,
            time.time() - self._idle_timeout,
        )
        return Dialog(row["skill"], row["step"], json.loads(row["data"])) if row else None

    async def save(self, conversation_id: str, dialog: Dialog) -> None:
        await self._db.execute(
            _UPSERT, conversation_id, dialog.skill, dialog.step, json.dumps(dialog.data), time.time()
        )

    async def end(self, conversation_id: str) -> None:
        await self._db.execute("DELETE FROM dialogs WHERE conversation_id = ?", conversation_id)
