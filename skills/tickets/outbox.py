"""The ticket outbox: how every skill files a ticket with nothing lost and nothing doubled.

``submit`` writes the draft to the outbox table first, then tries the desk while the user waits (a
few seconds at most). When the desk is down or slow the ticket stays queued; the worker (a background
job of the tickets skill, in every bot process) retries it on an exponential schedule kept in the
row, and tells the user the number when it exists - also after a restart. The idempotency key keeps
it to one ticket: the outbox row is unique per key, its lease lets one process at a time talk to
the desk, and the desk itself finds a ticket already carrying the key (Pureservice's
``customerReference``, the local desk's unique column).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from core.language import Language
from core.messages import Reply
from core.pii import mask
from core.ports import (
    DeliveryError,
    Messenger,
    TicketDesk,
    TicketDeskError,
    TicketDraft,
    TicketSubmission,
    TicketSummary,
    UserNotReachable,
)
from skills.tickets import texts
from skills.tickets.cards import created_card
from store.tickets_outbox import (
    CREATED,
    FAILED,
    NOTIFY_GAVE_UP,
    NOTIFY_SENT,
    NOTIFY_UNREACHABLE,
    OutboxEntry,
    OutboxRepository,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

LEASE_MARGIN_SECONDS = 30.0
NOTIFY_LEASE_SECONDS = 60.0
MAX_NOTIFY_ATTEMPTS = 10
POLL_SECONDS = 0.1
PRUNE_EVERY_SECONDS = 3600.0
KEEP_CREATED_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class RetrySchedule:
    """Exponential back-off with jitter: ``initial``, twice that, ... up to ``maximum``; never gives up."""

    initial: float
    maximum: float
    jitter: float = 0.2

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        base = min(self.maximum, self.initial * 2 ** max(0, attempt - 1))
        base *= 1 + self.jitter * (2 * random.random() - 1)
        return max(base, retry_after or 0.0)


def reason_code(error: TicketDeskError) -> str:
    """Why the desk refused, in words the user understands (see texts.REASONS)."""
    if error.status in (400, 422):
        return "refused"
    if error.status in (401, 403):
        return "access"
    return "setup" if error.status is None else "other"


def reason_of(last_error: str) -> str:
    code = last_error.split(":", 1)[0]
    return code if code in texts.REASONS else "other"


def language_of(value: str) -> Language:
    try:
        return Language(value)
    except ValueError:
        return Language.BOKMAAL


@dataclass
class _Waiter:
    """Is a user still waiting for this attempt (then they hear the outcome from the click, not a message)?"""

    user_waiting: bool


@dataclass(frozen=True)
class _Outcome:
    ticket: TicketSummary | None = None
    refused: TicketDeskError | None = None


class TicketOutbox:
    """The ``TicketSubmitter`` of every skill, and the worker that empties the outbox."""

    def __init__(
        self,
        repo: OutboxRepository,
        desk: TicketDesk,
        messenger: Messenger,
        *,
        clock: Callable[[], datetime],
        schedule: RetrySchedule,
        wait_seconds: float,
        attempt_timeout: float,
        interval: float,
        concurrency: int,
        kundeservice_phone: str,
        no_answer_delay: float,
    ) -> None:
        self._repo = repo
        self._desk = desk
        self._messenger = messenger
        self._clock = clock
        self._schedule = schedule
        self._wait_seconds = wait_seconds
        self._attempt_timeout = attempt_timeout
        self._interval = interval
        self._concurrency = concurrency
        self._phone = kundeservice_phone
        # After a create got no answer (timeout, broken connection) it may still land at the desk; the
        # retry waits long enough for the desk to show it, so the retry finds it instead of doubling it.
        self._no_answer_delay = no_answer_delay
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"  # this process, in leases
        self._tasks: set[asyncio.Task[Any]] = set()
        self._last_prune = 0.0

    def _now(self) -> float:
        return self._clock().timestamp()

    def _lease(self) -> float:
        return self._now() + self._attempt_timeout + LEASE_MARGIN_SECONDS

    # --- TicketSubmitter ------------------------------------------------------------------
    async def submit(
        self, draft: TicketDraft, *, notify_user_id: str | None = None, language: str = Language.BOKMAAL.value
    ) -> TicketSubmission:
        """Create now, or queue; raises a non-retryable TicketDeskError when the desk refuses the ticket."""
        key = draft.idempotency_key
        owned = await self._repo.add(
            draft, notify_user_id=notify_user_id or "", language=language, owner=self.owner,
            lease_until=self._lease(), now=self._now(),
        )
        if not owned:
            entry = await self._repo.get(key)
            if entry is not None and entry.state == CREATED:
                return TicketSubmission(entry.ticket, queued=False)
            if entry is not None and entry.state == FAILED:
                owned = await self._repo.rearm(draft, self.owner, self._lease(), self._now())
            else:
                owned = await self._repo.claim(key, self.owner, self._lease(), self._now())
        if not owned:
            return await self._outcome_of_another(key)
        waiter = _Waiter(user_waiting=True)
        task = self._spawn(self._attempt(key, draft, waiter))
        try:
            outcome = await asyncio.wait_for(asyncio.shield(task), self._wait_seconds)
        except TimeoutError:
            waiter.user_waiting = False  # the attempt goes on; its outcome reaches the user as a message
            await self._repo.want_notification(key, self._now())
            return TicketSubmission(None, queued=True)
        if outcome.ticket is not None:
            return TicketSubmission(outcome.ticket, queued=False)
        if outcome.refused is not None:
            raise outcome.refused
        await self._repo.want_notification(key, self._now())
        return TicketSubmission(None, queued=True)

    async def enqueue(self, draft: TicketDraft, *, notify_user_id: str, language: str) -> None:
        """Queue without trying now (nobody is waiting); the user is told the outcome."""
        await self._repo.add(
            draft, notify_user_id=notify_user_id, language=language, owner="", lease_until=0.0, now=self._now(),
            notify=True,
        )

    async def entry(self, key: str) -> OutboxEntry | None:
        return await self._repo.get(key)

    async def _outcome_of_another(self, key: str) -> TicketSubmission:
        """Another click or process holds the row: wait briefly for its outcome, else report it queued."""
        deadline = self._now() + self._wait_seconds
        while True:
            entry = await self._repo.get(key)
            if entry is not None and entry.state == CREATED:
                return TicketSubmission(entry.ticket, queued=False)
            if entry is not None and entry.state == FAILED:
                raise TicketDeskError(entry.last_error, retryable=False)
            if self._now() >= deadline:
                await self._repo.want_notification(key, self._now())
                return TicketSubmission(None, queued=True)
            await asyncio.sleep(POLL_SECONDS)

    # --- one attempt ------------------------------------------------------------------------
    def _spawn(self, work: Awaitable[T]) -> asyncio.Task[T]:
        """A task that shutdown cancels (``_stop``), so its lease is handed back."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _attempt(self, key: str, draft: TicketDraft, waiter: _Waiter) -> _Outcome:
        try:
            ticket = await asyncio.wait_for(self._desk.create_ticket(draft), self._attempt_timeout)
        except TicketDeskError as error:
            if error.retryable:
                wait = self._no_answer_delay if error.status is None else getattr(error, "retry_after", None)
                await self._retry_later(key, error, wait)
                return _Outcome()
            log.warning("the ticket desk refused a ticket; the draft is kept", extra={"error": mask(str(error))[:300]})
            await self._repo.failed(key, self.owner, f"{reason_code(error)}: {error}", not waiter.user_waiting,
                                    self._now())
            return _Outcome(refused=error)
        except TimeoutError as error:
            await self._retry_later(key, error, self._no_answer_delay)
            return _Outcome()
        except Exception as error:  # noqa: BLE001 - unexpected: keep the ticket and try again later
            log.exception("creating a ticket failed unexpectedly; it stays in the outbox")
            await self._retry_later(key, error)
            return _Outcome()
        await self._repo.created(key, self.owner, ticket, not waiter.user_waiting, self._now())
        log.info("ticket created from the outbox", extra={"number": ticket.number})
        return _Outcome(ticket=ticket)

    async def _retry_later(self, key: str, error: BaseException, retry_after: float | None = None) -> None:
        entry = await self._repo.get(key)
        attempts = (entry.attempts if entry else 0) + 1
        delay = self._schedule.delay(attempts, retry_after)
        log.warning(
            "ticket not created yet; retrying later",
            extra={"attempt": attempts, "retry_in_s": round(delay, 1), "error": type(error).__name__},
        )
        await self._repo.retry_later(key, self.owner, self._now() + delay, f"{type(error).__name__}: {error}"[:1000],
                                     self._now())

    # --- the worker -------------------------------------------------------------------------
    async def run(self) -> None:
        """Until cancelled: send what is due, tell users, forget old rows. Survives its own errors."""
        try:
            while True:
                try:
                    await self.process_due()
                except Exception:  # noqa: BLE001 - a bad round is logged; the next one tries again
                    log.exception("the ticket outbox worker failed a round")
                await asyncio.sleep(self._interval)
        finally:
            await self._stop()

    async def process_due(self) -> None:
        """Send every due row, ``concurrency`` at a time; a free slot takes the next row at once."""
        running: set[asyncio.Task[Any]] = set()
        while True:
            if (free := self._concurrency - len(running)) > 0:
                entries = await self._repo.claim_due(self.owner, self._now(), self._lease(), free)
                running |= {self._spawn(self._send_queued(entry)) for entry in entries}
            if not running:
                break
            _, running = await asyncio.wait(running, timeout=self._interval, return_when=asyncio.FIRST_COMPLETED)
        for entry in await self._repo.claim_notifications(
            self.owner, self._now(), self._now() + NOTIFY_LEASE_SECONDS, self._concurrency * 5
        ):
            await self._notify(entry)
        if self._now() - self._last_prune > PRUNE_EVERY_SECONDS:
            self._last_prune = self._now()
            await self._repo.prune(self._now() - KEEP_CREATED_SECONDS)

    async def _send_queued(self, entry: OutboxEntry) -> None:
        try:
            draft = entry.draft
        except Exception as error:  # noqa: BLE001 - an unreadable row cannot be sent; keep it, visible
            log.exception("an outbox row cannot be read; marked failed")
            await self._repo.failed(entry.key, self.owner, f"other: {error}", True, self._now())
            return
        await self._attempt(entry.key, draft, _Waiter(user_waiting=False))

    async def _notify(self, entry: OutboxEntry) -> None:
        language = language_of(entry.language)
        if entry.state == CREATED and entry.ticket is not None:
            text = texts.NOTIFY_CREATED(language, subject=entry.subject, number=entry.ticket.number)
            reply = Reply(text=text, card=created_card(entry.subject, entry.ticket, language))
        else:
            reason = texts.REASONS[reason_of(entry.last_error)](language)
            reply = Reply(text=texts.NOTIFY_FAILED(language, subject=entry.subject, reason=reason, phone=self._phone))
        try:
            await self._messenger.send_to_user(entry.notify_user_id, reply)
        except UserNotReachable:
            log.info("the user of a queued ticket cannot be reached; they see it under 'my tickets'")
            await self._repo.notified(entry.key, self.owner, NOTIFY_UNREACHABLE, self._now())
        except Exception as error:  # noqa: BLE001 - the channel failed: tell them later
            if entry.notify_attempts + 1 >= MAX_NOTIFY_ATTEMPTS:
                log.warning("gave up telling a user about their ticket", extra={"error": repr(error)})
                await self._repo.notified(entry.key, self.owner, NOTIFY_GAVE_UP, self._now())
                return
            retry_after = error.retry_after if isinstance(error, DeliveryError) else None
            delay = self._schedule.delay(entry.notify_attempts + 1, retry_after)
            await self._repo.notify_later(entry.key, self.owner, self._now() + delay, self._now())
        else:
            await self._repo.notified(entry.key, self.owner, NOTIFY_SENT, self._now())

    async def _stop(self) -> None:
        """Shutdown: stop attempts in flight and hand their rows back, so another process takes them at once."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            await self._repo.release(self.owner, self._now() + max(self._schedule.initial, self._no_answer_delay))
        except Exception:  # noqa: BLE001 - the store may be gone already; the leases then simply run out
            log.info("could not release outbox leases at shutdown")
