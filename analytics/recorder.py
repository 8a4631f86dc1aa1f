"""The event recorder on the turn path: ``record`` only appends to memory (microseconds) and, when
nothing is due yet, sets a timer; the timer (or a full batch) starts a write in the background, and
``close`` writes what is left, so a shutdown loses nothing. Every bot process writes its own events: this
is no shared background job (those run in one instance at a time).

Masking the question texts happens at write time, off the turn path. A crash (SIGKILL) loses at most
the last ``interval`` seconds of events; a database outage keeps them in memory (up to ``max_pending``)
and writes them when it is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from analytics.events import Event, Kind, Note, Outcome, Pseudonyms, QuestionText, Subject, TextKind
from analytics.retention import purge_job
from analytics.rollup import rollup_job
from core.lifecycle import Lifecycle
from core.pii import MaskedText
from core.settings import Settings
from store.analytics import AnalyticsRepository

log = logging.getLogger(__name__)

TEXT_CHARS = 500
_TEXT_KINDS = {Outcome.ABSTAINED: TextKind.UNANSWERED, Outcome.FEEDBACK_DOWN: TextKind.DISLIKED}

OnEvent = Callable[[Event], None]


class EventRecorder:
    def __init__(
        self, repository: AnalyticsRepository, pseudonyms: Pseudonyms, clock: Callable[[], datetime], *,
        timezone: str = "Europe/Oslo", interval: float = 1.0, batch_size: int = 1000, max_pending: int = 200_000,
        on_event: OnEvent | None = None,
    ) -> None:
        self._repository = repository
        self._pseudonyms = pseudonyms
        self._clock = clock
        self._zone = ZoneInfo(timezone)
        self._interval = interval
        self._batch_size = batch_size
        self._max_pending = max_pending
        self._on_event = on_event
        self._events: list[Event] = []
        self._texts: list[tuple[float, str, str, str, MaskedText]] = []  # masked where the text entered
        self._lock = asyncio.Lock()
        self._timer: asyncio.TimerHandle | None = None
        self._writes: set[asyncio.Task[None]] = set()

    def record(self, subject: Subject, note: Note, *, kind: Kind = Kind.SYSTEM, intent: str = "",
               skill: str = "") -> None:
        now = self._clock().astimezone(self._zone)
        at = now.timestamp()
        key = self._pseudonyms.key_of(subject.user_id)
        event = Event(at, key, subject.municipality, subject.language, kind.value, intent, skill,
                      note.outcome.value, note.category, note.seconds, note.sources, now.year * 100 + now.month)
        self._events.append(event)
        if note.question and (text_kind := _TEXT_KINDS.get(note.outcome)):
            self._texts.append((at, key, subject.municipality, text_kind.value, note.question))
        if note.comment:
            self._texts.append((at, key, subject.municipality, TextKind.COMMENT.value, note.comment))
        if self._on_event is not None:
            self._on_event(event)
        if len(self._events) >= self._batch_size:
            self._write_soon()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._interval, self._write_soon)

    def _write_soon(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        task = asyncio.get_running_loop().create_task(self._write())
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _write(self) -> None:
        try:
            await self.flush()
        except Exception:  # noqa: BLE001 - kept in memory and tried again; the turn path never sees it
            log.exception("writing analytics events failed")
        if self._events and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._interval, self._write_soon)

    @property
    def pending(self) -> int:
        return len(self._events)

    async def flush(self) -> int:
        """Write everything recorded so far; return how many events were written."""
        async with self._lock:
            events, raw_texts = self._events, self._texts
            self._events, self._texts = [], []
            if not events and not raw_texts:
                return 0
            texts = [QuestionText(at, key, municipality, kind, text[:TEXT_CHARS])
                     for at, key, municipality, kind, text in raw_texts]
            try:
                await self._repository.add(events, texts)
            except Exception:
                self._events[:0], self._texts[:0] = events, raw_texts  # try again next round
                self._drop_overflow()
                raise
            return len(events)

    def _drop_overflow(self) -> None:
        overflow = len(self._events) - self._max_pending
        if overflow > 0:
            log.error("analytics events dropped: the database has been unreachable too long",
                      extra={"dropped": overflow})
            del self._events[:overflow]

    async def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        await asyncio.gather(*self._writes, return_exceptions=True)
        await self.flush()


Repeat = Callable[[float, Callable[[], Awaitable[object]], str], Awaitable[None]]


def build(
    settings: Settings, life: Lifecycle, repository: AnalyticsRepository, clock: Callable[[], datetime], *,
    on_event: OnEvent, repeat: Repeat,
) -> EventRecorder:
    """The event recorder of this process (the last batch is written before the store closes), and the
    retention purge and the monthly rollup: shared jobs run by ``repeat`` every
    ``RAKEL_ANALYTICS_PURGE_INTERVAL_SECONDS``, each in one process at a time."""
    events = EventRecorder(repository, Pseudonyms(settings.analytics_secret), clock, timezone=settings.timezone,
                           on_event=on_event)
    life.closes(events.close)
    purge = purge_job(repository, clock, event_days=settings.analytics_retention_days,
                      text_days=settings.analytics_text_retention_days)
    life.runs("analytics-retention", lambda: repeat(settings.analytics_purge_interval_seconds, purge,
                                                    "analytics-retention"))
    rollup = rollup_job(repository, clock, timezone=settings.timezone,
                        window_seconds=settings.analytics_self_solved_hours * 3600)
    life.runs("analytics-rollup", lambda: repeat(settings.analytics_purge_interval_seconds, rollup,
                                                 "analytics-rollup"))
    return events
