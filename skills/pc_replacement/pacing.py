"""The pace of all proactive requests of a process, below Teams' limits, with two budgets: every
request (about 30 a second per app and tenant; sends into existing chats and approvals use only this)
and, within it, creating 1:1 conversations, which Teams limits further. A first campaign reaches
mostly people who never opened Rakel, so it is paced by the creation budget while sends into
existing chats go on beside it.

Retry-After is honoured across the whole run: a 429 pauses every sender of the process until it has
passed (continuing would only collect more 429s), not just the one message that got it.

Each request gets the next free slot on a fixed grid (one every 1/rate seconds), so a late wake-up
does not slow the whole campaign down, and an idle pacer saves up no burst. (A sleeping leaky bucket
such as aiolimiter lost about 10 % of the rate to timer lateness here.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

DEFAULT_PAUSE_SECONDS = 1.0  # a 429 without Retry-After
MAX_PAUSE_SECONDS = 60.0


class Pacer:
    def __init__(
        self,
        rate_per_second: float,
        *,
        create_rate_per_second: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rate = rate_per_second
        self.create_rate = min(create_rate_per_second or rate_per_second, rate_per_second)
        self._interval = 1.0 / rate_per_second
        self._create_interval = 1.0 / self.create_rate
        self._next_slot = 0.0
        self._next_create = 0.0
        self.monotonic = monotonic
        self._sleep = sleep
        self._paused_until = 0.0
        self.pauses = 0  # how often Teams made everyone wait
        self.paused_seconds = 0.0

    async def acquire(self, *, creating: bool = False) -> None:
        """Wait for the next request slot (``creating``: a new conversation, also within its own budget)."""
        while (wait := self._paused_until - self.monotonic()) > 0:
            await self._sleep(wait)
        now = self.monotonic()
        slot = now
        if creating:
            slot = max(now, self._next_create)
            self._next_create = slot + self._create_interval
        slot = max(slot, self._next_slot)
        self._next_slot = slot + self._interval
        if slot > now:
            await self._sleep(slot - now)

    def throttled(self, retry_after: float | None) -> None:
        """Teams answered 429: every sender waits out its Retry-After."""
        now = self.monotonic()
        until = now + min(retry_after if retry_after is not None else DEFAULT_PAUSE_SECONDS, MAX_PAUSE_SECONDS)
        if until > self._paused_until:
            self.paused_seconds += until - max(now, self._paused_until)
            self._paused_until = until
            self.pauses += 1
