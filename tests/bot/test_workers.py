"""Background jobs run in one process at a time, under the job's lease: a second process waits, takes
the job over when the holder's lease runs out (killed) or is handed back (shutdown), and a holder that
lost its lease stops the job."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.metrics import BotMetrics
from bot.workers import run_exclusively
from store.database import open_database
from store.leases import LeaseKeeper
from store.migrations import migrate

TTL, HEARTBEAT = 0.6, 0.1


class Job:
    """A background job that says who runs it now."""

    def __init__(self) -> None:
        self.running: set[str] = set()
        self.ran: list[str] = []
        self.most_at_once = 0

    def for_process(self, name: str):  # noqa: ANN201 - a BackgroundJob
        async def job() -> None:
            self.running.add(name)
            self.ran.append(name)
            self.most_at_once = max(self.most_at_once, len(self.running))
            try:
                await asyncio.Event().wait()  # runs until cancelled, like the real jobs
            finally:
                self.running.discard(name)

        return job


async def until(condition, what: str) -> None:  # noqa: ANN001
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never happened: {what}")


@pytest.fixture
async def keepers(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[LeaseKeeper]]]:
    """Makes lease keepers of separate "processes" (each its own connection) on one database."""
    url = f"sqlite:///{tmp_path / 'rakel.db'}"
    databases = [await open_database(url)]
    await migrate(databases[0])

    async def keeper(**options: object) -> LeaseKeeper:
        databases.append(await open_database(url))
        return LeaseKeeper(databases[-1], ttl=TTL, heartbeat=HEARTBEAT, **options)  # type: ignore[arg-type]

    yield keeper
    for database in databases:
        await database.close()


async def _stop(task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_two_processes_one_job_runs_once_and_the_metric_says_where(keepers) -> None:
    job, metrics = Job(), {"a": BotMetrics(), "b": BotMetrics()}
    held = {name: await keepers() for name in metrics}
    runners = [asyncio.create_task(run_exclusively(held[n], "handoff:upkeep", job.for_process(n),
                                                   metrics[n].jobs_running)) for n in metrics]
    await until(lambda: job.running, "the job started")
    await asyncio.sleep(5 * HEARTBEAT)  # both runners have tried several times
    assert len(job.ran) == 1 and job.most_at_once == 1
    holder = job.ran[0]
    gauges = {n: m.jobs_running.labels("handoff:upkeep")._value.get() for n, m in metrics.items()}
    assert gauges == {n: 1.0 if n == holder else 0.0 for n in metrics}
    for runner in runners:
        await _stop(runner)
    for keeper in held.values():
        await keeper.close()


async def test_a_clean_shutdown_hands_the_job_to_the_other_process_at_once(keepers) -> None:
    job, metrics = Job(), BotMetrics()
    first, second = await keepers(), await keepers()
    running_first = asyncio.create_task(run_exclusively(first, "pc:followups", job.for_process("first"), metrics.jobs_running))
    await until(lambda: job.running == {"first"}, "the first process runs the job")
    running_second = asyncio.create_task(run_exclusively(second, "pc:followups", job.for_process("second"), metrics.jobs_running))
    await _stop(running_first)  # SIGTERM: the runner stops the job and hands its lease back
    assert await first.holder("job:pc:followups") != first.owner  # handed back (the second may hold it already)
    await until(lambda: job.running == {"second"}, "the second process took the job over")
    assert job.ran == ["first", "second"]
    await _stop(running_second)
    await first.close()
    await second.close()


async def test_a_killed_holders_job_is_taken_over_and_a_stalled_holder_stops(keepers) -> None:
    """The first process's clock stands still: its heartbeats no longer extend its lease (as after a
    kill -9); the second takes the job once the lease has run out, and the first, finding its lease
    gone at its next heartbeat, stops running the job."""
    job, metrics = Job(), BotMetrics()
    frozen = time.time()
    first = await keepers(clock=lambda: frozen)
    second = await keepers()
    running_first = asyncio.create_task(run_exclusively(first, "tickets:outbox", job.for_process("first"), metrics.jobs_running))
    await until(lambda: job.running == {"first"}, "the first process runs the job")
    running_second = asyncio.create_task(run_exclusively(second, "tickets:outbox", job.for_process("second"), metrics.jobs_running))
    await until(lambda: "second" in job.running, "the second process took the job over")
    await until(lambda: job.running == {"second"}, "the first process stopped the job it lost")
    assert job.ran == ["first", "second"]
    for runner in (running_first, running_second):
        await _stop(runner)
    await first.close()
    await second.close()
