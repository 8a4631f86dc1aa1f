"""Approvals: who decides an order (the leader, or a fallback approver), the approval card's
delivery, the leader's reminder and escalation, and the decision (one winner)."""

from __future__ import annotations

from typing import Any

from store.database import Database
from store.pc.models import APPROVED, AWAITING, NO_TICKET, TICKET_PENDING, Order


class ApprovalRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def decide(self, order_id: str, state: str, approver_id: str, decided_by_name: str, comment: str, now: float) -> bool:
        """Approve or reject: only the current approver, only while the order awaits a decision. A rejected
        order lets go of its PCs (a later campaign may ask again)."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE pc_orders SET state = ?, decided_by = ?, decided_by_name = ?, decided_at = ?, comment = ?, "
                "ticket_state = ? WHERE id = ? AND state = ? AND approver_id = ? AND approver_id <> ''",
                state, approver_id, decided_by_name, now, comment, TICKET_PENDING if state == APPROVED else NO_TICKET,
                order_id, AWAITING, approver_id,
            )
            if changed and state != APPROVED:
                await tx.execute("DELETE FROM pc_order_devices WHERE order_id = ?", order_id)
        return changed == 1

    async def set_approver(self, order_id: str, approver_id: str, upn: str, name: str, kind: str, now: float, *, escalation: bool) -> bool:
        """Hand an awaiting order to another approver (fallback after silence, or a found approver)."""
        sql = (
            "UPDATE pc_orders SET approver_id = ?, approver_upn = ?, approver_name = ?, approver_kind = ?, "
            "approval_sent_at = NULL, approval_claimed_at = NULL, approval_error = '', leader_reminded_at = NULL"
            + (", escalated_at = ?" if escalation else "")
            + " WHERE id = ? AND state = ? AND approver_id <> ?"
            + (" AND escalated_at IS NULL" if escalation else "")
        )
        args: list[Any] = [approver_id, upn, name, kind]
        if escalation:
            args.append(now)
        args += [order_id, AWAITING, approver_id]
        return await self._db.execute(sql, *args) == 1

    # --- the approval card ----------------------------------------------------------------------
    async def claim_delivery(self, order_id: str, now: float, stale_before: float) -> bool:
        changed = await self._db.execute(
            "UPDATE pc_orders SET approval_claimed_at = ? WHERE id = ? AND state = ? AND approval_sent_at IS NULL "
            "AND approver_id <> '' AND (approval_claimed_at IS NULL OR approval_claimed_at < ?)",
            now, order_id, AWAITING, stale_before,
        )
        return changed == 1

    async def mark_sent(self, order_id: str, conversation_id: str, activity_id: str, now: float) -> None:
        await self._db.execute(
            "UPDATE pc_orders SET approval_sent_at = ?, approval_conversation_id = ?, approval_activity_id = ?, "
            "approval_error = '' WHERE id = ?",
            now, conversation_id, activity_id, order_id,
        )

    async def mark_failed(self, order_id: str, error: str) -> None:
        await self._db.execute(
            "UPDATE pc_orders SET approval_claimed_at = NULL, approval_error = ? WHERE id = ? AND approval_sent_at IS NULL",
            error[:500], order_id,
        )

    async def awaiting_delivery(self) -> list[Order]:
        rows = await self._db.fetch_all(
            "SELECT * FROM pc_orders WHERE state = ? AND approval_sent_at IS NULL ORDER BY created_at", AWAITING
        )
        return [Order.from_row(row) for row in rows]

    async def awaiting_decision(self) -> list[Order]:
        rows = await self._db.fetch_all(
            "SELECT * FROM pc_orders WHERE state = ? AND approval_sent_at IS NOT NULL ORDER BY approver_id, created_at",
            AWAITING,
        )
        return [Order.from_row(row) for row in rows]

    async def claim_leader_reminder(self, order_id: str, now: float) -> bool:
        changed = await self._db.execute(
            "UPDATE pc_orders SET leader_reminded_at = ? WHERE id = ? AND state = ? AND leader_reminded_at IS NULL",
            now, order_id, AWAITING,
        )
        return changed == 1
