"""Answers Rakel gave (masked question and answer, sources), keyed by the message's activity id."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from core.pii import MaskedText
from store.database import Database


@dataclass(frozen=True)
class GivenAnswer:
    activity_id: str
    conversation_id: str
    user_id: str
    question: MaskedText
    answer: MaskedText
    sources: list[str] = field(default_factory=list)
    confident: bool = True


class AnswerRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, answer: GivenAnswer) -> None:
        await self._db.execute(
            "INSERT INTO answers (activity_id, conversation_id, user_id, question, answer, sources, confident, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (activity_id) DO NOTHING",
            answer.activity_id, answer.conversation_id, answer.user_id, answer.question, answer.answer,
            json.dumps(answer.sources), int(answer.confident), time.time(),
        )

    async def get(self, activity_id: str) -> GivenAnswer | None:
        row = await self._db.fetch_one("SELECT * FROM answers WHERE activity_id = ?", activity_id)
        if row is None:
            return None
        return GivenAnswer(
            activity_id=row["activity_id"], conversation_id=row["conversation_id"], user_id=row["user_id"],
            question=row["question"], answer=row["answer"], sources=json.loads(row["sources"]),
            confident=bool(row["confident"]),
        )
