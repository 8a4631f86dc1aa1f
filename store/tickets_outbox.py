"""The ticket outbox: every ticket a skill files is written here first, and stays until the desk has it.

A row is sent by whoever holds its lease (``lease_name``, store/leases.py): of several processes on
one database exactly one talks to the desk about a ticket at a time, and a dead process's lease is
taken over within seconds. Every later write names the holder (``HELD_BY``), so a process that lost
its lease cannot overwrite the result of the one that took over. The retry schedule (``attempts``,
``next_attempt_at``) lives in the row, so it survives restarts. A ticket the desk refused stays here
(state ``failed``, visible with the reason) and is tried again on a slower schedule.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime

from core.ports import TicketAttachment, TicketDraft, TicketSummary
from store.database import Database, Row
from store.leases import HELD_BY, LeaseKeeper, free

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
    in_doubt_until: float  # an earlier create got no answer and may still land at the desk until then
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
            next_attempt_at=row["next_attempt_at"], in_doubt_until=row["in_doubt_until"],
            last_error=row["last_error"],
            ticket=summary_from_json(row["ticket"]), notify_state=row["notify_state"],
            notify_attempts=row["notify_attempts"], created_at=row["created_at"], updated_at=row["updated_at"],
        )


_INSERT = """
INSERT INTO ticket_outbox (idempotency_key, draft, subject, requester_email, notify_user_id, language, state,
    attempts, next_attempt_at, last_error, ticket, notify_state, notify_attempts, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, '', '', ?, 0, ?, ?)
ON CONFLICT (idempotency_key) DO NOTHING
"""
_LEASE_PREFIX = "ticket_outbox:"
_FREE = free(f"'{_LEASE_PREFIX}' || ticket_outbox.idempotency_key")
_SENDABLE = "state IN ('pending', 'failed')"
# Only the lease holder may record what happened (arguments: key, lease name, owner).
_MINE = f"idempotency_key = ? AND {_SENDABLE} AND {HELD_BY}"


def lease_name(key: str) -> str:
    """The lease of one outbox row: held by the process sending it (or telling its user)."""
    return _LEASE_PREFIX + key


class OutboxRepository:
    def __init__(self, db: Database, leases: LeaseKeeper) -> None:
        self._db = db
        self.leases = leases

    def _mine(self, key: str) -> tuple[str, str, str]:
        return key, lease_name(key), self.leases.owner

    # --- adding and claiming --------------------------------------------------------------
    async def add(
        self, draft: TicketDraft, *, notify_user_id: str, language: str, now: float, notify: bool = False,
    ) -> bool:
        """Store a new draft, due now. False if the key exists."""
        return await self._db.execute(
            _INSERT, draft.idempotency_key, draft_to_json(draft), draft.subject, draft.requester_email,
            notify_user_id, language, now, NOTIFY_PENDING if notify and notify_user_id else NOTIFY_NONE, now, now,
        ) == 1

    async def get(self, key: str) -> OutboxEntry | None:
        row = await self._db.fetch_one("SELECT * FROM ticket_outbox WHERE idempotency_key = ?", key)
        return OutboxEntry.from_row(row) if row else None

    async def rearm(self, draft: TicketDraft, now: float) -> bool:
        """A refused row (whose lease the caller holds) is tried now with a corrected draft."""
        return await self._db.execute(
            "UPDATE ticket_outbox SET draft = ?, subject = ?, state = 'pending', attempts = 0, next_attempt_at = ?, "
            f"last_error = '', notify_state = 'none', updated_at = ? WHERE {_MINE} AND state = 'failed'",
            draft_to_json(draft), draft.subject, now, now, *self._mine(draft.idempotency_key),
        ) == 1

    async def claim_due(self, now: float, limit: int) -> list[OutboxEntry]:
        """Lease up to ``limit`` rows that are due (queued, or refused and due again); each row goes to
        exactly one claimant."""
        candidates = await self._db.fetch_all(
            f"SELECT idempotency_key FROM ticket_outbox WHERE {_SENDABLE} AND next_attempt_at <= ? AND {_FREE} "
            "ORDER BY next_attempt_at LIMIT ?",
            now, self.leases.now(), limit,
        )
        return await self._leased(candidates, lambda entry: entry.state in (PENDING, FAILED)
                                  and entry.next_attempt_at <= now)

    async def _leased(self, candidates: list[Row], still: Callable[[OutboxEntry], bool]) -> list[OutboxEntry]:
        claimed = []
        for candidate in candidates:
            key = candidate["idempotency_key"]
            if not await self.leases.take(lease_name(key)):
                continue
            entry = await self.get(key)
            if entry is not None and still(entry):  # nobody finished it between the SELECT and the lease
                claimed.append(entry)
            else:
                await self.leases.release(lease_name(key))
        return claimed

    async def begin_attempt(self, key: str, now: float) -> float:
        """Count an attempt as it starts (a kill -9 mid-create is counted too); until when an earlier
        create that got no answer may still land (0: none is on its way)."""
        before = await self._db.fetch_one(
            f"SELECT in_doubt_until FROM ticket_outbox WHERE {_MINE}", *self._mine(key)
        )
        if before is None:
            return 0.0
        await self._db.execute(
            f"UPDATE ticket_outbox SET attempts = attempts + 1, updated_at = ? WHERE {_MINE}", now, *self._mine(key)
        )
        return float(before["in_doubt_until"])

    async def sending(self, key: str, doubt_until: float) -> None:
        """A create request is leaving: until an answer comes, the ticket may land until ``doubt_until``."""
        await self._db.execute(
            "UPDATE ticket_outbox SET in_doubt_until = CASE WHEN in_doubt_until > ? THEN in_doubt_until ELSE ? END "
            f"WHERE {_MINE}", doubt_until, doubt_until, *self._mine(key),
        )

    # --- outcomes (by the lease holder) -----------------------------------------------------
    async def created(self, key: str, ticket: TicketSummary, notify: bool, now: float) -> bool:
        """The desk has the ticket. A message already owed to the user stays owed. A ticket filed under
        the fallback requester is written down for its real requester (``filed_for``)."""
        if ticket.on_behalf:
            await self._db.execute(
                "INSERT INTO ticket_filed_for (requester_key, ticket_id, number, filed_at) "
                "SELECT LOWER(requester_email), ?, ?, ? FROM ticket_outbox WHERE idempotency_key = ? "
                "ON CONFLICT (requester_key, ticket_id) DO NOTHING",
                ticket.id, ticket.number, now, key,
            )
        return await self._db.execute(
            "UPDATE ticket_outbox SET state = 'created', ticket = ?, last_error = '', next_attempt_at = ?, "
            "updated_at = ?, notify_state = CASE WHEN notify_state = 'pending' OR ? = 1 THEN "
            "CASE WHEN notify_user_id = '' THEN 'none' ELSE 'pending' END ELSE notify_state END "
            f"WHERE {_MINE}",
            summary_to_json(ticket), now, now, 1 if notify else 0, *self._mine(key),
        ) == 1

    async def retry_later(self, key: str, next_attempt_at: float, error: str, now: float, *, answered: bool) -> bool:
        """Try again later. ``answered``: the desk answered this attempt (a 5xx, a 429), so nothing of it
        is still on its way; else (a timeout, a broken connection) its create may still land."""
        return await self._db.execute(
            "UPDATE ticket_outbox SET next_attempt_at = ?, last_error = ?, updated_at = ?, "
            f"in_doubt_until = CASE WHEN ? = 1 THEN 0 ELSE in_doubt_until END WHERE {_MINE}",
            next_attempt_at, error[:1000], now, 1 if answered else 0, *self._mine(key),
        ) == 1

    async def failed(self, key: str, error: str, notify: bool, next_attempt_at: float, now: float) -> bool:
        """The desk refused the ticket: it stays here, visible, is tried again at ``next_attempt_at``
        (on the slow schedule) and may be corrected. The user is told once (a message owed)."""
        return await self._db.execute(
            "UPDATE ticket_outbox SET state = 'failed', last_error = ?, next_attempt_at = ?, updated_at = ?, "
            "in_doubt_until = 0, "
            "notify_state = CASE WHEN (notify_state = 'pending' OR ? = 1) AND notify_user_id <> '' "
            "AND state = 'pending' THEN 'pending' ELSE notify_state END "
            f"WHERE {_MINE}",
            error[:1000], next_attempt_at, now, 1 if notify else 0, *self._mine(key),
        ) == 1

    async def want_notification(self, key: str, now: float) -> None:
        """The user was told "it will be sent": owe them a message with the outcome."""
        await self._db.execute(
            "UPDATE ticket_outbox SET notify_state = 'pending', updated_at = ? "
            "WHERE idempotency_key = ? AND notify_state = 'none' AND notify_user_id <> ''",
            now, key,
        )

    # --- telling the user -----------------------------------------------------------------
    async def claim_notifications(self, now: float, limit: int) -> list[OutboxEntry]:
        candidates = await self._db.fetch_all(
            "SELECT idempotency_key FROM ticket_outbox WHERE notify_state = 'pending' AND state <> 'pending' "
            f"AND notify_not_before <= ? AND {_FREE} ORDER BY notify_not_before LIMIT ?",
            now, self.leases.now(), limit,
        )
        return await self._leased(candidates, lambda entry: entry.notify_state == NOTIFY_PENDING
                                  and entry.state != PENDING)

    async def notified(self, key: str, notify_state: str, now: float) -> None:
        await self._db.execute(
            f"UPDATE ticket_outbox SET notify_state = ?, updated_at = ? WHERE idempotency_key = ? AND {HELD_BY}",
            notify_state, now, *self._mine(key),
        )

    async def notify_later(self, key: str, not_before: float, now: float) -> None:
        await self._db.execute(
            "UPDATE ticket_outbox SET notify_attempts = notify_attempts + 1, notify_not_before = ?, updated_at = ? "
            f"WHERE idempotency_key = ? AND {HELD_BY}",
            not_before, now, *self._mine(key),
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

    async def filed_for(self, requester_email: str) -> list[str]:
        """Ids of the tickets Rakel filed for this requester under the fallback requester, newest first."""
        rows = await self._db.fetch_all(
            "SELECT ticket_id FROM ticket_filed_for WHERE requester_key = ? ORDER BY filed_at DESC LIMIT 50",
            requester_email.lower(),
        )
        return [row["ticket_id"] for row in rows]

    async def forget_filed_for(self, before: float) -> int:
        return await self._db.execute("DELETE FROM ticket_filed_for WHERE filed_at < ?", before)

    async def prune(self, before: float) -> int:
        """Forget created tickets (and their attachments) whose user has been told, after a while."""
        return await self._db.execute(
            "DELETE FROM ticket_outbox WHERE state = 'created' AND notify_state <> 'pending' AND updated_at < ?",
            before,
        )
