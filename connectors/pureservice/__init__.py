"""Pureservice, ROR-IKT's case system, through its REST API (shapes: shared/notes/pureservice-api.md)."""

from __future__ import annotations

from connectors.pureservice.client import Page, PureserviceClient
from connectors.pureservice.desk import (
    PureserviceResolvedTicket,
    PureserviceTicketDesk,
    ticket_url,
)
from connectors.pureservice.names import DeskNames
from core.lifecycle import Lifecycle
from core.settings import Settings

__all__ = [
    "DeskNames",
    "Page",
    "PureserviceClient",
    "PureserviceResolvedTicket",
    "PureserviceTicketDesk",
    "build",
    "ticket_url",
]


def build(settings: Settings, life: Lifecycle) -> PureserviceTicketDesk | None:
    """The Pureservice desk when ``RAKEL_PURESERVICE_URL`` is set (else None: the local desk is used)."""
    if not settings.pureservice_url:
        return None
    desk = PureserviceTicketDesk.from_settings(settings)
    life.closes(desk.close)
    life.checks("pureservice", desk.check)
    life.verifies(desk.verify_names)
    return desk
