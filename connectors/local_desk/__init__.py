"""The local ticket desk (the embedded default when no Pureservice is configured): tickets in Rakel's own
database, each new one announced as a card in Kundeservice's Teams channel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from connectors.local_desk.announcing import AnnouncingLocalDesk
from connectors.local_desk.repository import STATUSES, LocalTicket, LocalTicketDesk
from core.lifecycle import Lifecycle
from core.ports import Messenger
from core.settings import Settings
from store.database import Database
from store.leases import LeaseKeeper

__all__ = ["STATUSES", "AnnouncingLocalDesk", "LocalTicket", "LocalTicketDesk", "build"]


def build(
    settings: Settings,
    life: Lifecycle,
    db: Database,
    leases: LeaseKeeper,
    messenger: Messenger,
    *,
    card: Callable[[LocalTicket], dict[str, Any]],
    clock: Callable[[], datetime],
) -> AnnouncingLocalDesk:
    """The desk, announcing in ``RAKEL_KUNDESERVICE_CONVERSATION_ID`` when it is set (``card`` draws a ticket)."""
    desk = AnnouncingLocalDesk(
        LocalTicketDesk(db, leases), messenger, settings.kundeservice_conversation_id, card, clock,
        interval=5 * settings.tickets_worker_interval_seconds, retry_seconds=settings.tickets_retry_initial_seconds,
    )
    if desk.announces:
        life.runs("tickets:announce", desk.run)
    return desk
