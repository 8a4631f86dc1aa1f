"""Every message Rakel sends goes to the Bot Connector REST API as JSON over one shared aiohttp session:
replies in a turn, proactive messages, card updates and new conversations (1:1 chats, channel threads).

botbuilder's own path serialises every activity through msrest models (~1.7 ms for a card) and sends it
with ``requests`` in a thread pool; the turn benchmark showed that as the largest cost of a turn
(../shared/notes/turn-overhead.md). Activities are built as JSON already (bot.activities), so they are
sent as they are, with the bot's own token (``bot.authentication.outbound_credentials``).
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import aiohttp
from botframework.connector.auth import AppCredentials
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from core.ports import DeliveryError
from core.retry_after import parse_retry_after

# A reply in a turn is retried on the Teams docs' list, plus plain 5xx: the user is waiting for it.
REPLY_RETRIED = frozenset({412, 429, 500, 502, 503, 504})
# Messages Rakel starts herself are sent once, as on botbuilder's path: their callers pace and retry them
# (the PC campaign's courier after Retry-After, the ticket outbox, the handoff upkeep).
PROACTIVE_RETRIED: frozenset[int] = frozenset()
ATTEMPTS = 4
TIMEOUT_SECONDS = 15.0
_backoff = wait_exponential_jitter(multiplier=0.5, max=10)


def _wait(state) -> float:  # noqa: ANN001 - tenacity's RetryCallState
    error = state.outcome.exception() if state.outcome else None
    retry_after = error.retry_after if isinstance(error, DeliveryError) else None
    return max(retry_after or 0.0, _backoff(state))


def _conversations(service_url: str, *path: str) -> str:
    return "/".join([f"{service_url.rstrip('/')}/v3/conversations", *(quote(part, safe="") for part in path)])


class ConnectorHttp:
    def __init__(self, credentials: AppCredentials | None) -> None:
        self._credentials = credentials  # None in local mode (no app id): no token
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS))
        return self._session

    async def post_activity(
        self, service_url: str, conversation_id: str, activity: dict[str, Any], *,
        reply_to_id: str | None = None, retried: frozenset[int] = REPLY_RETRIED,
    ) -> str:
        """Post the activity (in reply to ``reply_to_id`` when given); return the id the channel gave it."""
        path = (conversation_id, "activities", *([reply_to_id] if reply_to_id else []))
        body = await self._send("POST", _conversations(service_url, *path), activity, retried)
        return str(body.get("id") or "")

    async def update_activity(
        self, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any], *,
        retried: frozenset[int] = REPLY_RETRIED,
    ) -> None:
        """Replace a message sent earlier (``PUT …/activities/{id}``)."""
        url = _conversations(service_url, conversation_id, "activities", activity_id)
        await self._send("PUT", url, {**activity, "id": activity_id}, retried)

    async def create_conversation(
        self, service_url: str, parameters: dict[str, Any], *, retried: frozenset[int] = PROACTIVE_RETRIED,
    ) -> dict[str, Any]:
        """Create a conversation (a 1:1 chat, or a new thread in a channel); return the connector's answer
        (``id``, and ``activityId`` when the parameters carried a first message)."""
        return await self._send("POST", _conversations(service_url), parameters, retried)

    async def _send(self, method: str, url: str, body: dict[str, Any], retried: frozenset[int]) -> dict[str, Any]:
        """Raises DeliveryError after the retries ``retried`` allows (with any retries, connection failures
        are retried too)."""

        def retryable(error: BaseException) -> bool:
            return bool(retried) and isinstance(error, DeliveryError) and (error.status is None or error.status in retried)

        async for attempt in AsyncRetrying(
            retry=retry_if_exception(retryable), stop=stop_after_attempt(ATTEMPTS), wait=_wait, reraise=True
        ):
            with attempt:
                return await self._send_once(method, url, body, await self._token())
        raise AssertionError("unreachable")  # AsyncRetrying re-raises the last error

    async def _token(self) -> str | None:
        if self._credentials is None:
            return None
        return await asyncio.to_thread(self._credentials.get_access_token)  # msal caches; the first call may fetch

    async def _send_once(self, method: str, url: str, body: dict[str, Any], token: str | None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            async with self._client().request(method, url, json=body, headers=headers) as response:
                if response.status >= 300:
                    raise DeliveryError(
                        f"the Bot Connector answered {response.status}", status=response.status,
                        retry_after=parse_retry_after(response.headers.get("Retry-After")),
                    )
                answer = await response.json(content_type=None) if response.content_length != 0 else {}
                return answer if isinstance(answer, dict) else {}
        except (TimeoutError, aiohttp.ClientError) as error:
            raise DeliveryError(f"the Bot Connector could not be reached: {error!r}") from error

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
