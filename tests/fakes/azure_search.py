"""A fake Azure AI Search service (REST, as azure-search-documents calls it) for contract tests.

Served over TLS like the real service. It keeps one or more indexes in memory and implements:
- ``PUT /indexes('{name}')``: create or update, checking the schema is coherent (one string key,
  vector fields naming an existing profile and algorithm, semantic fields that exist) and that an
  update only adds fields, as the real service requires;
- ``POST /indexes('{name}')/docs/search.index``: upload, mergeOrUpload, merge and delete actions
  (at most 1000, valid keys, known fields, vectors of the declared dimensions);
- ``POST /indexes('{name}')/docs/search.post.search``: ``search`` text (term matching), ``filter``
  (the OData subset Rakel uses: ``search.in``, ``eq``/``ne``/``gt``/``lt``/``ge``/``le``, ``and``),
  ``vectorQueries`` (cosine, fused with the text ranking as reciprocal ranks), ``queryType``
  semantic with a configuration (adds ``@search.rerankerScore``), ``select``, ``orderby``, ``top``.
Every request needs the ``api-key`` header and an ``api-version``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.server import FakeServer
from tests.fakes.tls import LocalTls

KEY_CHARACTERS = re.compile(r"[A-Za-z0-9_\-=]+")
CLAUSE = re.compile(
    r"search\.in\((?P<in_field>\w+),\s*'(?P<values>(?:[^']|'')*)',\s*'(?P<delimiter>[^']+)'\)"
    r"|(?P<field>\w+) (?P<op>eq|ne|gt|lt|ge|le) '(?P<value>(?:[^']|'')*)'"
)
AND = re.compile(r"\s+and\s+")


class ODataError(ValueError):
    pass


@dataclass
class FakeIndex:
    schema: dict[str, Any]
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def fields(self) -> dict[str, dict[str, Any]]:
        return {f["name"]: f for f in self.schema["fields"]}

    @property
    def key(self) -> str:
        return next(f["name"] for f in self.schema["fields"] if f.get("key"))


class FakeAzureSearch(FakeServer):
    def __init__(self, tls: LocalTls, *, api_key: str) -> None:
        super().__init__(tls)
        self.api_key = api_key
        self.bearer_token = ""  # set: an Entra ID token (Authorization: Bearer) is accepted instead of the key
        self.indexes: dict[str, FakeIndex] = {}

    @property
    def endpoint(self) -> str:
        return self.base_url

    def searches(self) -> list[dict[str, Any]]:
        return [r.json() for r in self.requests_to("/docs/search.post.search")]

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/indexes('{name}'){rest:.*}", self._dispatch)

    async def _dispatch(self, request: web.Request) -> web.Response:
        bearer = self.bearer_token and request.headers.get("Authorization") == f"Bearer {self.bearer_token}"
        if request.headers.get("api-key") != self.api_key and not bearer:
            return _error(403, "Forbidden: the api-key is not valid")
        if not request.query.get("api-version"):
            return _error(400, "The api-version query parameter is missing")
        name, rest = request.match_info["name"], request.match_info["rest"]
        if rest == "" and request.method == "PUT":
            return self._put_index(name, await request.json())
        index = self.indexes.get(name)
        if index is None:
            return _error(404, f"The index '{name}' for service 'fake' was not found.")
        if rest == "" and request.method == "GET":
            return web.json_response(index.schema)
        if rest == "/docs/search.index" and request.method == "POST":
            return self._index_documents(index, await request.json())
        if rest == "/docs/search.post.search" and request.method == "POST":
            try:
                return web.json_response(_search(index, await request.json()))
            except ODataError as error:
                return _error(400, f"Invalid expression: {error}")
        return _error(404, f"No route for {request.method} {rest}")

    # --- schema ----------------------------------------------------------------------------
    def _put_index(self, name: str, schema: dict[str, Any]) -> web.Response:
        problem = _schema_problem(name, schema) or self._update_problem(name, schema)
        if problem:
            return _error(400, problem)
        existing = self.indexes.get(name)
        if existing is None:
            self.indexes[name] = FakeIndex(schema)
            return web.json_response(schema, status=201)
        existing.schema = schema
        return web.json_response(schema)

    def _update_problem(self, name: str, schema: dict[str, Any]) -> str:
        existing = self.indexes.get(name)
        if existing is None:
            return ""
        new_fields = {f["name"]: f for f in schema["fields"]}
        for old_name, old in existing.fields.items():
            new = new_fields.get(old_name)
            if new is None:
                return f"Existing field '{old_name}' cannot be removed"
            for attribute in ("type", "key", "analyzer", "dimensions", "searchable", "filterable"):
                if old.get(attribute) != new.get(attribute):
                    return f"Existing field '{old_name}' cannot be changed ({attribute})"
        return ""

    # --- documents -------------------------------------------------------------------------
    def _index_documents(self, index: FakeIndex, body: dict[str, Any]) -> web.Response:
        actions = body.get("value", [])
        if not actions or len(actions) > 1000:
            return _error(400, "A batch must hold between 1 and 1000 actions")
        results, failed = [], False
        for action in actions:
            document = {k: v for k, v in action.items() if k != "@search.action"}
            key = document.get(index.key)
            problem = _document_problem(index, document)
            if problem:
                return _error(400, problem)
            kind = action.get("@search.action", "upload")
            status = 200
            if kind == "delete":
                index.documents.pop(key, None)
            elif kind == "upload":
                status = 200 if key in index.documents else 201
                index.documents[key] = document
            elif kind == "mergeOrUpload":
                status = 200 if key in index.documents else 201
                index.documents[key] = {**index.documents.get(key, {}), **document}
            elif kind == "merge" and key in index.documents:
                index.documents[key].update(document)
            else:
                status, failed = 404, True
            results.append(
                {"key": key, "status": status < 400, "errorMessage": None if status < 400 else "Document not found.", "statusCode": status}
            )
        return web.json_response({"value": results}, status=207 if failed else 200)


def _schema_problem(name: str, schema: dict[str, Any]) -> str:
    if schema.get("name") != name:
        return "The index name in the body must match the URL"
    fields = schema.get("fields") or []
    keys = [f for f in fields if f.get("key")]
    if len(keys) != 1 or keys[0].get("type") != "Edm.String":
        return "An index needs exactly one key field of type Edm.String"
    vector_search = schema.get("vectorSearch") or {}
    algorithms = {a["name"]: a for a in vector_search.get("algorithms") or []}
    profiles = {p["name"]: p for p in vector_search.get("profiles") or []}
    for profile in profiles.values():
        if profile.get("algorithm") not in algorithms:
            return f"Vector profile '{profile['name']}' names an unknown algorithm"
    for f in fields:
        if f.get("type") == "Collection(Edm.Single)":
            if not f.get("dimensions") or f.get("vectorSearchProfile") not in profiles:
                return f"Vector field '{f['name']}' needs dimensions and a known vectorSearchProfile"
    names = {f["name"] for f in fields}
    for configuration in (schema.get("semantic") or {}).get("configurations") or []:
        prioritized = configuration.get("prioritizedFields") or {}
        used = [prioritized.get("titleField") or {}]
        used += prioritized.get("prioritizedContentFields") or []
        used += prioritized.get("prioritizedKeywordsFields") or []
        for entry in used:
            if entry and entry.get("fieldName") not in names:
                return f"Semantic configuration names unknown field '{entry.get('fieldName')}'"
    return ""


def _document_problem(index: FakeIndex, document: dict[str, Any]) -> str:
    key = document.get(index.key)
    if not isinstance(key, str) or not KEY_CHARACTERS.fullmatch(key):
        return f"Invalid document key: '{key}'. Keys can only contain letters, digits, '_', '-' or '='"
    fields = index.fields
    for name, value in document.items():
        if name not in fields:
            return f"The property '{name}' does not exist on type 'search.documentFields'"
        dimensions = fields[name].get("dimensions")
        if dimensions and value is not None and len(value) != dimensions:
            return f"The vector field '{name}' must have {dimensions} dimensions"
    return ""


# --- querying ----------------------------------------------------------------------------
def _search(index: FakeIndex, body: dict[str, Any]) -> dict[str, Any]:
    candidates = [d for d in index.documents.values() if _matches(d, body.get("filter"))]
    scores = _text_scores(index, candidates, body.get("search") or "*")
    for query in body.get("vectorQueries") or []:
        scores = _fuse(scores, _vector_scores(candidates, query, index))
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    by_key = {d[index.key]: d for d in candidates}
    semantic = body.get("queryType") == "semantic"
    if semantic:
        configurations = [c["name"] for c in (index.schema.get("semantic") or {}).get("configurations", [])]
        if body.get("semanticConfiguration") not in configurations:
            raise ODataError("semanticConfiguration must name a configuration of the index")
    for order in reversed(_order_by(body.get("orderby"))):
        name, descending = order
        ranked.sort(key=lambda item: by_key[item[0]].get(name) or "", reverse=descending)
    top = body.get("top", 50)
    best = max((score for _, score in ranked), default=1.0) or 1.0
    selected = [s for s in (body.get("select") or "").split(",") if s]
    hidden = {name for name, f in index.fields.items() if f.get("retrievable") is False}
    value = []
    for key, score in ranked[:top]:
        document = by_key[key]
        shown = {k: v for k, v in document.items() if (not selected or k in selected) and k not in hidden}
        result = {"@search.score": score, **shown}
        if semantic:
            result["@search.rerankerScore"] = round(4.0 * score / best, 4)
        value.append(result)
    return {"value": value}


def _matches(document: dict[str, Any], expression: str | None) -> bool:
    if not expression:
        return True
    for clause in AND.split(expression.strip()):
        match = CLAUSE.fullmatch(clause.strip())
        if match is None:
            raise ODataError(clause)
        if match["in_field"]:
            values = match["values"].replace("''", "'").split(match["delimiter"])
            if document.get(match["in_field"]) not in values:
                return False
            continue
        actual, expected = document.get(match["field"]), match["value"].replace("''", "'")
        compare = {
            "eq": lambda a, b: a == b,
            "ne": lambda a, b: a != b,
            "gt": lambda a, b: a is not None and a > b,
            "lt": lambda a, b: a is not None and a < b,
            "ge": lambda a, b: a is not None and a >= b,
            "le": lambda a, b: a is not None and a <= b,
        }[match["op"]]
        if not compare(actual, expected):
            return False
    return True


def _text_scores(index: FakeIndex, documents: list[dict[str, Any]], text: str) -> dict[str, float]:
    if text.strip() == "*":
        return {d[index.key]: 1.0 for d in documents}
    terms = re.findall(r"\w+", text.lower())
    searchable = [name for name, f in index.fields.items() if f.get("searchable") and f["type"] != "Collection(Edm.Single)"]
    scores = {}
    for document in documents:
        words = []
        for name in searchable:
            value = document.get(name) or ""
            words += re.findall(r"\w+", (" ".join(value) if isinstance(value, list) else value).lower())
        score = float(sum(words.count(term) for term in terms))
        if score:
            scores[document[index.key]] = score
    return scores


def _vector_scores(documents: list[dict[str, Any]], query: dict[str, Any], index: FakeIndex) -> dict[str, float]:
    if query.get("kind") != "vector" or not query.get("vector") or not query.get("fields"):
        raise ODataError("a vector query needs kind 'vector', a vector and fields")
    vector, name = query["vector"], query["fields"]
    dimensions = index.fields.get(name, {}).get("dimensions")
    if dimensions != len(vector):
        raise ODataError(f"the query vector must have {dimensions} dimensions")
    scored = {d[index.key]: _cosine(vector, d[name]) for d in documents if d.get(name)}
    nearest = sorted(scored.items(), key=lambda item: -item[1])[: query.get("k", 50)]
    return dict(nearest)


def _fuse(first: dict[str, float], second: dict[str, float]) -> dict[str, float]:
    """Reciprocal rank fusion, as the service combines text and vector rankings."""
    fused: dict[str, float] = {}
    for scores in (first, second):
        for rank, key in enumerate(sorted(scores, key=lambda k: -scores[k]), start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (60 + rank)
    return fused


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def _order_by(expression: str | None) -> list[tuple[str, bool]]:
    orders = []
    for part in (expression or "").split(","):
        words = part.split()
        if words:
            orders.append((words[0], len(words) > 1 and words[1].lower() == "desc"))
    return orders


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": {"code": "", "message": message}}, status=status)
