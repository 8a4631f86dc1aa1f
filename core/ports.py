"""The small interfaces that skills talk to. Production adapters and embedded defaults implement them.

A skill never imports aiohttp, msal, botbuilder or an SDK client; it gets the ports it uses in its
constructor (skills/catalog.py, from the adapters the composition root app.py built).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from core.register_fixes import suggested_fix


# --- LLM -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class LlmReply:
    text: str
    tool_calls: list[ToolCall] = field(default_factory=list)


class LlmError(Exception):
    """The LLM could not answer (timeout, HTTP error, refusal, malformed tool call)."""


class Llm(Protocol):
    async def chat(
        self,
        messages: list[dict[str, str]],
        *,
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        max_tokens: int = 600,
        timeout: float | None = None,
    ) -> LlmReply:
        """One chat completion. ``tools`` are OpenAI function-tool definitions with JSON schemas."""
        ...

    async def embed(self, texts: list[str]) -> list[list[float]]:
        """Embeddings for each text, in order. Raises LlmError when no embedding model is set."""
        ...


# --- Ticket desk (Pureservice or the local desk) ------------------------------------------
@dataclass
class TicketAttachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class TicketDraft:
    subject: str
    description: str
    category: str  # one of skills.tickets categories (e.g. "printing")
    priority: str  # "low" | "normal" | "high" | "critical"
    requester_email: str
    requester_name: str
    idempotency_key: str  # the same key never creates two tickets
    phone: str = ""
    attachments: list[TicketAttachment] = field(default_factory=list)
    ticket_type: str = ""  # "" = the desk's default type; else a key of RAKEL_PURESERVICE_TICKET_TYPES ("order")
    resolved: bool = False  # created as solved already (e.g. in a chat with Kundeservice); ``solution`` says how
    solution: str = ""


@dataclass(frozen=True)
class TicketSummary:
    id: str
    number: str  # what users see (Pureservice requestNumber)
    subject: str
    status: str
    is_open: bool
    updated: datetime
    url: str
    requester_email: str = ""
    on_behalf: bool = False  # filed under the fallback requester (the user is not known to the desk)


@dataclass(frozen=True)
class ResolvedTicket:
    """A finished ticket with the agent's solution, for the knowledge index (never the requester)."""

    id: str
    number: str
    subject: str
    problem: str  # description text (HTML removed), personal data NOT yet masked
    solution: str
    category: str
    resolved: datetime
    url: str
    requester_email: str = ""  # never indexed: it tells which municipality a local fix holds for


class TicketDeskError(Exception):
    """The desk could not do it. ``retryable`` is True for outages, 429 and timeouts."""

    reason = ""  # why, for the user: "setup", "unknown_requester", ... (see skills/tickets/texts.REASONS)

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


class TicketDesk(Protocol):
    async def create_ticket(
        self, draft: TicketDraft, *, sending: Callable[[], Awaitable[None]] | None = None
    ) -> TicketSummary:
        """Create it once per idempotency key. ``sending`` is awaited just before a create request leaves:
        from then on the ticket may be stored without an answer (a desk that creates atomically never calls it)."""
        ...

    async def find_ticket(self, idempotency_key: str) -> TicketSummary | None:
        """The ticket created with this key, if the desk has one."""
        ...

    async def tickets_for(self, requester_email: str, filed_for: Sequence[str] = ()) -> list[TicketSummary]:
        """Open and recently closed tickets of this requester, newest first; ``filed_for``: ids of
        tickets Rakel filed for them under the fallback requester (Rakel's own record)."""
        ...

    async def add_note(self, ticket_id: str, text: str) -> None: ...

    async def resolve_ticket(self, ticket_id: str, solution: str) -> None:
        """Mark an existing ticket resolved with this solution (e.g. a chat saved as open first)."""
        ...

    async def check(self) -> None:
        """Raise when the desk is unreachable (used by /readyz)."""
        ...


@dataclass(frozen=True)
class TicketSubmission:
    """What became of a submitted draft: created now, or queued in the outbox (sent when the desk is back)."""

    ticket: TicketSummary | None
    queued: bool


@dataclass(frozen=True)
class FilingState:
    """Where a submitted draft is now: created (``ticket``), refused by the desk (``refused``: why; the
    outbox keeps it and tries again), or still queued (neither)."""

    ticket: TicketSummary | None = None
    refused: str = ""


class TicketSubmitter(Protocol):
    """Files tickets for any skill, with nothing lost or doubled (idempotency key + persistent outbox)."""

    async def submit(self, draft: TicketDraft, *, notify_user_id: str | None = None) -> TicketSubmission:
        """Create the ticket, or queue it when the desk is down; a queued ticket's number is sent to
        ``notify_user_id`` when it is created (also after a restart)."""
        ...

    async def state(self, idempotency_key: str) -> FilingState | None:
        """What became of the draft with this key since it was submitted (None: never submitted)."""
        ...


# --- Files users send (screenshots in Teams), fetched for tickets (issue 5) ----------------
@dataclass(frozen=True)
class FetchedFile:
    data: bytes
    content_type: str


class FileTooLarge(Exception):
    """The file is bigger than the caller accepts; nothing more was downloaded."""


class FileUnavailable(Exception):
    """The file could not be fetched (expired link, refused, network error, timeout)."""


class FileFetcher(Protocol):
    async def fetch(self, url: str, *, max_bytes: int) -> FetchedFile:
        """Download a file a user sent. Raises FileTooLarge or FileUnavailable."""
        ...


# --- Proactive messages ---------------------------------------------------------------------
class UserNotReachable(Exception):
    """No stored conversation with this user (never opened Rakel, or uninstalled it)."""


class DeliveryError(Exception):
    """The channel refused or failed a message (after the connector's own retries)."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class PostedMessage:
    conversation_id: str  # for a channel post: the thread ("19:...;messageid=...")
    activity_id: str


class Messenger(Protocol):
    """Messages Rakel starts itself. ``reply`` is a ``core.messages.Reply``."""

    async def send_to_user(self, user_id: str, reply: Any) -> str:
        """Send to a user's 1:1 chat; return the activity id. Raises UserNotReachable, DeliveryError."""
        ...

    async def start_thread(self, channel_id: str, reply: Any) -> PostedMessage:
        """Post a new message (a new thread) in a Teams channel, e.g. Kundeservice's."""
        ...

    async def send_to_conversation(self, conversation_id: str, reply: Any) -> str:
        """Send into a known conversation or channel thread; return the activity id."""
        ...

    async def update_message(self, conversation_id: str, activity_id: str, reply: Any) -> None:
        """Replace a message Rakel sent earlier (e.g. a card whose state changed)."""
        ...

    async def open_conversation(self, user_id: str) -> None:
        """Create (or find) the 1:1 chat with a user by AAD object id and remember its reference, so
        ``send_to_user`` reaches someone who never opened Rakel. Installs Rakel for the user through
        Graph first when Teams says it is missing and that is configured. Raises UserNotReachable
        (not installed and cannot be), DeliveryError."""
        ...


# === PC replacement: device inventory and directory (issue 7) ==============================
# The asset register (CSV, or Intune through Graph) and the people in it (Entra ID, or the
# register's own columns). Skills read these; connectors/inventory implements them.
class DeviceStatus(StrEnum):
    IN_USE = "in_use"
    ORDERED = "ordered"  # a replacement is already ordered
    APPROVED = "approved"  # ... and approved
    RETIRED = "retired"  # handed in, scrapped, wiped


@dataclass(frozen=True)
class Person:
    """Someone in the directory."""

    id: str  # AAD object id; "" when the source does not know it
    upn: str  # lower case
    name: str
    active: bool = True  # False: has left, or the account is disabled
    department: str = ""
    municipality: str | None = None
    manager: Person | None = None


@dataclass(frozen=True)
class Device:
    id: str
    serial: str
    model: str
    purchased: date | None  # the age comes from this date (purchase, or enrolment in Intune)
    user_upn: str  # lower case; "" for a device without a user
    municipality: str | None
    department: str = ""
    manager_upn: str = ""  # as the register says; the directory may know better
    status: DeviceStatus = DeviceStatus.IN_USE
    user_id: str = ""  # AAD object id when the source has it
    source_row: int = 0  # line in the register file; 0 when the source has no lines


@dataclass(frozen=True)
class InventoryProblem:
    """One row the register got wrong, for the operator's list. Never fatal for the rest."""

    row: int  # line in the source file; 0 when the source has no lines
    device: str  # the device as the source names it (id or serial)
    code: str  # machine-readable, e.g. "bad_date", "duplicate_serial", "user_left"
    detail: str  # Norwegian, for the operator
    skipped: bool  # True: the row is not used; False: a warning
    municipality: str | None = None  # when the row tells
    serial: str = ""  # the PC's serial number, when the row has one

    @property
    def fix(self) -> str:
        """What the asset owner should do (Norwegian)."""
        return suggested_fix(self.code)


@dataclass
class InventorySnapshot:
    devices: list[Device]
    problems: list[InventoryProblem]
    source: str  # where it came from, for reports ("demo/inventory.csv", "Intune")


class InventoryError(Exception):
    """The inventory or directory could not be read at all (file missing, bad header, Graph down)."""


class DeviceInventory(Protocol):
    async def snapshot(self) -> InventorySnapshot:
        """Every device in the register, parsed, with the problems found."""
        ...

    async def devices_of(self, user_id: str, upn: str) -> list[Device]:
        """The devices registered to one user (by AAD object id or UPN)."""
        ...


class Directory(Protocol):
    async def person(self, key: str) -> Person | None:
        """One person by AAD object id or UPN, with their manager; None when unknown."""
        ...

    async def people(self, keys: Iterable[str]) -> dict[str, Person]:
        """Many people at once, by the keys given (UPNs lower case); unknown keys are left out."""
        ...


class AppInstaller(Protocol):
    async def install_for(self, user_id: str) -> None:
        """Install Rakel for a user (personal scope), so a 1:1 chat can be created. Idempotent."""
        ...
