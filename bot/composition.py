"""The composition root: build the store, adapters, skills and the bot from settings."""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date
from typing import Awaitable, Callable

from botbuilder.integration.aiohttp import CloudAdapter

from analytics.events import Pseudonyms
from analytics.recorder import EventRecorder
from analytics.retention import purge_job
from bot.authentication import build_authentication
from bot.files import HttpFileFetcher
from bot.connector_http import ConnectorHttp
from bot.handler import RakelBot, answer_turn_error
from bot.identity import IdentityResolver
from bot.metrics import BotMetrics
from bot.proactive import BotMessenger
from connectors.graph.app_installer import GraphAppInstaller
from connectors.graph.client import build_graph_client
from connectors.inventory import build_inventory
from connectors.llm import build_llm
from connectors.pureservice import PureserviceTicketDesk
from core.ports import AppInstaller, DeviceInventory, Directory, Llm
from core.settings import Environment, Settings
from retrieval.factory import build_embedder, build_index
from skills.catalog import build_registry
from skills.dispatcher import Dispatcher
from retrieval.answering.pipeline import Answerer
from skills.pc_replacement.rules import local_date
from skills.router.llm import LlmRouter
from skills.services import Services
from skills.tickets.announce import AnnouncingLocalDesk
from skills.tickets.outbox import RetrySchedule, TicketOutbox
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


@dataclass
class PcAdapters:
    inventory: DeviceInventory
    directory: Directory
    installer: AppInstaller | None


def _build_pc_adapters(settings: Settings, store: Store, resources: AsyncExitStack, *, today: Callable[[], date]) -> PcAdapters:
    """PC replacement (issue 7): the CSV register or Intune + Entra ID, and Teams app installs through Graph."""
    graph = build_graph_client(settings) if settings.pc_inventory_source == "graph" or settings.pc_teams_app_catalog_id else None
    if graph is not None:
        resources.push_async_callback(graph.close)
    inventory, directory = build_inventory(settings, graph, today=today, known_user_id=store.users.id_for_email)
    installer = (GraphAppInstaller(graph, settings.pc_teams_app_catalog_id, settings.graph_base_url)
                 if graph is not None and settings.pc_teams_app_catalog_id else None)
    return PcAdapters(inventory, directory, installer)


def _wire_tickets(settings: Settings, services: Services, resources: AsyncExitStack) -> dict[str, ReadinessCheck]:
    """Tickets (issue 5): Pureservice, or the local desk announcing new tickets in Kundeservice's channel;
    the outbox every skill files through; the fetcher for screenshots. Returns the readiness checks."""
    readiness: dict[str, ReadinessCheck] = {}
    retry_initial, no_answer_delay = settings.tickets_retry_initial_seconds, 0.0
    if settings.pureservice_url:
        desk = PureserviceTicketDesk.from_settings(settings)
        resources.push_async_callback(desk.close)
        readiness["pureservice"] = desk.check
        # A create cut off by a timeout may still land; the retry comes well after it would have.
        retry_initial = max(retry_initial, settings.pureservice_timeout_seconds)
        no_answer_delay = 3 * settings.pureservice_timeout_seconds
    else:
        desk = AnnouncingLocalDesk(services.store.tickets.local_desk, services.messenger,
                                   settings.kundeservice_conversation_id, lambda: services.clock(),
                                   interval=5 * settings.tickets_worker_interval_seconds, retry_seconds=retry_initial)
    files = HttpFileFetcher(settings)
    resources.push_async_callback(files.close)
    services.ticket_desk, services.files = desk, files
    services.tickets = TicketOutbox(
        services.store.tickets.outbox, desk, services.messenger,
        clock=lambda: services.clock(),
        schedule=RetrySchedule(retry_initial, max(retry_initial, settings.tickets_retry_max_seconds)),
        wait_seconds=settings.tickets_send_wait_seconds,
        attempt_timeout=settings.tickets_attempt_timeout_seconds,
        interval=settings.tickets_worker_interval_seconds,
        concurrency=settings.tickets_worker_concurrency,
        kundeservice_phone=settings.kundeservice_phone,
        no_answer_delay=no_answer_delay,
    )
    return readiness


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
    pc = _build_pc_adapters(settings, store, resources, today=lambda: local_date(services.clock(), settings.timezone))
    messenger = BotMessenger(adapter, store.references, settings.app_id, settings.kundeservice_service_url,
                             tenant_id=settings.teams_tenant_id, installer=pc.installer)
    llm = llm or _build_llm(settings, resources)
    answerer = Answerer(build_index(settings, resources), llm, embedder=build_embedder(settings, resources))
    events = EventRecorder(store.analytics, Pseudonyms(settings.analytics_secret), lambda: services.clock(),
                           on_event=lambda event: metrics.outcomes.labels(event.outcome, event.municipality).inc())
    resources.push_async_callback(events.close)  # the last batch is written before the store closes
    services = Services(settings=settings, store=store, messenger=messenger, events=events, llm=llm,
                        answerer=answerer, inventory=pc.inventory, directory=pc.directory)
    ticket_checks = _wire_tickets(settings, services, resources)
    registry = build_registry(services)
    embedded = registry.router
    router = (LlmRouter(services.llm, embedded, settings.router_timeout_seconds, registry.intents)
              if services.llm else embedded)
    dispatcher = Dispatcher(registry, router, events)
    connector = ConnectorHttp()
    resources.push_async_callback(connector.close)
    bot = RakelBot(dispatcher, services, IdentityResolver(store.users, settings), metrics, connector)

    async def on_error(context, error):  # noqa: ANN001 - botbuilder's callback signature
        await answer_turn_error(context, error, metrics)

    adapter.on_turn_error = on_error
    return Runtime(
        settings, store, services, adapter, bot, metrics,
        resources=resources,
        readiness={"database": store.ping, **ticket_checks},
        background={
            "prune-history": lambda: _repeat(MAINTENANCE_INTERVAL_SECONDS, store.history.prune, "prune-history"),
            "analytics-writer": events.run,
            "analytics-retention": lambda: _repeat(settings.analytics_purge_interval_seconds, purge_job(
                store.analytics, lambda: services.clock(), event_days=settings.analytics_retention_days,
                text_days=settings.analytics_text_retention_days), "analytics-retention"),
            **registry.background_jobs(),
        },
    )
