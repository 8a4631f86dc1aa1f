from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.ports import LlmError, LlmReply
from retrieval.ingest import Ingestor, build_if_empty
from retrieval.local_index import LocalIndex
from retrieval.model import AudienceScope, Chunk, SourceDocument
from retrieval.sources.local_folder import LocalFolderSource
from tests.retrieval.pages import CHANGE_PASSWORD, PRINTER_QUEUE, VPN, write_page


class CountingIndex:
    """Wraps the local index and counts the writes the ingestor makes."""

    def __init__(self, index: LocalIndex) -> None:
        self.index = index
        self.upserts: list[str] = []
        self.deletes: list[str] = []

    async def versions(self, source: str) -> dict[str, str]:
        return await self.index.versions(source)

    async def upsert(self, document: SourceDocument, chunks: list[Chunk]) -> None:
        self.upserts.append(document.id)
        await self.index.upsert(document, chunks)

    async def delete(self, document_ids: list[str]) -> None:
        self.deletes.extend(document_ids)
        await self.index.delete(document_ids)

    async def search(self, query: str, scope: AudienceScope, *, top: int = 5, vector: list[float] | None = None):  # type: ignore[no-untyped-def]
        return await self.index.search(query, scope, top=top, vector=vector)


class FakeEmbedder:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls = 0

    async def chat(self, messages, **options):  # type: ignore[no-untyped-def]
        return LlmReply(text="")

    async def embed(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        if self.fail:
            raise LlmError("embeddings are down")
        return [[float(len(text)), 1.0] for text in texts]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    write_page(folder, "kompetanseportalen/kp-ko.md", id="kp-ko", title="Skriverkøen henger", body=PRINTER_QUEUE)
    write_page(folder, "kompetanseportalen/kp-passord.md", id="kp-passord", title="Bytte passord", body=CHANGE_PASSWORD)
    write_page(folder, "intranett/molde/molde-vpn.md", id="molde-vpn", title="VPN i Molde", body=VPN, audience="molde")
    return folder


@pytest.fixture
async def index(tmp_path: Path) -> AsyncIterator[CountingIndex]:
    local = LocalIndex(tmp_path / "index.db")
    yield CountingIndex(local)
    local.close()


async def test_second_run_with_nothing_changed_does_no_work(corpus: Path, index: CountingIndex) -> None:
    source = LocalFolderSource(corpus)
    first = await Ingestor(index, [source]).run()
    assert (first.added, first.updated, first.removed, first.unchanged) == (3, 0, 0, 0)

    index.upserts.clear()
    second = await Ingestor(index, [source]).run()

    assert (second.added, second.updated, second.removed, second.unchanged) == (0, 0, 0, 3)
    assert index.upserts == [] and index.deletes == []


async def test_changed_file_is_updated_and_deleted_file_removed(corpus: Path, index: CountingIndex) -> None:
    source = LocalFolderSource(corpus)
    await Ingestor(index, [source]).run()
    write_page(
        corpus,
        "kompetanseportalen/kp-ko.md",
        id="kp-ko",
        title="Skriverkøen henger",
        body="# Skriverkøen henger\n\nRing Kundeservice og be om hjelp med skriverkøen.",
    )
    (corpus / "intranett/molde/molde-vpn.md").unlink()
    index.upserts.clear()

    summary = await Ingestor(index, [source]).run()

    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (0, 1, 1, 1)
    assert index.upserts == ["kp-ko"] and index.deletes == ["molde-vpn"]
    hits = await index.search("skriverkøen", AudienceScope("molde"))
    assert "Kundeservice" in hits[0].chunk.text
    assert await index.search("FortiClient", AudienceScope("molde")) == []


async def test_front_matter_becomes_document_fields(corpus: Path) -> None:
    documents = [document async for document in LocalFolderSource(corpus).documents()]
    vpn = next(document for document in documents if document.id == "molde-vpn")

    assert (vpn.title, vpn.audience, vpn.source, vpn.url) == (
        "VPN i Molde",
        "molde",
        "local",
        "https://intranett.example/molde-vpn",
    )
    assert vpn.updated is not None and vpn.updated.year == 2026
    assert len(vpn.version) == 16 and "---" not in vpn.body


async def test_a_page_with_an_unknown_audience_is_skipped_with_a_reason(corpus: Path, index: CountingIndex) -> None:
    write_page(corpus, "intranett/oslo/oslo.md", id="oslo", title="Oslo", body=VPN, audience="oslo")

    summary = await Ingestor(index, [LocalFolderSource(corpus)]).run()

    assert ("local:intranett/oslo/oslo", "unknown audience 'oslo'") in summary.skipped
    assert "oslo" not in await index.versions("local")


async def test_a_failing_source_removes_nothing(corpus: Path, index: CountingIndex) -> None:
    await Ingestor(index, [LocalFolderSource(corpus)]).run()

    class BrokenSource:
        name = "local"

        async def documents(self) -> AsyncIterator[SourceDocument]:
            yield SourceDocument(id="kp-ko", source="local", url="", title="x", body="# x\n\ny", version="new")
            raise ConnectionError("site went away")

    summary = await Ingestor(index, [BrokenSource()]).run()

    assert index.deletes == []
    assert len(await index.versions("local")) == 3
    assert summary.skipped[-1][0] == "local" and "site went away" in summary.skipped[-1][1]


async def test_chunks_are_embedded_when_an_embedder_is_given(corpus: Path, tmp_path: Path) -> None:
    local = LocalIndex(tmp_path / "vectors.db")
    embedder = FakeEmbedder()

    await Ingestor(local, [LocalFolderSource(corpus)], embedder).run()

    stored = local._conn.execute("SELECT COUNT(*) FROM chunks WHERE vector IS NOT NULL").fetchone()[0]
    total = local._conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
    assert embedder.calls == 3 and stored == total > 0
    local.close()


async def test_a_failed_embedding_keeps_the_indexed_version(corpus: Path, index: CountingIndex) -> None:
    await Ingestor(index, [LocalFolderSource(corpus)]).run()
    write_page(
        corpus, "kompetanseportalen/kp-ko.md", id="kp-ko", title="Skriverkøen henger", body="# Ny tekst\n\nNoe annet."
    )
    before = await index.versions("local")

    summary = await Ingestor(index, [LocalFolderSource(corpus)], FakeEmbedder(fail=True)).run()

    assert await index.versions("local") == before
    assert summary.removed == 0
    assert any(document_id == "kp-ko" and "embeddings are down" in reason for document_id, reason in summary.skipped)


async def test_build_if_empty_only_builds_once(corpus: Path, index: CountingIndex) -> None:
    sources = [LocalFolderSource(corpus)]

    first = await build_if_empty(index, sources)
    second = await build_if_empty(index, sources)

    assert first is not None and first.added == 3
    assert second is None
