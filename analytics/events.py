"""What an analytics event is: one thing that happened on a turn, about one pseudonymous user.

An event never holds a name, an e-mail address, an AAD id or any free text: the user is a keyed hash
(``Pseudonyms``), and the rest are codes (outcome, intent, skill, ticket category) and the sources an
answer cited. The question behind an unanswered or thumbed-down answer, and feedback comments, are
kept masked in a separate, shorter-lived table for the content-gap analysis (see ``QuestionText``).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from core.pii import MaskedText


class Outcome(StrEnum):
    ANSWERED = "answered"  # a confident answer with sources
    ABSTAINED = "abstained"  # no sure answer: Rakel said so and offered a ticket or a person
    CLARIFIED = "clarified"  # Rakel asked back instead of guessing
    TICKET_CREATED = "ticket_created"
    HANDOFF_OPENED = "handoff_opened"
    HANDOFF_CLOSED = "handoff_closed"  # asked for a person while Kundeservice was closed
    HANDOFF_TAKEN = "handoff_taken"  # an agent took it (``seconds``: time to claim)
    HANDOFF_ENDED = "handoff_ended"  # the chat ended (``seconds``: how long it lasted)
    PC_ORDER = "pc_order"
    FEEDBACK_UP = "feedback_up"
    FEEDBACK_DOWN = "feedback_down"
    COMMENT = "comment"  # free feedback about Rakel
    ERROR = "error"
    HANDLED = "handled"  # anything else a turn did (greeting, help, my tickets, a dialog step, ...)


KNOWLEDGE_OUTCOMES = frozenset({Outcome.ANSWERED, Outcome.ABSTAINED, Outcome.CLARIFIED})
ESCALATIONS = frozenset({Outcome.TICKET_CREATED, Outcome.HANDOFF_OPENED})
RATINGS = frozenset({Outcome.FEEDBACK_UP, Outcome.FEEDBACK_DOWN})


class Kind(StrEnum):
    """Where an event came from. Only the user's own turns make conversations and active users."""

    MESSAGE = "message"
    DIALOG = "dialog"  # a message while a skill held the conversation
    ACTION = "action"  # a card button
    INSTALL = "install"
    SYSTEM = "system"  # about a user, but not their turn (an agent took their handoff, a chat ended)


USER_KINDS = frozenset({Kind.MESSAGE, Kind.DIALOG, Kind.ACTION})


@dataclass(frozen=True)
class Note:
    """What a skill says happened on a turn (``turn.note(...)``)."""

    outcome: Outcome
    sources: tuple[str, ...] = ()
    category: str = ""  # ticket or handoff category code
    seconds: float | None = None
    question: MaskedText = MaskedText("")  # abstained / thumbed down: for content gaps, never in the event
    comment: MaskedText = MaskedText("")  # a feedback comment, never in the event


@dataclass(frozen=True)
class Subject:
    """Whom an event is about. ``user_id`` is hashed before anything is kept."""

    user_id: str
    municipality: str
    language: str


@dataclass(frozen=True, slots=True)
class Event:
    at: float  # Unix time
    user_key: str
    municipality: str
    language: str
    kind: str
    intent: str
    skill: str
    outcome: str
    category: str = ""
    seconds: float | None = None
    sources: tuple[str, ...] = ()
    month: int = 0  # the local month, e.g. 202611


def local_month(at: float, zone: ZoneInfo) -> int:
    moment = datetime.fromtimestamp(at, zone)
    return moment.year * 100 + moment.month


class TextKind(StrEnum):
    UNANSWERED = "unanswered"
    DISLIKED = "disliked"
    COMMENT = "comment"


@dataclass(frozen=True, slots=True)
class QuestionText:
    """A masked question or comment for the content-gap analysis (its own table and retention)."""

    at: float
    user_key: str
    municipality: str
    kind: str
    text: str


class EventSink(Protocol):
    """Where skills and the dispatcher put events; cheap enough to call on every turn."""

    def record(self, subject: Subject, note: Note, *, kind: Kind = Kind.SYSTEM, intent: str = "",
               skill: str = "") -> None: ...


class Pseudonyms:
    """A user's key: HMAC-SHA256 of the user id under a secret key (the setting), 80 bits in hex.

    The same user always gets the same key (so conversations and active users can be counted), and
    without the secret nobody can tell whose key it is, not even from a list of employees' ids."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the analytics key must not be empty")
        self._secret = secret.encode()

    def key_of(self, user_id: str) -> str:
        return hmac.new(self._secret, user_id.encode(), hashlib.sha256).hexdigest()[:20]
