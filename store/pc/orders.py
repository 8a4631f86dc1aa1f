"""Orders: what an employee ordered (their due PCs), the swap ticket once it is approved, and telling
the employee the outcome. The approval itself is in ``approvals.py``.

An order belongs to the person and their PCs, not to the campaign whose card was pressed: while an
order awaits approval or is approved it holds its serial numbers (``pc_order_devices``), so a card
from an older campaign, a second process or a double click finds that order instead of making one.
"""

from __future__ import annotations

import uuid

from store.database import Database
from store.pc.models import APPROVED, AWAITING, LIVE, REJECTED, NewOrder, Order, devices_json, serial_key
from store.pc.tickets import TicketClaims


class _Taken(Exception):
    """A PC of the new order is held by another live order (rolls the insert back)."""


class OrderRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self.tickets = TicketClaims(db, "pc_orders", ("id",), ready=f"state = '{APPROVED}'")

    async def create(self, order: NewOrder, now: float) -> tuple[Order, bool]:
        """The order: created now (True), or the one that already holds these PCs or this key (False)."""
        order_id = str(uuid.uuid4())
        serials = sorted({serial_key(device.serial) for device in order.devices})
        try:
            async with self._db.transaction() as tx:
                created = await tx.execute(
                    "INSERT INTO pc_orders (id, order_key, campaign_id, user_key, user_id, user_upn, user_name, "
                    "municipality, department, devices, state, approver_id, approver_upn, approver_name, approver_kind, "
                    "leader_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (order_key) DO NOTHING",
                    order_id, order.order_key, order.campaign_id, order.user_key, order.user_id, order.user_upn,
                    order.user_name, order.municipality, order.department, devices_json(order.devices), AWAITING,
                    order.approver_id, order.approver_upn, order.approver_name, order.approver_kind, order.leader_id, now,
                )
                if created:
                    for serial in serials:
                        if not await tx.execute(
                            "INSERT INTO pc_order_devices (serial, order_id, user_key) VALUES (?, ?, ?) "
                            "ON CONFLICT (serial) DO NOTHING", serial, order_id, order.user_key,
                        ):
                            raise _Taken(serial)
        except _Taken:
            holder = await self.live_for(serials)
            if holder is not None:
                return holder, False
            return await self.create(order, now)  # the holder was decided against meanwhile: try again
        row = await self._db.fetch_one("SELECT * FROM pc_orders WHERE order_key = ?", order.order_key)
        assert row is not None
        return Order.from_row(row), bool(created)

    async def live_for(self, serials: list[str]) -> Order | None:
        """The order awaiting approval or approved that holds any of these PCs."""
        if not serials:
            return None
        marks = ", ".join("?" for _ in serials)
        row = await self._db.fetch_one(
            f"SELECT o.* FROM pc_orders o JOIN pc_order_devices d ON d.order_id = o.id "
            f"WHERE d.serial IN ({marks}) AND o.state IN (?, ?) ORDER BY o.created_at LIMIT 1",
            *[serial_key(serial) for serial in serials], *LIVE,
        )
        return Order.from_row(row) if row else None

    async def get(self, order_id: str) -> Order | None:
        row = await self._db.fetch_one("SELECT * FROM pc_orders WHERE id = ?", order_id)
        return Order.from_row(row) if row else None

    async def all(self, campaign_id: str | None = None) -> list[Order]:
        if campaign_id is None:
            rows = await self._db.fetch_all("SELECT * FROM pc_orders ORDER BY created_at")
        else:
            rows = await self._db.fetch_all("SELECT * FROM pc_orders WHERE campaign_id = ? ORDER BY created_at", campaign_id)
        return [Order.from_row(row) for row in rows]

    async def ordered_serials(self) -> set[str]:
        """PCs held by an order awaiting approval or approved: a new campaign skips them."""
        rows = await self._db.fetch_all("SELECT serial FROM pc_order_devices")
        return {row["serial"] for row in rows}

    # --- the swap ticket -----------------------------------------------------------------------
    async def needing_ticket(self) -> list[Order]:
        return [Order.from_row(row) for row in await self.tickets.pending("decided_at")]

    # --- telling the employee -------------------------------------------------------------------
    async def needing_notice(self) -> list[Order]:
        """Decided orders whose employee has not been told yet."""
        rows = await self._db.fetch_all(
            "SELECT * FROM pc_orders WHERE state IN (?, ?) AND employee_notified_at IS NULL "
            "AND (state = ? OR ticket_state <> 'pending') ORDER BY decided_at",
            APPROVED, REJECTED, REJECTED,
        )
        return [Order.from_row(row) for row in rows]

    async def claim_notice(self, order_id: str, now: float) -> bool:
        changed = await self._db.execute(
            "UPDATE pc_orders SET employee_notified_at = ? WHERE id = ? AND employee_notified_at IS NULL", now, order_id
        )
        return changed == 1

    async def unclaim_notice(self, order_id: str) -> None:
        await self._db.execute("UPDATE pc_orders SET employee_notified_at = NULL WHERE id = ?", order_id)
