from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from retrieval.analysis import PlainAnalyzer
from retrieval.chunking import chunk_document
from retrieval.local_index import LocalIndex
from retrieval.model import AudienceScope, SourceDocument
from tests.retrieval.pages import CHANGE_PASSWORD, PRINTER_QUEUE, VPN, page

GUEST_WIFI = "# Gjestenett\n\nPassordet til gjestenettet {where} står på oppslagstavla i resepsjonen."


async def add(index: LocalIndex, document: SourceDocument) -> None:
    await index.upsert(document, chunk_document(document))


@pytest.fixture
async def index(tmp_path: Path) -> LocalIndex:
    index = LocalIndex(tmp_path / "index.db")
    await add(index, page("kp-ko", "Skriverkøen henger", PRINTER_QUEUE))
    await add(index, page("kp-passord", "Bytte passord", CHANGE_PASSWORD))
    await add(index, page("kp-vpn", "VPN", VPN))
    for municipality in ("molde", "rauma"):
        body = GUEST_WIFI.format(where=f"i {municipality.title()}")
        await add(index, page(f"{municipality}-gjest", "Gjestenett", body, audience=municipality))
    await add(
        index,
        page(
            "ror-vakt",
            "Vaktordning",
            "# Vaktordning\n\nVakten i ROR-IKT tar kritiske saker på kveld.",
            audience="ror-ikt",
        ),
    )
    yield index
    index.close()


async def documents(index: LocalIndex, query: str, scope: AudienceScope, top: int = 10) -> list[str]:
    return [hit.chunk.document_id for hit in await index.search(query, scope, top=top)]


async def test_finds_the_page_for_a_question(index: LocalIndex) -> None:
    hits = await index.search("skriverkøen henger", AudienceScope("molde"))

    assert hits[0].chunk.document_id == "kp-ko"
    assert hits[0].chunk.title == "Skriverkøen henger"
    assert hits[0].chunk.url == "https://intranett.example/kp-ko"
    assert hits[0].lexical_rank == 1
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


async def test_a_word_finds_its_compound_and_a_compound_its_words(index: LocalIndex) -> None:
    assert (await documents(index, "skriver", AudienceScope("molde")))[0] == "kp-ko"
    assert (await documents(index, "passordbytte", AudienceScope("molde")))[0] == "kp-passord"


async def test_typos_and_english_still_find_the_page(index: LocalIndex) -> None:
    assert (await documents(index, "hvordan bytter jeg passrod", AudienceScope("molde")))[0] == "kp-passord"
    assert (await documents(index, "How do I change my password?", AudienceScope("molde")))[0] == "kp-passord"


async def test_a_municipality_sees_its_own_page_and_never_another_municipality_s(index: LocalIndex) -> None:
    for municipality, other in (("molde", "rauma-gjest"), ("rauma", "molde-gjest")):
        found = await documents(index, "gjestenett passord Molde Rauma", AudienceScope(municipality), top=50)
        assert f"{municipality}-gjest" in found
        assert other not in found
    unknown = await documents(index, "gjestenett passord", AudienceScope(None), top=50)
    assert "molde-gjest" not in unknown and "rauma-gjest" not in unknown


async def test_ror_ikt_pages_only_for_ror_ikt_staff(index: LocalIndex) -> None:
    assert await documents(index, "vaktordning kveld kritiske saker", AudienceScope("molde"), top=50) == []
    assert (await documents(index, "vaktordning kveld kritiske saker", AudienceScope("ror-ikt")))[0] == "ror-vakt"


async def test_the_audience_filter_is_applied_before_the_top_is_taken(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "filter.db")
    for n in range(150):  # far better matches, all hidden from the user
        await add(
            index, page(f"rauma-{n}", "Gjestenett gjestenett", GUEST_WIFI.format(where="i Rauma") * 3, audience="rauma")
        )
    await add(index, page("molde-gjest", "Nett", "# Nett\n\nGjestenett finnes også i Molde.", audience="molde"))

    hits = await index.search("gjestenett", AudienceScope("molde"), top=1)

    assert [hit.chunk.document_id for hit in hits] == ["molde-gjest"]
    index.close()


async def test_the_index_persists_and_delete_removes(tmp_path: Path) -> None:
    path = tmp_path / "index.db"
    index = LocalIndex(path)
    await add(index, page("kp-vpn", "VPN", VPN))
    index.close()

    reopened = LocalIndex(path)
    assert await reopened.versions("local") == {"kp-vpn": str(hash(VPN))}
    assert await documents(reopened, "vpn hjemmefra", AudienceScope("molde")) == ["kp-vpn"]
    await reopened.delete(["kp-vpn"])
    assert await documents(reopened, "vpn hjemmefra", AudienceScope("molde")) == []
    assert await reopened.versions("local") == {}
    reopened.close()


async def test_upsert_replaces_the_old_text(index: LocalIndex) -> None:
    await add(index, page("kp-vpn", "VPN", "# VPN\n\nBruk appen GlobalProtect for å koble til."))

    assert await documents(index, "FortiClient", AudienceScope("molde")) == []
    assert await documents(index, "GlobalProtect", AudienceScope("molde")) == ["kp-vpn"]


async def test_versions_are_per_source(index: LocalIndex) -> None:
    await add(index, page("pureservice:1", "Sak", "# Sak\n\nSkriveren ble byttet.", source="pureservice"))

    assert set(await index.versions("local")) == {
        "kp-ko",
        "kp-passord",
        "kp-vpn",
        "molde-gjest",
        "rauma-gjest",
        "ror-vakt",
    }
    assert set(await index.versions("pureservice")) == {"pureservice:1"}


async def test_vectors_are_fused_with_the_lexical_ranking(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "vectors.db")
    pages = {
        "a": ("passord passord passord passord", [1.0, 0.0]),  # best lexically, worst by meaning
        "b": ("passord passord og gjestenett", [0.0, 1.0]),
        "c": ("passord og mye annen tekst om gjestenett", [0.6, 0.8]),
    }
    for document_id, (text, vector) in pages.items():
        document = page(document_id, "Side", f"# Side\n\n{text}")
        chunks = chunk_document(document)
        for chunk in chunks:
            chunk.vector = vector
        await index.upsert(document, chunks)

    lexical = await index.search("passord", AudienceScope(None))
    fused = await index.search("passord", AudienceScope(None), vector=[0.0, 2.0])

    assert [hit.chunk.document_id for hit in lexical] == ["a", "b", "c"]
    # RRF: b (lexical 2, vector 1) beats a (lexical 1, vector 3)
    assert [hit.chunk.document_id for hit in fused] == ["b", "a", "c"]
    assert (fused[0].lexical_rank, fused[0].vector_rank) == (2, 1)
    index.close()


async def test_nonsense_scores_nothing_or_little(index: LocalIndex) -> None:
    assert await index.search("asdfgh qwerty", AudienceScope("molde")) == []
    hits = await index.search("hvordan baker jeg brød med gjær", AudienceScope("molde"))
    assert all(hit.score < 0.3 for hit in hits)


async def test_another_analyzer_starts_the_index_afresh(tmp_path: Path) -> None:
    path = tmp_path / "index.db"
    index = LocalIndex(path)
    await add(index, page("kp-vpn", "VPN", VPN))
    index.close()

    plain = LocalIndex(path, PlainAnalyzer())
    assert await plain.versions("local") == {}  # terms of another analyser would not match its queries
    await add(plain, page("kp-vpn", "VPN", VPN))
    assert await documents(plain, "forticlient", AudienceScope(None)) == ["kp-vpn"]
    assert await documents(plain, "forticlienten", AudienceScope(None)) == []  # no stemming in the baseline
    plain.close()


async def test_bulk_writes_are_committed(tmp_path: Path) -> None:
    path = tmp_path / "index.db"
    index = LocalIndex(path)
    async with index.bulk():
        for n in range(3):
            await add(index, page(f"p{n}", "VPN", VPN))
    other = LocalIndex(path)  # a second connection sees the writes once the block has ended
    assert len(await other.versions("local")) == 3
    other.close()
    index.close()


async def test_writes_queued_in_bulk_are_seen_by_reads_inside_the_block(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "index.db")
    vpn, queue = page("kp-vpn", "VPN", VPN), page("kp-ko", "Skriverkøen henger", PRINTER_QUEUE)
    async with index.bulk():
        await add(index, vpn)
        assert await index.versions("local") == {"kp-vpn": vpn.version}
        assert await documents(index, "forticlient", AudienceScope(None)) == ["kp-vpn"]
        await index.delete(["kp-vpn"])
        await add(index, queue)
    assert await index.versions("local") == {"kp-ko": queue.version}
    index.close()


async def test_a_bulk_write_that_fails_fails_alone(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "index.db")
    vpn, queue, password = (
        page("kp-vpn", "VPN", VPN),
        page("kp-ko", "Skriverkøen henger", PRINTER_QUEUE),
        page("kp-passord", "Bytte passord", CHANGE_PASSWORD),
    )
    clash = chunk_document(queue)
    clash[0].id = chunk_document(vpn)[0].id  # a chunk id the first page's chunk already has
    with pytest.raises(sqlite3.IntegrityError):
        async with index.bulk():
            await add(index, vpn)
            await index.upsert(queue, clash)
            await add(index, password)
    assert sorted(await index.versions("local")) == ["kp-passord", "kp-vpn"]  # written whole, the other not at all
    assert "kp-ko" not in await documents(index, "skriverkøen henger", AudienceScope(None))
    counted, stored = index._conn.execute("SELECT chunks, (SELECT COUNT(*) FROM chunks) FROM stats").fetchone()
    assert counted == stored
    index.close()


async def test_a_question_of_very_common_words_finds_its_heading_first_and_the_bodies_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = LocalIndex(tmp_path / "index.db")
    for n in range(3):
        await add(index, page(f"kp-{n}", f"Side {n}", f"# Side {n}\n\nSkriveren i gangen {n} skriver sakte."))
    await add(index, page("kp-skriver", "Skriver", "# Skriver\n\nSlik legger du til en skriver."))
    monkeypatch.setattr("retrieval.local_index.CANDIDATE_POSTINGS", 2)  # "skriver" is in more chunks than that

    assert sorted(await documents(index, "skriver", AudienceScope(None))) == ["kp-0", "kp-1", "kp-2", "kp-skriver"]
    monkeypatch.setattr("retrieval.local_index.CANDIDATES", 1)  # the headed chunk alone is enough candidates
    assert await documents(index, "skriver", AudienceScope(None), top=1) == ["kp-skriver"]
    index.close()
