"""The local ticket desk: the embedded default when no Pureservice is configured.

It implements the same ``TicketDesk`` port as the Pureservice desk, in the store (so on SQLite or
PostgreSQL): numbered tickets with statuses, a requester's own tickets by e-mail, notes, and
idempotent creation (the draft's idempotency key is unique, so a retry finds the first ticket).
Kundeservice sees new tickets in its Teams channel (connectors/local_desk/announcing.py) and with
``rakel tickets``.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from core.ports import TicketDraft, TicketSummary
from store.database import Database, Executor, Row
from store.leases import LeaseKeeper, free

NEW = "Ny"
RESOLVED = "Løst"
STATUSES = {"Ny": True, "Under arbeid": True, "Venter": True, "Løst": False, "Lukket": False}  # name -> open
RECENT_SECONDS = 30 * 24 * 3600  # closed tickets stay in "my tickets" this long (as Pureservice's desk)
MAX_LISTED = 20
_ANNOUNCE_PREFIX = "ticket_announce:"
_ANNOUNCE_FREE = free(f"'{_ANNOUNCE_PREFIX}' || ticket_local.id")


@dataclass(frozen=True)
class LocalTicket:
    id: str
    number: str
    subject: str
    description: str
    category: str
    priority: str
    requester_email: str
    requester_name: str
    phone: str
    status: str
    created_at: float
    updated_at: float
    attachment_names: tuple[str, ...] = ()

    @property
    def is_open(self) -> bool:
        return STATUSES.get(self.status, True)

    def summary(self) -> TicketSummary:
        return TicketSummary(
            id=self.id,
            number=self.number,
            subject=self.subject,
            status=self.status,
            is_open=self.is_open,
            updated=datetime.fromtimestamp(self.updated_at, UTC),
            url="",  # the local desk has no web page; Kundeservice has the ticket in its channel
            requester_email=self.requester_email,
        )


def _ticket(row: Row, attachment_names: tuple[str, ...] = ()) -> LocalTicket:
    return LocalTicket(
        id=row["id"], number=str(row["number"]), subject=row["subject"], description=row["description"],
        category=row["category"], priority=row["priority"], requester_email=row["requester_email"],
        requester_name=row["requester_name"], phone=row["phone"], status=row["status"],
        created_at=row["created_at"], updated_at=row["updated_at"], attachment_names=attachment_names,
    )


class LocalTicketDesk:
    def __init__(self, db: Database, leases: LeaseKeeper, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._leases = leases
        self._clock = clock

    # --- TicketDesk -----------------------------------------------------------------------
    async def create_ticket(
        self, draft: TicketDraft, *, sending: Callable[[], Awaitable[None]] | None = None
    ) -> TicketSummary:
        """One transaction: created or not, never half (so ``sending`` is not needed)."""
        async with self._db.transaction() as tx:
            row = await tx.fetch_one("SELECT * FROM ticket_local WHERE idempotency_key = ?", draft.idempotency_key)
            if row is None:
                await self._insert(tx, draft)
                row = await tx.fetch_one("SELECT * FROM ticket_local WHERE idempotency_key = ?", draft.idempotency_key)
        assert row is not None
        return _ticket(row).summary()

    async def find_ticket(self, idempotency_key: str) -> TicketSummary | None:
        row = await self._db.fetch_one("SELECT * FROM ticket_local WHERE idempotency_key = ?", idempotency_key)
        return _ticket(row).summary() if row else None

    async def tickets_for(self, requester_email: str, filed_for: Sequence[str] = ()) -> list[TicketSummary]:
        """Open and recently changed tickets of this requester, newest first; never anyone else's.
        (Every local ticket is filed under its own requester, so ``filed_for`` adds none.)"""
        rows = await self._db.fetch_all(
            "SELECT * FROM ticket_local WHERE requester_key = ? AND (status IN (?, ?, ?) OR updated_at >= ?) "
            "ORDER BY created_at DESC LIMIT ?",
            requester_email.casefold(), *[name for name, is_open in STATUSES.items() if is_open],
            self._clock() - RECENT_SECONDS, MAX_LISTED,
        )
        return [_ticket(row).summary() for row in rows]

    async def add_note(self, ticket_id: str, text: str) -> None:
        now = self._clock()
        await self._db.execute(
            "INSERT INTO ticket_local_notes (id, ticket_id, text, created_at) VALUES (?, ?, ?, ?)",
            uuid.uuid4().hex, ticket_id, text, now,
        )
        await self._db.execute("UPDATE ticket_local SET updated_at = ? WHERE id = ?", now, ticket_id)

    async def resolve_ticket(self, ticket_id: str, solution: str) -> None:
        await self._db.execute("UPDATE ticket_local SET status = ?, updated_at = ? WHERE id = ?", RESOLVED,
                               self._clock(), ticket_id)
        await self.add_note(ticket_id, f"Løsning: {solution}")

    async def check(self) -> None:
        await self._db.fetch_value("SELECT COUNT(*) AS n FROM ticket_local_counter")

    # --- for Kundeservice (the channel card and `rakel tickets`) --------------------------
    async def get(self, ticket_id: str) -> LocalTicket | None:
        row = await self._db.fetch_one("SELECT * FROM ticket_local WHERE id = ?", ticket_id)
        if row is None:
            return None
        files = await self._db.fetch_all(
            "SELECT name FROM ticket_local_files WHERE ticket_id = ? ORDER BY position", ticket_id
        )
        return _ticket(row, tuple(item["name"] for item in files))

    async def by_number(self, number: str) -> LocalTicket | None:
        if not number.isdigit():
            return None
        ticket_id = await self._db.fetch_value("SELECT id FROM ticket_local WHERE number = ?", int(number))
        return await self.get(ticket_id) if ticket_id else None

    async def all(self, limit: int = 50) -> list[LocalTicket]:
        rows = await self._db.fetch_all("SELECT * FROM ticket_local ORDER BY number DESC LIMIT ?", limit)
        return [_ticket(row) for row in rows]

    async def notes(self, ticket_id: str) -> list[str]:
        rows = await self._db.fetch_all(
            "SELECT text FROM ticket_local_notes WHERE ticket_id = ? ORDER BY created_at", ticket_id
        )
        return [row["text"] for row in rows]

    async def set_status(self, number: str, status: str) -> bool:
        if status not in STATUSES or not number.isdigit():
            return False
        return await self._db.execute(
            "UPDATE ticket_local SET status = ?, updated_at = ? WHERE number = ?", status, self._clock(), int(number)
        ) == 1

    async def file_data(self, ticket_id: str) -> list[tuple[str, str, bytes]]:
        rows = await self._db.fetch_all(
            "SELECT name, content_type, data FROM ticket_local_files WHERE ticket_id = ? ORDER BY position", ticket_id
        )
        return [(row["name"], row["content_type"], base64.b64decode(row["data"])) for row in rows]

    # --- announcing in the Kundeservice channel (exactly one process posts each ticket) ----
    async def unannounced(self, now: float, limit: int = 20) -> list[str]:
        """Tickets not posted yet, due (a failed post waits for its retry time), that nobody is posting."""
        rows = await self._db.fetch_all(
            "SELECT id FROM ticket_local WHERE announced_at IS NULL AND announce_not_before < ? "
            f"AND {_ANNOUNCE_FREE} ORDER BY number LIMIT ?",
            now, self._leases.now(), limit,
        )
        return [row["id"] for row in rows]

    async def claim_announcement(self, ticket_id: str, now: float) -> bool:
        """Become the one process posting this ticket; hold the lease until ``announced``/``announce_later``."""
        if not await self._leases.take(_ANNOUNCE_PREFIX + ticket_id):
            return False
        due = await self._db.fetch_value(
            "SELECT COUNT(*) AS n FROM ticket_local WHERE id = ? AND announced_at IS NULL AND announce_not_before < ?",
            ticket_id, now,
        )
        if not due:
            await self._leases.release(_ANNOUNCE_PREFIX + ticket_id)
        return bool(due)

    async def announced(self, ticket_id: str, thread: str, now: float) -> None:
        try:
            await self._db.execute(
                "UPDATE ticket_local SET announced_at = ?, announce_thread = ?, announce_not_before = 0 WHERE id = ?",
                now, thread, ticket_id,
            )
        finally:
            await self._leases.release(_ANNOUNCE_PREFIX + ticket_id)

    async def announce_later(self, ticket_id: str, retry_at: float) -> None:
        try:
            await self._db.execute(
                "UPDATE ticket_local SET announce_not_before = ? WHERE id = ? AND announced_at IS NULL",
                retry_at, ticket_id,
            )
        finally:
            await self._leases.release(_ANNOUNCE_PREFIX + ticket_id)

    # --- plumbing -------------------------------------------------------------------------
    async def _insert(self, tx: Executor, draft: TicketDraft) -> None:
        """A new ticket; a concurrent insert of the same key (another process) wins and this one does nothing."""
        number = await tx.fetch_value(
            "UPDATE ticket_local_counter SET value = value + 1 WHERE name = 'ticket' RETURNING value"
        )
        now = self._clock()
        ticket_id = uuid.uuid4().hex
        description = f"{draft.description}\n\nLøsning: {draft.solution}" if draft.solution else draft.description
        inserted = await tx.execute(
            "INSERT INTO ticket_local (id, number, idempotency_key, subject, description, category, priority, "
            "requester_email, requester_key, requester_name, phone, status, created_at, updated_at, announced_at, "
            "announce_not_before, announce_thread) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, '') "
            "ON CONFLICT (idempotency_key) DO NOTHING",
            ticket_id, int(number), draft.idempotency_key, draft.subject, description, draft.category,
            draft.priority, draft.requester_email, draft.requester_email.casefold(), draft.requester_name,
            draft.phone, RESOLVED if draft.resolved else NEW, now, now,
        )
        if inserted != 1:
            return
        for position, attachment in enumerate(draft.attachments):
            await tx.execute(
                "INSERT INTO ticket_local_files (ticket_id, position, name, content_type, size, data) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                ticket_id, position, attachment.name, attachment.content_type, len(attachment.data),
                base64.b64encode(attachment.data).decode("ascii"),
            )
