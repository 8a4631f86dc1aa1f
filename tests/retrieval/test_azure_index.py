"""Contract: the Azure AI Search index through azure-search-documents, against a fake service over TLS.

The fake checks what the real service checks (schema coherence, key characters, known fields,
vector dimensions, the OData filter subset) and records each request for the shape assertions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from core.settings import SettingsError, load_settings
from retrieval import azure_index
from retrieval.azure_index import (
    AzureSearchIndex,
    SearchIndexError,
    audience_filter,
    build_azure_index,
    chunk_id_of,
)
from retrieval.model import AudienceScope, Chunk, SourceDocument
from tests.fakes.azure_search import FakeAzureSearch
from tests.fakes.tls import LocalTls

API_KEY = "admin-key-for-tests"
INDEX = "rakel-knowledge"
UPDATED = datetime(2025, 2, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
async def fake_search(local_tls: LocalTls) -> AsyncIterator[FakeAzureSearch]:
    async with FakeAzureSearch(local_tls, api_key=API_KEY) as fake:
        yield fake


@pytest.fixture
async def index(fake_search: FakeAzureSearch, local_tls: LocalTls) -> AsyncIterator[AzureSearchIndex]:
    search_index = AzureSearchIndex(
        endpoint=fake_search.endpoint,
        index_name=INDEX,
        api_key=API_KEY,
        connection_verify=str(local_tls.cert_file),
    )
    yield search_index
    await search_index.close()


def page(
    doc_id: str, title: str, texts: list[str], *, audience: str = "all", source: str = "kompetanseportalen",
    vectors: list[list[float]] | None = None, version: str = "v1",
) -> tuple[SourceDocument, list[Chunk]]:
    url = f"https://rorikt.sharepoint.com/sites/{source}/SitePages/{doc_id}.aspx"
    document = SourceDocument(
        id=f"{source}:{doc_id}", source=source, url=url, title=title, body="\n".join(texts),
        audience=audience, updated=UPDATED, version=version,
    )
    chunks = [
        Chunk(
            id=f"{document.id}#{n}", document_id=document.id, source=source, url=url, title=title,
            heading_path=[title, f"Del {n}"], text=text, audience=audience, updated=UPDATED,
            vector=vectors[n] if vectors else None,
        )
        for n, text in enumerate(texts)
    ]
    return document, chunks


async def test_the_first_upsert_creates_the_schema(index: AzureSearchIndex, fake_search: FakeAzureSearch) -> None:
    await index.upsert(*page("passord", "Bytte passord", ["Trykk Ctrl+Alt+Del."], vectors=[[0.1, 0.2, 0.3, 0.4]]))

    [put] = fake_search.requests_to(f"/indexes('{INDEX}')", "PUT")
    assert put.query["api-version"] and put.headers["api-key"] == API_KEY
    schema = put.json()
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["id"]["key"] is True
    assert fields["audience"]["filterable"] is True and fields["audience"]["searchable"] is False
    assert fields["source"]["filterable"] is True
    for name in ("title", "heading_path", "text"):
        assert fields[name]["searchable"] is True and fields[name]["analyzer"] == "nb.microsoft"
    assert fields["heading_path"]["type"] == "Collection(Edm.String)"
    assert fields["updated"]["type"] == "Edm.DateTimeOffset"
    vector = fields["content_vector"]
    assert (vector["type"], vector["dimensions"]) == ("Collection(Edm.Single)", 4)
    [profile] = schema["vectorSearch"]["profiles"]
    [algorithm] = schema["vectorSearch"]["algorithms"]
    assert vector["vectorSearchProfile"] == profile["name"] and profile["algorithm"] == algorithm["name"]
    assert algorithm["kind"] == "hnsw" and algorithm["hnswParameters"]["metric"] == "cosine"
    [semantic] = schema["semantic"]["configurations"]
    assert schema["semantic"]["defaultConfiguration"] == semantic["name"]
    assert semantic["prioritizedFields"]["titleField"] == {"fieldName": "title"}
    assert semantic["prioritizedFields"]["prioritizedContentFields"] == [{"fieldName": "text"}]


async def test_chunks_are_uploaded_with_keys_the_service_accepts(
    index: AzureSearchIndex, fake_search: FakeAzureSearch
) -> None:
    await index.upsert(*page("skriver", "Skriveren skriver ikke ut", ["Sjekk køen.", "Start på nytt."]))

    [upload] = fake_search.requests_to("/docs/search.index")
    actions = upload.json()["value"]
    assert [a["@search.action"] for a in actions] == ["upload", "upload"]
    assert [chunk_id_of(a["id"]) for a in actions] == ["kompetanseportalen:skriver#0", "kompetanseportalen:skriver#1"]
    first = actions[0]
    assert first["document_id"] == "kompetanseportalen:skriver"
    assert (first["audience"], first["source"], first["version"]) == ("all", "kompetanseportalen", "v1")
    assert first["heading_path"] == ["Skriveren skriver ikke ut", "Del 0"]
    assert first["updated"] == "2025-02-01T09:30:00+00:00"
    assert "content_vector" not in first  # no embeddings configured


async def test_large_documents_are_uploaded_in_batches(
    index: AzureSearchIndex, fake_search: FakeAzureSearch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(azure_index, "UPLOAD_BATCH", 2)

    await index.upsert(*page("lang", "Lang side", [f"Avsnitt {n}" for n in range(5)]))

    sizes = [len(r.json()["value"]) for r in fake_search.requests_to("/docs/search.index")]
    assert sizes == [2, 2, 1]


async def test_a_shorter_new_version_deletes_the_old_extra_chunks(
    index: AzureSearchIndex, fake_search: FakeAzureSearch
) -> None:
    await index.upsert(*page("vpn", "VPN", ["En", "To", "Tre"]))

    await index.upsert(*page("vpn", "VPN", ["En ny", "To nye"], version="v2"))

    stored = fake_search.indexes[INDEX].documents.values()
    assert sorted(chunk_id_of(d["id"]) for d in stored) == ["kompetanseportalen:vpn#0", "kompetanseportalen:vpn#1"]
    assert {d["version"] for d in stored} == {"v2"}
    last = fake_search.requests_to("/docs/search.index")[-1].json()["value"]
    assert last == [{"@search.action": "delete", "id": azure_index.search_key("kompetanseportalen:vpn#2")}]


async def test_versions_lists_each_document_of_a_source_once(
    index: AzureSearchIndex, fake_search: FakeAzureSearch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(azure_index, "SCAN_PAGE", 2)  # force several pages
    await index.upsert(*page("a", "A", ["1", "2", "3"], version="va"))
    await index.upsert(*page("b", "B", ["1"], version="vb"))
    await index.upsert(*page("c", "C", ["1"], source="intranet", audience="molde", version="vc"))

    versions = await index.versions("kompetanseportalen")

    assert versions == {"kompetanseportalen:a": "va", "kompetanseportalen:b": "vb"}
    scans = [s for s in fake_search.searches() if s.get("filter", "").startswith("source eq")]
    assert scans[0]["orderby"] == "id asc" and scans[0]["select"] == "id,document_id,version"
    assert "id gt '" in scans[1]["filter"]


async def test_versions_of_an_index_not_yet_created_are_empty(index: AzureSearchIndex) -> None:
    assert await index.versions("kompetanseportalen") == {}


async def test_delete_removes_every_chunk_of_the_documents(
    index: AzureSearchIndex, fake_search: FakeAzureSearch
) -> None:
    await index.upsert(*page("gammel", "Gammel side", ["1", "2"]))
    await index.upsert(*page("ny", "Ny side", ["1"]))

    await index.delete(["kompetanseportalen:gammel"])

    remaining = {d["document_id"] for d in fake_search.indexes[INDEX].documents.values()}
    assert remaining == {"kompetanseportalen:ny"}


@pytest.fixture
async def municipal_pages(index: AzureSearchIndex) -> None:
    vector = [1.0, 0.0, 0.0, 0.0]
    await index.upsert(*page("skriver", "Skriver", ["Skriveren finner du i skriverlisten."], vectors=[vector]))
    await index.upsert(
        *page("skriver-molde", "Skriver i Molde", ["Molde: skriver på rådhuset."],
              source="intranet", audience="molde", vectors=[vector])
    )
    await index.upsert(
        *page("skriver-aukra", "Skriver i Aukra", ["Aukra: skriver i resepsjonen."],
              source="intranet", audience="aukra", vectors=[vector])
    )
    await index.upsert(
        *page("skriver-drift", "Skriverdrift", ["Intern: skriverserveren."], audience="ror-ikt", vectors=[vector])
    )


async def test_a_hybrid_query_filters_by_audience_inside_the_service(
    index: AzureSearchIndex, fake_search: FakeAzureSearch, municipal_pages: None
) -> None:
    hits = await index.search("skriver", AudienceScope("molde"), top=3, vector=[0.9, 0.1, 0.0, 0.0])

    assert {hit.chunk.title for hit in hits} == {"Skriver", "Skriver i Molde"}
    [query] = fake_search.searches()[-1:]
    assert query["search"] == "skriver"
    assert query["filter"] == "search.in(audience, 'all,molde', ',')"
    assert query["queryType"] == "semantic" and query["semanticConfiguration"] == "rakel-semantic"
    assert query["top"] == 3
    assert query["vectorQueries"] == [
        {"kind": "vector", "vector": [0.9, 0.1, 0.0, 0.0], "k": 50, "fields": "content_vector"}
    ]
    assert query["vectorFilterMode"] == "preFilter"
    best = hits[0]
    assert best.score == 4.0  # the semantic reranker's score
    assert best.evidence == 1.0  # scaled to 0-1
    assert best.confidence is not None and best.confidence > 0.95  # 4.0: highly relevant
    assert best.chunk.id.startswith(best.chunk.document_id + "#")
    assert best.chunk.updated == UPDATED and best.chunk.heading_path[0] == best.chunk.title


async def test_a_text_query_has_no_vector_part(
    index: AzureSearchIndex, fake_search: FakeAzureSearch, municipal_pages: None
) -> None:
    hits = await index.search("skriverserveren", AudienceScope("ror-ikt"))

    assert [hit.chunk.title for hit in hits] == ["Skriverdrift"]
    query = fake_search.searches()[-1]
    assert "vectorQueries" not in query and query["filter"] == "search.in(audience, 'all,ror-ikt', ',')"


async def test_an_unknown_user_sees_only_pages_for_everyone(
    index: AzureSearchIndex, municipal_pages: None
) -> None:
    hits = await index.search("skriver", AudienceScope(None), top=10)

    assert {hit.chunk.audience for hit in hits} == {"all"}


def test_the_audience_filter_is_escaped() -> None:
    assert audience_filter(AudienceScope("o'hara")) == "search.in(audience, 'all,o''hara', ',')"
    with pytest.raises(ValueError):
        audience_filter(AudienceScope("molde,aukra"))


async def test_vectors_can_be_added_to_an_index_created_without_them(
    index: AzureSearchIndex, fake_search: FakeAzureSearch, local_tls: LocalTls
) -> None:
    await index.upsert(*page("a", "A", ["uten vektor"]))
    later = AzureSearchIndex(
        endpoint=fake_search.endpoint, index_name=INDEX, api_key=API_KEY, connection_verify=str(local_tls.cert_file)
    )

    await later.upsert(*page("b", "B", ["med vektor"], vectors=[[0.0, 1.0]]))
    await later.close()

    assert fake_search.indexes[INDEX].fields["content_vector"]["dimensions"] == 2


async def test_a_refused_request_is_a_search_index_error(
    index: AzureSearchIndex, municipal_pages: None
) -> None:
    with pytest.raises(SearchIndexError, match="dimensions"):
        await index.search("skriver", AudienceScope("molde"), vector=[1.0, 0.0])


def test_the_azure_backend_needs_an_endpoint_and_a_key() -> None:
    with pytest.raises(SettingsError, match="RAKEL_AZURE_SEARCH_ENDPOINT.*RAKEL_AZURE_SEARCH_KEY"):
        build_azure_index(load_settings(azure_search_endpoint="", azure_search_key=""))
