"""The container image builds, runs as a non-root user with only runtime files, answers /healthz, /readyz
and a turn through /api/messages (replies to the local fake connector on the host), and stops with exit
code 0 on SIGTERM. Skipped with the reason when podman (or mmdebstrap for the base image) is missing."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.local_client import LocalChannel
from bot.local_connector import LocalConnector, start_local_connector
from infra.container.build import ROOT, BuildError, build, ensure_local_base, podman
from tests.harness import KARI, text_of, wait_until_ok

HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
TAG = f"localhost/rakel:test-{hashlib.sha1(str(ROOT).encode()).hexdigest()[:8]}"  # one per checkout

pytestmark = pytest.mark.container


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def image() -> str:
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed (apt-get install podman runc mmdebstrap): container test skipped")
    base = os.environ.get("RAKEL_TEST_CONTAINER_BASE")  # e.g. python:3.11-slim where a registry is reachable
    try:
        base = base or ensure_local_base()
        return build(TAG, base=base, ca_file=HOST_CA if HOST_CA.exists() else None)
    except BuildError as error:
        if "mmdebstrap is missing" in str(error):
            pytest.skip(f"no base image: {error}")
        raise


@pytest.fixture
def container(image: str) -> Iterator[tuple[str, str]]:
    port, name = _free_port(), f"rakel-test-{uuid.uuid4().hex[:8]}"
    podman("run", "-d", "--name", name, "--network=host", "-e", f"RAKEL_PORT={port}",
           "-e", "RAKEL_HOST=127.0.0.1", "-e", "RAKEL_SHUTDOWN_GRACE_SECONDS=5", image)
    try:
        yield name, f"http://127.0.0.1:{port}"
    finally:
        podman("rm", "-f", "-t", "0", name, check=False)


async def _wait_until_up(session: aiohttp.ClientSession, base: str, name: str) -> None:
    if not await wait_until_ok(session, f"{base}/healthz"):
        logs = podman("logs", name, check=False)
        raise AssertionError(f"the container did not come up: {logs.stdout[-2000:]}{logs.stderr[-2000:]}")


def test_the_image_holds_only_runtime_files_and_runs_as_a_non_root_user(image):
    listing = podman("run", "--rm", "--entrypoint", "sh", image, "-c", "id -u; ls /app; ls -d /opt/rakel/bin/rakel")
    uid, *rest = listing.stdout.split()
    assert uid != "0"
    assert rest == ["demo", "/opt/rakel/bin/rakel"]
    config = podman("image", "inspect", image, "--format", "{{json .Config.Healthcheck}} {{json .Config.Entrypoint}}")
    assert "/healthz" in config.stdout and '["rakel"]' in config.stdout


async def test_the_container_answers_health_readiness_and_a_turn_then_stops_cleanly(container):
    name, base = container
    connector = LocalConnector()
    runner, service_url = await start_local_connector(connector)
    try:
        async with aiohttp.ClientSession() as session:
            await _wait_until_up(session, base, name)
            async with session.get(f"{base}/readyz") as response:
                assert response.status == 200
                assert (await response.json())["checks"] == {"database": "ok"}
            assert podman("healthcheck", "run", name, check=False).returncode == 0
            channel = LocalChannel(f"{base}/api/messages", connector, service_url, session)
            channel.join(KARI)
            result = await channel.post(channel.activity(KARI, "message", text="hjelp"))
            assert result.status == 200
            replies = await connector.wait_for(KARI.conversation_id, 1, timeout=10)
            assert "Dette kan jeg hjelpe deg med" in text_of(replies[-1])
    finally:
        await runner.cleanup()
    podman("stop", "-t", "15", name)  # SIGTERM, then SIGKILL after 15 s
    state = podman("inspect", name, "--format", "{{.State.ExitCode}}")
    assert state.stdout.strip() == "0"
