"""One send rate for all proactive messages of a process, below Teams' bot limits (about 30 requests
a second per app and tenant), with a pause for everyone when Teams starts throttling.

A lone 429 is retried by its own message after Retry-After while the others go on; several within a
short window mean the rate itself is too high right now, so every sender waits out the Retry-After.

Each request gets the next free slot on a fixed grid (one every 1/rate seconds), so a late wake-up
does not slow the whole campaign down, and an idle pacer saves up no burst. (A sleeping leaky bucket
such as aiolimiter lost about 10 % of the rate to timer lateness here.)
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

THROTTLE_WINDOW_SECONDS = 2.0
THROTTLES_FOR_PAUSE = 3
DEFAULT_PAUSE_SECONDS = 1.0
MAX_PAUSE_SECONDS = 60.0


class Pacer:
    def __init__(
        self,
        rate_per_second: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rate = rate_per_second
        self._interval = 1.0 / rate_per_second
        self._next_slot = 0.0
        self._monotonic = monotonic
        self._sleep = sleep
        self._paused_until = 0.0
        self._throttles: deque[float] = deque()
        self.pauses = 0

    async def acquire(self) -> None:
        """Wait for the next request slot."""
        while (wait := self._paused_until - self._monotonic()) > 0:
            await self._sleep(wait)
        now = self._monotonic()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self._interval
        if slot > now:
            await self._sleep(slot - now)

    def throttled(self, retry_after: float | None) -> None:
        """Teams answered 429: remember it; pause every sender when they come in a burst."""
        now = self._monotonic()
        self._throttles.append(now)
        while self._throttles and self._throttles[0] < now - THROTTLE_WINDOW_SECONDS:
            self._throttles.popleft()
        if len(self._throttles) >= THROTTLES_FOR_PAUSE:
            pause = min(retry_after if retry_after is not None else DEFAULT_PAUSE_SECONDS, MAX_PAUSE_SECONDS)
            if now + pause > self._paused_until:
                self._paused_until = now + pause
                self.pauses += 1
            self._throttles.clear()
