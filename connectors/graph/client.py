"""A small, generic Microsoft Graph client on aiohttp (app tokens, paging, throttling, retries).

Used by the SharePoint source and, later, for users and managers, Intune devices and Teams app
installation. It knows Graph's conventions, not any one resource:
- ``@odata.nextLink`` paging (the link is absolute and must stay on the Graph host);
- 429 and 503 with ``Retry-After`` (seconds or an HTTP date) are retried after that delay, other
  5xx and network errors with exponential backoff and jitter;
- a 401 means the token went stale: it is dropped and the request repeated once with a new one.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_exponential_jitter
from yarl import URL

from connectors.graph.auth import GraphTokenProvider
from core.retry_after import parse_retry_after
from core.settings import Settings

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_SECONDS = 120.0


class AccessTokens(Protocol):
    async def token(self) -> str: ...

    async def invalidate(self, token: str) -> None: ...

    async def close(self) -> None: ...


class GraphError(Exception):
    """Graph refused or failed a request. ``code`` is Graph's error code when it sent one."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status in RETRYABLE_STATUSES


class GraphClient:
    def __init__(
        self,
        tokens: AccessTokens,
        *,
        base_url: str = "https://graph.microsoft.com/v1.0",
        ca_file: Path | None = None,
        timeout_seconds: float = 30.0,
        attempts: int = 5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._tokens = tokens
        self._base = URL(base_url.rstrip("/"))
        self._ssl: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=str(ca_file)) if ca_file else True
        )
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._attempts = attempts
        self._sleep = sleep
        self._session: aiohttp.ClientSession | None = None

    async def get_json(
        self, path_or_url: str, params: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        return json.loads(await self.request("GET", path_or_url, params=params))

    async def get_bytes(self, path_or_url: str) -> bytes:
        """A binary body such as a drive item's ``/content`` (redirects to the download URL)."""
        return await self.request("GET", path_or_url)

    async def paged(
        self, path: str, params: Mapping[str, str] | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Every item of a collection, following ``@odata.nextLink`` page after page."""
        page = await self.get_json(path, params)
        while True:
            for item in page.get("value", []):
                yield item
            next_link = page.get("@odata.nextLink")
            if not next_link:
                return
            page = await self.get_json(next_link)

    async def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> bytes:
        """The response body of one request, after retries; raises GraphError otherwise."""
        url = self._url(path_or_url, params)
        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda error: isinstance(error, GraphError) and error.retryable),
            stop=stop_after_attempt(self._attempts),
            wait=_wait_for_graph,
            sleep=self._sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._send_with_fresh_token(method, url, json_body)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def close(self) -> None:
        """Close the HTTP session and the token provider's."""
        if self._session is not None:
            await self._session.close()
            self._session = None
        await self._tokens.close()

    async def __aenter__(self) -> GraphClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _url(self, path_or_url: str, params: Mapping[str, str] | None) -> URL:
        if path_or_url.startswith(("https://", "http://")):
            # a nextLink is already encoded; re-encoding would break its $skiptoken
            url = URL(path_or_url, encoded=True)
            if url.origin() != self._base.origin():
                raise GraphError(f"refusing to send the Graph token to {url.origin()}")
        else:
            url = URL(f"{self._base}/{path_or_url.lstrip('/')}")
        return url.update_query(params) if params else url

    async def _send_with_fresh_token(self, method: str, url: URL, json_body: Any) -> bytes:
        token = await self._tokens.token()
        status, headers, body = await self._send(method, url, token, json_body)
        if status == 401:
            await self._tokens.invalidate(token)
            status, headers, body = await self._send(method, url, await self._tokens.token(), json_body)
        if status >= 400:
            raise _graph_error(method, url, status, headers, body)
        return body

    async def _send(
        self, method: str, url: URL, token: str, json_body: Any
    ) -> tuple[int, Mapping[str, str], bytes]:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            async with self._client().request(
                method, url, headers=headers, json=json_body, ssl=self._ssl
            ) as response:
                return response.status, response.headers, await response.read()
        except (TimeoutError, aiohttp.ClientError) as error:
            raise GraphError(f"{method} {url.path}: {type(error).__name__}: {error}") from error

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session


def build_graph_client(settings: Settings) -> GraphClient | None:
    """The Graph client when an app registration is configured, else None (embedded defaults)."""
    if not (settings.graph_tenant_id and settings.graph_client_id):
        return None
    return GraphClient(
        GraphTokenProvider.from_settings(settings),
        base_url=settings.graph_base_url,
        ca_file=settings.graph_ca_file,
    )


def _graph_error(
    method: str, url: URL, status: int, headers: Mapping[str, str], body: bytes
) -> GraphError:
    code, message = "", body[:200].decode(errors="replace")
    try:
        error = json.loads(body).get("error", {})
        code, message = error.get("code", ""), error.get("message", message)
    except (ValueError, AttributeError):
        pass
    answered = f"{status} {code}" if code else str(status)
    return GraphError(
        f"{method} {url.path} answered {answered}: {message}",
        status=status,
        code=code,
        retry_after=parse_retry_after(headers.get("Retry-After")),
    )


_backoff = wait_exponential_jitter(initial=1, max=30)


def _wait_for_graph(state: RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, GraphError) and error.retry_after is not None:
        return min(error.retry_after, MAX_RETRY_AFTER_SECONDS)
    return _backoff(state)
