"""The embedded search index: BM25 over analysed terms in one SQLite file, optionally fused with vectors.

Chunks are analysed once (Norwegian stems, ``retrieval.analysis``) and their stems stored in an FTS5
table (title, headings, body), which finds candidates fast and keeps document frequencies
(``fts5vocab``). FTS5's own ``bm25()`` cannot weigh query terms (a synonym, a compound part or a
typo correction counts less than the word itself), so it only picks candidates; the weighted score
is computed afterwards from each chunk's stored term frequencies.

A search runs in two steps. Candidates come from one SQL statement: an FTS5 match of the query's
informative terms (very common terms are left out of this step when their documents would exceed
``CANDIDATE_POSTINGS``), filtered to the audiences the user may read in the same statement, best
``bm25()`` first; the candidates are then scored exactly with every query term (see
``retrieval.scoring``). With a query vector, the hits are ordered by Reciprocal Rank Fusion of the
lexical and the cosine ranking of the lexical candidates; ``SearchHit.score`` stays lexical. Every hit
carries its ``evidence`` (how much of the question it covers), which the answerer judges. A resolved
ticket's evidence counts only its subject and problem (``match_terms``): a ticket answers a question
about the same problem, not one that shares a word with its fix. The best hit also carries its
calibrated ``confidence`` (``retrieval.confidence``).
"""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3
import threading
from array import array
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from core.language import Language, detect_language
from core.settings import Settings
from retrieval.analysis import Analyzer, NorwegianAnalyzer, Vocabulary
from retrieval.confidence import with_confidence
from retrieval.model import TICKET_SOURCES, AudienceScope, Chunk, SearchHit, SourceDocument
from retrieval.scoring import QueryPlan, plan_query, source_prior
from retrieval.sources.tickets import ticket_problem
from retrieval.text import plain_text

SCHEMA_VERSION = 4
TITLE_WEIGHT = 2.0  # a word in the page title counts as two in the body
HEADING_WEIGHT = 1.5
CANDIDATES = 50  # chunks scored exactly per query
CANDIDATE_POSTINGS = 4_000  # most term occurrences (chunks) the candidate step matches; rarer terms go first
VECTOR_CANDIDATES = 100
RRF_K = 60
AUDIENCE_PREFIX = "0audience"  # audience tokens in the FTS5 table, unlike any word of a page
FOREIGN_UNKNOWN_WEIGHT = 0.5  # chosen on the demo and dev sets (bench/knowledge.py --set all)
BULK_COMMIT_EVERY = 500  # documents per transaction inside ``bulk()``
BULK_BATCH = 100  # documents written together inside ``bulk()``
CACHE_KIB = 64 * 1024  # page cache for the FTS5 segments and chunk rows

T = TypeVar("T")
_Fields = tuple[list[str], list[str], list[str]]  # the terms of a chunk's title, headings and body

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    version TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    audience TEXT NOT NULL,
    updated TEXT
);
CREATE INDEX IF NOT EXISTS documents_by_source ON documents (source);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    document_id TEXT NOT NULL,
    heading_path TEXT NOT NULL,
    text TEXT NOT NULL,
    audience TEXT NOT NULL,
    length REAL NOT NULL,
    terms TEXT NOT NULL,
    match_terms TEXT,
    vector BLOB
);
CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks (document_id);
CREATE INDEX IF NOT EXISTS chunks_by_audience ON chunks (audience);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_terms USING fts5(
    audience, title, heading, body, tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_vocabulary USING fts5vocab(chunk_terms, 'row');
CREATE TABLE IF NOT EXISTS stats (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    chunks INTEGER NOT NULL,
    length REAL NOT NULL
);
INSERT OR IGNORE INTO stats (id, chunks, length) VALUES (1, 0, 0);
"""
_TABLES = ("documents", "chunks", "chunk_vocabulary", "chunk_terms", "postings", "terms")  # earlier formats too


class LocalIndex:
    """A persistent ``SearchIndex`` in one SQLite file. Blocking work runs in a worker thread."""

    def __init__(self, path: Path | str, analyzer: Analyzer | None = None) -> None:
        self.analyzer: Analyzer = analyzer or NorwegianAnalyzer()
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        self._lock = threading.Lock()
        self._bulk = False
        self._pending = 0
        self._queued: list[tuple[SourceDocument, list[Chunk]]] = []  # upserts inside bulk() not yet written
        self._vocabulary: Vocabulary | None = None
        self._vocabulary_version: int | None = None
        with self._lock:
            self._open()

    @classmethod
    def from_settings(cls, settings: Settings, analyzer: Analyzer | None = None) -> LocalIndex:
        return cls(settings.local_index_path, analyzer)

    def close(self) -> None:
        with self._lock:
            if self._conn.in_transaction:
                self._conn.execute("COMMIT")
            self._conn.close()

    # --- SearchIndex ---------------------------------------------------------------------------
    async def versions(self, source: str) -> dict[str, str]:
        await self._write_queued()
        return await self._run(self._versions, source)

    async def upsert(self, document: SourceDocument, chunks: list[Chunk]) -> None:
        if not self._bulk:
            await self._run(self._upsert, document, chunks)
            return
        self._queued.append((document, chunks))
        if len(self._queued) >= BULK_BATCH:
            await self._write_queued()

    async def delete(self, document_ids: list[str]) -> None:
        await self._write_queued()
        await self._run(self._delete, document_ids)

    async def search(
        self, query: str, scope: AudienceScope, *, top: int = 5, vector: list[float] | None = None
    ) -> list[SearchHit]:
        await self._write_queued()
        return await self._run(self._search, query, scope.allowed, top, vector)

    # --- bulk writing --------------------------------------------------------------------------
    @asynccontextmanager
    async def bulk(self) -> AsyncIterator[None]:
        """Group the writes made inside into a few large transactions (ingest speed).

        Upserts are queued and written ``BULK_BATCH`` documents at a time (one trip to the worker
        thread, one statement per table), and before any read, delete or the end of the block. A batch
        that fails is written again one document at a time, so each write still succeeds or fails whole
        (a savepoint) and the first failure is raised. What is written is committed every
        ``BULK_COMMIT_EVERY`` documents and when the block ends.
        """
        await self._run(self._begin_bulk)
        try:
            yield
        finally:
            try:
                await self._write_queued()
            finally:
                await self._run(self._end_bulk)

    def _begin_bulk(self) -> None:
        self._bulk = True
        self._pending = 0

    def _end_bulk(self) -> None:
        self._bulk = False
        if self._conn.in_transaction:
            self._conn.execute("COMMIT")

    async def _write_queued(self) -> None:
        if self._queued:
            batch, self._queued = self._queued, []
            await self._run(self._upsert_batch, batch)

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        def locked() -> T:
            with self._lock:
                return function(*args)

        return await asyncio.to_thread(locked)

    @contextmanager
    def _transaction(self, documents: int = 1) -> Iterator[None]:
        """One write (of this many documents): its own transaction, or a savepoint in the open bulk transaction."""
        if self._bulk:
            if not self._conn.in_transaction:
                self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("SAVEPOINT write")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK TO write")
                self._conn.execute("RELEASE write")
                raise
            self._conn.execute("RELEASE write")
            self._pending += documents
            if self._pending >= BULK_COMMIT_EVERY:
                self._conn.execute("COMMIT")
                self._pending = 0
        else:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        self._vocabulary = None

    # --- schema --------------------------------------------------------------------------------
    def _open(self) -> None:
        wanted = f"{SCHEMA_VERSION}/{self.analyzer.name}"
        self._conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if row is not None and row[0] == wanted:
            return
        # Another schema or analyser made this file: start empty, the next ingest refills it.
        with self._transaction():
            for table in (*_TABLES, "stats"):
                self._conn.execute(f"DROP TABLE IF EXISTS {table}")
        self._conn.executescript(_SCHEMA)
        self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?)", (wanted,))

    # --- writing -------------------------------------------------------------------------------
    def _versions(self, source: str) -> dict[str, str]:
        rows = self._conn.execute("SELECT id, version FROM documents WHERE source = ?", (source,))
        return dict(rows.fetchall())

    def _upsert(self, document: SourceDocument, chunks: list[Chunk]) -> None:
        rows = self._rows(document, chunks)
        with self._transaction():
            self._write([rows])

    def _upsert_batch(self, batch: list[tuple[SourceDocument, list[Chunk]]]) -> None:
        """Write the documents together; if that fails, one at a time, raising the first failure."""
        prepared = [self._rows(document, chunks) for document, chunks in batch]
        try:
            with self._transaction(len(prepared)):
                self._write(prepared)
            return
        except sqlite3.Error:
            if len(prepared) == 1:
                raise
        failures: list[sqlite3.Error] = []
        for rows in prepared:
            try:
                with self._transaction():
                    self._write([rows])
            except sqlite3.Error as error:
                failures.append(error)
        if failures:
            raise failures[0]

    def _rows(self, document: SourceDocument, chunks: list[Chunk]) -> _Rows:
        """What the tables get for this document, its chunks analysed (the rowids are given when written)."""
        audience = document.audience  # the document's audience is the one that counts for every chunk
        analysed = self._analysed(chunks)
        token = audience_token(audience)
        return _Rows(
            document=(
                document.id,
                document.source,
                document.version,
                document.url,
                document.title,
                audience,
                document.updated.isoformat() if document.updated else None,
            ),
            chunks=[
                (
                    chunk.id,
                    document.id,
                    json.dumps(chunk.heading_path, ensure_ascii=False),
                    chunk.text,
                    audience,
                    length,
                    json.dumps(tf, ensure_ascii=False),
                    self._match_terms(chunk),
                    _vector_blob(chunk.vector),
                )
                for chunk, (_, tf, length) in zip(chunks, analysed, strict=True)
            ],
            terms=[(token, *(" ".join(terms) for terms in fields)) for fields, _, _ in analysed],
            length=sum(length for _, _, length in analysed),
        )

    def _write(self, documents: list[_Rows]) -> None:
        """Replace these documents and their chunks (inside a transaction)."""
        self._remove([rows.document[0] for rows in documents])
        self._conn.executemany(
            "INSERT INTO documents (id, source, version, url, title, audience, updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [rows.document for rows in documents],
        )
        # rowids as SQLite would give them (the largest plus one), known here so both tables share them
        first = self._conn.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM chunks").fetchone()[0]
        chunks = [chunk for rows in documents for chunk in rows.chunks]
        terms = [row for rows in documents for row in rows.terms]
        self._conn.executemany(
            "INSERT INTO chunks (rowid, id, document_id, heading_path, text, audience, length, terms, match_terms, "
            "vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(rowid, *chunk) for rowid, chunk in enumerate(chunks, start=first)],
        )
        self._conn.executemany(
            "INSERT INTO chunk_terms (rowid, audience, title, heading, body) VALUES (?, ?, ?, ?, ?)",
            [(rowid, *row) for rowid, row in enumerate(terms, start=first)],
        )
        self._conn.execute(
            "UPDATE stats SET chunks = chunks + ?, length = length + ?",
            (len(chunks), sum(rows.length for rows in documents)),
        )

    def _analysed(self, chunks: list[Chunk]) -> list[tuple[_Fields, dict[str, float], float]]:
        """Each chunk's field terms, weighted term frequencies and length; a title or heading path shared
        by several chunks of the document is analysed once."""
        known: dict[str, list[str]] = {}

        def terms(text: str) -> list[str]:
            if text not in known:
                known[text] = self.analyzer.index_terms(text)
            return known[text]

        analysed = []
        for chunk in chunks:
            fields = (terms(chunk.title), terms(" ".join(chunk.heading_path)), self.analyzer.index_terms(plain_text(chunk.text)))
            analysed.append((fields, *_weighted(fields)))
        return analysed

    def _match_terms(self, chunk: Chunk) -> str | None:
        """For a resolved ticket, the terms its evidence is judged on: its subject and its problem."""
        if chunk.source not in TICKET_SOURCES:
            return None
        tf = Counter(self.analyzer.index_terms(f"{chunk.title}\n{plain_text(ticket_problem(chunk.text, chunk.heading_path))}"))
        return json.dumps(dict(tf), ensure_ascii=False)

    def _delete(self, document_ids: list[str]) -> None:
        with self._transaction():
            self._remove(document_ids)

    def _remove(self, document_ids: Sequence[str]) -> None:
        if not document_ids:
            return
        marks = _marks(document_ids)
        rows = self._conn.execute(
            f"SELECT rowid, length FROM chunks WHERE document_id IN ({marks})",
            tuple(document_ids),
        ).fetchall()
        if rows:
            rowids = [rowid for rowid, _ in rows]
            self._conn.execute(f"DELETE FROM chunk_terms WHERE rowid IN ({_marks(rowids)})", rowids)
            self._conn.execute(f"DELETE FROM chunks WHERE document_id IN ({marks})", tuple(document_ids))
            self._conn.execute(
                "UPDATE stats SET chunks = chunks - ?, length = length - ?",
                (len(rows), sum(length for _, length in rows)),
            )
        self._conn.execute(f"DELETE FROM documents WHERE id IN ({marks})", tuple(document_ids))

    # --- searching -----------------------------------------------------------------------------
    def _search(self, query: str, allowed: tuple[str, ...], top: int, vector: list[float] | None) -> list[SearchHit]:
        if not allowed:
            return []
        vocabulary = self._current_vocabulary()
        chunk_count, total_length = self._conn.execute("SELECT chunks, length FROM stats").fetchone()
        groups = self.analyzer.query_groups(query, vocabulary)
        plan = plan_query(groups, vocabulary, chunk_count, total_length, unknown_weight(query))
        if plan is None:
            return []
        wanted = top if vector is None else max(top, VECTOR_CANDIDATES)
        candidates = self._candidates(plan, vocabulary, allowed, max(CANDIDATES, wanted))
        lexical = sorted(
            (
                _Lexical(rowid, score * source_prior(source), evidence)
                for rowid, length, terms, match_terms, source in candidates
                for score, evidence in [plan.score(json.loads(terms), length, _json_or_none(match_terms))]
            ),
            key=lambda hit: (-hit.score, hit.rowid),
        )[:wanted]
        if not lexical:
            return []
        chunks = self._load_chunks([hit.rowid for hit in lexical])
        if vector is None:
            hits = [
                SearchHit(chunk=chunks[hit.rowid][0], score=hit.score, lexical_rank=rank, evidence=hit.evidence)
                for rank, hit in enumerate(lexical, start=1)
            ]
        else:
            hits = _fuse(lexical, chunks, vector)[:top]
        return with_confidence(hits, plan, self.analyzer)

    def _candidates(
        self, plan: QueryPlan, vocabulary: Vocabulary, allowed: tuple[str, ...], limit: int
    ) -> list[tuple[int, float, str, str | None, str]]:
        """(rowid, length, terms, match terms, source) of the chunks with the best BM25 over the candidate terms.

        A question of very common words only (even the rarest in more than ``CANDIDATE_POSTINGS`` chunks)
        looks for them first where they weigh most, in titles and headings, and in the body only when
        those hold fewer than ``limit`` chunks: BM25 over every chunk that has such a word is the slow
        part of a search (about a microsecond a chunk), and a chunk headed by the word ranks high anyway.
        """
        terms = plan.candidate_terms(vocabulary, CANDIDATE_POSTINGS)
        audiences = " OR ".join(audience_token(audience) for audience in allowed)
        words = " OR ".join(f'"{term}"' for term in terms)
        if sum(vocabulary.df(term) for term in terms) > CANDIDATE_POSTINGS:
            headed = self._best(f"audience : ({audiences}) AND {{title heading}} : ({words})", limit)
            if len(headed) >= limit:
                return headed
        return self._best(f"audience : ({audiences}) AND {{title heading body}} : ({words})", limit)

    def _best(self, match: str, limit: int) -> list[tuple[int, float, str, str | None, str]]:
        return self._conn.execute(
            """
            WITH best AS (
                SELECT rowid, bm25(chunk_terms, 0.0, ?, ?, 1.0) AS rank FROM chunk_terms
                WHERE chunk_terms MATCH ? ORDER BY rank LIMIT ?
            )
            SELECT c.rowid, c.length, c.terms, c.match_terms, d.source
            FROM best JOIN chunks AS c ON c.rowid = best.rowid JOIN documents AS d ON d.id = c.document_id
            ORDER BY best.rank
            """,
            (TITLE_WEIGHT, HEADING_WEIGHT, match, limit),
        ).fetchall()

    def _current_vocabulary(self) -> Vocabulary:
        """The term table, cached until this or another connection writes to the file."""
        version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        if self._vocabulary is None or version != self._vocabulary_version:
            rows = self._conn.execute(
                "SELECT term, doc FROM chunk_vocabulary WHERE term NOT GLOB ?", (AUDIENCE_PREFIX + "*",)
            )
            self._vocabulary = Vocabulary(dict(rows.fetchall()))
            self._vocabulary_version = version
        return self._vocabulary

    def _load_chunks(self, rowids: list[int]) -> dict[int, tuple[Chunk, bytes | None]]:
        rows = self._conn.execute(
            f"""
            SELECT c.rowid, c.id, c.document_id, c.heading_path, c.text, c.audience, c.vector,
                   d.source, d.url, d.title, d.updated
            FROM chunks AS c JOIN documents AS d ON d.id = c.document_id
            WHERE c.rowid IN ({_marks(rowids)})
            """,
            tuple(rowids),
        ).fetchall()
        loaded = {}
        for rowid, chunk_id, document_id, path, text, audience, blob, source, url, title, updated in rows:
            chunk = Chunk(
                id=chunk_id,
                document_id=document_id,
                source=source,
                url=url,
                title=title,
                heading_path=json.loads(path),
                text=text,
                audience=audience,
                updated=datetime.fromisoformat(updated) if updated else None,
            )
            loaded[rowid] = (chunk, blob)
        return loaded


@dataclass(frozen=True)
class _Rows:
    """One document's rows: ``documents``, ``chunks`` and ``chunk_terms`` (without rowids), and its chunks' length."""

    document: tuple[str | None, ...]
    chunks: list[tuple[Any, ...]]
    terms: list[tuple[str, ...]]
    length: float


@dataclass(frozen=True)
class _Lexical:
    rowid: int
    score: float
    evidence: float


def _fuse(
    lexical: list[_Lexical], chunks: dict[int, tuple[Chunk, bytes | None]], vector: list[float]
) -> list[SearchHit]:
    """Reciprocal Rank Fusion of the lexical ranking and the cosine ranking of the same candidates."""
    query = _unit(vector)
    similarities = {rowid: _dot(query, array("f", blob)) for rowid, (_, blob) in chunks.items() if blob is not None}
    vector_ranks = {
        rowid: rank
        for rank, rowid in enumerate(sorted(similarities, key=lambda r: similarities[r], reverse=True), start=1)
    }
    fused = []
    for lexical_rank, found in enumerate(lexical, start=1):
        vector_rank = vector_ranks.get(found.rowid)
        rrf = 1 / (RRF_K + lexical_rank) + (1 / (RRF_K + vector_rank) if vector_rank else 0.0)
        hit = SearchHit(
            chunk=chunks[found.rowid][0],
            score=found.score,
            lexical_rank=lexical_rank,
            vector_rank=vector_rank,
            evidence=found.evidence,
        )
        fused.append((rrf, hit))
    fused.sort(key=lambda item: item[0], reverse=True)
    return [hit for _, hit in fused]


def unknown_weight(query: str) -> float:
    """A word the Norwegian index has never seen proves a Norwegian question is about something else;
    in an English question it is most often just English (see ``FOREIGN_UNKNOWN_WEIGHT``)."""
    return FOREIGN_UNKNOWN_WEIGHT if detect_language(query) is Language.ENGLISH else 1.0


def audience_token(audience: str) -> str:
    """The audience as one FTS5 token that no analysed word can be ("molde" -> "audmolde…")."""
    return AUDIENCE_PREFIX + "".join(ch for ch in audience if ch.isalnum())


def _weighted(fields: _Fields) -> tuple[dict[str, float], float]:
    """Term frequencies over title, headings and body (BM25F-style field weights) and the length."""
    title, heading, body = fields
    tf: dict[str, float] = dict(Counter(body))
    for terms, weight in ((title, TITLE_WEIGHT), (heading, HEADING_WEIGHT)):
        for term in terms:
            tf[term] = tf.get(term, 0) + weight
    return tf, TITLE_WEIGHT * len(title) + HEADING_WEIGHT * len(heading) + len(body)


def _json_or_none(text: str | None) -> dict[str, float] | None:
    return None if text is None else json.loads(text)


def _vector_blob(vector: list[float] | None) -> bytes | None:
    return None if vector is None else array("f", _unit(vector)).tobytes()


def _unit(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(value * value for value in vector)) or 1.0
    return [value / norm for value in vector]


def _dot(left: Sequence[float], right: Sequence[float]) -> float:
    return sum(a * b for a, b in zip(left, right, strict=True))


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)
