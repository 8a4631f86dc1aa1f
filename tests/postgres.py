"""A throwaway PostgreSQL cluster for the test session (initdb + pg_ctl on a free port).

When the binaries are missing the PostgreSQL variants of the store tests are skipped, and the skip
reason says so in the pytest summary. As root, the cluster runs as the ``postgres`` system user
(initdb refuses to run as root).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest


def _postgres_bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    if shutil.which("initdb"):
        candidates.insert(0, str(Path(shutil.which("initdb")).parent))  # type: ignore[arg-type]
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run_as_cluster_owner(command: list[str]) -> None:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


@contextmanager
def temporary_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a free loopback port; yields its URL (user ``rakel``, trust).
    Raises ``LookupError`` with the reason when it cannot run here. Benchmarks use it too."""
    bindir = _postgres_bindir()
    if bindir is None:
        raise LookupError("PostgreSQL binaries (initdb, pg_ctl) not found")
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise LookupError("running as root without a 'postgres' user") from None
    root = Path(tempfile.mkdtemp(prefix="rakel-pg-"))
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data, port = root / "data", _free_port()
    _run_as_cluster_owner([str(bindir / "initdb"), "-D", str(data), "-U", "rakel", "--auth=trust", "-E", "UTF8"])
    _run_as_cluster_owner([
        str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "start",
        "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
    ])
    try:
        yield f"postgresql://rakel@127.0.0.1:{port}/postgres"
    finally:
        _run_as_cluster_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with ExitStack() as stack:
        try:
            url = stack.enter_context(temporary_cluster())
        except LookupError as reason:
            pytest.skip(f"{reason}: PostgreSQL store tests skipped")
        yield url


def _create_database(url: str, name: str) -> None:
    import asyncpg

    async def create() -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    # A thread of its own: this fixture is sync so async fixtures and tests can both request it.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, create()).result()


@pytest.fixture
def fresh_postgres_url(postgres_url: str) -> str:
    """A new empty database in the session's cluster, for one test."""
    name = f"t_{os.urandom(6).hex()}"
    _create_database(postgres_url, name)
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"
