"""A small messy register, the people in it, a frozen clock, a recording ticket submitter and the bot
harness wired to them."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.local_client import LocalUser
from core.cards import validate_card
from core.ports import TicketDraft, TicketSubmission, TicketSummary
from core.settings import Settings
from skills.catalog import pc_ports
from skills.pc_replacement.approvals import Approvals
from skills.pc_replacement.campaign import CampaignRunner
from skills.pc_replacement.context import PcContext, PcPorts
from skills.pc_replacement.delivery import Courier
from skills.pc_replacement.followups import FollowUps
from skills.pc_replacement.pacing import Pacer
from skills.pc_replacement.planning import Planner
from store.leases import LeaseKeeper
from tests.conftest import make_settings
from tests.harness import KARI, OLA, SIRI, BotHarness, cards_of, start_harness

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday; the campaign date 03.03.2025
CAMPAIGN_DATE = date(2025, 3, 3)
CAMPAIGN = "pc-2025-03"

LENA = LocalUser.create("Lena Lie", "lena.lie@molde.kommune.no")  # Kari's leader
FRODE = LocalUser.create("Frode Reserve", "frode.reserve@molde.kommune.no")  # Molde's fallback approver
MARI = LocalUser.create("Mari Åndalsnes", "mari.andalsnes@rauma.kommune.no")  # Rauma's leader and fallback
PER = LocalUser.create("Per Haugen", "per.haugen@molde.kommune.no")  # old PC, no leader in the register
TOR = LocalUser.create("Tor Helland", "tor.helland@molde.kommune.no")  # a leader who has left
ANE = LocalUser.create("Ane Remmem", "ane.remmem@molde.kommune.no")  # old PC, her leader Tor has left
GURO = LocalUser.create("Guro Bud", "guro.bud@rauma.kommune.no")  # old PC, two of them
PEOPLE = (KARI, OLA, SIRI, LENA, FRODE, MARI, PER, TOR, ANE, GURO)

HEADER = "Enhet-ID;Serienummer;Modell;Innkjøpsdato;Bruker;Navn;Bruker-ID;Kommune;Avdeling;Leder;Status;Ansattstatus"


def line(device: str, serial: str, model: str, bought: str, user: LocalUser | None, *, kommune: str = "",
         department: str = "Servicetorget", leader: LocalUser | str | None = None, status: str = "I bruk",
         left: str = "", with_id: bool = True) -> str:
    email = user.member.email if user else ""
    name = user.member.name if user else ""
    user_id = user.member.aad_object_id if user and with_id else ""
    leader_upn = leader.member.email if isinstance(leader, LocalUser) else (leader or "")
    return ";".join([device, serial, model, bought, email, name, user_id, kommune, department, leader_upn, status, left])


REGISTER = [
    line("MOL-0001", "PF1A2B3C", "Lenovo ThinkPad T470", "14.02.2018", KARI, kommune="Molde kommune", leader=LENA),
    line("MOL-0002", "PF9Z8Y7X", "Lenovo ThinkPad T14 Gen 3", "15.03.2023", LENA, kommune="Molde kommune"),
    line("MOL-0003", "5CG7001", "HP EliteBook 840 G5", "2018-09-02", PER, kommune="Molde kommune"),
    line("MOL-0004", "5CG7002", "HP EliteBook 840 G4", "20.06.2017", TOR, kommune="Molde kommune", left="Sluttet"),
    line("MOL-0005", "CN5001", "Dell Latitude 5480", "14.12.2017", ANE, kommune="MOLDE", leader=TOR),
    line("RAU-0001", "PF4455", "Lenovo ThinkPad T14 Gen 2", "02.05.2022", OLA, kommune="Rauma kommune", leader=MARI),
    line("RAU-0002", "CN6001", "Dell Latitude 5490", "03.10.2018", GURO, kommune="Rauma kommune", leader=MARI),
    line("RAU-0003", "CN6002", "Dell Latitude 5400", "26.04.2018", GURO, kommune="Rauma kommune", leader=MARI),
    line("RAU-0004", "PF7788", "Microsoft Surface Laptop 3", "12.03.2021", MARI, kommune="Rauma kommune"),
    line("RAU-0005", "CN6003", "Dell Latitude 5490", "31.02.2017", None, kommune="Rauma kommune"),  # bad date, no user
    line("RAU-0006", "CN6004", "Dell Latitude 5490", "03.10.2018", SIRI, kommune="Rauma kommune", status="Kassert"),
]
# Kari, Per, Ane, Guro (two PCs) are due on 03.03.2025; Tor has left; Siri's PC is retired.
DUE = (KARI, PER, ANE, GURO)


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class LeaseTime:
    """The machine time leases see, virtual: a run waiting for a lease moves it on."""

    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.waited = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.waited += seconds
        await asyncio.sleep(0)


class RecordedSleeps:
    """Sleeps that are recorded and pass at once, on a virtual clock (``monotonic``)."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # a wait still lets the other senders run


@dataclass
class RecordingTickets:
    """The TicketSubmitter contract as skills use it: one ticket per idempotency key."""

    created: list[tuple[TicketDraft, str | None]] = field(default_factory=list)
    fail_next: int = 0
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(2025001))
    _by_key: dict[str, TicketSummary] = field(default_factory=dict)

    async def submit(self, draft: TicketDraft, *, notify_user_id: str | None = None) -> TicketSubmission:
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("the ticket desk blew up")
        if draft.idempotency_key not in self._by_key:
            number = str(next(self._numbers))
            self._by_key[draft.idempotency_key] = TicketSummary(
                id=number, number=number, subject=draft.subject, status="Ny", is_open=True,
                updated=NOW, url=f"https://rorikt.pureservice.com/#/tickets/{number}", requester_email=draft.requester_email,
            )
            self.created.append((draft, notify_user_id))
        return TicketSubmission(self._by_key[draft.idempotency_key], queued=False)


def write_register(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def register_path(tmp_path: Path) -> Path:
    return write_register(tmp_path / "register.csv", REGISTER)


@pytest.fixture
def pc_settings(tmp_path: Path, register_path: Path) -> Settings:
    return make_settings(
        tmp_path,
        pc_inventory_csv=register_path,
        pc_fallback_approvers={"molde": FRODE.member.email, "default": MARI.member.email},
        pc_campaign_rate_per_second=30,
        pc_create_rate_per_second=30,
        app_tenant_id="00000000-0000-0000-0000-00000000ab01",
    )


@dataclass
class PcWorld:
    harness: BotHarness
    clock: Clock
    tickets: RecordingTickets
    sleeps: RecordedSleeps
    monkeypatch: pytest.MonkeyPatch
    settings: Settings  # what campaign runs and follow-ups started by the test use (see ``configure``)
    conversations: dict[str, set[str]] = field(default_factory=dict)  # every 1:1 chat each user has had
    pauses: RecordedSleeps = field(default_factory=RecordedSleeps)  # the pacer's waits (slots, Retry-After)
    lease_time: LeaseTime = field(default_factory=LeaseTime)
    leases: LeaseKeeper | None = None  # this test process's leases, on ``lease_time``

    @property
    def ports(self) -> PcPorts:
        runtime = self.harness.runtime
        return replace(pc_ports(runtime.adapters, runtime.skills.tickets), settings=self.settings, leases=self.leases)

    @property
    def repo(self):  # noqa: ANN201
        return self.harness.runtime.store.pc

    def use_real_tickets(self) -> None:
        """Tickets go through the tickets skill's outbox to the desk, instead of being recorded."""
        self.monkeypatch.undo()

    def context(self) -> PcContext:
        ports, settings = self.ports, self.settings
        pacer = Pacer(settings.pc_campaign_rate_per_second, create_rate_per_second=settings.pc_create_rate_per_second,
                      monotonic=self.pauses.monotonic, sleep=self.pauses)
        courier = Courier(ports.messenger, ports.references, pacer, attempts=4,
                          patience_seconds=settings.pc_throttle_patience_seconds, sleep=self.sleeps)
        return PcContext(ports, courier)

    def runner(self) -> CampaignRunner:
        ports = self.ports
        planner = Planner(ports.inventory, ports.directory, ports.repo.orders, self.settings.pc_fallback_approvers)
        return CampaignRunner(self.context(), planner, sleep=self.lease_time.sleep)

    def followups(self) -> FollowUps:
        context = self.context()
        return FollowUps(context, Approvals(context))

    async def run(self):  # noqa: ANN201
        return await self.runner().run(CAMPAIGN, CAMPAIGN_DATE)

    def configure(self, **updates: object) -> None:
        self.settings = self.settings.model_copy(update=updates)

    async def messages(self, user: LocalUser) -> list[dict]:
        """What a user received in their 1:1 chats with Rakel: the one they opened, and any Rakel created."""
        conversations = {user.conversation_id} | self.conversations.get(user.member.aad_object_id, set())
        return [activity for conversation in sorted(conversations)
                for activity in self.harness.connector.replies(conversation)]

    async def cards_for(self, user: LocalUser) -> list[dict]:
        """Every card a user received, each validated against the Adaptive Card schema."""
        found = [card for activity in await self.messages(user) for card in cards_of(activity)]
        for card in found:
            validate_card(card)
        return found


@pytest.fixture
async def world(pc_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[PcWorld]:
    clock = Clock()
    harness = await start_harness(pc_settings, clock=clock)
    for person in PEOPLE:
        harness.channel.join(person)
    await harness.channel.install(FRODE)  # the fallback approver uses Rakel, so she knows his AAD id
    tickets = RecordingTickets()
    monkeypatch.setattr(harness.runtime.skills.tickets, "submit", tickets.submit)
    world = PcWorld(harness, clock, tickets, RecordedSleeps(), monkeypatch, harness.runtime.settings)
    world.leases = LeaseKeeper(harness.runtime.store.db, clock=world.lease_time)
    references = harness.runtime.store.references
    save = references.save

    async def remembering_save(user_id, conversation_id, service_url, reference):  # noqa: ANN001
        world.conversations.setdefault(user_id, set()).add(conversation_id)
        await save(user_id, conversation_id, service_url, reference)

    references.save = remembering_save
    yield world
    await world.leases.close()
    await harness.close()
