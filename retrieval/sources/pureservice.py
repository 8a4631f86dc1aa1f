"""Resolved Pureservice tickets as documents for the knowledge index, masked, never the requester."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol

from connectors.pureservice.desk import PureserviceResolvedTicket
from core.settings import DEFAULT_MUNICIPALITY_DOMAINS, municipality_for
from retrieval.model import AUDIENCE_ALL, SourceDocument
from retrieval.sources.tickets import TicketSkipped, ticket_document

log = logging.getLogger(__name__)


class ResolvedTicketFeed(Protocol):
    def resolved_tickets(
        self, modified_since: datetime | None = None
    ) -> AsyncIterator[PureserviceResolvedTicket]: ...


class PureserviceTicketSource:
    """Every resolved or closed ticket with a solution, masked; a local fix scoped to the municipality
    of its requester's e-mail domain (``municipality_domains``).

    ``skipped`` lists (document id, reason) for the tickets the last run left out.
    """

    name = "pureservice"

    def __init__(
        self,
        feed: ResolvedTicketFeed,
        *,
        audience: str = AUDIENCE_ALL,
        municipality_domains: dict[str, str] = DEFAULT_MUNICIPALITY_DOMAINS,
    ) -> None:
        self._feed = feed
        self._audience = audience
        self._domains = municipality_domains
        self.skipped: list[tuple[str, str]] = []

    async def documents(self) -> AsyncIterator[SourceDocument]:
        self.skipped = []
        async for ticket in self._feed.resolved_tickets():
            try:
                yield ticket_document(
                    ticket,
                    ticket.people,
                    source=self.name,
                    audience=self._audience,
                    requester_municipality=municipality_for(ticket.requester_email, self._domains),
                )
            except TicketSkipped as skipped:
                log.info("pureservice ticket %s not indexed: %s", ticket.id, skipped.reason)
                self.skipped.append((f"{self.name}:{ticket.id}", skipped.reason))
