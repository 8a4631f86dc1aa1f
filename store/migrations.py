"""Versioned schema migrations, applied in order at start-up (idempotent, safe with several processes).

Append a new ``Migration`` for every schema change; never edit one that has shipped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from store.database import Database, Executor


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "users, conversation references, dialogs, conversation history",
        (
            """CREATE TABLE users (
                id TEXT PRIMARY KEY,
                channel_user_id TEXT NOT NULL,
                name TEXT NOT NULL,
                email TEXT NOT NULL,
                municipality TEXT,
                resolved_at DOUBLE PRECISION NOT NULL
            )""",
            "CREATE UNIQUE INDEX users_by_channel_id ON users (channel_user_id)",
            """CREATE TABLE conversation_references (
                user_id TEXT PRIMARY KEY,
                conversation_id TEXT NOT NULL,
                service_url TEXT NOT NULL,
                reference TEXT NOT NULL,
                installed INTEGER NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL
            )""",
            """CREATE TABLE dialogs (
                conversation_id TEXT PRIMARY KEY,
                skill TEXT NOT NULL,
                step TEXT NOT NULL,
                data TEXT NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL
            )""",
            """CREATE TABLE conversation_turns (
                id TEXT PRIMARY KEY,
                conversation_id TEXT NOT NULL,
                role TEXT NOT NULL,
                text TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL
            )""",
            "CREATE INDEX conversation_turns_by_conversation ON conversation_turns (conversation_id, created_at)",
        ),
    ),
    Migration(
        2,
        "feedback on answers and on Rakel",
        (
            """CREATE TABLE feedback (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL,
                conversation_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                rating INTEGER,
                question TEXT NOT NULL,
                answer TEXT NOT NULL,
                sources TEXT NOT NULL,
                comment TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL
            )""",
            "CREATE INDEX feedback_by_created ON feedback (created_at)",
        ),
    ),
)

_ADVISORY_LOCK_KEY = 7261  # any constant shared by all Rakel processes


async def _lock_for_migrations(tx: Executor) -> None:
    if tx.dialect == "postgresql":
        await tx.execute("SELECT pg_advisory_xact_lock(?)", _ADVISORY_LOCK_KEY)


async def migrate(db: Database, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[int]:
    """Apply every migration newer than the database's version; return the versions applied."""
    applied: list[int] = []
    async with db.transaction() as tx:
        await _lock_for_migrations(tx)
        await tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"
        )
        current = await tx.fetch_value("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version")
        for migration in migrations:
            if migration.version <= current:
                continue
            for statement in migration.statements:
                await tx.execute(statement)
            await tx.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                migration.version,
                migration.name,
                time.time(),
            )
            applied.append(migration.version)
    return applied
