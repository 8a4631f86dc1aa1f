"""PC replacement state: campaigns, their targets (one row per campaign and user: the resume key) and
orders with their approval.

Every state change that two clicks, two processes or a crashed run could race on is one conditional
``UPDATE ... WHERE <expected state>``; the caller acts only when it changed a row.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from store.database import Database, Row

# Delivery of the campaign card to one target.
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
# What the employee did. "" = nothing yet.
LATER, ORDERED, NOT_MINE = "later", "ordered", "not_mine"
# Order states.
AWAITING, APPROVED, REJECTED = "awaiting", "approved", "rejected"


@dataclass(frozen=True)
class StoredDevice:
    id: str
    serial: str
    model: str
    purchased: date | None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "serial": self.serial, "model": self.model,
                "purchased": self.purchased.isoformat() if self.purchased else None}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> StoredDevice:
        purchased = value.get("purchased")
        return cls(value["id"], value["serial"], value["model"], date.fromisoformat(purchased) if purchased else None)


def _devices(text: str) -> list[StoredDevice]:
    return [StoredDevice.from_json(item) for item in json.loads(text)]


def _devices_json(devices: list[StoredDevice]) -> str:
    return json.dumps([device.as_json() for device in devices])


@dataclass(frozen=True)
class Campaign:
    id: str
    kind: str  # "campaign" | "ondemand"
    campaign_date: date
    max_age_years: int
    created_at: float
    last_run_at: float | None
    runs: int
    runner: str
    runner_seen_at: float | None


@dataclass(frozen=True)
class NewTarget:
    user_key: str  # AAD object id, or "upn:<upn>" when the source does not know the id
    user_id: str
    user_upn: str
    user_name: str
    municipality: str
    department: str
    manager_id: str
    manager_upn: str
    manager_name: str
    devices: list[StoredDevice]


@dataclass(frozen=True)
class Target(NewTarget):
    """A target as the campaign holds it: who and which devices, plus where delivery and answer stand."""

    campaign_id: str
    delivery: str
    attempts: int
    sent_at: float | None
    last_error: str
    conversation_id: str
    activity_id: str
    response: str
    responded_at: float | None
    remind_at: float | None
    reminders: int
    last_reminded_at: float | None
    order_id: str
    ticket_number: str

    @classmethod
    def from_row(cls, row: Row) -> Target:
        return cls(
            campaign_id=row["campaign_id"], user_key=row["user_key"], user_id=row["user_id"],
            user_upn=row["user_upn"], user_name=row["user_name"], municipality=row["municipality"],
            department=row["department"], manager_id=row["manager_id"], manager_upn=row["manager_upn"],
            manager_name=row["manager_name"], devices=_devices(row["devices"]), delivery=row["delivery"],
            attempts=row["attempts"], sent_at=row["sent_at"], last_error=row["last_error"],
            conversation_id=row["conversation_id"], activity_id=row["activity_id"], response=row["response"],
            responded_at=row["responded_at"], remind_at=row["remind_at"], reminders=row["reminders"],
            last_reminded_at=row["last_reminded_at"], order_id=row["order_id"], ticket_number=row["ticket_number"],
        )


@dataclass(frozen=True)
class NewOrder:
    order_key: str
    campaign_id: str
    user_key: str
    user_id: str
    user_upn: str
    user_name: str
    municipality: str
    department: str
    devices: list[StoredDevice]
    approver_id: str
    approver_upn: str
    approver_name: str
    approver_kind: str  # "leader" | "fallback" | "" (nobody found yet)
    leader_id: str


@dataclass(frozen=True)
class Order:
    id: str
    order_key: str
    campaign_id: str
    user_key: str
    user_id: str
    user_upn: str
    user_name: str
    municipality: str
    department: str
    devices: list[StoredDevice]
    state: str
    approver_id: str
    approver_upn: str
    approver_name: str
    approver_kind: str
    leader_id: str
    created_at: float
    approval_sent_at: float | None
    approval_conversation_id: str
    approval_activity_id: str
    approval_error: str
    leader_reminded_at: float | None
    escalated_at: float | None
    decided_by: str
    decided_by_name: str
    decided_at: float | None
    comment: str
    ticket_state: str  # "none" | "pending" | "queued" | "created"
    ticket_number: str
    employee_notified_at: float | None

    @classmethod
    def from_row(cls, row: Row) -> Order:
        return cls(
            id=row["id"], order_key=row["order_key"], campaign_id=row["campaign_id"], user_key=row["user_key"],
            user_id=row["user_id"], user_upn=row["user_upn"], user_name=row["user_name"],
            municipality=row["municipality"], department=row["department"], devices=_devices(row["devices"]),
            state=row["state"], approver_id=row["approver_id"], approver_upn=row["approver_upn"],
            approver_name=row["approver_name"], approver_kind=row["approver_kind"], leader_id=row["leader_id"],
            created_at=row["created_at"], approval_sent_at=row["approval_sent_at"],
            approval_conversation_id=row["approval_conversation_id"],
            approval_activity_id=row["approval_activity_id"], approval_error=row["approval_error"],
            leader_reminded_at=row["leader_reminded_at"], escalated_at=row["escalated_at"],
            decided_by=row["decided_by"], decided_by_name=row["decided_by_name"], decided_at=row["decided_at"],
            comment=row["comment"], ticket_state=row["ticket_state"], ticket_number=row["ticket_number"],
            employee_notified_at=row["employee_notified_at"],
        )


@dataclass(frozen=True)
class MunicipalityStats:
    municipality: str
    targeted: int = 0
    sent: int = 0
    failed: int = 0
    ordered: int = 0
    approved: int = 0
    rejected: int = 0
    no_response: int = 0
    not_mine: int = 0
    extra: dict[str, int] = field(default_factory=dict)


_STATS = f"""
SELECT t.municipality AS municipality,
    COUNT(*) AS targeted,
    SUM(CASE WHEN t.delivery = '{SENT}' THEN 1 ELSE 0 END) AS sent,
    SUM(CASE WHEN t.delivery = '{FAILED}' THEN 1 ELSE 0 END) AS failed,
    SUM(CASE WHEN t.response = '{ORDERED}' THEN 1 ELSE 0 END) AS ordered,
    SUM(CASE WHEN o.state = '{APPROVED}' THEN 1 ELSE 0 END) AS approved,
    SUM(CASE WHEN o.state = '{REJECTED}' THEN 1 ELSE 0 END) AS rejected,
    SUM(CASE WHEN t.delivery = '{SENT}' AND t.response IN ('', '{LATER}') THEN 1 ELSE 0 END) AS no_response,
    SUM(CASE WHEN t.response = '{NOT_MINE}' THEN 1 ELSE 0 END) AS not_mine,
    SUM(CASE WHEN o.state = '{AWAITING}' THEN 1 ELSE 0 END) AS awaiting_approval,
    SUM(CASE WHEN t.response = '{LATER}' THEN 1 ELSE 0 END) AS postponed,
    SUM(t.reminders) AS reminders
FROM pc_targets t LEFT JOIN pc_orders o ON o.campaign_id = t.campaign_id AND o.user_key = t.user_key
WHERE t.campaign_id = ?
GROUP BY t.municipality ORDER BY t.municipality
"""
STAT_FIELDS = ("targeted", "sent", "failed", "ordered", "approved", "rejected", "no_response", "not_mine")


class PcReplacementRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- campaigns -----------------------------------------------------------------------
    async def create_campaign(self, campaign_id: str, kind: str, campaign_date: date, max_age_years: int, now: float) -> Campaign:
        """The campaign, created on first use; a re-run keeps its original date and rule."""
        await self._db.execute(
            "INSERT INTO pc_campaigns (id, kind, campaign_date, max_age_years, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO NOTHING",
            campaign_id, kind, campaign_date.isoformat(), max_age_years, now,
        )
        campaign = await self.campaign(campaign_id)
        assert campaign is not None
        return campaign

    async def campaign(self, campaign_id: str) -> Campaign | None:
        row = await self._db.fetch_one("SELECT * FROM pc_campaigns WHERE id = ?", campaign_id)
        return _campaign(row) if row else None

    async def campaigns(self, kind: str | None = None) -> list[Campaign]:
        if kind:
            rows = await self._db.fetch_all("SELECT * FROM pc_campaigns WHERE kind = ? ORDER BY created_at", kind)
        else:
            rows = await self._db.fetch_all("SELECT * FROM pc_campaigns ORDER BY created_at")
        return [_campaign(row) for row in rows]

    async def take_runner(self, campaign_id: str, runner: str, now: float, stale_before: float, dead_runner: str = "") -> bool:
        """Become the one run sending this campaign: free, gone quiet, or known dead (a crashed process)."""
        changed = await self._db.execute(
            "UPDATE pc_campaigns SET runner = ?, runner_seen_at = ?, runs = runs + 1, last_run_at = ? "
            "WHERE id = ? AND (runner = '' OR runner_seen_at < ? OR runner = ?)",
            runner, now, now, campaign_id, stale_before, dead_runner or "(none)",
        )
        return changed == 1

    async def heartbeat(self, campaign_id: str, runner: str, now: float) -> bool:
        changed = await self._db.execute(
            "UPDATE pc_campaigns SET runner_seen_at = ? WHERE id = ? AND runner = ?", now, campaign_id, runner
        )
        return changed == 1

    async def release_runner(self, campaign_id: str, runner: str, now: float) -> None:
        await self._db.execute(
            "UPDATE pc_campaigns SET runner = '', runner_seen_at = ?, last_run_at = ? WHERE id = ? AND runner = ?",
            now, now, campaign_id, runner,
        )

    # --- targets -------------------------------------------------------------------------
    async def add_targets(self, campaign_id: str, targets: list[NewTarget], now: float) -> int:
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
                    target.manager_name, _devices_json(target.devices), now,
                )
        return added

    async def target(self, campaign_id: str, user_key: str) -> Target | None:
        row = await self._db.fetch_one(
            "SELECT * FROM pc_targets WHERE campaign_id = ? AND user_key = ?", campaign_id, user_key
        )
        return Target.from_row(row) if row else None

    async def targets(self, campaign_id: str) -> list[Target]:
        rows = await self._db.fetch_all(
            "SELECT * FROM pc_targets WHERE campaign_id = ? ORDER BY municipality, user_upn", campaign_id
        )
        return [Target.from_row(row) for row in rows]

    async def targets_of(self, user_id: str, upn: str) -> list[Target]:
        """Every target of one user, newest first (for "jeg trenger ny PC")."""
        rows = await self._db.fetch_all(
            "SELECT * FROM pc_targets WHERE (user_id = ? AND user_id <> '') OR user_upn = ? ORDER BY created_at DESC",
            user_id, upn.lower(),
        )
        return [Target.from_row(row) for row in rows]

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

    async def respond(self, campaign_id: str, user_key: str, response: str, now: float, remind_at: float | None = None) -> bool:
        """Record the employee's answer once: only from "no answer yet" or "later"."""
        changed = await self._db.execute(
            "UPDATE pc_targets SET response = ?, responded_at = ?, remind_at = ? "
            "WHERE campaign_id = ? AND user_key = ? AND response IN ('', ?)",
            response, now, remind_at, campaign_id, user_key, LATER,
        )
        return changed == 1

    async def confirm_delivery(self, campaign_id: str, user_key: str, now: float) -> None:
        """The employee clicked or opened the card, so it arrived, whatever the sending run recorded."""
        await self._db.execute(
            "UPDATE pc_targets SET delivery = ?, sent_at = COALESCE(sent_at, ?), last_error = '' "
            "WHERE campaign_id = ? AND user_key = ? AND delivery <> ?",
            SENT, now, campaign_id, user_key, SENT,
        )

    async def set_order(self, campaign_id: str, user_key: str, order_id: str) -> None:
        await self._db.execute(
            "UPDATE pc_targets SET order_id = ? WHERE campaign_id = ? AND user_key = ?", order_id, campaign_id, user_key
        )

    async def set_ticket(self, campaign_id: str, user_key: str, ticket_number: str) -> None:
        await self._db.execute(
            "UPDATE pc_targets SET ticket_number = ? WHERE campaign_id = ? AND user_key = ?",
            ticket_number, campaign_id, user_key,
        )

    async def set_card(self, campaign_id: str, user_key: str, conversation_id: str, activity_id: str) -> None:
        """The latest card the employee got (a reminder replaces the first), for in-place updates."""
        await self._db.execute(
            "UPDATE pc_targets SET conversation_id = ?, activity_id = ? WHERE campaign_id = ? AND user_key = ?",
            conversation_id, activity_id, campaign_id, user_key,
        )

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

    async def known_user_id(self, email: str) -> str | None:
        """The AAD object id of someone who has talked to Rakel, by e-mail/UPN."""
        value = await self._db.fetch_value("SELECT id FROM users WHERE LOWER(email) = ? LIMIT 1", email.lower())
        return str(value) if value else None

    # --- orders --------------------------------------------------------------------------
    async def create_order(self, order: NewOrder, now: float) -> tuple[Order, bool]:
        """The order for this key, created now (True) or already there (False: a double click)."""
        order_id = str(uuid.uuid4())
        created = await self._db.execute(
            "INSERT INTO pc_orders (id, order_key, campaign_id, user_key, user_id, user_upn, user_name, municipality, "
            "department, devices, state, approver_id, approver_upn, approver_name, approver_kind, leader_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_key) DO NOTHING",
            order_id, order.order_key, order.campaign_id, order.user_key, order.user_id, order.user_upn,
            order.user_name, order.municipality, order.department, _devices_json(order.devices), AWAITING,
            order.approver_id, order.approver_upn, order.approver_name, order.approver_kind, order.leader_id, now,
        )
        row = await self._db.fetch_one("SELECT * FROM pc_orders WHERE order_key = ?", order.order_key)
        assert row is not None
        return Order.from_row(row), created == 1

    async def order(self, order_id: str) -> Order | None:
        row = await self._db.fetch_one("SELECT * FROM pc_orders WHERE id = ?", order_id)
        return Order.from_row(row) if row else None

    async def orders(self, campaign_id: str | None = None) -> list[Order]:
        if campaign_id is None:
            rows = await self._db.fetch_all("SELECT * FROM pc_orders ORDER BY created_at")
        else:
            rows = await self._db.fetch_all("SELECT * FROM pc_orders WHERE campaign_id = ? ORDER BY created_at", campaign_id)
        return [Order.from_row(row) for row in rows]

    async def ordered_device_ids(self) -> set[str]:
        """Devices with an order awaiting approval or approved: a new campaign skips them."""
        rows = await self._db.fetch_all("SELECT devices FROM pc_orders WHERE state IN (?, ?)", AWAITING, APPROVED)
        return {device.id for row in rows for device in _devices(row["devices"])}

    async def decide(self, order_id: str, state: str, approver_id: str, decided_by_name: str, comment: str, now: float) -> bool:
        """Approve or reject: only the current approver, only while the order awaits a decision."""
        changed = await self._db.execute(
            "UPDATE pc_orders SET state = ?, decided_by = ?, decided_by_name = ?, decided_at = ?, comment = ?, "
            "ticket_state = ? WHERE id = ? AND state = ? AND approver_id = ? AND approver_id <> ''",
            state, approver_id, decided_by_name, now, comment, "pending" if state == APPROVED else "none",
            order_id, AWAITING, approver_id,
        )
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

    async def claim_approval_delivery(self, order_id: str, now: float, stale_before: float) -> bool:
        changed = await self._db.execute(
            "UPDATE pc_orders SET approval_claimed_at = ? WHERE id = ? AND state = ? AND approval_sent_at IS NULL "
            "AND approver_id <> '' AND (approval_claimed_at IS NULL OR approval_claimed_at < ?)",
            now, order_id, AWAITING, stale_before,
        )
        return changed == 1

    async def mark_approval_sent(self, order_id: str, conversation_id: str, activity_id: str, now: float) -> None:
        await self._db.execute(
            "UPDATE pc_orders SET approval_sent_at = ?, approval_conversation_id = ?, approval_activity_id = ?, "
            "approval_error = '' WHERE id = ?",
            now, conversation_id, activity_id, order_id,
        )

    async def mark_approval_failed(self, order_id: str, error: str) -> None:
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

    # --- report --------------------------------------------------------------------------
    async def stats(self, campaign_id: str) -> list[MunicipalityStats]:
        rows = await self._db.fetch_all(_STATS, campaign_id)
        return [
            MunicipalityStats(
                municipality=row["municipality"],
                **{name: int(row[name] or 0) for name in STAT_FIELDS},
                extra={name: int(row[name] or 0) for name in ("awaiting_approval", "postponed", "reminders")},
            )
            for row in rows
        ]

    async def without_answer(self, campaign_id: str) -> list[Target]:
        """Who has not acted: not reached, or reached without an answer."""
        rows = await self._db.fetch_all(
            "SELECT * FROM pc_targets WHERE campaign_id = ? AND response IN ('', ?) ORDER BY municipality, user_upn",
            campaign_id, LATER,
        )
        return [Target.from_row(row) for row in rows]


def _campaign(row: Row) -> Campaign:
    return Campaign(
        id=row["id"], kind=row["kind"], campaign_date=date.fromisoformat(row["campaign_date"]),
        max_age_years=row["max_age_years"], created_at=row["created_at"], last_run_at=row["last_run_at"],
        runs=row["runs"], runner=row["runner"], runner_seen_at=row["runner_seen_at"],
    )
