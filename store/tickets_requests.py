"""Ticket drafts on confirmation cards, and the files users sent in a conversation.

A request is one card: what Rakel prefilled, the user's edits, the files fetched for it, and how far it
got. A click that sends it holds its lease (store/leases.py) until the draft is in the outbox, and its
state changes are conditional updates (``WHERE state = ...``), so of two clicks on the same card exactly
one sends the ticket; the other shows what became of it. A send whose process died is found by its
free lease and finished by the worker.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from core.messages import IncomingAttachment
from store.database import Database, Row
from store.leases import LeaseKeeper, free

# OPEN: shown, editable. SENDING: a click is sending it (holding its lease). SUBMITTED: in the outbox (the outbox row
# says whether the desk has it). FAILED: the desk refused it; editable, can be sent again.
OPEN, SENDING, SUBMITTED, FAILED, CANCELLED = "open", "sending", "submitted", "failed", "cancelled"


@dataclass(frozen=True)
class StoredFile:
    name: str
    content_type: str
    url: str
    size: int = 0
    data: bytes | None = None  # None: not fetched (see ``problem``), or dropped once the ticket is sent
    problem: str = ""  # "" | "too_large" | "unavailable" | "too_many"

    def as_json(self) -> dict[str, Any]:
        data = base64.b64encode(self.data).decode("ascii") if self.data is not None else None
        return {"name": self.name, "content_type": self.content_type, "url": self.url, "size": self.size,
                "data": data, "problem": self.problem}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> StoredFile:
        data = base64.b64decode(value["data"]) if value.get("data") is not None else None
        return cls(value["name"], value["content_type"], value["url"], value.get("size", 0), data,
                   value.get("problem", ""))


@dataclass(frozen=True)
class TicketRequest:
    id: str
    conversation_id: str
    user_id: str
    user_name: str
    user_email: str
    language: str
    subject: str
    description: str
    category: str
    priority: str
    phone: str = ""
    notices: tuple[str, ...] = ()  # what the card tells the user about the text (e.g. "fnr_removed")
    files: tuple[StoredFile, ...] = ()
    state: str = OPEN
    error: str = ""
    created_at: float = 0.0
    updated_at: float = 0.0

    @property
    def idempotency_key(self) -> str:
        """One card, one ticket: every send of this card uses this key."""
        return f"rakel:{self.id}"

    def edited(self, **fields: Any) -> TicketRequest:
        return replace(self, **fields)

    @classmethod
    def from_row(cls, row: Row) -> TicketRequest:
        return cls(
            id=row["id"], conversation_id=row["conversation_id"], user_id=row["user_id"],
            user_name=row["user_name"], user_email=row["user_email"], language=row["language"],
            subject=row["subject"], description=row["description"], category=row["category"],
            priority=row["priority"], phone=row["phone"], notices=tuple(json.loads(row["notices"])),
            files=tuple(StoredFile.from_json(item) for item in json.loads(row["files"])),
            state=row["state"], error=row["error"],
            created_at=row["created_at"], updated_at=row["updated_at"],
        )


def _files_json(files: tuple[StoredFile, ...]) -> str:
    return json.dumps([item.as_json() for item in files])


_INSERT = """
INSERT INTO ticket_requests (id, conversation_id, user_id, user_name, user_email, language, subject, description,
    category, priority, phone, notices, files, state, idempotency_key, error, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, '', ?, ?)
ON CONFLICT (id) DO NOTHING
"""
_EDITS = "subject = ?, description = ?, category = ?, phone = ?, notices = ?"
_LEASE_PREFIX = "ticket_request:"
_FREE = free(f"'{_LEASE_PREFIX}' || ticket_requests.id")


def lease_name(request_id: str) -> str:
    return _LEASE_PREFIX + request_id


class TicketRequestRepository:
    def __init__(self, db: Database, leases: LeaseKeeper) -> None:
        self._db = db
        self._leases = leases

    async def add(self, request: TicketRequest, now: float) -> bool:
        """Store a new draft; False when one with this id exists (the same card was opened twice)."""
        return await self._db.execute(
            _INSERT, request.id, request.conversation_id, request.user_id, request.user_name, request.user_email,
            request.language, request.subject, request.description, request.category, request.priority,
            request.phone, json.dumps(list(request.notices)), _files_json(request.files),
            request.idempotency_key, now, now,
        ) == 1

    async def get(self, request_id: str) -> TicketRequest | None:
        row = await self._db.fetch_one("SELECT * FROM ticket_requests WHERE id = ?", request_id)
        return TicketRequest.from_row(row) if row else None

    async def save_edits(self, request: TicketRequest, now: float) -> bool:
        """Keep the user's edits on a card that has not been sent (e.g. when a field needs fixing)."""
        return await self._db.execute(
            f"UPDATE ticket_requests SET {_EDITS}, updated_at = ? WHERE id = ? AND state IN ('open', 'failed')",
            *_edit_values(request), now, request.id,
        ) == 1

    async def claim_for_send(self, request: TicketRequest, now: float) -> bool:
        """Open (or refused, or a send that died with its process) -> sending, with the user's edits.

        Exactly one click wins and holds the draft's lease until ``finish``; when its process stops
        halfway, the lease runs out within seconds and the worker (``claim_stalled``) finishes the send.
        """
        if not await self._leases.take(lease_name(request.id)):
            return False
        changed = await self._db.execute(
            f"UPDATE ticket_requests SET state = 'sending', {_EDITS}, error = '', updated_at = ? "
            "WHERE id = ? AND state IN ('open', 'failed', 'sending')",
            *_edit_values(request), now, request.id,
        ) == 1
        if not changed:
            await self._leases.release(lease_name(request.id))
        return changed

    async def claim_stalled(self, request_id: str) -> bool:
        """Take over a send whose process stopped (its lease ran out or was never renewed)."""
        if not await self._leases.take(lease_name(request_id)):
            return False
        request = await self.get(request_id)
        if request is None or request.state != SENDING:
            await self._leases.release(lease_name(request_id))
            return False
        return True

    async def stalled(self, limit: int = 20) -> list[TicketRequest]:
        """Sends whose process stopped before the draft reached the outbox (nobody holds their lease)."""
        rows = await self._db.fetch_all(
            f"SELECT * FROM ticket_requests WHERE state = 'sending' AND {_FREE} ORDER BY updated_at LIMIT ?",
            self._leases.now(), limit,
        )
        return [TicketRequest.from_row(row) for row in rows]

    async def being_sent(self, request_id: str) -> bool:
        """Is a click (in any process) sending this draft right now?"""
        name = lease_name(request_id)
        return self._leases.holds(name) or await self._leases.holder(name) is not None

    async def finish(self, request_id: str, state: str, now: float, error: str = "") -> None:
        """After a send: SUBMITTED (the files' bytes now live in the outbox, so they are dropped here) or
        FAILED; the draft's lease is given back."""
        request = await self.get(request_id)
        files = request.files if request else ()
        if state == SUBMITTED:
            files = tuple(replace(item, data=None) for item in files)
        try:
            await self._db.execute(
                "UPDATE ticket_requests SET state = ?, error = ?, files = ?, updated_at = ? "
                "WHERE id = ? AND state = 'sending'",
                state, error[:1000], _files_json(files), now, request_id,
            )
        finally:
            await self._leases.release(lease_name(request_id))

    async def let_go(self, request_id: str) -> None:
        """Give the draft's lease back without a result (``finish`` does it with one)."""
        await self._leases.release(lease_name(request_id))

    async def reopen(self, request_id: str, error: str, now: float) -> bool:
        """A submitted ticket that the desk refused later (in the background) becomes editable again."""
        return await self._db.execute(
            "UPDATE ticket_requests SET state = 'failed', error = ?, updated_at = ? WHERE id = ? AND state = 'submitted'",
            error[:1000], now, request_id,
        ) == 1

    async def cancel(self, request_id: str, now: float) -> bool:
        return await self._db.execute(
            "UPDATE ticket_requests SET state = 'cancelled', updated_at = ? WHERE id = ? AND state IN ('open', 'failed')",
            now, request_id,
        ) == 1

    async def latest_open(self, conversation_id: str, user_id: str, since: float) -> TicketRequest | None:
        """The user's newest draft in this conversation that is still open (or refused) and not older than ``since``."""
        row = await self._db.fetch_one(
            "SELECT * FROM ticket_requests WHERE conversation_id = ? AND user_id = ? AND state IN ('open', 'failed')"
            " AND created_at >= ? ORDER BY created_at DESC LIMIT 1",
            conversation_id, user_id, since,
        )
        return TicketRequest.from_row(row) if row else None

    async def last_created_at(self, conversation_id: str) -> float | None:
        return await self._db.fetch_value(
            "SELECT MAX(created_at) AS at FROM ticket_requests WHERE conversation_id = ?", conversation_id
        )

    async def prune(self, before: float) -> int:
        return await self._db.execute(
            "DELETE FROM ticket_requests WHERE updated_at < ? AND state <> 'sending'", before
        )


def _edit_values(request: TicketRequest) -> list[Any]:
    return [request.subject, request.description, request.category, request.phone, json.dumps(list(request.notices))]


@dataclass(frozen=True)
class AttachmentRef:
    name: str
    content_type: str
    url: str
    created_at: float = field(default=0.0, compare=False)


class AttachmentRefRepository:
    """Files users sent (screenshots, documents), by conversation: references only, never the bytes."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def remember(self, conversation_id: str, attachments: Iterable[IncomingAttachment], now: float) -> None:
        for offset, attachment in enumerate(attachments):
            await self._db.execute(
                "INSERT INTO ticket_attachment_refs (id, conversation_id, name, content_type, url, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                uuid.uuid4().hex, conversation_id, attachment.name[:200], attachment.content_type[:100],
                attachment.url, now + offset * 1e-6,
            )

    async def since(self, conversation_id: str, since: float) -> list[AttachmentRef]:
        rows = await self._db.fetch_all(
            "SELECT name, content_type, url, created_at FROM ticket_attachment_refs "
            "WHERE conversation_id = ? AND created_at > ? ORDER BY created_at",
            conversation_id, since,
        )
        return [AttachmentRef(row["name"], row["content_type"], row["url"], row["created_at"]) for row in rows]

    async def prune(self, before: float) -> int:
        return await self._db.execute("DELETE FROM ticket_attachment_refs WHERE created_at < ?", before)
