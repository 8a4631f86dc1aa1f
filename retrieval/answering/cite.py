"""The cite step: how a search hit is shown to a user: a citation title (never empty), its link,
the text an answer quotes and a short snippet.

A resolved ticket is someone else's case: it is cited by its subject, marked as an earlier resolved
case (anonymised), never linked, and an answer quotes its solution (the agent's fix), never the
requester's own description of the problem.
"""

from __future__ import annotations

from core.language import Language
from core.messages import Citation
from retrieval.answering.texts import EARLIER_CASE
from retrieval.injection import is_planted, without_planted
from retrieval.model import TICKET_SOURCES, Chunk
from retrieval.sources.tickets import ticket_solution
from retrieval.text import plain_text

SNIPPET_CHARS = 200


def is_ticket(chunk: Chunk) -> bool:
    return chunk.source in TICKET_SOURCES


def page_title(chunk: Chunk) -> str:
    """The page's own title (a ticket's subject), never empty, never planted (ingest leaves a planted
    title out; an index filled another way is screened here too): else the page's id."""
    title = chunk.title.strip()
    return title if title and not is_planted(title) else chunk.document_id


def source_title(chunk: Chunk, language: Language) -> str:
    """The title a citation shows: the page title, or "Tidligere løst sak (anonymisert): <subject>"."""
    if is_ticket(chunk):
        return EARLIER_CASE(language, title=page_title(chunk))
    return page_title(chunk)


def source_url(chunk: Chunk) -> str:
    return "" if is_ticket(chunk) else chunk.url


def quote(chunk: Chunk) -> str:
    """The text an answer quotes: a ticket's solution ("" for a piece holding only the problem), or
    the whole chunk; never a planted instruction (ingest leaves them out; an index filled another
    way is screened here too)."""
    text = ticket_solution(chunk.text, chunk.heading_path) if is_ticket(chunk) else chunk.text
    return without_planted(text).text.strip()


def citation(chunk: Chunk, language: Language) -> Citation:
    return Citation(title=source_title(chunk, language), url=source_url(chunk), snippet=snippet(quote(chunk)))


def snippet(markdown: str, limit: int = SNIPPET_CHARS) -> str:
    text = " ".join(plain_text(markdown).split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit] + "…"
