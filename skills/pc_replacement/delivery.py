"""Reaching one person in Teams: the stored conversation, else a new 1:1 chat by AAD object id (with
Rakel installed for them through Graph when configured). Every request waits for the pacer; 429 is
retried after Retry-After, 412 and 5xx with exponential backoff and jitter."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception
from tenacity.wait import wait_exponential_jitter

from core.messages import Reply
from core.ports import DeliveryError, Messenger, UserNotReachable
from skills.pc_replacement.pacing import Pacer
from store.references import ReferenceRepository

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRYABLE = frozenset({412, 429, 500, 502, 503, 504})
STALE_CONVERSATION = frozenset({403, 404})  # the stored chat is gone (app removed, chat deleted)
MAX_RETRY_AFTER_SECONDS = 60.0


class Undeliverable(Exception):
    """This person cannot be reached in Teams now (no chat, not installed, refused); retrying soon won't help."""


@dataclass(frozen=True)
class Delivered:
    activity_id: str
    conversation_id: str


def _retryable(error: BaseException) -> bool:
    return isinstance(error, DeliveryError) and (error.status is None or error.status in RETRYABLE)


_backoff = wait_exponential_jitter(multiplier=0.5, max=30)


def _wait(state: RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, DeliveryError) and error.retry_after is not None:
        return min(error.retry_after, MAX_RETRY_AFTER_SECONDS)
    return _backoff(state)


def _retry_after(state: RetryCallState) -> float | None:
    error = state.outcome.exception() if state.outcome else None
    return error.retry_after if isinstance(error, DeliveryError) else None


class Courier:
    def __init__(
        self,
        messenger: Messenger,
        references: ReferenceRepository,
        pacer: Pacer,
        *,
        attempts: int = 6,
        max_wait_seconds: float = MAX_RETRY_AFTER_SECONDS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._messenger = messenger
        self._references = references
        self.pacer = pacer
        self._attempts = attempts
        self._max_wait = max_wait_seconds  # a button click cannot wait long: the follow-up job retries later
        self._sleep = sleep

    async def deliver(self, user_id: str, reply: Reply) -> Delivered:
        """Send ``reply`` to the user's 1:1 chat. Raises Undeliverable, or DeliveryError when retries ran out."""
        if not user_id:
            raise Undeliverable("ukjent Entra-id: personen har ikke åpnet Rakel og registeret mangler id")
        known = await self._references.get(user_id)
        try:
            if known is None or not known.installed:  # no chat yet: create it (no request slot spent in vain)
                activity_id = await self._open_and_send(user_id, reply)
            else:
                activity_id = await self._send(user_id, reply)
        except UserNotReachable:
            activity_id = await self._open_and_send(user_id, reply)
        except DeliveryError as error:
            if error.status not in STALE_CONVERSATION:
                raise
            activity_id = await self._open_and_send(user_id, reply)
        stored = await self._references.get(user_id)
        return Delivered(activity_id, stored.conversation_id if stored else "")

    async def _open_and_send(self, user_id: str, reply: Reply) -> str:
        try:
            await self._call(lambda: self._messenger.open_conversation(user_id))
            return await self._send(user_id, reply)
        except UserNotReachable as error:
            raise Undeliverable("Rakel er ikke installert for personen, og kan ikke installeres") from error
        except DeliveryError as error:
            if _retryable(error):
                raise
            raise Undeliverable(f"Teams avviste samtalen ({error.status})") from error

    async def _send(self, user_id: str, reply: Reply) -> str:
        return await self._call(lambda: self._messenger.send_to_user(user_id, reply))

    async def _call(self, operation: Callable[[], Awaitable[T]]) -> T:
        def stop(state: RetryCallState) -> bool:
            retry_after = _retry_after(state)
            return state.attempt_number >= self._attempts or (retry_after is not None and retry_after > self._max_wait)

        retrying = AsyncRetrying(
            retry=retry_if_exception(_retryable),
            stop=stop,
            wait=lambda state: min(_wait(state), self._max_wait),
            sleep=self._sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                await self.pacer.acquire()
                try:
                    return await operation()
                except DeliveryError as error:
                    if error.status == 429:
                        self.pacer.throttled(error.retry_after)
                    log.info("teams refused a request", extra={"status": error.status, "retry_after": error.retry_after})
                    raise
        raise AssertionError("unreachable: tenacity re-raises the last error")
