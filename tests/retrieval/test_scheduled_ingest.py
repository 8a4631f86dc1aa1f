"""RAKEL_INGEST_INTERVAL_MINUTES: the service runs the ingest itself, as a background job (which runs in
one instance at a time: bot/workers.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app import build_runtime
from retrieval.local_index import LocalIndex
from tests.retrieval.test_ingest_command import demo_settings


async def test_a_scheduled_ingest_is_a_background_job_that_indexes_the_sources(tmp_path: Path) -> None:
    settings = demo_settings(tmp_path, ingest_interval_minutes=60)
    runtime = await build_runtime(settings)
    job = asyncio.create_task(runtime.background["ingest"]())
    index = LocalIndex(settings.local_index_path)
    try:
        for _ in range(200):
            if await index.versions("local"):
                break
            await asyncio.sleep(0.05)
        assert set(await index.versions("local")) == {"kp-passord", "molde-vpn"}
    finally:
        job.cancel()
        await asyncio.gather(job, return_exceptions=True)
        index.close()
        await runtime.close()


async def test_without_a_schedule_there_is_no_ingest_job(tmp_path: Path) -> None:
    runtime = await build_runtime(demo_settings(tmp_path))
    assert "ingest" not in runtime.background
    await runtime.close()
