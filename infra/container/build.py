"""Build the Rakel image with podman, also where no container registry is reachable.

    python infra/container/build.py                    # FROM python:3.11-slim (a registry is reachable)
    python infra/container/build.py --local-base       # FROM a base made from Debian's packages (mmdebstrap)
    python infra/container/build.py --ca-file /etc/ssl/certs/ca-certificates.crt  # a TLS-inspecting proxy

Podman reads ``infra/container/containers.conf`` (settings sandboxed machines need) unless
``CONTAINERS_CONF`` is already set. Used by ``tests/infra/test_container.py`` too.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTAINERFILE = ROOT / "infra" / "container" / "Containerfile"
LOCAL_BASE = "localhost/debian-python:bookworm"
BASE_PACKAGES = "python3,python3-venv,ca-certificates"
BUILD_LOCK = Path(tempfile.gettempdir()) / "rakel-container-build.lock"


class BuildError(RuntimeError):
    """podman or mmdebstrap failed; the message carries the end of their output."""


def podman_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("CONTAINERS_CONF", str(ROOT / "infra" / "container" / "containers.conf"))
    return env


def podman(*args: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["podman", *args], env=podman_env(), capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise BuildError(f"podman {' '.join(args[:2])} failed: {(result.stderr or result.stdout)[-3000:]}")
    return result


def ensure_local_base(name: str = LOCAL_BASE) -> str:
    """A minimal Debian bookworm with Python, imported as ``name`` (made once, then reused)."""
    if shutil.which("mmdebstrap") is None and podman("image", "exists", name, check=False).returncode != 0:
        raise BuildError("mmdebstrap is missing (apt-get install mmdebstrap)")
    with _one_build_at_a_time(), tempfile.TemporaryDirectory(prefix="rakel-base-") as folder:
        if podman("image", "exists", name, check=False).returncode == 0:
            return name
        tarball = Path(folder) / "base.tar"
        result = subprocess.run(["mmdebstrap", "--variant=minbase", f"--include={BASE_PACKAGES}", "bookworm",
                                 str(tarball)], capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            raise BuildError(f"mmdebstrap failed: {result.stderr[-3000:]}")
        podman("import", str(tarball), name)
    return name


def build(tag: str, *, base: str | None = None, ca_file: Path | None = None) -> str:
    """Build the image from the repository's Containerfile; return its tag. Builds on one machine take
    turns (a lock file): one at a time, each reuses the layers the last one cached."""
    args = ["build", "--format", "docker", "--network=host", "-f", str(CONTAINERFILE), "-t", tag]
    if base:
        args += ["--build-arg", f"BASE={base}"]
    if ca_file:
        args += ["--volume", f"{ca_file}:/run/host-ca.crt:ro", "--build-arg", "PIP_CERT=/run/host-ca.crt"]
    with _one_build_at_a_time():
        podman(*args, str(ROOT))
    return tag


@contextmanager
def _one_build_at_a_time() -> Iterator[None]:
    with open(BUILD_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tag", default="localhost/rakel:latest")
    parser.add_argument("--base", help="base image (default: the Containerfile's python:3.11-slim)")
    parser.add_argument("--local-base", action="store_true", help=f"build and use {LOCAL_BASE} from Debian packages")
    parser.add_argument("--ca-file", type=Path, help="CA bundle for pip during the build")
    args = parser.parse_args()
    try:
        base = ensure_local_base() if args.local_base else args.base
        print(build(args.tag, base=base, ca_file=args.ca_file))
    except BuildError as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
