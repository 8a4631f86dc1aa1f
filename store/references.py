"""Conversation references: where to send a proactive message to each user."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from store.database import Database

_UPSERT = """
INSERT INTO conversation_references (user_id, conversation_id, service_url, reference, installed, updated_at)
VALUES (?, ?, ?, ?, 1, ?)
ON CONFLICT (user_id) DO UPDATE SET conversation_id = excluded.conversation_id,
    service_url = excluded.service_url, reference = excluded.reference, installed = 1,
    updated_at = excluded.updated_at
"""


@dataclass(frozen=True)
class StoredReference:
    user_id: str
    conversation_id: str
    service_url: str
    reference: dict[str, Any]  # the Bot Framework ConversationReference as JSON
    installed: bool


class ReferenceRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, user_id: str, conversation_id: str, service_url: str, reference: dict[str, Any]) -> None:
        await self._db.execute(
            _UPSERT, user_id, conversation_id, service_url, json.dumps(reference), time.time()
        )

    async def mark_uninstalled(self, user_id: str) -> None:
        await self._db.execute(
            "UPDATE conversation_references SET installed = 0, updated_at = ? WHERE user_id = ?",
            time.time(),
            user_id,
        )

    async def get(self, user_id: str) -> StoredReference | None:
        row = await self._db.fetch_one("SELECT * FROM conversation_references WHERE user_id = ?", user_id)
        if row is None:
            return None
        return StoredReference(
            user_id=row["user_id"],
            conversation_id=row["conversation_id"],
            service_url=row["service_url"],
            reference=json.loads(row["reference"]),
            installed=bool(row["installed"]),
        )
