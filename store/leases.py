"""Leases: which process works on what right now, taken over within seconds when that process dies.

A lease is one row of ``leases``: a name (``"ticket_outbox:rakel:42"``), its holder and when it runs
out. Taking one is one conditional upsert (``... WHERE leases.expires_at < now``), so of several
processes on one database exactly one gets it. Each process has one ``LeaseKeeper``: while it holds
leases it renews all of them every ``heartbeat`` seconds (one UPDATE), so a lease runs out ``ttl``
seconds after its holder stops renewing - a few seconds after a kill -9, not a fixed long expiry -
and the keeper hands every lease back when the process shuts down cleanly (``close``).

Holding a lease says "I am working on it"; the work's own rows say what became of it. A write that
only the holder may make adds ``HELD_BY`` to its WHERE clause (arguments: name, owner), so a process
that lost its lease (it stalled longer than ``ttl``) cannot overwrite the one that took over.
Leases use the machine's time (``clock``), never a business clock that tests move.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from store.database import Database

log = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 10.0
DEFAULT_HEARTBEAT_SECONDS = 2.0

# SQL fragments for other repositories' statements (arguments in order: lease name[, owner], now).
HELD_BY = "EXISTS (SELECT 1 FROM leases WHERE leases.name = ? AND leases.owner = ?)"


def free(name_sql: str) -> str:
    """A WHERE fragment: nobody holds the lease named by the SQL expression ``name_sql`` (argument: now).

    ``free("'ticket_outbox:' || ticket_outbox.idempotency_key")`` selects rows whose lease is free.
    """
    return f"NOT EXISTS (SELECT 1 FROM leases WHERE leases.name = {name_sql} AND leases.expires_at >= ?)"


def process_owner() -> str:
    """This process, as a lease holder: host, pid and a random part (a restarted pid is a new owner)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeaseKeeper:
    """Takes, renews (heartbeat) and releases this process's leases."""

    def __init__(
        self,
        db: Database,
        *,
        ttl: float = DEFAULT_TTL_SECONDS,
        heartbeat: float = DEFAULT_HEARTBEAT_SECONDS,
        owner: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 0 < heartbeat < ttl:
            raise ValueError("a lease's heartbeat must be shorter than its ttl")
        self._db = db
        self.ttl = ttl
        self.heartbeat = heartbeat
        self.owner = owner or process_owner()
        self._clock = clock
        self._held: set[str] = set()
        # When each held name was taken (a serial number) and which takes are still writing: a heartbeat
        # judges only the leases it saw held and committed when it began.
        self._takes: dict[str, int] = {}
        self._serial = 0
        self._taking: set[str] = set()
        self._beating: asyncio.Task[None] | None = None

    def now(self) -> float:
        return self._clock()

    # --- taking and giving back -------------------------------------------------------------
    async def take(self, name: str) -> bool:
        """Hold ``name`` if nobody does (a lease of a dead holder is free ``ttl`` seconds after its last
        heartbeat). False when another process - or another task of this one - holds it."""
        now = self._clock()
        return await self._claim(
            name,
            "INSERT INTO leases (name, owner, expires_at, taken_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at, "
            "taken_at = excluded.taken_at WHERE leases.expires_at < ?",
            name, self.owner, now + self.ttl, now, now,
        )

    async def take_over(self, name: str, holder: str) -> bool:
        """Take ``name`` from ``holder`` before its lease runs out: the caller knows that process is gone
        (it died on this machine) or an operator said so (``--force``). False when someone else has it."""
        now = self._clock()
        return await self._claim(
            name, "UPDATE leases SET owner = ?, expires_at = ?, taken_at = ? WHERE name = ? AND owner = ?",
            self.owner, now + self.ttl, now, name, holder,
        )

    async def _claim(self, name: str, sql: str, *args: Any) -> bool:
        """Run the statement that makes this process the holder of ``name``; True when it did."""
        if name in self._held:
            return False
        self._held.add(name)  # claimed in memory first, so two tasks of this process never both send
        self._began_taking(name)
        try:
            taken = await self._db.execute(sql, *args) == 1
        except BaseException:
            self._held.discard(name)
            raise
        finally:
            self._taking.discard(name)
        if not taken:
            self._held.discard(name)
            return False
        self._start_heartbeat()
        return True

    async def take_first(self, names: Sequence[str], limit: int) -> list[str]:
        """Take up to ``limit`` of ``names`` (candidates, in order); the ones taken."""
        taken: list[str] = []
        for name in names:
            if len(taken) >= limit:
                break
            if await self.take(name):
                taken.append(name)
        return taken

    async def release(self, name: str, *, only_if: str = "", args: Sequence[Any] = ()) -> bool:
        """Give ``name`` back. ``only_if`` (SQL, with ``args``) makes it conditional in the same statement,
        e.g. "nothing is waiting", so a row written meanwhile is never left without a holder."""
        condition = f" AND {only_if}" if only_if else ""
        released = await self._db.execute(
            f"DELETE FROM leases WHERE name = ? AND owner = ?{condition}", name, self.owner, *args
        ) == 1
        if released or not only_if:
            self._held.discard(name)
        return released

    @asynccontextmanager
    async def hold(self, name: str) -> AsyncIterator[bool]:
        """``async with keeper.hold(name) as held:`` - work only ``if held``; released on the way out
        (also when the work is cancelled)."""
        held = await self.take(name)
        try:
            yield held
        finally:
            if held:
                await asyncio.shield(self._release_quietly(name))

    def holds(self, name: str) -> bool:
        """Does this process still hold ``name`` (as of the last heartbeat)?"""
        return name in self._held

    async def holder(self, name: str) -> str | None:
        """Who holds ``name`` now (None: nobody, or the holder's lease ran out)."""
        return await self._db.fetch_value(
            "SELECT owner FROM leases WHERE name = ? AND expires_at >= ?", name, self._clock()
        )

    async def close(self) -> None:
        """Shutdown: stop the heartbeat and hand every lease back, so others need not wait them out."""
        if self._beating is not None:
            self._beating.cancel()
            await asyncio.gather(self._beating, return_exceptions=True)
            self._beating = None
        try:
            await self._db.execute("DELETE FROM leases WHERE owner = ?", self.owner)
        except Exception:  # noqa: BLE001 - the database may be gone already; the leases then run out
            log.info("could not release leases at shutdown")
        self._held.clear()

    # --- the heartbeat ----------------------------------------------------------------------
    async def renew(self) -> set[str]:
        """Renew every lease this process holds (one UPDATE); the names it lost meanwhile."""
        if not self._held:
            return set()
        # Only leases held before this beat began can be judged by it: one taken meanwhile may not be
        # committed yet when the SELECT below runs, and must not be dropped as lost.
        self._takes = {name: serial for name, serial in self._takes.items() if name in self._held}
        seen = {name: self._takes.get(name) for name in self._held if name not in self._taking}
        now = self._clock()
        await self._db.execute(
            "UPDATE leases SET expires_at = ? WHERE owner = ? AND expires_at >= ?", now + self.ttl, self.owner, now
        )
        rows = await self._db.fetch_all("SELECT name FROM leases WHERE owner = ? AND expires_at >= ?", self.owner, now)
        still = {row["name"] for row in rows}
        lost = {name for name, serial in seen.items()
                if name not in still and name in self._held and self._takes.get(name) == serial}
        if lost:
            log.warning("leases ran out before their heartbeat (the process stalled)", extra={"lost": len(lost)})
            self._held -= lost
        return lost

    def _began_taking(self, name: str) -> None:
        self._serial += 1
        self._takes[name] = self._serial
        self._taking.add(name)

    def _start_heartbeat(self) -> None:
        if self._beating is None or self._beating.done():
            self._beating = asyncio.ensure_future(self._beat())

    async def _beat(self) -> None:
        while self._held:
            await asyncio.sleep(self.heartbeat)
            try:
                await self.renew()
            except Exception:  # noqa: BLE001 - a missed beat is retried; ttl covers a few of them
                log.warning("renewing leases failed; trying again", exc_info=True)

    async def _release_quietly(self, name: str) -> None:
        try:
            await self.release(name)
        except Exception:  # noqa: BLE001 - the lease then runs out after ttl
            self._held.discard(name)
            log.warning("releasing a lease failed; it runs out by itself", exc_info=True)
