"""Turn a resolved ticket into a document for the knowledge index, with personal data masked.

Shared by every ticket source (Pureservice, the local JSON export). Only the problem and the
solution are indexed, never the requester; a ticket whose masking is unsure is skipped, because a
leaked fødselsnummer or name costs far more than one missing example.
"""

from __future__ import annotations

import hashlib
from typing import Iterable

from core.pii import mask_personal_data
from core.ports import ResolvedTicket
from retrieval.model import AUDIENCE_ALL, SourceDocument

PROBLEM_HEADING = "Problem"
SOLUTION_HEADING = "Løsning"
CATEGORY_LABEL = "Kategori"


class TicketSkipped(Exception):
    """This ticket must not be indexed; ``reason`` says why (shown in the ingest summary)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def ticket_document(
    ticket: ResolvedTicket,
    known_names: Iterable[str] = (),
    *,
    source: str = "pureservice",
    audience: str = AUDIENCE_ALL,
) -> SourceDocument:
    """The masked document for a ticket, id ``<source>:<ticket id>``; raise TicketSkipped if unsafe or empty.

    ``known_names`` are the people on the ticket (requester, agents): masked wherever they appear.
    """
    names = tuple(known_names)
    if not ticket.solution.strip():
        raise TicketSkipped("no solution")
    parts = {
        "subject": mask_personal_data(ticket.subject, names),
        "problem": mask_personal_data(ticket.problem, names),
        "solution": mask_personal_data(ticket.solution, names),
    }
    unsure = [field for field, result in parts.items() if result.uncertain]
    if unsure:
        raise TicketSkipped(f"uncertain personal data in {', '.join(unsure)}")

    title = parts["subject"].text.strip() or f"Sak {ticket.number}"
    lines = [f"# {title}", ""]
    if ticket.category:
        lines += [f"{CATEGORY_LABEL}: {ticket.category}", ""]
    lines += [f"## {PROBLEM_HEADING}", "", parts["problem"].text.strip(), ""]
    lines += [f"## {SOLUTION_HEADING}", "", parts["solution"].text.strip(), ""]
    body = "\n".join(lines)
    return SourceDocument(
        id=f"{source}:{ticket.id}",
        source=source,
        url="",  # never a link: the ticket is someone else's case, whatever the audience
        title=title,
        body=body,
        body_format="markdown",
        audience=audience,
        updated=ticket.resolved,
        version=hashlib.sha256(body.encode("utf-8")).hexdigest()[:16],
    )
