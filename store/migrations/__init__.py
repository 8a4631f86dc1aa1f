"""Versioned schema migrations, applied in order at start-up (idempotent, safe with several processes).

Add a module ``vNNNN_<what>.py`` with ``MIGRATION = Migration(NNNN, ...)`` for every schema change;
never edit one that has shipped.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from store.database import Database, Executor


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


_MODULE_NAME = re.compile(r"^v\d{4}_\w+$")


@lru_cache(maxsize=1)
def all_migrations() -> tuple[Migration, ...]:
    return _discover()


def _discover() -> tuple[Migration, ...]:
    """Every ``store/migrations/vNNNN_*.py`` module's ``MIGRATION``, in version order.

    A skill that needs tables adds one module here; nobody edits a shared list.
    """
    found = []
    for module in pkgutil.iter_modules(__path__):
        if _MODULE_NAME.match(module.name):
            migration = importlib.import_module(f"{__name__}.{module.name}").MIGRATION
            if migration.version != int(module.name[1:5]):
                raise ValueError(f"{module.name} holds migration version {migration.version}")
            found.append(migration)
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if len(set(versions)) != len(versions):
        raise ValueError(f"two migrations share a version: {versions}")
    return tuple(found)


_ADVISORY_LOCK_KEY = 7261  # any constant shared by all Rakel processes


async def _lock_for_migrations(tx: Executor) -> None:
    if tx.dialect == "postgresql":
        await tx.execute("SELECT pg_advisory_xact_lock(?)", _ADVISORY_LOCK_KEY)


async def migrate(db: Database, migrations: tuple[Migration, ...] | None = None) -> list[int]:
    """Apply every migration newer than the database's version; return the versions applied."""
    migrations = all_migrations() if migrations is None else migrations
    applied: list[int] = []
    async with db.transaction() as tx:
        await _lock_for_migrations(tx)
        await tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"
        )
        done = {row["version"] for row in await tx.fetch_all("SELECT version FROM schema_version")}
        for migration in migrations:
            # Every version not applied yet, not just those above the highest: migrations written in
            # parallel land out of order (0006 can reach a database before 0003).
            if migration.version in done:
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
