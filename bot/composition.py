"""The composition root: build the store, adapters, skills and the bot from settings."""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from botbuilder.integration.aiohttp import CloudAdapter

from bot.authentication import build_authentication
from bot.handler import RakelBot, answer_turn_error
from bot.identity import IdentityResolver
from bot.metrics import BotMetrics
from bot.proactive import BotMessenger
from connectors.llm import build_llm
from core.ports import Llm
from core.settings import Environment, Settings
from retrieval.factory import build_embedder, build_index
from skills.catalog import build_registry
from skills.dispatcher import Dispatcher
from skills.knowledge.answering import Answerer
from skills.router.embedded import EmbeddedRouter
from skills.router.llm import LlmRouter
from skills.services import Services
from store.store import Store, open_store

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[None]]
BackgroundWorker = Callable[[], Awaitable[None]]  # runs until cancelled at shutdown
MAINTENANCE_INTERVAL_SECONDS = 3600.0


async def _repeat(interval: float, job: Callable[[], Awaitable[object]], name: str) -> None:
    while True:
        try:
            await job()
        except Exception:  # noqa: BLE001 - a failing maintenance job is logged and retried next round
            log.exception("background job failed", extra={"job": name})
        await asyncio.sleep(interval)


@dataclass
class Runtime:
    settings: Settings
    store: Store
    services: Services
    adapter: CloudAdapter
    bot: RakelBot
    metrics: BotMetrics
    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)
    background: dict[str, BackgroundWorker] = field(default_factory=dict)
    resources: AsyncExitStack = field(default_factory=AsyncExitStack)  # closed with the runtime

    async def close(self) -> None:
        await self.resources.aclose()
        await self.store.close()


def _build_llm(settings: Settings, resources: AsyncExitStack) -> Llm | None:
    llm = build_llm(settings)
    if llm is not None:
        resources.push_async_callback(llm.close)
    return llm


def warn_about_local_mode(settings: Settings) -> None:
    if settings.auth_enabled:
        return
    if settings.env is Environment.PRODUCTION:  # Settings already refuses this; belt and braces
        raise RuntimeError("RAKEL_APP_ID must be set when RAKEL_ENV=production")
    log.warning(
        "!!! LOCAL MODE: RAKEL_APP_ID is empty, so Bot Framework authentication is OFF and anyone who can "
        "reach this port can talk to the bot. Never expose this to a network. !!!"
    )


async def build_runtime(settings: Settings, *, llm: Llm | None = None) -> Runtime:
    warn_about_local_mode(settings)
    resources = AsyncExitStack()
    store = await open_store(settings.database_target, staff_municipality=settings.staff_municipality)
    metrics = BotMetrics()
    adapter = CloudAdapter(build_authentication(settings))
    messenger = BotMessenger(adapter, store.references, settings.app_id, settings.kundeservice_service_url)
    llm = llm or _build_llm(settings, resources)
    answerer = Answerer(build_index(settings, resources), llm, embedder=build_embedder(settings, resources))
    services = Services(settings=settings, store=store, messenger=messenger, llm=llm, answerer=answerer)
    embedded = EmbeddedRouter()
    router = LlmRouter(services.llm, embedded, settings.router_timeout_seconds) if services.llm else embedded
    registry = build_registry(services)
    dispatcher = Dispatcher(registry, router)
    bot = RakelBot(dispatcher, services, IdentityResolver(store.users, settings), metrics)

    async def on_error(context, error):  # noqa: ANN001 - botbuilder's callback signature
        await answer_turn_error(context, error, metrics)

    adapter.on_turn_error = on_error
    return Runtime(
        settings, store, services, adapter, bot, metrics,
        resources=resources,
        readiness={"database": store.ping},
        background={
            "prune-history": lambda: _repeat(MAINTENANCE_INTERVAL_SECONDS, store.history.prune, "prune-history"),
            **registry.background_jobs(),
        },
    )
