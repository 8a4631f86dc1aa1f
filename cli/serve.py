"""`rakel serve` (and `python app.py`): run the bot's HTTP endpoint."""

from __future__ import annotations

import argparse
import logging

from aiohttp import web

from bot.composition import build_runtime
from bot.server import create_app
from core.logging_setup import configure_logging
from core.settings import Settings, load_settings

log = logging.getLogger(__name__)


async def prepare(settings: Settings) -> web.Application:
    """Build the app; on embedded defaults, index the demo corpus first if the index is empty."""
    from cli.ingest import ensure_demo_index

    await ensure_demo_index(settings)
    return create_app(await build_runtime(settings))


def serve(settings: Settings) -> None:
    configure_logging(settings.log_level, settings.log_format)
    log.info("starting rakel", extra={"host": settings.host, "port": settings.port, "env": settings.env.value})
    web.run_app(prepare(settings), host=settings.host, port=settings.port, print=None, access_log=None)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="run the bot endpoint (RAKEL_HOST, RAKEL_PORT)")
    parser.set_defaults(run=lambda args: serve(load_settings()))
