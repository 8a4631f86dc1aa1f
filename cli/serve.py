"""`rakel serve` (and `python app.py`): run the bot's HTTP endpoint until SIGTERM or SIGINT.

Shutdown is graceful, in the order a load balancer needs: at once /readyz answers 503 and so does every
new request to /api/messages (not processed, so the balancer may retry it on another instance: nginx
``proxy_next_upstream http_503 non_idempotent``); the port stays open ``RAKEL_SHUTDOWN_DELAY_SECONDS``
so the balancer sees that, then closes, and the turns in flight get up to ``RAKEL_SHUTDOWN_GRACE_SECONDS``
to finish; then the background workers stop (handing back their leases) and the process exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from aiohttp import web

from app import Clock, build_runtime, utc_now
from bot.server import DRAINING, create_app
from core.logging_setup import configure_logging
from core.settings import Settings, load_settings

log = logging.getLogger(__name__)


async def prepare(settings: Settings, *, clock: Clock = utc_now) -> web.Application:
    """Build the app; on embedded defaults, index the demo corpus first if the index is empty."""
    from cli.ingest import ensure_demo_index

    await ensure_demo_index(settings)
    return create_app(await build_runtime(settings, clock=clock))


async def run(settings: Settings) -> None:
    """Serve until a stop signal, then shut down gracefully (see the module docstring)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    app = await prepare(settings)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=settings.shutdown_grace_seconds)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, settings.port).start()
        log.info("rakel is serving", extra={"host": settings.host, "port": settings.port})
        await stop.wait()
        log.info("stop signal: draining", extra={"delay_s": settings.shutdown_delay_seconds,
                                                 "grace_s": settings.shutdown_grace_seconds})
        app[DRAINING].set()
        await asyncio.sleep(settings.shutdown_delay_seconds)
    finally:
        await runner.cleanup()  # closes the port, waits for requests in flight, then stops the workers
    log.info("rakel stopped")


def serve(settings: Settings) -> None:
    configure_logging(settings.log_level, settings.log_format)
    log.info("starting rakel", extra={"host": settings.host, "port": settings.port, "env": settings.env.value})
    asyncio.run(run(settings))


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="run the bot endpoint (RAKEL_HOST, RAKEL_PORT)")
    parser.set_defaults(run=lambda args: serve(load_settings()))
