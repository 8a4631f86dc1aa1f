"""Targets: one row per campaign and employee (the resume key), with the card's delivery and the
employee's answer; and each person's one reminder schedule, whatever campaigns are open
(``pc_people``: reminders since their latest campaign card, the last contact, "remind me later")."""

from __future__ import annotations

from store.database import Database, Executor
from store.pc.models import (
    FAILED,
    LATER,
    NOT_MINE,
    PENDING,
    SENDING,
    SENT,
    TICKET_PENDING,
    DueReminder,
    NewTarget,
    Target,
    devices_json,
)
from store.pc.tickets import TicketClaims

_OPEN = f"t.delivery = '{SENT}' AND t.response IN ('', '{LATER}') AND c.kind = 'campaign'"  # a card awaiting an answer


class TargetRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self.tickets = TicketClaims(db, "pc_targets", ("campaign_id", "user_key"))

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
        """The card arrived: a new campaign card starts the person's reminder schedule again."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE pc_targets SET delivery = ?, sent_at = ?, user_id = ?, conversation_id = ?, activity_id = ?, "
                "last_error = '', retry_at = NULL WHERE campaign_id = ? AND user_key = ?",
                SENT, now, user_id, conversation_id, activity_id, campaign_id, user_key,
            )
            await tx.execute(
                "INSERT INTO pc_people (user_key, reminders, last_contact_at) VALUES (?, 0, ?) "
                "ON CONFLICT (user_key) DO UPDATE SET reminders = 0, last_contact_at = excluded.last_contact_at",
                user_key, now,
            )

    async def mark_failed(self, campaign_id: str, user_key: str, error: str, retry_at: float | None = None) -> None:
        """Not delivered. ``retry_at``: Teams kept refusing (429, 5xx), so the running service tries again
        then; None: retrying soon would not help (the next ``campaign run`` tries)."""
        await self._db.execute(
            "UPDATE pc_targets SET delivery = ?, last_error = ?, retry_at = ? "
            "WHERE campaign_id = ? AND user_key = ? AND delivery = ?",
            FAILED, error[:500], retry_at, campaign_id, user_key, SENDING,
        )

    async def due_retries(self, now: float) -> list[Target]:
        """Campaign cards the service should try again now, oldest campaign first."""
        rows = await self._db.fetch_all(
            "SELECT t.* FROM pc_targets t JOIN pc_campaigns c ON c.id = t.campaign_id "
            "WHERE c.kind = 'campaign' AND t.delivery = ? AND t.retry_at IS NOT NULL AND t.retry_at <= ? "
            "ORDER BY c.created_at, t.municipality, t.user_upn",
            FAILED, now,
        )
        return [Target.from_row(row) for row in rows]

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
        """Record the employee's answer once: only from "no answer yet" or "later". "Not my PC" waits for
        its register-correction ticket; "later" sets the person's next reminder."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE pc_targets SET response = ?, responded_at = ?, remind_at = ?, "
                "ticket_state = CASE WHEN ? = ? THEN ? ELSE ticket_state END "
                "WHERE campaign_id = ? AND user_key = ? AND response IN ('', ?)",
                response, now, remind_at, response, NOT_MINE, TICKET_PENDING, campaign_id, user_key, LATER,
            )
            if changed and response == LATER:
                await _person_remind_at(tx, user_key, remind_at, now)
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

    async def needing_ticket(self) -> list[Target]:
        """"Not my PC" answers whose register-correction ticket is not filed yet."""
        return [Target.from_row(row) for row in await self.tickets.pending("responded_at")]

    # --- reminders (per person) ------------------------------------------------------------------
    async def due_reminders(self, now: float, interval_seconds: float, max_reminders: int) -> list[DueReminder]:
        """People with an unanswered campaign card whose reminder is due: ``interval_seconds`` after the
        last contact (card or reminder), at most ``max_reminders`` times per campaign card; "later" sets
        its own time, honoured even after the last regular reminder. One per person, with their newest
        open card."""
        rows = await self._db.fetch_all(
            "SELECT t.*, p.reminders AS person_reminders, p.last_contact_at AS person_contact FROM pc_people p "
            f"JOIN pc_targets t ON t.user_key = p.user_key JOIN pc_campaigns c ON c.id = t.campaign_id WHERE {_OPEN} "
            "AND (p.reminders < ? OR p.remind_at IS NOT NULL) AND COALESCE(p.remind_at, p.last_contact_at + ?) <= ? "
            "ORDER BY t.municipality, t.user_upn, t.created_at DESC",
            max_reminders, interval_seconds, now,
        )
        due: dict[str, DueReminder] = {}
        for row in rows:
            if row["user_key"] not in due:
                due[row["user_key"]] = DueReminder(Target.from_row(row), row["person_reminders"], row["person_contact"])
        return list(due.values())

    async def claim_reminder(self, due: DueReminder, now: float) -> bool:
        """One reminder per person per round: only the process that moves their schedule sends it."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE pc_people SET reminders = reminders + 1, last_contact_at = ?, remind_at = NULL "
                "WHERE user_key = ? AND reminders = ? AND last_contact_at = ?",
                now, due.target.user_key, due.reminders, due.last_contact_at,
            )
            if changed:
                await tx.execute(
                    "UPDATE pc_targets SET reminders = reminders + 1, last_reminded_at = ?, remind_at = NULL "
                    "WHERE campaign_id = ? AND user_key = ?",
                    now, due.target.campaign_id, due.target.user_key,
                )
        return changed == 1


async def _person_remind_at(tx: Executor, user_key: str, remind_at: float | None, now: float) -> None:
    await tx.execute(
        "INSERT INTO pc_people (user_key, reminders, last_contact_at, remind_at) VALUES (?, 0, ?, ?) "
        "ON CONFLICT (user_key) DO UPDATE SET remind_at = excluded.remind_at",
        user_key, now, remind_at,
    )
