"""Start infra/compose.yaml with podman-compose and check it through nginx, then take it down.

    python infra/compose/check.py            # build what is missing, up -d, check, down -v
    python infra/compose/check.py --offline  # images from Debian's packages (no container registry)

Checks, all through the load balancer: ``/healthz`` and ``/readyz`` answer 200, a Bot Framework message
activity posted to ``/api/messages`` is answered at a local connector on the host (its serviceUrl is
``host.containers.internal``, which podman puts in every container's /etc/hosts), then with ``rakel-1``
stopped (SIGTERM) every further turn is still answered by ``rakel-2``.

``--offline`` builds the Rakel image on the mmdebstrap base (infra/container/build.py ``--local-base``)
and stand-ins for ``postgres:15`` and ``nginx`` from Debian's packages (``infra/compose/local/``), and
points RAKEL_IMAGE, POSTGRES_IMAGE and NGINX_IMAGE at them; compose.yaml itself is unchanged.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import free_port  # noqa: E402
from bot.local_client import LocalChannel, LocalUser  # noqa: E402
from bot.local_connector import LocalConnector, start_local_connector  # noqa: E402
from infra.container.build import ROOT, build, ensure_local_base, podman, podman_env  # noqa: E402
from tests.harness import text_of, wait_until_ok  # noqa: E402

COMPOSE_FILE = ROOT / "infra" / "compose.yaml"
LOCAL = ROOT / "infra" / "compose" / "local"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
OFFLINE_IMAGES = {
    "RAKEL_IMAGE": "localhost/rakel:compose",
    "POSTGRES_IMAGE": "localhost/rakel-postgres:15",
    "NGINX_IMAGE": "localhost/rakel-nginx:latest",
}
HELP_TEXT = "Dette kan jeg hjelpe deg med"


class CheckFailed(AssertionError):
    """A step of the check did not hold; the message says which."""


def build_offline_images(rebuild: bool) -> dict[str, str]:
    """Build the three images from Debian's packages and PyPI (skipped when they exist, unless rebuild)."""
    base = ensure_local_base()
    for name, image in OFFLINE_IMAGES.items():
        if not rebuild and podman("image", "exists", image, check=False).returncode == 0:
            continue
        print(f"building {image}", flush=True)
        if name == "RAKEL_IMAGE":
            build(image, base=base, ca_file=HOST_CA if HOST_CA.exists() else None)
        else:
            containerfile = LOCAL / f"{name.split('_')[0].lower()}.Containerfile"
            podman("build", "--format", "docker", "--network=host", "--build-arg", f"BASE={base}",
                   "-f", str(containerfile), "-t", image, str(LOCAL))
    return dict(OFFLINE_IMAGES)


def compose(project: str, env: dict[str, str], *args: str, timeout: float = 600) -> str:
    command = [sys.executable, "-m", "podman_compose", "-p", project, "-f", str(COMPOSE_FILE), *args]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise CheckFailed(f"podman-compose {' '.join(args)} failed: {(result.stderr or result.stdout)[-3000:]}")
    return result.stdout


async def _turn(channel: LocalChannel, user: LocalUser) -> float:
    """Post "hjelp" through nginx; return the seconds until the reply reached the connector."""
    channel.join(user)
    started = time.monotonic()
    result = await channel.post(channel.activity(user, "message", text="hjelp"))
    if result.status != 200:
        raise CheckFailed(f"/api/messages answered {result.status}: {result.body}")
    replies = await channel.connector.wait_for(user.conversation_id, 1, timeout=20)
    if HELP_TEXT not in text_of(replies[-1]):
        raise CheckFailed(f"unexpected reply: {replies[-1]}")
    return time.monotonic() - started


async def _get(session: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with session.get(url) as response:
        return response.status, (await response.text()).strip()


async def check(project: str, env: dict[str, str], port: int, turns_after_stop: int) -> None:
    base = f"http://127.0.0.1:{port}"
    connector = LocalConnector()
    runner, local_url = await start_local_connector(connector, host="0.0.0.0")
    service_url = local_url.replace("0.0.0.0", "host.containers.internal")
    try:
        async with aiohttp.ClientSession() as session:
            if not await wait_until_ok(session, f"{base}/readyz", attempts=1200, pause=0.25):
                raise CheckFailed(f"{base}/readyz never answered 200")
            for path in ("/healthz", "/readyz"):
                status, body = await _get(session, base + path)
                print(f"GET {path} via nginx: {status} {body}", flush=True)
                if status != 200:
                    raise CheckFailed(f"{path} answered {status}")
            channel = LocalChannel(f"{base}/api/messages", connector, service_url, session)
            seconds = await _turn(channel, LocalUser.create("Kari Nordmann", "kari.nordmann@molde.kommune.no"))
            print(f"turn via nginx (serviceUrl {service_url}): answered in {seconds * 1000:.0f} ms", flush=True)
            started = time.monotonic()
            compose(project, env, "stop", "rakel-1")
            print(f"stopped rakel-1 (SIGTERM, drained) in {time.monotonic() - started:.1f} s", flush=True)
            answered = []
            for number in range(turns_after_stop):
                user = LocalUser.create(f"Bruker {number}", f"bruker{number}@rauma.kommune.no")
                answered.append(await _turn(channel, user))
            print(f"with rakel-1 stopped: {len(answered)} of {turns_after_stop} turns answered, "
                  f"slowest {max(answered) * 1000:.0f} ms", flush=True)
            status, body = await _get(session, base + "/readyz")
            print(f"GET /readyz via nginx with rakel-1 stopped: {status} {body}", flush=True)
            if status != 200:
                raise CheckFailed(f"/readyz answered {status} with rakel-1 stopped")
    finally:
        await runner.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offline", action="store_true", help="build and use images from Debian's packages")
    parser.add_argument("--rebuild", action="store_true", help="with --offline: rebuild images that exist")
    parser.add_argument("--project", default="rakel-check", help="compose project name")
    parser.add_argument("--port", type=int, help="host port for nginx (RAKEL_HTTP_PORT; default a free one)")
    parser.add_argument("--turns", type=int, default=6, help="turns to send with rakel-1 stopped")
    parser.add_argument("--keep", action="store_true", help="leave the stack running (no down)")
    args = parser.parse_args()
    port = args.port or free_port()
    env = {**podman_env(), "RAKEL_HTTP_PORT": str(port)}
    try:
        if args.offline:
            env.update(build_offline_images(args.rebuild))
        print("images: " + ", ".join(f"{name}={env.get(name, '(compose default)')}" for name in OFFLINE_IMAGES))
        started = time.monotonic()
        compose(args.project, env, "up", "-d")
        print(f"podman-compose up -d: done in {time.monotonic() - started:.1f} s; nginx on 127.0.0.1:{port}")
        try:
            asyncio.run(check(args.project, env, port, args.turns))
        except BaseException:
            print(compose(args.project, env, "logs", "--tail", "20", timeout=120)[-6000:], file=sys.stderr)
            raise
        finally:
            if not args.keep:
                compose(args.project, env, "down", "-v", timeout=300)
                print("podman-compose down -v: done")
    except CheckFailed as failure:
        print(f"compose check FAILED: {failure}", file=sys.stderr)
        return 1
    print("compose check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
