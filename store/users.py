"""Resolved user profiles, cached so Teams' member lookup runs once per user per cache period."""

from __future__ import annotations

import time

from core.messages import UserProfile
from store.database import Database

_UPSERT = """
INSERT INTO users (id, channel_user_id, name, email, municipality, resolved_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET channel_user_id = excluded.channel_user_id, name = excluded.name,
    email = excluded.email, municipality = excluded.municipality, resolved_at = excluded.resolved_at
"""


class UserRepository:
    def __init__(self, db: Database, staff_municipality: str) -> None:
        self._db = db
        self._staff = staff_municipality

    def _profile(self, row: dict) -> UserProfile:
        return UserProfile(
            id=row["id"],
            channel_user_id=row["channel_user_id"],
            name=row["name"],
            email=row["email"],
            municipality=row["municipality"],
            is_staff=row["municipality"] == self._staff,
        )

    async def fresh_by_channel_id(self, channel_user_id: str, max_age: float) -> UserProfile | None:
        row = await self._db.fetch_one(
            "SELECT * FROM users WHERE channel_user_id = ? AND resolved_at >= ?",
            channel_user_id,
            time.time() - max_age,
        )
        return self._profile(row) if row else None

    async def get(self, user_id: str) -> UserProfile | None:
        row = await self._db.fetch_one("SELECT * FROM users WHERE id = ?", user_id)
        return self._profile(row) if row else None

    async def id_for_email(self, email: str) -> str | None:
        """The AAD object id of someone who has talked to Rakel, by e-mail/UPN."""
        value = await self._db.fetch_value("SELECT id FROM users WHERE LOWER(email) = ? LIMIT 1", email.lower())
        return str(value) if value else None

    async def save(self, user: UserProfile) -> None:
        async with self._db.transaction() as tx:
            # A channel id moves to the new AAD id if Teams ever re-keys a user.
            await tx.execute(
                "DELETE FROM users WHERE channel_user_id = ? AND id <> ?", user.channel_user_id, user.id
            )
            await tx.execute(
                _UPSERT, user.id, user.channel_user_id, user.name, user.email, user.municipality, time.time()
            )
