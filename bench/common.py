"""Helpers the benchmarks share: run `rakel serve` as a separate process and read its resources."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


@contextmanager
def running_server(
    extra_env: dict[str, str] | None = None, argv: list[str] | None = None
) -> Iterator[tuple[str, psutil.Process]]:
    """Start `rakel serve` (or the Python script and arguments in ``argv``) on a free port with its own
    data dir; yield (base URL, process)."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="rakel-bench-") as data_dir:
        env = {**os.environ, "RAKEL_PORT": str(port), "RAKEL_DATA_DIR": data_dir, "RAKEL_LOG_LEVEL": "WARNING",
               **(extra_env or {})}
        process = subprocess.Popen([sys.executable, *(argv or [str(ROOT / "app.py")])], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 180
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"server exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
                try:
                    if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                if time.time() > deadline:
                    raise RuntimeError("server did not start within 180 s")
                time.sleep(0.2)
            yield base, psutil.Process(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)
