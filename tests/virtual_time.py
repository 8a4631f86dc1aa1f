"""An asyncio event loop whose clock jumps ahead when nothing is ready: minutes pass in milliseconds.

``loop.time()`` is the real monotonic time plus an offset. When the loop would wait for its next timer
and no I/O arrives within ``GRACE`` seconds of real time, the offset grows by the rest of that wait, so
``asyncio.sleep(120)``, ``wait_for`` timeouts, aiohttp's timeouts and a fake server's slow answer all
happen in order, at once. Real I/O (local sockets, the database thread) still runs: a wait with no
timer blocks for real. ``run_virtual(main())`` runs a coroutine on such a loop; ``wall_clock(loop)``
is a ``time.time()`` that moves with it (for leases and the outbox's clock).
"""

from __future__ import annotations

import asyncio
import selectors
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any, TypeVar

T = TypeVar("T")
GRACE = 0.05  # real seconds the loop waits for I/O before it moves the clock to the next timer
EPOCH = 1_800_000_000.0


class _JumpingSelector(selectors.DefaultSelector):
    def __init__(self) -> None:
        super().__init__()
        self.offset = 0.0

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None or timeout <= GRACE:
            return super().select(timeout)
        events = super().select(GRACE)
        if not events:
            self.offset += timeout - GRACE
        return events


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self._jumping = _JumpingSelector()
        super().__init__(self._jumping)

    def time(self) -> float:
        return time.monotonic() + self._jumping.offset


def run_virtual(main: Coroutine[Any, Any, T]) -> T:
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(main)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def wall_clock(loop: asyncio.AbstractEventLoop) -> Callable[[], float]:
    """Seconds since the epoch, moving with the loop's (virtual) time."""
    start = loop.time()
    return lambda: EPOCH + (loop.time() - start)


def utc_clock(loop: asyncio.AbstractEventLoop) -> Callable[[], datetime]:
    seconds = wall_clock(loop)
    return lambda: datetime.fromtimestamp(seconds(), UTC)
