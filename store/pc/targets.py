"""Targets: one row per campaign and employee (the resume key), with the card's delivery, the
employee's answer and the reminders."""

from __future__ import annotations

from store.database import Database
from store.pc.models import FAILED, LATER, PENDING, SENDING, SENT, NewTarget, Target, devices_json


class TargetRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, campaign_id: str, targets: list[NewTarget], now: float) -> int:
        """Insert the targets not already in the campaign (the per-campaign, per-user key); return how many."""
        added = 0
        async with self._db.transaction() as tx:
            for target in targets:
                added += await tx.execute(
                    "INSERT INTO pc_targets (campaign_id, user_key, user_id, user_upn, user_name, municipality, "
                    "department, manager_id, manager_upn, manager_name, devices, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (campaign_id, user_key) DO NOTHING",
                    campaign_id, target.user_key, target.user_id, target.user_upn, target.user_name,
                    target.municipality, target.department, target.manager_id, target.manager_upn,
                    target.manager_name, devices_json(target.devices), now,
                )
        return added

    async def get(self, campaign_id: str, user_key: str) -> Target | None:
        row = await self._db.fetch_one(
            "SELECT * FROM pc_targets WHERE campaign_id = ? AND user_key = ?", campaign_id, user_key
        )
        return Target.from_row(row) if row else None

    async def of_campaign(self, campaign_id: str) -> list[Target]:
        rows = await self._db.fetch_all(
            "SELECT * FROM pc_targets WHERE campaign_id = ? ORDER BY municipality, user_upn", campaign_id
        )
        return [Target.from_row(row) for row in rows]

    async def of_user(self, user_id: str, upn: str) -> list[Target]:
        """Every target of one user, newest first (for "jeg trenger ny PC")."""
        rows = await self._db.fetch_all(
            "SELECT * FROM pc_targets WHERE (user_id = ? AND user_id <> '') OR user_upn = ? ORDER BY created_at DESC",
            user_id, upn.lower(),
        )
        return [Target.from_row(row) for row in rows]

    # --- delivery of the campaign card -------------------------------------------------------
    async def unsent(self, campaign_id: str) -> list[Target]:
        """Targets still to send: never tried, failed, or claimed by a run that died (uncertain)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM pc_targets WHERE campaign_id = ? AND delivery IN (?, ?, ?) ORDER BY municipality, user_upn",
            campaign_id, PENDING, FAILED, SENDING,
        )
        return [Target.from_row(row) for row in rows]

    async def claim_delivery(self, campaign_id: str, user_key: str, now: float) -> bool:
        changed = await self._db.execute(
            "UPDATE pc_targets SET delivery = ?, claimed_at = ?, attempts = attempts + 1 "
            "WHERE campaign_id = ? AND user_key = ? AND delivery IN (?, ?, ?)",
            SENDING, now, campaign_id, user_key, PENDING, FAILED, SENDING,
        )
        return changed == 1

    async def mark_sent(self, campaign_id: str, user_key: str, user_id: str, conversation_id: str, activity_id: str, now: float) -> None:
        await self._db.execute(
            "UPDATE pc_targets SET delivery = ?, sent_at = ?, user_id = ?, conversation_id = ?, activity_id = ?, "
            "last_error = '' WHERE campaign_id = ? AND user_key = ?",
            SENT, now, user_id, conversation_id, activity_id, campaign_id, user_key,
        )

    async def mark_failed(self, campaign_id: str, user_key: str, error: str) -> None:
        await self._db.execute(
            "UPDATE pc_targets SET delivery = ?, last_error = ? WHERE campaign_id = ? AND user_key = ? AND delivery = ?",
            FAILED, error[:500], campaign_id, user_key, SENDING,
        )

    async def confirm_delivery(self, campaign_id: str, user_key: str, now: float) -> None:
        """The employee clicked or opened the card, so it arrived, whatever the sending run recorded."""
        await self._db.execute(
            "UPDATE pc_targets SET delivery = ?, sent_at = COALESCE(sent_at, ?), last_error = '' "
            "WHERE campaign_id = ? AND user_key = ? AND delivery <> ?",
            SENT, now, campaign_id, user_key, SENT,
        )

    async def set_card(self, campaign_id: str, user_key: str, conversation_id: str, activity_id: str) -> None:
        """The latest card the employee got (a reminder replaces the first), for in-place updates."""
        await self._db.execute(
            "UPDATE pc_targets SET conversation_id = ?, activity_id = ? WHERE campaign_id = ? AND user_key = ?",
            conversation_id, activity_id, campaign_id, user_key,
        )

    # --- the employee's answer ---------------------------------------------------------------
    async def respond(self, campaign_id: str, user_key: str, response: str, now: float, remind_at: float | None = None) -> bool:
        """Record the employee's answer once: only from "no answer yet" or "later"."""
        changed = await self._db.execute(
            "UPDATE pc_targets SET response = ?, responded_at = ?, remind_at = ? "
            "WHERE campaign_id = ? AND user_key = ? AND response IN ('', ?)",
            response, now, remind_at, campaign_id, user_key, LATER,
        )
        return changed == 1

    async def set_order(self, campaign_id: str, user_key: str, order_id: str) -> None:
        await self._db.execute(
            "UPDATE pc_targets SET order_id = ? WHERE campaign_id = ? AND user_key = ?", order_id, campaign_id, user_key
        )

    async def set_ticket(self, campaign_id: str, user_key: str, ticket_number: str) -> None:
        await self._db.execute(
            "UPDATE pc_targets SET ticket_number = ? WHERE campaign_id = ? AND user_key = ?",
            ticket_number, campaign_id, user_key,
        )

    # --- reminders ---------------------------------------------------------------------------
    async def due_reminders(self, now: float, interval_seconds: float, max_reminders: int) -> list[Target]:
        """Sent cards without an answer whose reminder is due. "Later" sets its own time, honoured even
        after the last regular reminder."""
        rows = await self._db.fetch_all(
            "SELECT t.* FROM pc_targets t JOIN pc_campaigns c ON c.id = t.campaign_id "
            "WHERE c.kind = 'campaign' AND t.delivery = ? AND t.response IN ('', ?) "
            "AND (t.reminders < ? OR t.remind_at IS NOT NULL) "
            "AND COALESCE(t.remind_at, COALESCE(t.last_reminded_at, t.sent_at) + ?) <= ? "
            "ORDER BY t.municipality, t.user_upn",
            SENT, LATER, max_reminders, interval_seconds, now,
        )
        return [Target.from_row(row) for row in rows]

    async def claim_reminder(self, target: Target, now: float) -> bool:
        changed = await self._db.execute(
            "UPDATE pc_targets SET reminders = reminders + 1, last_reminded_at = ?, remind_at = NULL "
            "WHERE campaign_id = ? AND user_key = ? AND reminders = ? AND response IN ('', ?)",
            now, target.campaign_id, target.user_key, target.reminders, LATER,
        )
        return changed == 1
