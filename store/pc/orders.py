"""Orders: what an employee ordered (their due PCs), the swap ticket once it is approved, and telling
the employee the outcome. The approval itself is in ``approvals.py``."""

from __future__ import annotations

import uuid

from store.database import Database
from store.pc.models import APPROVED, AWAITING, REJECTED, NewOrder, Order, devices_from_json, devices_json


class OrderRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, order: NewOrder, now: float) -> tuple[Order, bool]:
        """The order for this key, created now (True) or already there (False: a double click)."""
        created = await self._db.execute(
            "INSERT INTO pc_orders (id, order_key, campaign_id, user_key, user_id, user_upn, user_name, municipality, "
            "department, devices, state, approver_id, approver_upn, approver_name, approver_kind, leader_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_key) DO NOTHING",
            str(uuid.uuid4()), order.order_key, order.campaign_id, order.user_key, order.user_id, order.user_upn,
            order.user_name, order.municipality, order.department, devices_json(order.devices), AWAITING,
            order.approver_id, order.approver_upn, order.approver_name, order.approver_kind, order.leader_id, now,
        )
        row = await self._db.fetch_one("SELECT * FROM pc_orders WHERE order_key = ?", order.order_key)
        assert row is not None
        return Order.from_row(row), created == 1

    async def get(self, order_id: str) -> Order | None:
        row = await self._db.fetch_one("SELECT * FROM pc_orders WHERE id = ?", order_id)
        return Order.from_row(row) if row else None

    async def all(self, campaign_id: str | None = None) -> list[Order]:
        if campaign_id is None:
            rows = await self._db.fetch_all("SELECT * FROM pc_orders ORDER BY created_at")
        else:
            rows = await self._db.fetch_all("SELECT * FROM pc_orders WHERE campaign_id = ? ORDER BY created_at", campaign_id)
        return [Order.from_row(row) for row in rows]

    async def ordered_device_ids(self) -> set[str]:
        """Devices with an order awaiting approval or approved: a new campaign skips them."""
        rows = await self._db.fetch_all("SELECT devices FROM pc_orders WHERE state IN (?, ?)", AWAITING, APPROVED)
        return {device.id for row in rows for device in devices_from_json(row["devices"])}

    # --- the swap ticket -----------------------------------------------------------------------
    async def claim_ticket(self, order_id: str, now: float, stale_before: float) -> bool:
        changed = await self._db.execute(
            "UPDATE pc_orders SET ticket_claimed_at = ? WHERE id = ? AND state = ? AND ticket_state = 'pending' "
            "AND (ticket_claimed_at IS NULL OR ticket_claimed_at < ?)",
            now, order_id, APPROVED, stale_before,
        )
        return changed == 1

    async def record_ticket(self, order_id: str, ticket_state: str, ticket_number: str) -> None:
        await self._db.execute(
            "UPDATE pc_orders SET ticket_state = ?, ticket_number = ?, ticket_claimed_at = NULL WHERE id = ?",
            ticket_state, ticket_number, order_id,
        )

    async def release_ticket(self, order_id: str) -> None:
        await self._db.execute("UPDATE pc_orders SET ticket_claimed_at = NULL WHERE id = ?", order_id)

    async def needing_ticket(self) -> list[Order]:
        rows = await self._db.fetch_all(
            "SELECT * FROM pc_orders WHERE state = ? AND ticket_state = 'pending' ORDER BY decided_at", APPROVED
        )
        return [Order.from_row(row) for row in rows]

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
