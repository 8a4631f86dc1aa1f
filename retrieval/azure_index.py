"""The SearchIndex port on Azure AI Search (azure-search-documents, async clients).

One search document per chunk. Chunk ids (``kompetanseportalen:page:…#3``) contain characters a
search key may not, so the key is the chunk id in URL-safe base64 and decodes back to it.
Queries are hybrid (text with the Norwegian Microsoft analyzer, plus a vector query when the caller
has the question's embedding), reranked by the semantic ranker, and always carry the audience
filter: security trimming happens inside the service, never afterwards.

The schema is put (created or updated) by ingestion, not by the bot: ``upsert`` ensures it once
per process, taking the vector dimensions from the first embedded chunk, so a search key with
query rights is enough for the bot's own processes.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.search.documents.aio import SearchClient
from azure.search.documents.indexes.aio import SearchIndexClient
from azure.search.documents.indexes.models import (
    HnswAlgorithmConfiguration,
    HnswParameters,
    SearchableField,
    SearchField,
    SearchFieldDataType,
    SearchIndex,
    SemanticConfiguration,
    SemanticField,
    SemanticPrioritizedFields,
    SemanticSearch,
    SimpleField,
    VectorSearch,
    VectorSearchProfile,
)
from azure.search.documents.models import VectorizedQuery

from connectors.azure_identity import ManagedIdentity, managed_identity
from core.settings import Settings, SettingsError
from retrieval.confidence import reranker_confidence
from retrieval.model import AudienceScope, Chunk, SearchHit, SourceDocument

ANALYZER = "nb.microsoft"  # Norwegian bokmål: lemmatisation and compound splitting
SEMANTIC_CONFIGURATION = "rakel-semantic"
VECTOR_FIELD = "content_vector"
VECTOR_PROFILE = "rakel-vector-profile"
VECTOR_ALGORITHM = "rakel-hnsw"
VECTOR_NEIGHBOURS = 50  # candidates the vector query adds to the fused list before reranking
UPLOAD_BATCH = 500  # the service takes 1000 actions per batch; vectors make 500 a safer size
SCAN_PAGE = 1000  # the most one query returns without server-side paging
RETURNED_FIELDS = ["id", "document_id", "source", "url", "title", "heading_path", "text", "audience", "updated"]


class SearchIndexError(Exception):
    """Azure AI Search refused a request (schema, upload or query)."""


class AzureSearchIndex:
    def __init__(
        self,
        *,
        endpoint: str,
        index_name: str,
        api_key: str = "",
        identity: ManagedIdentity | None = None,
        vector_dimensions: int | None = None,
        connection_verify: str | None = None,
    ) -> None:
        """``api_key``, or Entra ID tokens of ``identity`` (closed with the index) when it is given."""
        self._identity = identity
        credential = identity.credential if identity else AzureKeyCredential(api_key)
        transport: dict[str, Any] = {"connection_verify": connection_verify} if connection_verify else {}
        self._name = index_name
        self._search = SearchClient(endpoint, index_name, credential, **transport)
        self._indexes = SearchIndexClient(endpoint, credential, **transport)
        self._dimensions = vector_dimensions
        self._schema_put = False

    async def ensure_index(self, vector_dimensions: int | None = None) -> None:
        """Create the index or update it in place (new fields only; the service refuses others)."""
        dimensions = vector_dimensions or self._dimensions
        try:
            await self._indexes.create_or_update_index(index_schema(self._name, dimensions))
        except HttpResponseError as error:
            raise SearchIndexError(f"index {self._name!r} schema refused: {error.message}") from error
        self._dimensions = dimensions
        self._schema_put = True

    async def versions(self, source: str) -> dict[str, str]:
        found: dict[str, str] = {}
        try:
            async for row in self._scan(f"source eq {odata_string(source)}", ["id", "document_id", "version"]):
                found[row["document_id"]] = row["version"]
        except ResourceNotFoundError:
            return {}  # nothing ingested yet
        return found

    async def upsert(self, document: SourceDocument, chunks: list[Chunk]) -> None:
        dimensions = next((len(chunk.vector) for chunk in chunks if chunk.vector), None)
        if not self._schema_put or (dimensions and dimensions != self._dimensions):
            await self.ensure_index(dimensions)
        rows = [search_document(document, chunk) for chunk in chunks]
        stale = set(await self._keys_of(document.id)) - {row["id"] for row in rows}
        for start in range(0, len(rows), UPLOAD_BATCH):
            # upload replaces every field, so a re-chunked text never keeps an old vector
            await self._index(self._search.upload_documents, rows[start : start + UPLOAD_BATCH])
        await self._delete_keys(sorted(stale))

    async def delete(self, document_ids: list[str]) -> None:
        keys: list[str] = []
        try:
            for document_id in document_ids:
                keys += await self._keys_of(document_id)
        except ResourceNotFoundError:
            return
        await self._delete_keys(keys)

    async def search(
        self, query: str, scope: AudienceScope, *, top: int = 5, vector: list[float] | None = None
    ) -> list[SearchHit]:
        vector_queries = (
            [VectorizedQuery(vector=vector, k_nearest_neighbors=max(top, VECTOR_NEIGHBOURS), fields=VECTOR_FIELD)]
            if vector
            else None
        )
        try:
            results = await self._search.search(
                search_text=query,
                filter=audience_filter(scope),
                top=top,
                select=RETURNED_FIELDS,
                query_type="semantic",
                semantic_configuration_name=SEMANTIC_CONFIGURATION,
                vector_queries=vector_queries,
                vector_filter_mode="preFilter" if vector else None,
            )
            rows = [row async for row in results]
        except HttpResponseError as error:
            raise SearchIndexError(f"search in {self._name!r} failed: {error.message}") from error
        return [hit_from(row) for row in rows]

    async def close(self) -> None:
        await self._search.close()
        await self._indexes.close()
        if self._identity is not None:
            await self._identity.close()

    async def _scan(self, condition: str, fields: list[str]) -> AsyncIterator[dict[str, Any]]:
        """Every matching search document, in key order, a page at a time (no $skip limit)."""
        last_key: str | None = None
        while True:
            where = condition if last_key is None else f"{condition} and id gt {odata_string(last_key)}"
            results = await self._search.search(
                search_text="*", filter=where, select=fields, order_by=["id asc"], top=SCAN_PAGE
            )
            page = [row async for row in results]
            for row in page:
                yield row
            if len(page) < SCAN_PAGE:
                return
            last_key = page[-1]["id"]

    async def _keys_of(self, document_id: str) -> list[str]:
        return [row["id"] async for row in self._scan(f"document_id eq {odata_string(document_id)}", ["id"])]

    async def _delete_keys(self, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), UPLOAD_BATCH):
            await self._index(self._search.delete_documents, [{"id": key} for key in keys[start : start + UPLOAD_BATCH]])

    async def _index(self, action: Any, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        try:
            results = await action(rows)
        except HttpResponseError as error:
            raise SearchIndexError(f"indexing into {self._name!r} failed: {error.message}") from error
        refused = [result for result in results if not result.succeeded]
        if refused:
            first = refused[0]
            raise SearchIndexError(
                f"{len(refused)} of {len(rows)} search documents refused; "
                f"{chunk_id_of(first.key)}: {first.status_code} {first.error_message}"
            )


# The semantic reranker scores 0-4 (4 highly relevant, 2 somewhat relevant, 0 irrelevant); as evidence
# it is scaled to 0-1, and as confidence it goes through a model of the same kind as the local index's
# (retrieval.confidence.reranker_confidence: a prior from the documented scale, not yet fitted on a real
# index). Without a reranker score (no semantic ranking) a hit carries neither.
RERANKER_MAX = 4.0


def hit_from(row: dict) -> SearchHit:
    reranker = row.get("@search.reranker_score")
    score = float(reranker if reranker is not None else row["@search.score"])
    if reranker is None:
        return SearchHit(chunk=chunk_from(row), score=score)
    return SearchHit(
        chunk=chunk_from(row),
        score=score,
        evidence=min(1.0, float(reranker) / RERANKER_MAX),
        confidence=reranker_confidence(float(reranker)),
    )


def build_azure_index(settings: Settings) -> AzureSearchIndex:
    """With ``RAKEL_AZURE_SEARCH_KEY``, or keyless with the managed identity (``RAKEL_AZURE_CLIENT_ID``)."""
    key = settings.azure_search_key.get_secret_value()
    missing = [
        name
        for name, value in (
            ("RAKEL_AZURE_SEARCH_ENDPOINT", settings.azure_search_endpoint),
            ("RAKEL_AZURE_SEARCH_KEY (or RAKEL_AZURE_CLIENT_ID)", key or settings.azure_client_id),
        )
        if not value
    ]
    if missing:
        raise SettingsError("; ".join(f"{name}: required when RAKEL_SEARCH_BACKEND=azure" for name in missing))
    return AzureSearchIndex(
        endpoint=settings.azure_search_endpoint,
        index_name=settings.azure_search_index,
        api_key=key,
        identity=None if key else managed_identity(settings),
    )


def index_schema(name: str, vector_dimensions: int | None) -> SearchIndex:
    string = SearchFieldDataType.STRING
    fields = [
        SimpleField(name="id", type=string, key=True, filterable=True, sortable=True),
        SimpleField(name="document_id", type=string, filterable=True),
        SimpleField(name="source", type=string, filterable=True, facetable=True),
        SimpleField(name="url", type=string),
        SearchableField(name="title", analyzer_name=ANALYZER),
        SearchableField(name="heading_path", collection=True, analyzer_name=ANALYZER),
        SearchableField(name="text", analyzer_name=ANALYZER),
        SimpleField(name="audience", type=string, filterable=True, facetable=True),
        SimpleField(name="updated", type=SearchFieldDataType.DATE_TIME_OFFSET, filterable=True, sortable=True),
        SimpleField(name="version", type=string),
    ]
    if vector_dimensions:
        fields.append(
            SearchField(
                name=VECTOR_FIELD,
                type="Collection(Edm.Single)",
                searchable=True,
                retrievable=False,
                vector_search_dimensions=vector_dimensions,
                vector_search_profile_name=VECTOR_PROFILE,
            )
        )
    return SearchIndex(
        name=name,
        fields=fields,
        vector_search=VectorSearch(
            algorithms=[HnswAlgorithmConfiguration(name=VECTOR_ALGORITHM, parameters=HnswParameters(metric="cosine"))],
            profiles=[VectorSearchProfile(name=VECTOR_PROFILE, algorithm_configuration_name=VECTOR_ALGORITHM)],
        ),
        semantic_search=SemanticSearch(
            default_configuration_name=SEMANTIC_CONFIGURATION,
            configurations=[
                SemanticConfiguration(
                    name=SEMANTIC_CONFIGURATION,
                    prioritized_fields=SemanticPrioritizedFields(
                        title_field=SemanticField(field_name="title"),
                        content_fields=[SemanticField(field_name="text")],
                        keywords_fields=[SemanticField(field_name="heading_path")],
                    ),
                )
            ],
        ),
    )


def audience_filter(scope: AudienceScope) -> str:
    """``search.in(audience, 'all,molde', ',')``: the audiences this user may read."""
    for audience in scope.allowed:
        if "," in audience:
            raise ValueError(f"an audience cannot contain a comma: {audience!r}")
    allowed = ",".join(scope.allowed).replace("'", "''")
    return f"search.in(audience, '{allowed}', ',')"


def odata_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def search_key(chunk_id: str) -> str:
    return base64.urlsafe_b64encode(chunk_id.encode()).decode()


def chunk_id_of(key: str) -> str:
    return base64.urlsafe_b64decode(key.encode()).decode()


def search_document(document: SourceDocument, chunk: Chunk) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": search_key(chunk.id),
        "document_id": document.id,
        "source": chunk.source,
        "url": chunk.url,
        "title": chunk.title,
        "heading_path": chunk.heading_path,
        "text": chunk.text,
        "audience": chunk.audience,
        "updated": _utc(chunk.updated).isoformat() if chunk.updated else None,
        "version": document.version,
    }
    if chunk.vector:
        row[VECTOR_FIELD] = chunk.vector
    return row


def chunk_from(row: dict[str, Any]) -> Chunk:
    return Chunk(
        id=chunk_id_of(row["id"]),
        document_id=row["document_id"],
        source=row["source"],
        url=row["url"],
        title=row["title"],
        heading_path=list(row.get("heading_path") or []),
        text=row["text"],
        audience=row["audience"],
        updated=datetime.fromisoformat(row["updated"]) if row.get("updated") else None,
    )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
