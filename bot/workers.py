"""Background jobs exactly once across instances: a job runs only in the process that holds its lease.

Every instance starts every job's runner; the runner takes the lease ``job:<name>`` (store/leases.py:
one row per name, renewed by the process's heartbeat) and runs the job while it holds it. The others
try again every heartbeat, so when the holder is killed its lease runs out (``ttl`` after its last
heartbeat) and another instance takes the job over; a clean shutdown hands the lease back at once.
A holder that loses its lease (it stalled for longer than ``ttl``) stops the job within a heartbeat.
"""

from __future__ import annotations

import asyncio
import logging

from prometheus_client import Gauge

from core.lifecycle import BackgroundJob
from store.leases import LeaseKeeper

log = logging.getLogger(__name__)
LEASE_PREFIX = "job:"


async def run_exclusively(leases: LeaseKeeper, name: str, job: BackgroundJob, running: Gauge) -> None:
    """Run ``job`` whenever this process holds its lease; until cancelled (shutdown)."""
    lease = LEASE_PREFIX + name
    while True:
        try:
            held = await leases.take(lease)
        except Exception:  # noqa: BLE001 - the database is away: try again next heartbeat
            log.warning("could not take a job lease", extra={"job": name}, exc_info=True)
            held = False
        if held:
            await _run_while_held(leases, lease, name, job, running)
        await asyncio.sleep(leases.heartbeat)


async def _run_while_held(leases: LeaseKeeper, lease: str, name: str, job: BackgroundJob, running: Gauge) -> None:
    running.labels(name).set(1)
    task = asyncio.create_task(job(), name=f"job {name}")
    try:
        while leases.holds(lease) and not task.done():
            await asyncio.wait({task}, timeout=leases.heartbeat)
        if not task.done():
            log.warning("lost a job lease: stopping the job here", extra={"job": name})
    finally:
        running.labels(name).set(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.shield(_release(leases, lease))
    if not task.cancelled() and task.exception() is not None:
        log.error("background job ended with an error", extra={"job": name}, exc_info=task.exception())


async def _release(leases: LeaseKeeper, lease: str) -> None:
    try:
        await leases.release(lease)
    except Exception:  # noqa: BLE001 - it runs out by itself after ttl
        log.info("could not hand back a job lease", extra={"lease": lease})
