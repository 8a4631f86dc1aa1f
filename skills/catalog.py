"""Every skill Rakel has, and the services the skills own, built from the adapters the composition root
(app.py) made. Each skill gets only the ports it uses. Adding a skill = one module (with its intents.toml)
plus one line here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from analytics.events import EventSink
from core.ports import DeviceInventory, Directory, FileFetcher, Llm, Messenger, TicketDesk
from core.settings import Settings
from retrieval.answering.pipeline import Answerer
from retrieval.model import SearchIndex
from skills.cancel.skill import CancelSkill
from skills.dispatcher import Dispatcher
from skills.feedback.skill import FeedbackSkill
from skills.handoff.flow import HandoffFlow
from skills.handoff.skill import HandoffSkill
from skills.help.skill import HelpSkill
from skills.knowledge.skill import KnowledgeSkill
from skills.out_of_scope.skill import OutOfScopeSkill
from skills.pc_replacement.context import PcPorts
from skills.pc_replacement.skill import PcReplacementSkill
from skills.registry import SkillRegistry
from skills.report.skill import ReportSkill
from skills.router import Router
from skills.router.llm import LlmRouter
from skills.tickets.outbox import RetrySchedule, TicketOutbox
from skills.tickets.skill import TicketSkill
from skills.tickets.status import TicketStatusSkill
from skills.tickets.summary import TicketSummarizer
from store.store import Store


@dataclass(frozen=True)
class Adapters:
    """The ports the composition root built from settings."""

    settings: Settings
    store: Store
    messenger: Messenger
    events: EventSink  # analytics: what happened, for the monthly report
    desk: TicketDesk
    files: FileFetcher
    inventory: DeviceInventory
    directory: Directory
    index: SearchIndex
    llm: Llm | None
    embedder: Llm | None
    clock: Callable[[], datetime]


@dataclass(frozen=True)
class Skills:
    registry: SkillRegistry
    dispatcher: Dispatcher
    tickets: TicketOutbox  # how every skill files a ticket
    answerer: Answerer  # the knowledge index and answering


def build_outbox(adapters: Adapters) -> TicketOutbox:
    settings = adapters.settings
    retry_initial = settings.tickets_retry_initial_seconds
    if settings.pureservice_url:
        retry_initial = max(retry_initial, settings.pureservice_timeout_seconds)
    refused_initial = settings.tickets_refused_retry_initial_seconds
    return TicketOutbox(
        adapters.store.tickets.outbox, adapters.desk, adapters.messenger,
        clock=adapters.clock,
        schedule=RetrySchedule(retry_initial, max(retry_initial, settings.tickets_retry_max_seconds)),
        refused_schedule=RetrySchedule(refused_initial, max(refused_initial, settings.tickets_refused_retry_max_seconds)),
        wait_seconds=settings.tickets_send_wait_seconds,
        attempt_timeout=settings.tickets_attempt_timeout_seconds,
        recheck_delay=settings.tickets_recheck_seconds,
        interval=settings.tickets_worker_interval_seconds,
        concurrency=settings.tickets_worker_concurrency,
        kundeservice_phone=settings.kundeservice_phone,
    )


def pc_ports(adapters: Adapters, tickets: TicketOutbox) -> PcPorts:
    store = adapters.store
    return PcPorts(adapters.settings, store.pc, store.users, store.references, adapters.messenger, tickets,
                   adapters.inventory, adapters.directory, adapters.clock, store.leases)


def build_router(settings: Settings, registry: SkillRegistry, llm: Llm | None) -> Router:
    """The registry's embedded router (trained from the declared intents), behind the LLM when one is set."""
    embedded = registry.router
    embedded.classify_now("hei")  # train or load the intent model now, not on the first user's message
    return LlmRouter(llm, embedded, settings.router_timeout_seconds, registry.intents) if llm else embedded


def build_skills(adapters: Adapters) -> Skills:
    settings, store, clock = adapters.settings, adapters.store, adapters.clock
    tickets = build_outbox(adapters)
    answerer = Answerer(
        adapters.index, adapters.llm, embedder=adapters.embedder, allowed_domains=settings.link_allowed_domains
    )
    summarizer = TicketSummarizer(adapters.llm, settings.tickets_llm_timeout_seconds) if adapters.llm else None
    handoff = HandoffFlow(settings, handoffs=store.handoffs, history=store.history, dialogs=store.dialogs,
                          feedback=store.feedback, messenger=adapters.messenger, files=adapters.files,
                          events=adapters.events, tickets=tickets, desk=adapters.desk, clock=clock)
    registry = SkillRegistry(cache_dir=settings.data_dir / "cache")
    registry.register(HelpSkill())
    registry.register(CancelSkill())
    registry.register(FeedbackSkill(store.feedback))
    registry.register(OutOfScopeSkill())
    registry.register(KnowledgeSkill(answerer, store.history, store.answers, store.feedback))
    registry.register(TicketSkill(settings, store.tickets, store.history, tickets, adapters.files, clock,
                                  registry.router, summarizer))
    registry.register(TicketStatusSkill(settings, adapters.desk, store.tickets.outbox))
    registry.register(HandoffSkill(handoff, settings.handoff_check_interval_seconds))
    registry.register(PcReplacementSkill(pc_ports(adapters, tickets)))
    registry.register(ReportSkill(settings, store.analytics, store.pc.campaigns, clock))
    dispatcher = Dispatcher(registry, build_router(settings, registry, adapters.llm), adapters.events,
                            dialogs=store.dialogs, history=store.history, attachments=store.tickets.attachments,
                            clock=clock)
    return Skills(registry, dispatcher, tickets, answerer)
