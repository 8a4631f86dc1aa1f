"""Leases on SQLite and PostgreSQL: one holder at a time, kept alive by heartbeats, taken over within
seconds of the holder's death, given back at shutdown. Two ``Database`` objects on one database are
two processes; closing one's connection without releasing is its kill -9. Lease time is a clock the
test moves; heartbeats run every 20 ms of real time."""

from __future__ import annotations

import asyncio

import pytest

from store.database import Database, open_database
from store.leases import HELD_BY, LeaseKeeper
from store.migrations import migrate


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rakel.db'}"
    return request.getfixturevalue("fresh_postgres_url")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def world(database_url):
    """A clock and a way to start "processes" (each its own connection and keeper) on one database."""
    clock = Clock()
    opened: list[tuple[Database, LeaseKeeper]] = []

    async def process(name: str) -> tuple[Database, LeaseKeeper]:
        db = await open_database(database_url)
        await migrate(db)
        keeper = LeaseKeeper(db, ttl=10.0, heartbeat=0.02, owner=name, clock=clock)
        opened.append((db, keeper))
        return db, keeper

    yield clock, process
    for db, keeper in opened:
        await keeper.close()
        await db.close()


async def beats() -> None:
    """Long enough (real time) for a few heartbeats."""
    await asyncio.sleep(0.1)


async def test_one_holder_at_a_time_and_the_heartbeat_keeps_a_working_holder(world):
    clock, process = world
    _, a = await process("a")
    _, b = await process("b")
    assert await a.take("ticket:1")
    assert not await b.take("ticket:1")
    assert not await a.take("ticket:1")  # a second task of the same process does not get it either
    for _ in range(6):  # a minute of work, far beyond the ttl: renewed all along
        clock.now += 9.0
        await beats()
        assert not await b.take("ticket:1")
    assert await b.holder("ticket:1") == "a" and a.holds("ticket:1")


async def test_a_dead_holders_lease_is_taken_over_within_the_ttl(world):
    clock, process = world
    db_a, a = await process("a")
    _, b = await process("b")
    assert await a.take("ticket:1")
    await beats()
    await db_a.close()  # kill -9: no more heartbeats, nothing released
    await a.close()  # (stops its heartbeat task; its release fails on the closed connection)
    clock.now += 5.0
    assert not await b.take("ticket:1")  # not yet: the last heartbeat is 5 s old
    clock.now += 5.5
    assert await b.take("ticket:1")  # 10.5 s after the last heartbeat, not after a fixed long expiry
    assert await b.holder("ticket:1") == "b"


async def test_a_clean_shutdown_hands_every_lease_back_at_once(world):
    _, process = world
    _, a = await process("a")
    _, b = await process("b")
    assert await a.take_first(["t:1", "t:2", "t:3"], limit=2) == ["t:1", "t:2"]
    await a.close()
    assert await b.take_first(["t:1", "t:2", "t:3"], limit=3) == ["t:1", "t:2", "t:3"]


async def test_hold_releases_after_the_work_and_when_it_is_cancelled(world):
    _, process = world
    _, a = await process("a")
    _, b = await process("b")
    async with a.hold("job") as held:
        assert held
        async with b.hold("job") as also:
            assert not also
    assert await b.take("job")
    await b.release("job")

    started = asyncio.Event()

    async def work() -> None:
        async with a.hold("job"):
            started.set()
            await asyncio.sleep(60)

    task = asyncio.ensure_future(work())
    await started.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert await b.holder("job") is None and await b.take("job")


async def test_a_holder_that_stalled_past_the_ttl_loses_the_lease_and_cannot_write_over_the_new_one(world):
    clock, process = world
    db, a = await process("a")
    _, b = await process("b")
    await db.execute("CREATE TABLE work (id TEXT PRIMARY KEY, result TEXT NOT NULL)")
    await db.execute("INSERT INTO work (id, result) VALUES ('w1', '')")
    assert await a.take("work:w1")
    await a.close()  # a stalls: its heartbeat stops (as in a long GC pause), its lease stays
    await db.execute("INSERT INTO leases (name, owner, expires_at, taken_at) VALUES ('work:w1', 'a', ?, ?)",
                     clock.now + 10, clock.now)
    clock.now += 11
    assert await b.take("work:w1")
    assert await db.execute(f"UPDATE work SET result = 'a' WHERE id = 'w1' AND {HELD_BY}", "work:w1", "a") == 0
    assert await db.execute(f"UPDATE work SET result = 'b' WHERE id = 'w1' AND {HELD_BY}", "work:w1", "b") == 1

    _, c = await process("c")
    assert await c.take("other")
    await beats()
    await db.execute("UPDATE leases SET owner = 'd' WHERE name = 'other'")  # taken over meanwhile
    await beats()  # the next heartbeat notices
    assert not c.holds("other") and await c.renew() == set()


async def test_a_conditional_release_keeps_the_lease_while_work_is_waiting(world):
    _, process = world
    db, a = await process("a")
    await db.execute("CREATE TABLE inbox (id TEXT PRIMARY KEY)")
    await db.execute("INSERT INTO inbox (id) VALUES ('m1')")
    assert await a.take("deliver")
    nothing_waits = "NOT EXISTS (SELECT 1 FROM inbox WHERE id <> ?)"
    assert not await a.release("deliver", only_if=nothing_waits, args=("none",))
    assert a.holds("deliver")
    await db.execute("DELETE FROM inbox")
    assert await a.release("deliver", only_if=nothing_waits, args=("none",))
    assert not a.holds("deliver")


async def test_a_heartbeat_during_a_take_does_not_drop_the_lease_being_taken(world):
    """A beat whose SELECT runs before a concurrent take's INSERT is written must not count that lease
    lost (it was: the holder then stopped its work and the work waited for the next round)."""
    _, process = world
    db, keeper = await process("a")
    assert await keeper.take("relay:1")  # something is held, so the beat has work
    execute = db.execute
    inserting = asyncio.Event()

    async def slow_insert(sql, *args):
        if sql.startswith("INSERT INTO leases"):
            inserting.set()
            await asyncio.sleep(0.05)  # the beat runs meanwhile
        return await execute(sql, *args)

    db.execute = slow_insert  # type: ignore[method-assign]
    taking = asyncio.ensure_future(keeper.take("relay:2"))
    await inserting.wait()
    assert await keeper.renew() == set()
    assert await taking
    assert keeper.holds("relay:2") and keeper.holds("relay:1")
