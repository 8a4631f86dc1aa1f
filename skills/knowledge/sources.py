"""How a search hit is shown to a user: a citation title (never empty), its link and a short snippet."""

from __future__ import annotations

from core.language import Language
from core.messages import Citation
from retrieval.model import Chunk
from retrieval.text import plain_text
from skills.knowledge.answer_texts import FROM_EARLIER_CASE

TICKET_SOURCES = frozenset({"pureservice"})  # resolved tickets: shown anonymised, never linked
SNIPPET_CHARS = 200


def source_title(chunk: Chunk, language: Language) -> str:
    title = chunk.title.strip() or chunk.document_id
    if chunk.source in TICKET_SOURCES:
        return f"{FROM_EARLIER_CASE(language)}: {title}"
    return title


def source_url(chunk: Chunk) -> str:
    return "" if chunk.source in TICKET_SOURCES else chunk.url


def citation(chunk: Chunk, language: Language) -> Citation:
    return Citation(title=source_title(chunk, language), url=source_url(chunk), snippet=snippet(chunk.text))


def snippet(markdown: str, limit: int = SNIPPET_CHARS) -> str:
    text = " ".join(plain_text(markdown).split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit] + "…"
