"""One async SQL interface over SQLite (aiosqlite) and PostgreSQL (asyncpg).

Hand-written rather than SQLAlchemy: the store runs a few dozen portable statements, and the two
drivers differ only in placeholders (``?`` here, ``$n`` for asyncpg) and in how a transaction is
held. Statements are written once with ``?`` placeholders (never inside string literals) and in the
SQL both databases accept (``ON CONFLICT ... DO UPDATE``, ``RETURNING``, ``DOUBLE PRECISION``).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import aiosqlite
import asyncpg

Row = dict[str, Any]
PasswordProvider = Callable[[], Awaitable[str]]  # PostgreSQL: a fresh password for each new connection
_PLACEHOLDER = re.compile(r"\?")


class Executor(ABC):
    """What a connection and a transaction both offer."""

    dialect: str

    @abstractmethod
    async def execute(self, sql: str, *args: Any) -> int:
        """Run a statement; return the number of rows it changed."""

    @abstractmethod
    async def fetch_all(self, sql: str, *args: Any) -> list[Row]: ...

    @abstractmethod
    async def fetch_tuples(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """Rows as tuples in the order of the SELECT: for large reads (a report's million rows), where
        building a dict per row would cost more than the query."""

    async def fetch_one(self, sql: str, *args: Any) -> Row | None:
        rows = await self.fetch_all(sql, *args)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, *args: Any) -> Any:
        row = await self.fetch_one(sql, *args)
        return next(iter(row.values())) if row else None


class Database(Executor):
    @abstractmethod
    def transaction(self) -> Any:
        """``async with db.transaction() as tx:`` — statements on ``tx`` commit or roll back together."""

    @abstractmethod
    async def close(self) -> None: ...


# --- SQLite ---------------------------------------------------------------------------------
class _SqliteExecutor(Executor):
    dialect = "sqlite"

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, *args: Any) -> int:
        cursor = await self._connection.execute(sql, args)
        return cursor.rowcount

    async def fetch_all(self, sql: str, *args: Any) -> list[Row]:
        cursor = await self._connection.execute(sql, args)
        columns = [column[0] for column in cursor.description or ()]
        return [dict(zip(columns, row, strict=True)) for row in await cursor.fetchall()]

    async def fetch_tuples(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        cursor = await self._connection.execute(sql, args)
        return list(await cursor.fetchall())


class SqliteDatabase(Database):
    """One connection in WAL mode; a lock keeps one transaction at a time (SQLite's own rule)."""

    dialect = "sqlite"

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection
        self._executor = _SqliteExecutor(connection)
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str) -> SqliteDatabase:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(path, isolation_level=None)
        await connection.execute("PRAGMA journal_mode=WAL")
        await connection.execute("PRAGMA busy_timeout=5000")
        await connection.execute("PRAGMA synchronous=NORMAL")
        return cls(connection)

    async def execute(self, sql: str, *args: Any) -> int:
        async with self._lock:
            return await self._executor.execute(sql, *args)

    async def fetch_all(self, sql: str, *args: Any) -> list[Row]:
        async with self._lock:
            return await self._executor.fetch_all(sql, *args)

    async def fetch_tuples(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        async with self._lock:
            return await self._executor.fetch_tuples(sql, *args)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        async with self._lock:
            try:
                # inside the try: a task cancelled while its BEGIN waits in aiosqlite's queue must still
                # roll it back (the queue runs BEGIN, then ROLLBACK), or the connection stays in a transaction
                await self._connection.execute("BEGIN IMMEDIATE")
                yield self._executor
            except BaseException:
                with suppress(sqlite3.OperationalError):  # BEGIN itself failed: nothing to roll back
                    await self._connection.execute("ROLLBACK")
                raise
            await self._connection.execute("COMMIT")

    async def close(self) -> None:
        await self._connection.close()


# --- PostgreSQL -----------------------------------------------------------------------------
def _numbered(sql: str) -> str:
    counter = iter(range(1, 10_000))
    return _PLACEHOLDER.sub(lambda _match: f"${next(counter)}", sql)


def _rowcount(status: str) -> int:
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class _PostgresExecutor(Executor):
    dialect = "postgresql"

    def __init__(self, connection: asyncpg.Connection | asyncpg.Pool) -> None:
        self._connection = connection

    async def execute(self, sql: str, *args: Any) -> int:
        sql = _numbered(sql)
        if "RETURNING" in sql.upper():
            return len(await self._connection.fetch(sql, *args))
        return _rowcount(await self._connection.execute(sql, *args))

    async def fetch_all(self, sql: str, *args: Any) -> list[Row]:
        return [dict(row) for row in await self._connection.fetch(_numbered(sql), *args)]

    async def fetch_tuples(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in await self._connection.fetch(_numbered(sql), *args)]


class PostgresDatabase(_PostgresExecutor, Database):
    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool)
        self._pool = pool

    @classmethod
    async def open(cls, url: str, password: PasswordProvider | None = None) -> PostgresDatabase:
        """``password``: asked for each new connection (an Entra ID token, valid about an hour)."""
        pool = await asyncpg.create_pool(url, min_size=1, max_size=10, **({"password": password} if password else {}))
        return cls(pool)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        async with self._pool.acquire() as connection, connection.transaction():
            yield _PostgresExecutor(connection)

    async def close(self) -> None:
        await self._pool.close()


async def open_database(url: str, *, password: PasswordProvider | None = None) -> Database:
    """``sqlite:///path/to/file.db``, ``sqlite:///:memory:`` or ``postgresql://…``."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        return await SqliteDatabase.open(url.removeprefix("sqlite:///"))
    if scheme in ("postgresql", "postgres"):
        return await PostgresDatabase.open(url, password)
    raise ValueError(f"RAKEL_DATABASE_URL: unsupported database scheme {scheme!r}")
