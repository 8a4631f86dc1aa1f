"""Pureservice, ROR-IKT's case system, through its REST API (shapes: shared/notes/pureservice-api.md)."""

from connectors.pureservice.client import Page, PureserviceClient
from connectors.pureservice.desk import (
    DeskNames,
    PureserviceResolvedTicket,
    PureserviceTicketDesk,
    ticket_url,
)

__all__ = [
    "DeskNames",
    "Page",
    "PureserviceClient",
    "PureserviceResolvedTicket",
    "PureserviceTicketDesk",
    "ticket_url",
]
