"""The ticket outbox: every ticket a skill files is written here first, and stays until the desk has it.

A row is sent by whoever holds its lease (``lease_owner`` until ``lease_until``). Claiming is one
conditional ``UPDATE ... WHERE lease_until < now``: of several processes on one database exactly one
changes the row, and only that one talks to the desk. Every later write names the owner, so a process
whose lease ran out cannot overwrite the result of the one that took over. The retry schedule
(``attempts``, ``next_attempt_at``) lives in the row, so it survives restarts.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass
from datetime import datetime

from core.ports import TicketAttachment, TicketDraft, TicketSummary
from store.database import Database, Row

# Ticket states.
PENDING, CREATED, FAILED = "pending", "created", "failed"
# What the user has been told. NOTIFY_PENDING: a message is owed (the user was told "it will be sent").
NOTIFY_NONE, NOTIFY_PENDING, NOTIFY_SENT, NOTIFY_UNREACHABLE, NOTIFY_GAVE_UP = (
    "none", "pending", "sent", "unreachable", "gave_up",
)


def draft_to_json(draft: TicketDraft) -> str:
    values = asdict(draft)
    values["attachments"] = [
        {"name": a.name, "content_type": a.content_type, "data": base64.b64encode(a.data).decode("ascii")}
        for a in draft.attachments
    ]
    return json.dumps(values, ensure_ascii=False)


def draft_from_json(text: str) -> TicketDraft:
    values = json.loads(text)
    values["attachments"] = [
        TicketAttachment(a["name"], a["content_type"], base64.b64decode(a["data"])) for a in values["attachments"]
    ]
    return TicketDraft(**values)


def summary_to_json(ticket: TicketSummary) -> str:
    values = asdict(ticket)
    values["updated"] = ticket.updated.isoformat()
    return json.dumps(values, ensure_ascii=False)


def summary_from_json(text: str) -> TicketSummary | None:
    if not text:
        return None
    values = json.loads(text)
    values["updated"] = datetime.fromisoformat(values["updated"])
    return TicketSummary(**values)


@dataclass(frozen=True)
class OutboxEntry:
    key: str
    draft_json: str
    subject: str
    requester_email: str
    notify_user_id: str
    language: str
    state: str
    attempts: int
    next_attempt_at: float
    lease_owner: str
    lease_until: float
    last_error: str
    ticket: TicketSummary | None
    notify_state: str
    notify_attempts: int
    created_at: float
    updated_at: float

    @property
    def draft(self) -> TicketDraft:
        return draft_from_json(self.draft_json)

    @classmethod
    def from_row(cls, row: Row) -> OutboxEntry:
        return cls(
            key=row["idempotency_key"], draft_json=row["draft"], subject=row["subject"],
            requester_email=row["requester_email"], notify_user_id=row["notify_user_id"],
            language=row["language"], state=row["state"], attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"], lease_owner=row["lease_owner"],
            lease_until=row["lease_until"], last_error=row["last_error"],
            ticket=summary_from_json(row["ticket"]), notify_state=row["notify_state"],
            notify_attempts=row["notify_attempts"], created_at=row["created_at"], updated_at=row["updated_at"],
        )


_INSERT = """
INSERT INTO ticket_outbox (idempotency_key, draft, subject, requester_email, notify_user_id, language, state,
    attempts, next_attempt_at, lease_owner, lease_until, last_error, ticket, notify_state, notify_attempts,
    created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, '', '', ?, 0, ?, ?)
ON CONFLICT (idempotency_key) DO NOTHING
"""
# Only the lease holder may record what happened.
_MINE = "idempotency_key = ? AND lease_owner = ? AND state = 'pending'"


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- adding and claiming --------------------------------------------------------------
    async def add(
        self, draft: TicketDraft, *, notify_user_id: str, language: str, owner: str, lease_until: float,
        now: float, notify: bool = False,
    ) -> bool:
        """Store a new draft, leased to ``owner`` (empty owner: free for the worker). False if the key exists."""
        return await self._db.execute(
            _INSERT, draft.idempotency_key, draft_to_json(draft), draft.subject, draft.requester_email,
            notify_user_id, language, now, owner, lease_until,
            NOTIFY_PENDING if notify and notify_user_id else NOTIFY_NONE, now, now,
        ) == 1

    async def get(self, key: str) -> OutboxEntry | None:
        row = await self._db.fetch_one("SELECT * FROM ticket_outbox WHERE idempotency_key = ?", key)
        return OutboxEntry.from_row(row) if row else None

    async def claim(self, key: str, owner: str, lease_until: float, now: float) -> bool:
        """Take a pending row that is due and whose lease has run out (a second click, after a restart)."""
        return await self._db.execute(
            "UPDATE ticket_outbox SET lease_owner = ?, lease_until = ?, updated_at = ? "
            "WHERE idempotency_key = ? AND state = 'pending' AND next_attempt_at <= ? AND lease_until < ?",
            owner, lease_until, now, key, now, now,
        ) == 1

    async def rearm(self, draft: TicketDraft, owner: str, lease_until: float, now: float) -> bool:
        """A failed row is tried again with a corrected draft (the desk refused it, so no ticket exists)."""
        return await self._db.execute(
            "UPDATE ticket_outbox SET draft = ?, subject = ?, state = 'pending', attempts = 0, next_attempt_at = ?, "
            "lease_owner = ?, lease_until = ?, last_error = '', notify_state = 'none', updated_at = ? "
            "WHERE idempotency_key = ? AND state = 'failed'",
            draft_to_json(draft), draft.subject, now, owner, lease_until, now, draft.idempotency_key,
        ) == 1

    async def claim_due(self, owner: str, now: float, lease_until: float, limit: int) -> list[OutboxEntry]:
        """Lease up to ``limit`` rows that are due; each row goes to exactly one claimant."""
        candidates = await self._db.fetch_all(
            "SELECT idempotency_key FROM ticket_outbox WHERE state = 'pending' AND next_attempt_at <= ? "
            "AND lease_until < ? ORDER BY next_attempt_at LIMIT ?",
            now, now, limit,
        )
        claimed = []
        for candidate in candidates:
            changed = await self._db.execute(
                "UPDATE ticket_outbox SET lease_owner = ?, lease_until = ?, updated_at = ? "
                "WHERE idempotency_key = ? AND state = 'pending' AND next_attempt_at <= ? AND lease_until < ?",
                owner, lease_until, now, candidate["idempotency_key"], now, now,
            )
            if changed == 1 and (entry := await self.get(candidate["idempotency_key"])) is not None:
                claimed.append(entry)
        return claimed

    async def release(self, owner: str, not_before: float) -> int:
        """Give back every lease of ``owner`` (a clean shutdown), so another process need not wait them out.

        An attempt stopped halfway may still land at the desk, so the row is not tried again before
        ``not_before``; by then the desk can tell that the ticket exists.
        """
        return await self._db.execute(
            "UPDATE ticket_outbox SET lease_owner = '', lease_until = 0, "
            "next_attempt_at = CASE WHEN next_attempt_at < ? THEN ? ELSE next_attempt_at END "
            "WHERE lease_owner = ? AND lease_until > 0",
            not_before, not_before, owner,
        )

    # --- outcomes -------------------------------------------------------------------------
    async def created(self, key: str, owner: str, ticket: TicketSummary, notify: bool, now: float) -> bool:
        """The desk has the ticket. A message already owed to the user stays owed."""
        return await self._db.execute(
            "UPDATE ticket_outbox SET state = 'created', ticket = ?, lease_owner = '', lease_until = 0, "
            "last_error = '', next_attempt_at = ?, updated_at = ?, "
            "notify_state = CASE WHEN notify_state = 'pending' OR ? = 1 THEN "
            "CASE WHEN notify_user_id = '' THEN 'none' ELSE 'pending' END ELSE notify_state END "
            f"WHERE {_MINE}",
            summary_to_json(ticket), now, now, 1 if notify else 0, key, owner,
        ) == 1

    async def retry_later(self, key: str, owner: str, next_attempt_at: float, error: str, now: float) -> bool:
        return await self._db.execute(
            "UPDATE ticket_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, "
            f"lease_owner = '', lease_until = 0, updated_at = ? WHERE {_MINE}",
            next_attempt_at, error[:1000], now, key, owner,
        ) == 1

    async def failed(self, key: str, owner: str, error: str, notify: bool, now: float) -> bool:
        """The desk refused the ticket for good; the draft stays here, visible, and may be corrected."""
        return await self._db.execute(
            "UPDATE ticket_outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, lease_owner = '', "
            "lease_until = 0, next_attempt_at = ?, updated_at = ?, "
            "notify_state = CASE WHEN (notify_state = 'pending' OR ? = 1) AND notify_user_id <> '' "
            "THEN 'pending' ELSE notify_state END "
            f"WHERE {_MINE}",
            error[:1000], now, now, 1 if notify else 0, key, owner,
        ) == 1

    async def want_notification(self, key: str, now: float) -> None:
        """The user was told "it will be sent": owe them a message with the outcome."""
        await self._db.execute(
            "UPDATE ticket_outbox SET notify_state = 'pending', updated_at = ? "
            "WHERE idempotency_key = ? AND notify_state = 'none' AND notify_user_id <> ''",
            now, key,
        )

    # --- telling the user -----------------------------------------------------------------
    async def claim_notifications(self, owner: str, now: float, lease_until: float, limit: int) -> list[OutboxEntry]:
        candidates = await self._db.fetch_all(
            "SELECT idempotency_key FROM ticket_outbox WHERE notify_state = 'pending' AND state <> 'pending' "
            "AND next_attempt_at <= ? AND lease_until < ? ORDER BY next_attempt_at LIMIT ?",
            now, now, limit,
        )
        claimed = []
        for candidate in candidates:
            changed = await self._db.execute(
                "UPDATE ticket_outbox SET lease_owner = ?, lease_until = ? WHERE idempotency_key = ? "
                "AND notify_state = 'pending' AND state <> 'pending' AND next_attempt_at <= ? AND lease_until < ?",
                owner, lease_until, candidate["idempotency_key"], now, now,
            )
            if changed == 1 and (entry := await self.get(candidate["idempotency_key"])) is not None:
                claimed.append(entry)
        return claimed

    async def notified(self, key: str, owner: str, notify_state: str, now: float) -> None:
        await self._db.execute(
            "UPDATE ticket_outbox SET notify_state = ?, lease_owner = '', lease_until = 0, updated_at = ? "
            "WHERE idempotency_key = ? AND lease_owner = ?",
            notify_state, now, key, owner,
        )

    async def notify_later(self, key: str, owner: str, next_attempt_at: float, now: float) -> None:
        await self._db.execute(
            "UPDATE ticket_outbox SET notify_attempts = notify_attempts + 1, next_attempt_at = ?, lease_owner = '', "
            "lease_until = 0, updated_at = ? WHERE idempotency_key = ? AND lease_owner = ?",
            next_attempt_at, now, key, owner,
        )

    # --- reading --------------------------------------------------------------------------
    async def waiting_for(self, notify_user_id: str) -> list[OutboxEntry]:
        """Tickets of this user that are not at the desk yet (queued or refused), newest first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM ticket_outbox WHERE notify_user_id = ? AND state <> 'created' ORDER BY created_at DESC",
            notify_user_id,
        )
        return [OutboxEntry.from_row(row) for row in rows]

    async def entries(self, limit: int = 100) -> list[OutboxEntry]:
        rows = await self._db.fetch_all("SELECT * FROM ticket_outbox ORDER BY created_at DESC LIMIT ?", limit)
        return [OutboxEntry.from_row(row) for row in rows]

    async def counts(self) -> dict[str, int]:
        rows = await self._db.fetch_all("SELECT state, COUNT(*) AS n FROM ticket_outbox GROUP BY state")
        return {row["state"]: int(row["n"]) for row in rows}

    async def prune(self, before: float) -> int:
        """Forget created tickets (and their attachments) whose user has been told, after a while."""
        return await self._db.execute(
            "DELETE FROM ticket_outbox WHERE state = 'created' AND notify_state <> 'pending' AND updated_at < ?",
            before,
        )

