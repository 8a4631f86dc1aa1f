"""The pacer on a virtual clock: requests on an even grid at the rate, new conversations within their
own lower budget while sends into existing chats go on beside them, and every 429's Retry-After
paused by every sender."""

from __future__ import annotations

import asyncio

import pytest

from skills.pc_replacement.pacing import Pacer


class VirtualTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def time() -> VirtualTime:
    return VirtualTime()


async def stamps(pacer: Pacer, time: VirtualTime, count: int, *, creating: bool = False) -> list[float]:
    moments = []
    for _ in range(count):
        await pacer.acquire(creating=creating)
        moments.append(time.now)
    return moments


async def test_requests_are_evenly_spaced_at_the_rate(time):
    pacer = Pacer(20, monotonic=time, sleep=time.sleep)
    moments = await stamps(pacer, time, 21)
    assert moments[-1] - moments[0] == pytest.approx(1.0)  # 20 intervals of 1/20 s, no burst


async def test_new_conversations_keep_to_their_own_budget(time):
    pacer = Pacer(20, create_rate_per_second=2, monotonic=time, sleep=time.sleep)
    created = await stamps(pacer, time, 5, creating=True)
    assert created[-1] - created[0] == pytest.approx(2.0)  # 2 a second
    started = time.now
    await stamps(pacer, time, 10)  # sends into existing chats are not held to the creation budget
    assert time.now - started <= 0.5 + 1e-9


async def test_a_429_pauses_every_sender_for_its_retry_after(time):
    pacer = Pacer(20, monotonic=time, sleep=time.sleep)
    await pacer.acquire()
    pacer.throttled(5.0)
    pacer.throttled(2.0)  # a shorter one inside the pause changes nothing
    await pacer.acquire()
    assert time.now >= 1005.0
    assert pacer.pauses == 1 and pacer.paused_seconds == pytest.approx(5.0)
