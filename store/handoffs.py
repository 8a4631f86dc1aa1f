"""Handoffs to Kundeservice and the messages relayed between the user and the agent.

Every state change is one conditional UPDATE (``... WHERE state = 'waiting'``) whose row count says
who won, so two bot processes sharing the database never both claim, end or time out a handoff.
Relayed messages get a per-handoff sequence number when they arrive and are delivered in that order;
a lease per direction (store/leases.py: heartbeats, handed back at shutdown) makes one process at a time
the deliverer. Times that decide business rules (requested, claimed, timeouts) come from the caller's
clock; leases use the machine's time.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from store.database import Database, Row
from store.leases import LeaseKeeper
from store.tickets_requests import StoredFile

RELAY_LEASE_TTL_SECONDS = 3.0  # a dead process's relay lease is taken over this soon after its last heartbeat
RELAY_HEARTBEAT_SECONDS = 1.0


class HandoffState(StrEnum):
    WAITING = "waiting"  # in the queue, card in the channel with "Ta saken"
    CLAIMED = "claimed"  # an agent took it; messages are relayed both ways
    WRAPPING_UP = "wrapping_up"  # the user ended; the agent picks resolved or open
    CLOSED = "closed"  # ended; the transcript goes to Pureservice
    CANCELLED = "cancelled"  # the user left the queue
    EXPIRED = "expired"  # Kundeservice closed before anyone took it
    FAILED = "failed"  # the card could not be posted in the channel


ACTIVE = (HandoffState.WAITING, HandoffState.CLAIMED)


class Sender(StrEnum):
    USER = "user"  # goes to the thread
    AGENT = "agent"  # goes to the user
    EVENT = "event"  # not relayed: a line for the transcript ("Per overførte samtalen til Lise")


class TicketState(StrEnum):
    PENDING = "pending"  # to be filed
    FILED = "filed"  # created in the desk
    QUEUED = "queued"  # in the ticket outbox; the user hears the number when it is created
    REFUSED = "refused"  # the desk refused it; it stays in the ticket outbox, retried there (the thread says so)


@dataclass
class Handoff:
    id: str
    state: HandoffState
    user_id: str
    user_conversation_id: str
    user_name: str
    user_email: str
    municipality: str
    language: str
    summary: str  # masked
    category: str
    context: dict[str, Any]  # masked: {"recent": [[role, text], ...], "suggested": "..."}
    requested_at: float
    thread_id: str | None = None
    card_activity_id: str | None = None
    agent_id: str | None = None
    agent_name: str | None = None
    agent_email: str | None = None
    claimed_at: float | None = None
    timeout_notified_at: float | None = None
    ended_by: str | None = None
    ended_at: float | None = None
    resolved: bool | None = None
    ticket_state: TicketState | None = None
    ticket_number: str | None = None
    ticket_id: str | None = None
    ticket_update: str | None = None  # "resolve": the ticket filed as open is to be marked resolved


@dataclass
class RelayMessage:
    handoff_id: str
    seq: int
    sender: Sender
    sender_name: str
    text: str  # as written; emptied once delivered
    masked: str  # kept for the transcript
    attachments: list[StoredFile] = field(default_factory=list)  # fetched when it arrived (bytes or a problem)
    created_at: float = 0.0  # clock time (the transcript's timestamps)
    received_at: float = 0.0  # machine time, for the relay delay
    delivered_at: float | None = None
    failed: bool = False
    id: str = ""
    in_flight_since: float | None = None  # a send was started (machine time); set and undelivered: maybe sent


_HANDOFF_COLUMNS = (
    "id, state, user_id, user_conversation_id, user_name, user_email, municipality, language, summary, "
    "category, context, requested_at, thread_id, card_activity_id, agent_id, agent_name, agent_email, "
    "claimed_at, timeout_notified_at, ended_by, ended_at, resolved, ticket_state, ticket_number, ticket_id, ticket_update"
)


def _handoff(row: Row) -> Handoff:
    return Handoff(
        id=row["id"], state=HandoffState(row["state"]), user_id=row["user_id"],
        user_conversation_id=row["user_conversation_id"], user_name=row["user_name"],
        user_email=row["user_email"], municipality=row["municipality"], language=row["language"],
        summary=row["summary"], category=row["category"], context=json.loads(row["context"]),
        requested_at=row["requested_at"], thread_id=row["thread_id"], card_activity_id=row["card_activity_id"],
        agent_id=row["agent_id"], agent_name=row["agent_name"], agent_email=row["agent_email"],
        claimed_at=row["claimed_at"], timeout_notified_at=row["timeout_notified_at"], ended_by=row["ended_by"],
        ended_at=row["ended_at"], resolved=None if row["resolved"] is None else bool(row["resolved"]),
        ticket_state=TicketState(row["ticket_state"]) if row["ticket_state"] else None,
        ticket_number=row["ticket_number"], ticket_id=row["ticket_id"], ticket_update=row["ticket_update"],
    )


def _message(row: Row) -> RelayMessage:
    return RelayMessage(
        id=row["id"], handoff_id=row["handoff_id"], seq=row["seq"], sender=Sender(row["sender"]),
        sender_name=row["sender_name"], text=row["text"], masked=row["masked"],
        attachments=[StoredFile.from_json({"content_type": "", **item}) for item in json.loads(row["attachments"])],
        created_at=row["created_at"], received_at=row["received_at"], delivered_at=row["delivered_at"],
        failed=bool(row["failed"]), in_flight_since=row["in_flight_since"],
    )


def _lease_name(handoff_id: str, sender: Sender) -> str:
    return f"handoff_relay:{handoff_id}:{sender.value}"


class HandoffRepository:
    def __init__(self, db: Database, leases: LeaseKeeper | None = None) -> None:
        self._db = db
        # The relay's own keeper: shorter than the shared default, since a chat waits while it runs out.
        self.leases = leases or LeaseKeeper(db, ttl=RELAY_LEASE_TTL_SECONDS, heartbeat=RELAY_HEARTBEAT_SECONDS)

    # --- the request -------------------------------------------------------------------------
    async def open(self, handoff: Handoff) -> bool:
        """Store a new waiting handoff; False when this conversation already has an active one."""
        changed = await self._db.execute(
            f"INSERT INTO handoffs ({_HANDOFF_COLUMNS}) VALUES ({', '.join(['?'] * 26)}) ON CONFLICT DO NOTHING",
            handoff.id, handoff.state.value, handoff.user_id, handoff.user_conversation_id, handoff.user_name,
            handoff.user_email, handoff.municipality, handoff.language, handoff.summary, handoff.category,
            json.dumps(handoff.context), handoff.requested_at, None, None, None, None, None, None, None, None,
            None, None, None, None, None, None,
        )
        return changed == 1

    async def get(self, handoff_id: str) -> Handoff | None:
        row = await self._db.fetch_one(f"SELECT {_HANDOFF_COLUMNS} FROM handoffs WHERE id = ?", handoff_id)
        return _handoff(row) if row else None

    async def active_for_conversation(self, conversation_id: str) -> Handoff | None:
        row = await self._db.fetch_one(
            f"SELECT {_HANDOFF_COLUMNS} FROM handoffs WHERE user_conversation_id = ? AND state IN (?, ?)",
            conversation_id, *ACTIVE,
        )
        return _handoff(row) if row else None

    async def by_thread(self, thread_id: str) -> Handoff | None:
        row = await self._db.fetch_one(f"SELECT {_HANDOFF_COLUMNS} FROM handoffs WHERE thread_id = ?", thread_id)
        return _handoff(row) if row else None

    async def posted(self, handoff_id: str, thread_id: str, card_activity_id: str) -> None:
        await self._db.execute(
            "UPDATE handoffs SET thread_id = ?, card_activity_id = ? WHERE id = ?", thread_id, card_activity_id, handoff_id
        )

    async def queue_position(self, handoff: Handoff) -> int:
        """1 for the first in the queue (oldest request; the id breaks ties)."""
        return await self._db.fetch_value(
            "SELECT COUNT(*) AS n FROM handoffs WHERE state = ? AND (requested_at < ? OR (requested_at = ? AND id <= ?))",
            HandoffState.WAITING.value, handoff.requested_at, handoff.requested_at, handoff.id,
        )

    # --- state changes: exactly one winner each ------------------------------------------------
    async def claim(self, handoff_id: str, agent_id: str, agent_name: str, agent_email: str, now: float) -> bool:
        return 1 == await self._db.execute(
            "UPDATE handoffs SET state = ?, agent_id = ?, agent_name = ?, agent_email = ?, claimed_at = ? "
            "WHERE id = ? AND state = ? AND agent_id IS NULL",
            HandoffState.CLAIMED.value, agent_id, agent_name, agent_email, now, handoff_id, HandoffState.WAITING.value,
        )

    async def transfer(self, handoff_id: str, from_agent_id: str, to_id: str, to_name: str, to_email: str,
                       now: float) -> bool:
        """Hand a running chat from one agent to another; False when it is no longer ``from_agent_id``'s."""
        return 1 == await self._db.execute(
            "UPDATE handoffs SET agent_id = ?, agent_name = ?, agent_email = ?, claimed_at = ? "
            "WHERE id = ? AND state = ? AND agent_id = ?",
            to_id, to_name, to_email, now, handoff_id, HandoffState.CLAIMED.value, from_agent_id,
        )

    async def requeue(self, handoff_id: str, from_agent_id: str) -> bool:
        """Put a running chat back in the queue (it keeps its place: the request time is unchanged)."""
        return 1 == await self._db.execute(
            "UPDATE handoffs SET state = ?, agent_id = NULL, agent_name = NULL, agent_email = NULL, claimed_at = NULL "
            "WHERE id = ? AND state = ? AND agent_id = ?",
            HandoffState.WAITING.value, handoff_id, HandoffState.CLAIMED.value, from_agent_id,
        )

    async def known_agents(self, since: float) -> list[tuple[str, str, str]]:
        """(id, name, e-mail) of everyone who has taken a chat since ``since``, by name."""
        rows = await self._db.fetch_all(
            "SELECT agent_id, MAX(agent_name) AS name, MAX(agent_email) AS email FROM handoffs "
            "WHERE agent_id IS NOT NULL AND claimed_at >= ? GROUP BY agent_id ORDER BY MAX(agent_name)",
            since,
        )
        return [(row["agent_id"], row["name"], row["email"]) for row in rows]

    async def leave_queue(self, handoff_id: str, state: HandoffState, now: float) -> bool:
        """Cancel (the user left), expire (Kundeservice closed) or fail (no card) a waiting handoff."""
        return 1 == await self._db.execute(
            "UPDATE handoffs SET state = ?, ended_at = ? WHERE id = ? AND state = ?",
            state.value, now, handoff_id, HandoffState.WAITING.value,
        )

    async def user_ended(self, handoff_id: str, now: float) -> bool:
        """The user ended a running chat; the agent now chooses how it is saved."""
        return 1 == await self._db.execute(
            "UPDATE handoffs SET state = ?, ended_by = ?, ended_at = ? WHERE id = ? AND state = ?",
            HandoffState.WRAPPING_UP.value, "user", now, handoff_id, HandoffState.CLAIMED.value,
        )

    async def close(self, handoff_id: str, resolved: bool, ended_by: str, now: float) -> bool:
        """End a running (or wrapping-up) chat; the transcript is then pending for the ticket desk."""
        return 1 == await self._db.execute(
            "UPDATE handoffs SET state = ?, resolved = ?, ended_by = COALESCE(ended_by, ?), "
            "ended_at = COALESCE(ended_at, ?), ticket_state = COALESCE(ticket_state, ?) WHERE id = ? AND state IN (?, ?)",
            HandoffState.CLOSED.value, int(resolved), ended_by, now, TicketState.PENDING.value, handoff_id,
            HandoffState.CLAIMED.value, HandoffState.WRAPPING_UP.value,
        )

    async def mark_timeout_notified(self, handoff_id: str, now: float) -> bool:
        return 1 == await self._db.execute(
            "UPDATE handoffs SET timeout_notified_at = ? WHERE id = ? AND state = ? AND timeout_notified_at IS NULL",
            now, handoff_id, HandoffState.WAITING.value,
        )

    async def ticket_filed(self, handoff_id: str, state: TicketState, number: str | None,
                           ticket_id: str | None = None) -> None:
        await self._db.execute(
            "UPDATE handoffs SET ticket_state = ?, ticket_number = ?, ticket_id = COALESCE(?, ticket_id) WHERE id = ?",
            state.value, number, ticket_id, handoff_id,
        )

    async def file_before_choice(self, handoff_id: str) -> bool:
        """The agent has not chosen in time: the transcript is to be filed now, as open (one winner)."""
        return 1 == await self._db.execute(
            "UPDATE handoffs SET ticket_state = ? WHERE id = ? AND state = ? AND ticket_state IS NULL",
            TicketState.PENDING.value, handoff_id, HandoffState.WRAPPING_UP.value,
        )

    async def tickets_in_outbox(self) -> list[Handoff]:
        """Ended chats whose transcript waits in the ticket outbox (queued, or refused and retried there)."""
        rows = await self._db.fetch_all(
            f"SELECT {_HANDOFF_COLUMNS} FROM handoffs WHERE state IN (?, ?) AND ticket_state IN (?, ?)",
            HandoffState.CLOSED.value, HandoffState.WRAPPING_UP.value, TicketState.QUEUED.value,
            TicketState.REFUSED.value,
        )
        return [_handoff(row) for row in rows]

    async def want_ticket_update(self, handoff_id: str, update: str | None) -> None:
        await self._db.execute("UPDATE handoffs SET ticket_update = ? WHERE id = ?", update, handoff_id)

    async def tickets_to_update(self) -> list[Handoff]:
        rows = await self._db.fetch_all(
            f"SELECT {_HANDOFF_COLUMNS} FROM handoffs WHERE ticket_update IS NOT NULL AND state = ?",
            HandoffState.CLOSED.value,
        )
        return [_handoff(row) for row in rows]

    # --- what the background job looks at ----------------------------------------------------
    async def in_state(self, state: HandoffState, *, requested_before: float | None = None) -> list[Handoff]:
        sql = f"SELECT {_HANDOFF_COLUMNS} FROM handoffs WHERE state = ?"
        args: list[Any] = [state.value]
        if requested_before is not None:
            sql += " AND requested_at <= ?"
            args.append(requested_before)
        rows = await self._db.fetch_all(sql + " ORDER BY requested_at, id", *args)
        return [_handoff(row) for row in rows]

    async def tickets_pending(self) -> list[Handoff]:
        rows = await self._db.fetch_all(
            f"SELECT {_HANDOFF_COLUMNS} FROM handoffs WHERE state IN (?, ?) AND ticket_state = ?",
            HandoffState.CLOSED.value, HandoffState.WRAPPING_UP.value, TicketState.PENDING.value,
        )
        return [_handoff(row) for row in rows]

    async def keep_users_held(self) -> int:
        """Refresh the dialog of every user in an active handoff, so a long wait or a quiet chat never
        lets it go idle (a user in a handoff must never get a bot answer). Only existing dialogs are
        touched: one the user ended with "avbryt" stays ended."""
        return await self._db.execute(
            "UPDATE dialogs SET updated_at = ? WHERE skill = 'handoff' AND conversation_id IN "
            "(SELECT user_conversation_id FROM handoffs WHERE state IN (?, ?))",
            time.time(), *ACTIVE,
        )

    # --- relayed messages ---------------------------------------------------------------------
    async def append(self, message: RelayMessage, source_activity_id: str) -> bool:
        """Give the message the handoff's next sequence number and store it undelivered. False when this
        activity was stored already (Teams delivered it twice) or the handoff is gone. Two statements,
        no transaction: a number lost to a crash in between leaves a harmless gap (order is what counts)."""
        seq = await self._db.fetch_value(
            "UPDATE handoffs SET next_seq = next_seq + 1 WHERE id = ? RETURNING next_seq", message.handoff_id
        )
        if seq is None:
            return False
        message.seq, message.id = seq, uuid.uuid4().hex
        return 1 == await self._db.execute(
            "INSERT INTO handoff_messages (id, handoff_id, seq, sender, sender_name, text, masked, attachments, "
            "source_activity_id, created_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (handoff_id, source_activity_id) DO NOTHING",
            message.id, message.handoff_id, seq, message.sender.value, message.sender_name, message.text,
            message.masked, json.dumps([item.as_json() for item in message.attachments]), source_activity_id,
            message.created_at, message.received_at,
        )

    async def append_event(self, handoff_id: str, text: str, now: float) -> None:
        """A line for the transcript (a transfer, a take-over), in sequence with the messages; never relayed."""
        seq = await self._db.fetch_value(
            "UPDATE handoffs SET next_seq = next_seq + 1 WHERE id = ? RETURNING next_seq", handoff_id
        )
        if seq is None:
            return
        await self._db.execute(
            "INSERT INTO handoff_messages (id, handoff_id, seq, sender, sender_name, text, masked, attachments, "
            "source_activity_id, created_at, received_at, delivered_at) VALUES (?, ?, ?, ?, ?, '', ?, '[]', ?, ?, ?, ?)",
            uuid.uuid4().hex, handoff_id, seq, Sender.EVENT.value, "Rakel", text, f"event-{uuid.uuid4().hex}", now,
            time.time(), time.time(),
        )

    async def undelivered(self, handoff_id: str, sender: Sender) -> list[RelayMessage]:
        rows = await self._db.fetch_all(
            "SELECT * FROM handoff_messages WHERE handoff_id = ? AND sender = ? AND delivered_at IS NULL "
            "AND failed = 0 ORDER BY seq",
            handoff_id, sender.value,
        )
        return [_message(row) for row in rows]

    async def stalled(self, older_than: float) -> list[tuple[str, Sender]]:
        """(handoff, direction) pairs with a message still undelivered after ``older_than`` (machine time)."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT handoff_id, sender FROM handoff_messages WHERE delivered_at IS NULL AND failed = 0 "
            "AND received_at < ?",
            older_than,
        )
        return [(row["handoff_id"], Sender(row["sender"])) for row in rows]

    async def mark_in_flight(self, message: RelayMessage) -> None:
        """Say a send has started (the idempotency mark): a process that finds it set and undelivered
        knows the channel may already have it."""
        await self._db.execute("UPDATE handoff_messages SET in_flight_since = ? WHERE id = ?", time.time(), message.id)

    async def delivered(self, message: RelayMessage, activity_id: str = "") -> None:
        """Mark it delivered with the id the channel gave it, and drop the unmasked text (the masked copy
        stays for the transcript)."""
        await self._db.execute(
            "UPDATE handoff_messages SET delivered_at = ?, text = '', sent_activity_id = ? WHERE id = ?",
            time.time(), activity_id, message.id,
        )

    async def delivery_failed(self, message: RelayMessage, *, give_up: bool) -> int:
        """Count a failed attempt; ``give_up`` marks it failed for good. Returns the attempts so far."""
        await self._db.execute(
            "UPDATE handoff_messages SET attempts = attempts + 1, failed = ?, text = CASE WHEN ? = 1 THEN '' "
            "ELSE text END WHERE id = ?",
            int(give_up), int(give_up), message.id,
        )
        return await self._db.fetch_value("SELECT attempts FROM handoff_messages WHERE id = ?", message.id)

    async def transcript(self, handoff_id: str) -> list[RelayMessage]:
        rows = await self._db.fetch_all("SELECT * FROM handoff_messages WHERE handoff_id = ? ORDER BY seq", handoff_id)
        return [_message(row) for row in rows]

    # --- who delivers each direction: a lease with heartbeats (store/leases.py) ---------------
    async def take_lease(self, handoff_id: str, sender: Sender) -> bool:
        """Become the one process (and task) delivering this direction of this handoff. A dead holder's
        lease is free ``RELAY_LEASE_TTL_SECONDS`` after its last heartbeat; a clean shutdown frees it at once."""
        return await self.leases.take(_lease_name(handoff_id, sender))

    def holds_lease(self, handoff_id: str, sender: Sender) -> bool:
        return self.leases.holds(_lease_name(handoff_id, sender))

    async def release_lease(self, handoff_id: str, sender: Sender) -> None:
        await self.leases.release(_lease_name(handoff_id, sender))

    async def release_lease_when_done(self, handoff_id: str, sender: Sender) -> bool:
        """Let go of the lease only if nothing waits in this direction (one atomic statement, so a
        message stored meanwhile is never left behind: either we see it, or its sender gets the lease)."""
        return await self.leases.release(
            _lease_name(handoff_id, sender),
            only_if="NOT EXISTS (SELECT 1 FROM handoff_messages WHERE handoff_id = ? AND sender = ? "
                    "AND delivered_at IS NULL AND failed = 0)",
            args=(handoff_id, sender.value),
        )

    async def hand_back_leases(self) -> None:
        """Shutdown: hand the relay leases back, so the next process relays at once."""
        await self.leases.close()
