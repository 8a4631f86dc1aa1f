"""Reaching one person in Teams: the stored conversation, else a new 1:1 chat by AAD object id (with
Rakel installed for them through Graph when configured). Every request waits for the pacer; 429 is
retried after Retry-After (a pause for every sender), 412 and 5xx with exponential backoff and jitter."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from core.messages import Reply
from core.ports import DeliveryError, Messenger, UserNotReachable
from skills.pc_replacement.pacing import Pacer
from store.references import ReferenceRepository

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRYABLE = frozenset({412, 429, 500, 502, 503, 504})
STALE_CONVERSATION = frozenset({403, 404})  # the stored chat is gone (app removed, chat deleted)
MAX_RETRY_AFTER_SECONDS = 60.0
MAX_BACKOFF_SECONDS = 30.0
THROTTLE_PATIENCE_SECONDS = 45.0


class Undeliverable(Exception):
    """This person cannot be reached in Teams now (no chat, not installed, refused); retrying soon won't help."""


@dataclass(frozen=True)
class Delivered:
    activity_id: str
    conversation_id: str


def _retryable(error: BaseException) -> bool:
    return isinstance(error, DeliveryError) and (error.status is None or error.status in RETRYABLE)


def backoff(failures: int) -> float:
    """Exponential backoff with full jitter (0.5 s, 1 s, 2 s ... up to 30 s)."""
    return random.uniform(0.0, min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** (failures - 1))) + 0.05


class Courier:
    def __init__(
        self,
        messenger: Messenger,
        references: ReferenceRepository,
        pacer: Pacer,
        *,
        attempts: int = 6,
        max_wait_seconds: float = MAX_RETRY_AFTER_SECONDS,
        patience_seconds: float = THROTTLE_PATIENCE_SECONDS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._messenger = messenger
        self._references = references
        self.pacer = pacer
        self._attempts = attempts
        self._max_wait = max_wait_seconds  # a button click cannot wait long: the follow-up job retries later
        self._patience = patience_seconds  # how long one message waits out 429s before the service takes it
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
            await self._call(lambda: self._messenger.open_conversation(user_id), creating=True)
            return await self._send(user_id, reply)
        except UserNotReachable as error:
            raise Undeliverable("Rakel er ikke installert for personen, og kan ikke installeres") from error
        except DeliveryError as error:
            if _retryable(error):
                raise
            raise Undeliverable(f"Teams avviste samtalen ({error.status})") from error

    async def _send(self, user_id: str, reply: Reply) -> str:
        return await self._call(lambda: self._messenger.send_to_user(user_id, reply))

    async def _call(self, operation: Callable[[], Awaitable[T]], *, creating: bool = False) -> T:
        """One request, retried: 412 and 5xx up to ``attempts`` times with backoff; 429 after the pacer's
        pause (Retry-After, for every sender) for as long as ``patience`` allows. Then DeliveryError: the
        campaign records the send for the service to retry later."""
        failures, throttled_since = 0, None
        while True:
            await self.pacer.acquire(creating=creating)
            try:
                return await operation()
            except DeliveryError as error:
                if not _retryable(error):
                    raise
                log.info("teams refused a request", extra={"status": error.status, "retry_after": error.retry_after})
                if error.status == 429:
                    self.pacer.throttled(error.retry_after)
                    now = self.pacer.monotonic()
                    throttled_since = now if throttled_since is None else throttled_since
                    if (error.retry_after or 0.0) > self._max_wait or now - throttled_since >= self._patience:
                        raise
                    continue
                failures += 1
                if failures >= self._attempts:
                    raise
                await self._sleep(min(backoff(failures), self._max_wait))
