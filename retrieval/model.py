"""The types every part of retrieval shares: documents from a source, chunks in an index, hits.

Audience: each document is for ``all`` employees, for one municipality (its key, e.g. ``molde``), or
for ROR-IKT's own staff (``ror-ikt``, which is also the staff's "municipality"). A user may see the
audiences in ``AudienceScope.allowed``; indexes apply that filter inside the query itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

AUDIENCE_ALL = "all"
AUDIENCE_STAFF = "ror-ikt"  # ROR-IKT's own staff (RAKEL_STAFF_MUNICIPALITY's default)
TICKET_SOURCES = frozenset({"pureservice"})  # resolved tickets: someone else's case, shown anonymised, never linked


@dataclass(frozen=True)
class AudienceScope:
    municipality: str | None  # None: unknown user, sees only pages for all

    @property
    def allowed(self) -> tuple[str, ...]:
        return (AUDIENCE_ALL,) if not self.municipality else (AUDIENCE_ALL, self.municipality)


@dataclass
class SourceDocument:
    """One page, document or resolved ticket as a source yields it, before chunking."""

    id: str  # stable across runs, e.g. "kompetanseportalen:bytte-passord"
    source: str  # "kompetanseportalen" | "intranet" | "pureservice" | "local"
    url: str
    title: str
    body: str  # plain text or Markdown, personal data already masked for tickets
    body_format: str = "markdown"  # "markdown" | "html" | "text"
    audience: str = AUDIENCE_ALL
    updated: datetime | None = None
    version: str = ""  # changes whenever the content changes (hash or modified stamp)


@dataclass
class Chunk:
    id: str  # f"{document_id}#{n}"
    document_id: str
    source: str
    url: str
    title: str
    heading_path: list[str]
    text: str
    audience: str
    updated: datetime | None = None
    vector: list[float] | None = None


@dataclass(frozen=True)
class SearchHit:
    chunk: Chunk
    score: float  # backend-specific relevance, higher is better
    lexical_rank: int | None = None
    vector_rank: int | None = None
    evidence: float | None = None  # 0..1: how much of the question the chunk covers, where the backend can tell
    # 0..1: the calibrated probability that this hit answers the question (the best hit, where the
    # backend can tell; see retrieval.confidence), and the signals it was computed from
    confidence: float | None = None
    signals: Mapping[str, float] | None = None


@dataclass
class IngestSummary:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (document id, reason)
    # (document id, what was left out): paragraphs addressed to an assistant, for the page's owner
    flagged: list[tuple[str, str]] = field(default_factory=list)


class DocumentSource(Protocol):
    name: str

    def documents(self) -> AsyncIterator[SourceDocument]:
        """Every current document (sources may skip unchanged ones cheaply via ``version``)."""
        ...


class SearchIndex(Protocol):
    async def versions(self, source: str) -> dict[str, str]:
        """document id -> version for every document of this source in the index."""
        ...

    async def upsert(self, document: SourceDocument, chunks: list[Chunk]) -> None: ...

    async def delete(self, document_ids: list[str]) -> None: ...

    async def search(
        self, query: str, scope: AudienceScope, *, top: int = 5, vector: list[float] | None = None
    ) -> list[SearchHit]:
        """Best chunks for the query among the audiences the scope allows (filter in the query)."""
        ...
