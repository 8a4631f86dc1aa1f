"""Everything a skill may use, built once at start-up from settings (see bot/composition.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable

from analytics.events import EventSink
from core.ports import DeviceInventory, Directory, FileFetcher, Llm, Messenger, TicketDesk, TicketSubmitter
from core.settings import Settings
from store.store import Store

if TYPE_CHECKING:
    from retrieval.answering.pipeline import Answerer


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Services:
    settings: Settings
    store: Store
    messenger: Messenger
    events: EventSink  # analytics: what happened, for the monthly report (issue 13)
    llm: Llm | None = None
    answerer: "Answerer | None" = None  # the knowledge index and answering (issue 4)
    ticket_desk: TicketDesk | None = None  # Pureservice, or the local desk (issue 5)
    tickets: TicketSubmitter | None = None  # the outbox-backed way every skill files a ticket (issue 5)
    files: FileFetcher | None = None  # downloads the screenshots users send, for tickets (issue 5)
    inventory: DeviceInventory | None = None  # PCs: the CSV register or Intune (issue 7)
    directory: Directory | None = None  # people and their leaders: the register or Entra ID (issue 7)
    clock: Callable[[], datetime] = field(default=utc_now)
