"""Graceful shutdown of `rakel serve`: on SIGTERM /readyz and new turns get 503 at once (a new turn is not
processed), a turn in flight still gets its answer, new connections are refused once the delay is over,
and the process exits 0."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

import aiohttp

from bot.local_client import LocalChannel
from bot.local_connector import LocalConnector, start_local_connector
from core.settings import PROJECT_ROOT
from tests.fakes.openai import FakeOpenAi
from tests.harness import KARI, wait_until_ok

API_KEY = "sk-shutdown-test"
LLM_DELAY_SECONDS = 1.5  # the router's LLM call keeps the turn in flight while SIGTERM arrives


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _start_server(env: dict[str, str]) -> tuple[asyncio.subprocess.Process, str]:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(PROJECT_ROOT / "app.py"), cwd=PROJECT_ROOT,
        env={**os.environ, "RAKEL_PORT": str(port), "RAKEL_LOG_LEVEL": "WARNING", **env},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        if await wait_until_ok(session, f"{base}/healthz", running=lambda: process.returncode is None):
            return process, base
    raise AssertionError((await process.stderr.read()).decode()[-2000:])  # type: ignore[union-attr]


async def test_sigterm_drains_finishes_the_turn_in_flight_and_exits_0(tmp_path):
    connector = LocalConnector()
    runner, service_url = await start_local_connector(connector)
    async with FakeOpenAi(api_key=API_KEY) as llm:
        llm.delay = LLM_DELAY_SECONDS
        process, base = await _start_server({
            "RAKEL_DATA_DIR": str(tmp_path), "RAKEL_LLM_BASE_URL": f"{llm.base_url}/v1",
            "RAKEL_LLM_API_KEY": API_KEY, "RAKEL_SHUTDOWN_DELAY_SECONDS": "1", "RAKEL_SHUTDOWN_GRACE_SECONDS": "10",
        })
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
                channel = LocalChannel(f"{base}/api/messages", connector, service_url, session)
                channel.join(KARI)
                in_flight = asyncio.create_task(channel.post(channel.activity(KARI, "message", text="hjelp")))
                while not llm.requests:  # the turn has reached the LLM
                    await asyncio.sleep(0.02)
                process.send_signal(signal.SIGTERM)
                await asyncio.sleep(0.2)
                async with session.get(f"{base}/readyz") as response:
                    assert response.status == 503
                    assert (await response.json())["draining"] is True
                llm_calls = len(llm.requests)
                late = await channel.post(channel.activity(KARI, "message", text="hjelp"))
                assert late.status == 503 and len(llm.requests) == llm_calls  # refused, not processed
                result = await in_flight
                assert result.status == 200
                assert connector.replies(KARI.conversation_id), "the turn in flight was answered"
                await asyncio.sleep(1.2)  # past RAKEL_SHUTDOWN_DELAY_SECONDS: the port is closed
                try:
                    async with session.get(f"{base}/healthz") as response:
                        refused = False
                except aiohttp.ClientConnectionError:
                    refused = True
                assert refused
            assert await asyncio.wait_for(process.wait(), 15) == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            await runner.cleanup()
