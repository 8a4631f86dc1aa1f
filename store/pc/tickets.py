"""The ticket a PC record files for Kundeservice: an order's swap ticket, a target's register
correction. Claimed before it is filed (one filer at a time, taken up again after a crash), then
recorded as created or queued in the ticket outbox."""

from __future__ import annotations

from typing import Any

from store.database import Database
from store.pc.models import TICKET_PENDING


class TicketClaims:
    def __init__(self, db: Database, table: str, key_columns: tuple[str, ...], ready: str = "1 = 1") -> None:
        self._db = db
        self._table = table
        self._where = " AND ".join(f"{column} = ?" for column in key_columns)
        self._ready = ready  # what else must hold before the ticket is filed (e.g. the order is approved)

    async def claim(self, key: tuple[Any, ...], now: float, stale_before: float) -> bool:
        changed = await self._db.execute(
            f"UPDATE {self._table} SET ticket_claimed_at = ? WHERE {self._where} AND {self._ready} "
            "AND ticket_state = ? AND (ticket_claimed_at IS NULL OR ticket_claimed_at < ?)",
            now, *key, TICKET_PENDING, stale_before,
        )
        return changed == 1

    async def record(self, key: tuple[Any, ...], ticket_state: str, ticket_number: str) -> None:
        await self._db.execute(
            f"UPDATE {self._table} SET ticket_state = ?, ticket_number = ?, ticket_claimed_at = NULL WHERE {self._where}",
            ticket_state, ticket_number, *key,
        )

    async def release(self, key: tuple[Any, ...]) -> None:
        await self._db.execute(f"UPDATE {self._table} SET ticket_claimed_at = NULL WHERE {self._where}", *key)

    async def pending(self, order_by: str) -> list[dict[str, Any]]:
        return await self._db.fetch_all(
            f"SELECT * FROM {self._table} WHERE {self._ready} AND ticket_state = ? ORDER BY {order_by}", TICKET_PENDING
        )
