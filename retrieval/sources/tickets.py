"""Turn a resolved ticket into a document for the knowledge index, with personal data masked.

Shared by every ticket source (Pureservice, the local JSON export). Only the problem and the
solution are indexed, never the requester; a ticket whose masking is unsure is skipped, because a
leaked fødselsnummer or name costs far more than one missing example.

The problem (the requester's own words) is there to be found by people describing the same symptom;
the solution (the agent's fix) is what an answer quotes (``ticket_solution``). A fix that holds only in one place (a network, printer, room or group of one municipality,
``retrieval.locality``) gets that municipality as its audience, so only its employees are shown it; a
local fix whose municipality is unknown is kept for ROR-IKT's staff. The problem is cut to
``MAX_PROBLEM_CHARS``: the symptom comes first, the rest is mostly greetings and signatures, and a
short problem is chunked together with its solution, so every chunk found holds the fix.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from core.pii import mask_personal_data
from core.ports import ResolvedTicket
from retrieval.chunking import MIN_SECTION_CHARS
from retrieval.locality import local_municipality
from retrieval.model import AUDIENCE_ALL, AUDIENCE_STAFF, SourceDocument

PROBLEM_HEADING = "Problem"
SOLUTION_HEADING = "Løsning"
CATEGORY_LABEL = "Kategori"
# Below the size at which chunking keeps a section apart, with room for the category line.
MAX_PROBLEM_CHARS = MIN_SECTION_CHARS - 100


def _lead(heading: str) -> re.Pattern[str]:
    """The line that opens a section in a chunk: its heading, or the bold line chunking puts there."""
    return re.compile(rf"^(?:#+\s*|\*\*){re.escape(heading)}(?:\*\*)?\s*$", re.MULTILINE)


_PROBLEM_LEAD = _lead(PROBLEM_HEADING)
_SOLUTION_LEAD = _lead(SOLUTION_HEADING)


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
    requester_municipality: str | None = None,
) -> SourceDocument:
    """The masked document for a ticket, id ``<source>:<ticket id>``; raise TicketSkipped if unsafe or empty.

    ``known_names`` are the people on the ticket (requester, agents): masked wherever they appear.
    ``audience`` is for a general fix; a local one is scoped to its municipality (see the module doc).
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
    lines += [f"## {PROBLEM_HEADING}", "", _shortened(parts["problem"].text.strip(), MAX_PROBLEM_CHARS), ""]
    lines += [f"## {SOLUTION_HEADING}", "", parts["solution"].text.strip(), ""]
    body = "\n".join(lines)
    local = local_municipality(parts["solution"].text, requester_municipality)
    if local is not None:
        audience = local or AUDIENCE_STAFF
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


def ticket_solution(text: str, heading_path: list[str]) -> str:
    """The solution in a chunk of a ticket document: what follows its "Løsning" heading, the whole
    chunk when it is a piece of a long solution, and "" when it holds only the problem (a solution
    too long to share a chunk with it)."""
    section = heading_path[-1] if heading_path else ""
    if section == SOLUTION_HEADING:
        return text.strip()
    if lead := _SOLUTION_LEAD.search(text):
        return text[lead.end() :].strip()
    return "" if section == PROBLEM_HEADING or _PROBLEM_LEAD.search(text) else text.strip()


def ticket_problem(text: str, heading_path: list[str]) -> str:
    """The problem in a chunk of a ticket document (what precedes its "Løsning"), "" in a piece of the
    solution alone: what a question must match for the ticket to answer it."""
    section = heading_path[-1] if heading_path else ""
    if section == SOLUTION_HEADING:
        return ""
    if lead := _SOLUTION_LEAD.search(text):
        return text[: lead.start()].strip()
    return text.strip() if section == PROBLEM_HEADING or _PROBLEM_LEAD.search(text) else ""


def _shortened(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit].rstrip(" ,.;:") + " …"
