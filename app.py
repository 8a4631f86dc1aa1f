"""The composition root: the one place Rakel is put together from settings.

Each port package builds its adapter (``build…`` in store/, connectors/, retrieval/, bot/edge.py),
``skills/catalog.py`` builds the skills and the services they own, and this module only calls those.
``python app.py`` is ``rakel serve``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from botbuilder.integration.aiohttp import CloudAdapter

from analytics import recorder as analytics
from bot.edge import build_bot, build_channel
from bot.handler import RakelBot
from bot.metrics import BotMetrics
from connectors import inventory, local_desk, pureservice
from connectors.azure_identity import database_password
from connectors.graph.client import build_graph_client
from connectors.llm import OpenAiLlm, build_llm
from core.lifecycle import BackgroundJob, Lifecycle, ReadinessCheck
from core.ports import Llm
from core.settings import Settings
from retrieval import index as search_index
from retrieval import sources
from retrieval.ingest import Ingestor
from retrieval.model import DocumentSource, SearchIndex
from skills.catalog import Adapters, Skills, build_skills
from skills.pc_replacement.rules import local_date
from skills.tickets.cards import channel_card
from store.leases import LeaseKeeper
from store.store import Store, open_store

log = logging.getLogger(__name__)
MAINTENANCE_INTERVAL_SECONDS = 3600.0
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    store: Store
    adapters: Adapters
    skills: Skills
    adapter: CloudAdapter
    bot: RakelBot
    metrics: BotMetrics
    life: Lifecycle = field(default_factory=Lifecycle)

    @property
    def readiness(self) -> Mapping[str, ReadinessCheck]:
        return self.life.readiness

    @property
    def background(self) -> Mapping[str, BackgroundJob]:
        return self.life.background

    @property
    def leases(self) -> LeaseKeeper:
        return self.store.leases

    async def close(self) -> None:
        await self.life.close()
        await self.store.close()


async def _repeat(interval: float, job: Callable[[], Awaitable[object]], name: str) -> None:
    while True:
        try:
            await job()
        except Exception:  # noqa: BLE001 - a failing maintenance job is logged and retried next round
            log.exception("background job failed", extra={"job": name})
        await asyncio.sleep(interval)


def _closing(life: Lifecycle, llm: OpenAiLlm | None) -> OpenAiLlm | None:
    if llm is not None:
        life.closes(llm.close)
    return llm


async def build_runtime(settings: Settings, *, llm: Llm | None = None, clock: Clock = utc_now) -> Runtime:
    """Everything the service runs, from settings (``llm`` and ``clock`` replace the configured ones in tests)."""
    life = Lifecycle()
    store = await open_store(settings.database_target, staff_municipality=settings.staff_municipality,
                             password=database_password(settings, life.resources))
    life.checks("database", store.ping)
    life.runs("prune-history", lambda: _repeat(MAINTENANCE_INTERVAL_SECONDS, store.history.prune, "prune-history"))
    pc = inventory.build(settings, life, today=lambda: local_date(clock(), settings.timezone),
                         known_user_id=store.users.id_for_email)
    channel = build_channel(settings, life, store.references, installer=pc.installer)
    llm = llm or _closing(life, build_llm(settings))
    desk = pureservice.build(settings, life) or local_desk.build(
        settings, life, store.db, store.leases, channel.messenger, card=channel_card, clock=clock)
    events = analytics.build(settings, life, store.analytics, clock, repeat=_repeat,
                             on_event=lambda event: channel.metrics.outcomes.labels(event.outcome, event.municipality).inc())
    adapters = Adapters(
        settings=settings, store=store, messenger=channel.messenger, events=events, desk=desk, files=channel.files,
        inventory=pc.inventory, directory=pc.directory, index=search_index.build(settings, life.resources),
        llm=llm, embedder=_embedder(settings, life), clock=clock,
    )
    skills = build_skills(adapters)
    for name, job in skills.registry.background_jobs().items():
        life.runs(name, job)
    if settings.ingest_interval_minutes:
        life.runs("ingest", lambda: _repeat(60 * settings.ingest_interval_minutes, lambda: _ingest(settings), "ingest"))
    bot = build_bot(settings, channel, skills.dispatcher, users=store.users, references=store.references,
                    dialogs=store.dialogs)
    runtime = Runtime(settings, store, adapters, skills, channel.adapter, bot, channel.metrics, life)
    try:
        await life.start()  # e.g. every Pureservice name exists; a SettingsError stops the start
    except BaseException:
        await runtime.close()
        raise
    return runtime


def _embedder(settings: Settings, life: Lifecycle) -> Llm | None:
    """The LLM port for vectors when an embedding model is configured; vectors are optional everywhere."""
    return _closing(life, build_llm(settings)) if settings.llm_embedding_model else None


@dataclass(frozen=True)
class Knowledge:
    index: SearchIndex
    sources: list[DocumentSource]
    embedder: Llm | None


@asynccontextmanager
async def open_knowledge(settings: Settings, source_names: Sequence[str] | None = None) -> AsyncIterator[Knowledge]:
    """The index, the named sources (default: ``sources.default_source_names``) and the embedder, for
    ``rakel ingest``; closed on exit."""
    life = Lifecycle()
    try:
        names = list(source_names or sources.default_source_names(settings))
        index = search_index.build(settings, life.resources)
        graph = build_graph_client(settings) if sources.GRAPH_SOURCES & set(names) else None
        if graph is not None:
            life.closes(graph.close)
        desk = pureservice.build(settings, life) if sources.PURESERVICE_SOURCES & set(names) else None
        built = sources.build(settings, names, index, sources.SourceAdapters(graph, desk))
        yield Knowledge(index, built, _embedder(settings, life))
    finally:
        await life.close()


async def _ingest(settings: Settings) -> None:
    """One round of the scheduled ingest (``RAKEL_INGEST_INTERVAL_MINUTES``): every configured source."""
    async with open_knowledge(settings) as knowledge:
        summary = await Ingestor(knowledge.index, knowledge.sources, knowledge.embedder).run()
    log.info("scheduled ingest", extra={"added": summary.added, "updated": summary.updated,
                                        "removed": summary.removed, "skipped": len(summary.skipped)})


if __name__ == "__main__":
    from cli.serve import serve
    from core.settings import load_settings

    serve(load_settings())
