"""The ticket outbox: how every skill files a ticket with nothing lost and nothing doubled.

``submit`` writes the draft to the outbox table first, then tries the desk while the user waits (a
few seconds at most). When the desk is down or slow the ticket stays queued; the worker (a background
job of the tickets skill, in every bot process) retries it on an exponential schedule kept in the
row, and tells the user the number when it exists - also after a restart. A ticket the desk refused
stays in the outbox (state ``failed``, with the reason) and is tried again on a slower schedule.

One ticket per idempotency key: the outbox row is unique per key; the process that sends it holds the
row's lease (store/leases.py) for the whole attempt, renewed by heartbeats, so no one retries a create
that may still be in flight; an attempt after a create that got no answer (timeout, broken connection,
a process stopped or killed meanwhile: ``in_doubt_until``) looks for the key until that create could
have landed, waits a little and looks again before it creates; and every create looks first
(Pureservice's ``customerReference``, the local desk's unique column).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from core.language import Language
from core.messages import Reply
from core.pii import mask
from core.ports import (
    DeliveryError,
    FilingState,
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
    lease_name,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_DOUBT_POLL_SECONDS = 30.0  # an unanswered create is looked for at growing intervals up to this
MAX_NOTIFY_ATTEMPTS = 10
POLL_SECONDS = 0.1
PRUNE_EVERY_SECONDS = 3600.0
KEEP_CREATED_SECONDS = 30 * 24 * 3600
KEEP_FILED_FOR_SECONDS = 365 * 24 * 3600  # tickets filed under the fallback requester stay in "mine saker"


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
    if error.reason in texts.REASONS:
        return error.reason
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
        refused_schedule: RetrySchedule,
        wait_seconds: float,
        attempt_timeout: float,
        recheck_delay: float,
        interval: float,
        concurrency: int,
        kundeservice_phone: str,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._repo = repo
        self._leases = repo.leases
        self._desk = desk
        self._messenger = messenger
        self._clock = clock
        self._schedule = schedule
        self._refused = refused_schedule
        self._wait_seconds = wait_seconds
        self._attempt_timeout = attempt_timeout
        self._recheck_delay = recheck_delay
        self._interval = interval
        self._concurrency = concurrency
        self._phone = kundeservice_phone
        self._sleep = sleep
        self._tasks: set[asyncio.Task[Any]] = set()
        self._last_prune = 0.0

    def _now(self) -> float:
        return self._clock().timestamp()

    # --- TicketSubmitter ------------------------------------------------------------------
    async def submit(
        self, draft: TicketDraft, *, notify_user_id: str | None = None, language: str = Language.BOKMAAL.value
    ) -> TicketSubmission:
        """Create now, or queue; raises a non-retryable TicketDeskError when the desk refuses the ticket
        (the draft then stays in the outbox, visible, and is tried again on the slow schedule)."""
        key = draft.idempotency_key
        if not await self._leases.take(lease_name(key)):  # another click or process is sending it
            return await self._outcome_of_another(key)
        try:
            entry = await self._repo.get(key)
            if entry is None:
                await self._repo.add(draft, notify_user_id=notify_user_id or "", language=language, now=self._now())
            elif entry.state == CREATED:
                await self._leases.release(lease_name(key))
                return TicketSubmission(entry.ticket, queued=False)
            elif entry.state == FAILED:
                await self._repo.rearm(draft, self._now())
            elif entry.next_attempt_at > self._now():  # queued, and its schedule says not yet
                await self._leases.release(lease_name(key))
                return await self._outcome_of_another(key)
        except BaseException:
            await self._leases.release(lease_name(key))
            raise
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
        await self._repo.add(draft, notify_user_id=notify_user_id, language=language, now=self._now(), notify=True)

    async def entry(self, key: str) -> OutboxEntry | None:
        return await self._repo.get(key)

    async def state(self, idempotency_key: str) -> FilingState | None:
        entry = await self._repo.get(idempotency_key)
        if entry is None:
            return None
        if entry.state == CREATED:
            return FilingState(ticket=entry.ticket)
        return FilingState(refused=entry.last_error if entry.state == FAILED else "")

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
        """One attempt, holding the row's lease (taken by the caller) from start to end."""
        try:
            doubt_until = await self._repo.begin_attempt(key, self._now())
            return await self._try(key, draft, waiter, doubt_until)
        finally:
            await asyncio.shield(self._leases.release(lease_name(key)))

    async def _try(self, key: str, draft: TicketDraft, waiter: _Waiter, doubt_until: float) -> _Outcome:
        creating = False  # errors while looking for an unanswered create say nothing about it
        try:
            ticket = await self._earlier_ticket(draft, doubt_until) if doubt_until else None
            creating = True
            ticket = ticket or await asyncio.wait_for(
                self._desk.create_ticket(draft, sending=lambda: self._repo.sending(key, self._now() + self._attempt_timeout)),
                self._attempt_timeout,
            )
        except TicketDeskError as error:
            if error.retryable:
                await self._retry_later(key, error, getattr(error, "retry_after", None),
                                        answered=creating and error.status is not None)
                return _Outcome()
            await self._refused_now(key, error, notify=not waiter.user_waiting)
            return _Outcome(refused=error)
        except TimeoutError as error:
            await self._retry_later(key, error)
            return _Outcome()
        except Exception as error:  # noqa: BLE001 - unexpected: keep the ticket and try again later
            log.exception("creating a ticket failed unexpectedly; it stays in the outbox")
            await self._retry_later(key, error)
            return _Outcome()
        await self._repo.created(key, ticket, not waiter.user_waiting, self._now())
        log.info("ticket created from the outbox", extra={"number": ticket.number})
        return _Outcome(ticket=ticket)

    async def _earlier_ticket(self, draft: TicketDraft, doubt_until: float) -> TicketSummary | None:
        """An earlier create was sent and got no answer (a timeout, a broken connection, its process
        stopped or died): look for the key until that create can no longer land (``doubt_until``), then
        wait a little - ``create_ticket`` looks once more before it creates. (After an answer, the
        search in ``create_ticket`` is enough.)"""
        pause = self._recheck_delay
        while True:
            found = await self._desk.find_ticket(draft.idempotency_key)
            if found is not None:
                return replace(found, requester_email=found.requester_email or draft.requester_email)
            left = doubt_until - self._now()
            if left <= 0:
                await self._sleep(self._recheck_delay)
                return None
            await self._sleep(min(pause, left))
            pause = min(pause * 2, MAX_DOUBT_POLL_SECONDS)

    async def _refused_now(self, key: str, error: TicketDeskError, *, notify: bool) -> None:
        entry = await self._repo.get(key)
        delay = self._refused.delay(entry.attempts if entry else 1)
        # The error names what to fix (a setting such as RAKEL_PURESERVICE_TICKET_TYPE, the API key, ...).
        log.error(
            "the ticket desk refused a ticket: %s; it stays in the outbox and is tried again later",
            mask(str(error))[:500], extra={"retry_in_s": round(delay)},
        )
        await self._repo.failed(key, f"{reason_code(error)}: {error}", notify, self._now() + delay, self._now())

    async def _retry_later(
        self, key: str, error: BaseException, retry_after: float | None = None, *, answered: bool = False
    ) -> None:
        entry = await self._repo.get(key)
        attempts = entry.attempts if entry else 1
        delay = self._schedule.delay(attempts, retry_after)
        log.warning(
            "ticket not created yet; retrying later",
            extra={"attempt": attempts, "retry_in_s": round(delay, 1), "error": type(error).__name__},
        )
        await self._repo.retry_later(key, self._now() + delay, f"{type(error).__name__}: {error}"[:1000], self._now(),
                                     answered=answered)

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
                entries = await self._repo.claim_due(self._now(), free)
                running |= {self._spawn(self._send_queued(entry)) for entry in entries}
            await self._notify_due()  # a number is told as soon as it exists, not after the whole round
            if not running:
                break
            _, running = await asyncio.wait(running, timeout=self._interval, return_when=asyncio.FIRST_COMPLETED)
        if self._now() - self._last_prune > PRUNE_EVERY_SECONDS:
            self._last_prune = self._now()
            await self._repo.prune(self._now() - KEEP_CREATED_SECONDS)
            await self._repo.forget_filed_for(self._now() - KEEP_FILED_FOR_SECONDS)

    async def _notify_due(self) -> None:
        for entry in await self._repo.claim_notifications(self._now(), self._concurrency * 5):
            try:
                await self._notify(entry)
            finally:
                await self._leases.release(lease_name(entry.key))

    async def _send_queued(self, entry: OutboxEntry) -> None:
        try:
            draft = entry.draft
        except Exception as error:  # noqa: BLE001 - an unreadable row cannot be sent; keep it, visible
            log.exception("an outbox row cannot be read; marked failed")
            await self._repo.failed(entry.key, f"other: {error}", True, self._now() + self._refused.maximum,
                                    self._now())
            await self._leases.release(lease_name(entry.key))
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
            await self._repo.notified(entry.key, NOTIFY_UNREACHABLE, self._now())
        except Exception as error:  # noqa: BLE001 - the channel failed: tell them later
            if entry.notify_attempts + 1 >= MAX_NOTIFY_ATTEMPTS:
                log.warning("gave up telling a user about their ticket", extra={"error": repr(error)})
                await self._repo.notified(entry.key, NOTIFY_GAVE_UP, self._now())
                return
            retry_after = error.retry_after if isinstance(error, DeliveryError) else None
            delay = self._schedule.delay(entry.notify_attempts + 1, retry_after)
            await self._repo.notify_later(entry.key, self._now() + delay, self._now())
        else:
            await self._repo.notified(entry.key, NOTIFY_SENT, self._now())

    async def _stop(self) -> None:
        """Shutdown: stop attempts in flight; each hands its lease back, so another process takes the row
        at once (and, as after any attempt, looks for the ticket before creating it)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
