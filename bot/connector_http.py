"""Replies to the Bot Connector REST API (POST /v3/conversations/{id}/activities[/{replyToId}]) over one
shared aiohttp session.

botbuilder's own path serialises every reply through msrest models (~1.7 ms for a card) and sends it
with ``requests`` in a thread pool; the turn benchmark showed that as the largest cost of a turn
(../shared/notes/turn-overhead.md). Replies are built as JSON already (bot.activities.activity_json),
so they are posted as they are. The token is the one botbuilder's own credentials hold.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import aiohttp
from botframework.connector.auth import AppCredentials, AuthenticationConstants
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from core.ports import DeliveryError
from core.retry_after import parse_retry_after

RETRIED_STATUSES = frozenset({412, 429, 500, 502, 503, 504})  # the Teams docs' list, plus plain 5xx
ATTEMPTS = 4
TIMEOUT_SECONDS = 15.0
_backoff = wait_exponential_jitter(multiplier=0.5, max=10)


def _retryable(error: BaseException) -> bool:
    return isinstance(error, DeliveryError) and (error.status is None or error.status in RETRIED_STATUSES)


def _wait(state) -> float:  # noqa: ANN001 - tenacity's RetryCallState
    error = state.outcome.exception() if state.outcome else None
    retry_after = error.retry_after if isinstance(error, DeliveryError) else None
    return max(retry_after or 0.0, _backoff(state))


async def bearer_token(credentials: AppCredentials | None) -> str | None:
    """The outbound token, or None in local mode (no app id), as botbuilder decides it."""
    app_id = getattr(credentials, "microsoft_app_id", None)
    if credentials is None or not app_id or app_id == AuthenticationConstants.ANONYMOUS_SKILL_APP_ID:
        return None
    return await asyncio.to_thread(credentials.get_access_token)  # msal caches; the first call may fetch


class ConnectorHttp:
    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS))
        return self._session

    async def post_activity(
        self, service_url: str, conversation_id: str, activity: dict[str, Any], *,
        reply_to_id: str | None, credentials: AppCredentials | None,
    ) -> str:
        """Post the activity; return the id the channel gave it. Raises DeliveryError after retries."""
        url = f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation_id, safe='')}/activities"
        if reply_to_id:
            url += f"/{quote(reply_to_id, safe='')}"
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(_retryable), stop=stop_after_attempt(ATTEMPTS), wait=_wait, reraise=True
        ):
            with attempt:
                return await self._post_once(url, activity, await bearer_token(credentials))
        raise AssertionError("unreachable")  # AsyncRetrying re-raises the last error

    async def _post_once(self, url: str, activity: dict[str, Any], token: str | None) -> str:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            async with self._client().post(url, json=activity, headers=headers) as response:
                if response.status >= 300:
                    raise DeliveryError(
                        f"the Bot Connector answered {response.status}", status=response.status,
                        retry_after=parse_retry_after(response.headers.get("Retry-After")),
                    )
                body = await response.json(content_type=None) if response.content_length != 0 else {}
                return str((body or {}).get("id") or "")
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise DeliveryError(f"the Bot Connector could not be reached: {error!r}") from error

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
