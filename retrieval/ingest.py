"""Incremental ingestion: bring the index in line with its sources, doing work only for what changed.

Per source: the index's versions are read first; a document whose version is unchanged is counted
and left alone (no chunking, no embedding, no write); a new or changed one is chunked, embedded when
an embedder is given, and upserted; a document the source no longer yields is deleted. A source
yields documents whose ``source`` is the source's own ``name``: that is how the index knows whose
documents to compare and delete.

Before chunking, paragraphs addressed to an assistant (planted instructions, ``retrieval.injection``)
are left out and listed in ``IngestSummary.flagged`` for the page's owner; they never reach the index.
Then a person's data a page carries (fødselsnummer, a private phone number or e-mail address and the
name beside it, ``core.pii_pages``) is masked, and the summary says how much; tickets arrive masked.
The title (a page's front matter or first heading, a ticket's subject) is screened and masked with
the body: it is shown in every citation.

A source that fails part-way deletes nothing (it has not shown everything it has). A document that
cannot be embedded keeps its old version in the index and is tried again next run; a document the
source itself skipped (e.g. a ticket whose masking was unsure) is removed from the index.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import replace
from typing import Protocol, runtime_checkable

from rich.progress import Progress

from core.pii_pages import mask_page
from core.ports import Llm, LlmError
from retrieval.chunking import chunk_document
from retrieval.injection import report, without_planted
from retrieval.model import Chunk, DocumentSource, IngestSummary, SearchIndex, SourceDocument
from retrieval.text import document_markdown, plain_text

log = logging.getLogger(__name__)
SOURCE_FAILED = "source failed"  # the start of the reason recorded for a source that broke off


@runtime_checkable
class ReportsSkips(Protocol):
    """A source that drops some of its items says which and why after each run of ``documents()``."""

    skipped: list[tuple[str, str]]


@runtime_checkable
class BulkWrites(Protocol):
    """An index that writes faster when told that many writes follow (the local index batches them)."""

    def bulk(self) -> AbstractAsyncContextManager[None]: ...


def _bulk(index: SearchIndex) -> AbstractAsyncContextManager[None]:
    return index.bulk() if isinstance(index, BulkWrites) else nullcontext()


class Ingestor:
    def __init__(self, index: SearchIndex, sources: Sequence[DocumentSource], embedder: Llm | None = None) -> None:
        self.index = index
        self.sources = list(sources)
        self.embedder = embedder

    async def run(self, progress: Progress | None = None) -> IngestSummary:
        summary = IngestSummary()
        async with _bulk(self.index):
            for source in self.sources:
                await self._ingest(source, summary, progress)
        return summary

    async def _ingest(self, source: DocumentSource, summary: IngestSummary, progress: Progress | None) -> None:
        task = progress.add_task(source.name, total=None) if progress else None
        known = await self.index.versions(source.name)
        seen: set[str] = set()
        try:
            async for document in source.documents():
                if progress is not None and task is not None:
                    progress.advance(task)
                if document.source != source.name:
                    summary.skipped.append((document.id, f"source {document.source!r} is not {source.name!r}"))
                elif document.id in seen:
                    summary.skipped.append((document.id, "duplicate id"))
                elif known.get(document.id) == document.version and document.version:
                    seen.add(document.id)
                    summary.unchanged += 1
                else:
                    await self._store(document, known, seen, summary)
        except Exception as error:  # one broken source must not stop the others, nor delete anything
            log.exception("ingest: source %s failed", source.name)
            summary.skipped.append((source.name, f"{SOURCE_FAILED}, nothing removed: {error}"))
            return
        finally:
            if progress is not None and task is not None:
                done = progress.tasks[task].completed
                progress.update(task, total=done, completed=done)
        if isinstance(source, ReportsSkips):
            summary.skipped.extend(source.skipped)
        gone = sorted(set(known) - seen)
        if gone:
            await self.index.delete(gone)
            summary.removed += len(gone)

    async def _store(
        self, document: SourceDocument, known: dict[str, str], seen: set[str], summary: IngestSummary
    ) -> None:
        document = screened(document, summary)
        chunks = chunk_document(document)
        if not chunks:
            summary.skipped.append((document.id, "no text"))
            return  # not seen: an emptied page leaves the index
        seen.add(document.id)
        if self.embedder is not None:
            try:
                await embed_chunks(self.embedder, chunks)
            except LlmError as error:
                summary.skipped.append((document.id, f"embedding failed, kept the indexed version: {error}"))
                return
        await self.index.upsert(document, chunks)
        if document.id in known:
            summary.updated += 1
        else:
            summary.added += 1


def screened(document: SourceDocument, summary: IngestSummary) -> SourceDocument:
    """The document, title and body, without planted instructions and with personal data masked
    (both reported in the summary), as Markdown. A planted title is left out ("": citations then show
    the page's id); the title is masked with the body, so the owner of data in the body is masked in
    the title too."""
    cleaned = without_planted(document_markdown(document), document.title)
    if cleaned.removed:
        log.warning("ingest: %s carries text addressed to an assistant; left out", document.id)
        summary.flagged.append((document.id, report(cleaned.removed)))
    masked = mask_page(f"{cleaned.title}\n\n{cleaned.text}")
    if masked.counts:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(masked.counts.items()))
        log.warning("ingest: %s carries personal data; masked (%s)", document.id, kinds)
        summary.flagged.append((document.id, f"personal data masked: {kinds}"))
    title, _, body = masked.text.partition("\n\n")
    return replace(document, title=title, body=body, body_format="markdown")


async def embed_chunks(embedder: Llm, chunks: list[Chunk]) -> None:
    vectors = await embedder.embed([embedding_text(chunk) for chunk in chunks])
    if len(vectors) != len(chunks):
        raise LlmError(f"{len(vectors)} embeddings for {len(chunks)} chunks")
    for chunk, vector in zip(chunks, vectors, strict=True):
        chunk.vector = vector


def embedding_text(chunk: Chunk) -> str:
    """What a chunk's vector stands for: its title and headings give the section its meaning."""
    return "\n".join([" > ".join([chunk.title, *chunk.heading_path]), plain_text(chunk.text)])


async def build_if_empty(
    index: SearchIndex, sources: Sequence[DocumentSource], embedder: Llm | None = None
) -> IngestSummary | None:
    """Fill an index that holds nothing from any of these sources (the demo at first start-up)."""
    for source in sources:
        if await index.versions(source.name):
            return None
    return await Ingestor(index, sources, embedder).run()
