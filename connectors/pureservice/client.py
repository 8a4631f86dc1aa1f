"""A small Pureservice REST client on aiohttp: the API's conventions, not any one workflow.

- ``{base}{prefix}/{entity}/`` with the prefix configurable (default ``/agent/api``);
- ``X-Authorization-Key`` and ``Accept: application/vnd.api+json`` on every request; bodies are
  ``application/vnd.api+json`` keyed by the plural entity name (``{"tickets": [...]}``);
- ``include`` puts related rows in ``linked``; ``start``/``limit`` paging until a short page;
- a client-side leaky bucket at ``requests_per_minute`` (the SaaS limit is about 100 a minute);
- 429 (after ``Retry-After``), 5xx, timeouts and network errors are retried with backoff, but a
  POST only on 429: a failed create may have been stored, so its caller decides (see desk.py);
- ids of statuses, priorities, zones, ... are looked up by name once per client (one tenant).

Logs carry method, path and status, never a query (filters hold e-mail addresses) or a body.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiolimiter import AsyncLimiter
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_exponential_jitter
from yarl import URL

from connectors.pureservice.errors import (
    MissingEntityError,
    PureserviceError,
    RateLimitedError,
    UnavailableError,
    error_for_status,
)
from connectors.pureservice.query import MAX_PAGE_SIZE, query_string, string_literal
from core.pii import mask
from core.retry_after import parse_retry_after
from core.settings import Settings

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/vnd.api+json"
IRREGULAR_PLURALS = {
    "status": "statuses",
    "priority": "priorities",
    "category": "categories",
    "company": "companies",
    "emailaddress": "emailaddresses",
}
MAX_RETRY_AFTER_SECONDS = 60.0

Row = dict[str, Any]


def plural(entity: str) -> str:
    """The envelope key of an entity: ``ticket`` -> ``tickets``, ``status`` -> ``statuses``."""
    return IRREGULAR_PLURALS.get(entity, entity + "s")


@dataclass(frozen=True)
class Page:
    """One response: the rows of the requested entity and the ``linked`` rows of its includes."""

    rows: list[Row]
    linked: dict[str, list[Row]] = field(default_factory=dict)

    def linked_by_id(self, entity: str) -> dict[int, Row]:
        return {row["id"]: row for row in self.linked.get(plural(entity), [])}


class PureserviceClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        prefix: str = "/agent/api",
        requests_per_minute: float = 100,
        burst: int = 5,
        timeout_seconds: float = 10.0,
        attempts: int = 4,
        backoff_seconds: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        self._api_key = api_key
        # Leaky bucket: `burst` requests at once, then one every 60/requests_per_minute seconds.
        self._limiter = AsyncLimiter(burst, burst * 60.0 / requests_per_minute)
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._attempts = attempts
        self._backoff = wait_exponential_jitter(initial=backoff_seconds, max=30 * backoff_seconds)
        self._sleep = sleep
        self._session: aiohttp.ClientSession | None = None
        self._ids: dict[tuple[str, str], asyncio.Future[int]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> PureserviceClient:
        return cls(
            settings.pureservice_url,
            settings.pureservice_api_key.get_secret_value(),
            prefix=settings.pureservice_api_prefix,
            requests_per_minute=settings.pureservice_requests_per_minute,
            timeout_seconds=settings.pureservice_timeout_seconds,
        )

    # --- reading --------------------------------------------------------------------------
    async def page(
        self,
        entity: str,
        *,
        filter: str | None = None,
        include: Iterable[str] = (),
        sort: str | None = None,
        start: int = 0,
        limit: int = MAX_PAGE_SIZE,
        retry: bool = True,
    ) -> Page:
        """One page of ``GET /{entity}/``."""
        if not 0 < limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be 1..{MAX_PAGE_SIZE}, not {limit}")
        params: dict[str, str | int] = {}
        if filter:
            params["filter"] = filter
        if include := ",".join(include):
            params["include"] = include
        if sort:
            params["sort"] = sort
        params["start"], params["limit"] = start, limit
        body = await self.request("GET", f"/{entity}/", params=params, retry=retry)
        return _page(body, entity)

    async def pages(
        self,
        entity: str,
        *,
        filter: str | None = None,
        include: Iterable[str] = (),
        sort: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> AsyncIterator[Page]:
        """Every page, ``start`` moving by ``page_size`` until a short or empty page (no totals are sent)."""
        include = tuple(include)
        start = 0
        while True:
            page = await self.page(
                entity, filter=filter, include=include, sort=sort, start=start, limit=page_size
            )
            yield page
            if len(page.rows) < page_size:
                return
            start += page_size

    async def id_by_name(self, entity: str, name: str, *, also: str = "", fresh: bool = False) -> int:
        """The id of the row named ``name`` (``also``: an extra filter clause), looked up once
        (``fresh``: asked again, e.g. to see whether a name was renamed since)."""
        clause = f"name == {string_literal(name)}" + (f" AND {also}" if also else "")
        return await (self._lookup_id(entity, clause) if fresh else self._cached_id(entity, clause))

    async def id_by_key(self, entity: str, key: str, *, fresh: bool = False) -> int:
        """The id of the row with this ``key`` (request types: ``Ticket``, ``Change``), looked up once."""
        clause = f"key == {string_literal(key)}"
        return await (self._lookup_id(entity, clause) if fresh else self._cached_id(entity, clause))

    # --- writing --------------------------------------------------------------------------
    async def create(self, entity: str, record: Mapping[str, Any], *, timeout: float | None = None) -> Row:
        """``POST /{entity}/`` with ``{"<plural>": [record]}``; the created row as the server returns it.

        ``timeout`` (seconds) replaces the request timeout: a slow create may still be stored, so its
        caller waits for the answer rather than cut it off and guess.
        """
        body = await self.request("POST", f"/{entity}/", json_body={plural(entity): [record]}, timeout=timeout)
        rows = _page(body, entity).rows
        if not rows:
            raise PureserviceError(f"POST /{entity}/ returned no {plural(entity)}", retryable=False)
        return rows[0]

    # --- plumbing -------------------------------------------------------------------------
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        retry: bool = True,
        timeout: float | None = None,
    ) -> Any:
        """The decoded JSON body, after retries; raises a PureserviceError otherwise."""
        url = URL(
            f"{self.base_url}{self.prefix}{path}" + (f"?{query_string(params)}" if params else ""),
            encoded=True,
        )
        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda error: _may_retry(method, error)),
            stop=stop_after_attempt(self._attempts if retry else 1),
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=lambda state: _log_retry(method, path, state),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._send(method, url, path, json_body, timeout)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> PureserviceClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _send(self, method: str, url: URL, path: str, json_body: Any, timeout: float | None) -> Any:
        headers = {"X-Authorization-Key": self._api_key, "Accept": MEDIA_TYPE}
        data = None
        if json_body is not None:
            headers["Content-Type"] = MEDIA_TYPE
            data = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        limit = aiohttp.ClientTimeout(total=timeout) if timeout is not None else self._timeout
        async with self._limiter:
            started = time.monotonic()
            try:
                async with self._client().request(method, url, headers=headers, data=data, timeout=limit) as response:
                    body = await response.read()
                    status, retry_after = response.status, parse_retry_after(response.headers.get("Retry-After"))
            except TimeoutError as error:
                raise UnavailableError(
                    f"Pureservice did not answer {method} {path} within {limit.total:g} s",
                    retryable=True,
                ) from error
            except aiohttp.ClientError as error:
                raise UnavailableError(
                    f"Pureservice unreachable on {method} {path}: {type(error).__name__}: {error}",
                    retryable=True,
                ) from error
        elapsed_ms = (time.monotonic() - started) * 1000
        if status >= 400:
            error = error_for_status(
                status,
                method=method,
                path=path,
                prefix=self.prefix,
                server_message=_server_message(body),
                retry_after=retry_after,
            )
            log.warning(
                "pureservice %s %s -> %s in %.0f ms: %s", method, path, status, elapsed_ms, mask(str(error))
            )
            raise error
        log.debug("pureservice %s %s -> %s in %.0f ms", method, path, status, elapsed_ms)
        try:
            return json.loads(body) if body else {}
        except ValueError as error:
            raise PureserviceError(
                f"Pureservice sent no JSON on {method} {path} (HTTP {status})", retryable=False, status=status
            ) from error

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            return min(error.retry_after, MAX_RETRY_AFTER_SECONDS)
        return self._backoff(state)

    async def _cached_id(self, entity: str, clause: str) -> int:
        """One lookup per (entity, filter), shared by concurrent callers; failures are not kept."""
        key = (entity, clause)
        future = self._ids.get(key)
        if future is None:
            future = self._ids[key] = asyncio.ensure_future(self._lookup_id(entity, clause))
        try:
            return await asyncio.shield(future)
        except BaseException:
            if future.done() and self._ids.get(key) is future:
                del self._ids[key]
            raise

    async def _lookup_id(self, entity: str, clause: str) -> int:
        rows = (await self.page(entity, filter=clause, limit=2)).rows
        if not rows:
            raise MissingEntityError(
                f"Pureservice has no {entity} where {clause}; check the name in the settings"
            )
        if len(rows) > 1:
            log.warning(
                "pureservice: several %s rows where %s; using id %s", plural(entity), clause, rows[0]["id"]
            )
        return int(rows[0]["id"])


def _page(body: Any, entity: str) -> Page:
    key = plural(entity)
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise PureserviceError(f"Pureservice answer has no {key!r} list", retryable=False)
    return Page(rows=body[key], linked=body.get("linked") or {})


def _may_retry(method: str, error: BaseException) -> bool:
    if not isinstance(error, PureserviceError) or not error.retryable:
        return False
    return method != "POST" or isinstance(error, RateLimitedError)


def _log_retry(method: str, path: str, state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    log.info(
        "pureservice %s %s failed (%s); attempt %d, retrying in %.1f s",
        method,
        path,
        getattr(error, "status", None) or type(error).__name__,
        state.attempt_number,
        wait,
    )


def _server_message(body: bytes) -> str:
    try:
        message = json.loads(body).get("message", "")
    except (ValueError, AttributeError):
        return ""
    return str(message)[:500]


