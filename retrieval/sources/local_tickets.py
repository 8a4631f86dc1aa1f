"""Resolved tickets from a Pureservice JSON export (the demo's stand-in for the live API).

The file has the API's shape: ``{"tickets": [...], "linked": {"users": [...], "statuses": [...],
"communications": [...]}}``. Only finished tickets are read (status named Løst or Lukket, or
``coreStatus`` of 50 and above); each goes through ``ticket_document``, which masks personal data
with the names of everyone on the ticket and refuses tickets whose masking is unsure.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.ports import ResolvedTicket
from core.settings import DEFAULT_MUNICIPALITY_DOMAINS, municipality_for
from retrieval.model import SourceDocument
from retrieval.sources.tickets import TicketSkipped, ticket_document
from retrieval.text import html_to_markdown

FINISHED_STATUS_NAMES = frozenset({"løst", "lukket"})
FINISHED_CORE_STATUS = 50
SOLUTION_COMMUNICATION_TYPES = frozenset({4, 50})

Row = dict[str, Any]


class LocalTicketSource:
    """Reads the export on every run; the document version (a hash of the masked text) spots changes."""

    def __init__(
        self, path: Path, *, name: str = "pureservice", municipality_domains: dict[str, str] = DEFAULT_MUNICIPALITY_DOMAINS
    ) -> None:
        self.name = name
        self.path = path
        self._domains = municipality_domains
        self.skipped: list[tuple[str, str]] = []

    async def documents(self) -> AsyncIterator[SourceDocument]:
        self.skipped = []
        if not self.path.is_file():
            return
        export = json.loads(self.path.read_text(encoding="utf-8"))
        for ticket, people in resolved_tickets(export):
            try:
                municipality = municipality_for(ticket.requester_email, self._domains)
                yield ticket_document(ticket, people, source=self.name, requester_municipality=municipality)
            except TicketSkipped as skip:
                self.skipped.append((f"{self.name}:{ticket.id}", skip.reason))


def resolved_tickets(export: Row) -> Iterator[tuple[ResolvedTicket, tuple[str, ...]]]:
    """The finished tickets of an export with the names of the people on each (requester, agents)."""
    linked = export.get("linked", {})
    statuses = _by_id(linked.get("statuses", []))
    users = _by_id(linked.get("users", []))
    addresses = _by_id(linked.get("emailaddresses", []))
    communications = linked.get("communications", [])
    for ticket in export.get("tickets", []):
        if not is_finished(statuses.get(_link_id(ticket, "status"), {})):
            continue
        notes = [note for note in communications if note.get("ticketId") == ticket.get("id")]
        people_ids = [
            _link_id(ticket, "user"),
            _link_id(ticket, "assignedAgent"),
            *(note.get("senderId") for note in notes),
        ]
        people = tuple(dict.fromkeys(name for uid in people_ids for name in _names(users.get(uid))))
        yield (
            ResolvedTicket(
                id=str(ticket["id"]),
                number=str(ticket.get("requestNumber", ticket["id"])),
                subject=ticket.get("subject", ""),
                problem=_text(ticket.get("description")),
                solution=_text(ticket.get("solution")) or _solution_note(notes),
                category=str(ticket.get("category", "") or ""),
                resolved=_timestamp(ticket.get("resolved") or ticket.get("modified") or ticket.get("created")),
                url="",  # a ticket is never linked for another user: it is someone else's case
                requester_email=_email(users.get(_link_id(ticket, "user")), addresses),
            ),
            people,
        )


def is_finished(status: Row) -> bool:
    return (
        str(status.get("name", "")).strip().casefold() in FINISHED_STATUS_NAMES
        or int(status.get("coreStatus") or 0) >= FINISHED_CORE_STATUS
    )


def _by_id(rows: list[Row]) -> dict[Any, Row]:
    return {row["id"]: row for row in rows if "id" in row}


def _link_id(ticket: Row, relation: str) -> Any:
    """A to-one relation's id, from the flat ``<relation>Id`` field or ``links.<relation>.id``."""
    flat = ticket.get(f"{relation}Id")
    if flat is not None:
        return flat
    return (ticket.get("links", {}).get(relation) or {}).get("id")


def _names(user: Row | None) -> Iterator[str]:
    if not user:
        return
    full = " ".join(part for part in (user.get("firstName"), user.get("lastName")) if part)
    for name in (full, user.get("fullName"), user.get("displayName")):
        if name:
            yield str(name)


def _email(user: Row | None, addresses: dict[Any, Row]) -> str:
    return str(addresses.get((user or {}).get("emailAddressId"), {}).get("email") or "")


def _solution_note(notes: list[Row]) -> str:
    solutions = [note for note in notes if note.get("type") in SOLUTION_COMMUNICATION_TYPES]
    if not solutions:
        return ""
    return _text(max(solutions, key=lambda note: note.get("created", "")).get("text"))


def _text(value: str | None) -> str:
    return html_to_markdown(value) if value else ""


def _timestamp(value: str | None) -> datetime:
    if not value:
        return datetime.fromtimestamp(0, UTC)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
