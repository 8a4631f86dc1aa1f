"""What every part of the PC replacement flow shares: its ports, the store, the courier, the time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from core.language import Language
from core.ports import DeviceInventory, Directory, InventoryError, Messenger, Person, TicketSubmitter
from core.settings import Settings
from skills.pc_replacement.cards import CardContext
from skills.pc_replacement.delivery import Courier
from skills.pc_replacement.pacing import Pacer
from skills.pc_replacement.rules import DueRule, local_date
from store.leases import LeaseKeeper
from store.pc import PcRepositories
from store.references import ReferenceRepository
from store.users import UserRepository

DAY = 86400.0
INTERACTIVE_ATTEMPTS = 2
INTERACTIVE_MAX_WAIT_SECONDS = 1.0
log = logging.getLogger(__name__)


def pacer_for(settings: Settings) -> Pacer:
    """One pace for all of a process's proactive requests, with its own budget for new 1:1 chats."""
    return Pacer(settings.pc_campaign_rate_per_second, create_rate_per_second=settings.pc_create_rate_per_second)


@dataclass(frozen=True)
class PcPorts:
    """What the PC replacement flow uses, built once at start-up (skills/catalog.py)."""

    settings: Settings
    repo: PcRepositories
    users: UserRepository
    references: ReferenceRepository
    messenger: Messenger
    tickets: TicketSubmitter
    inventory: DeviceInventory
    directory: Directory
    clock: Callable[[], datetime]
    leases: LeaseKeeper  # which process sends a campaign (store/leases.py)


@dataclass(frozen=True)
class PcContext:
    ports: PcPorts
    courier: Courier

    @classmethod
    def create(cls, ports: PcPorts, pacer: Pacer | None = None, *, interactive: bool = False) -> PcContext:
        """``interactive``: for a button click, which Teams wants answered within seconds: one quick retry,
        and the follow-up job delivers what is still missing."""
        settings = ports.settings
        pacer = pacer or pacer_for(settings)
        if interactive:
            courier = Courier(ports.messenger, ports.references, pacer,
                              attempts=INTERACTIVE_ATTEMPTS, max_wait_seconds=INTERACTIVE_MAX_WAIT_SECONDS)
        else:
            courier = Courier(ports.messenger, ports.references, pacer, attempts=settings.pc_send_attempts,
                              patience_seconds=settings.pc_throttle_patience_seconds)
        return cls(ports, courier)

    @property
    def settings(self) -> Settings:
        return self.ports.settings

    @property
    def repo(self) -> PcRepositories:
        return self.ports.repo

    def now(self) -> float:
        return self.ports.clock().timestamp()

    def today(self) -> date:
        return local_date(self.ports.clock(), self.settings.timezone)

    def rule(self, years: int | None = None) -> DueRule:
        """The replacement rule of the settings (``years``: a campaign's own, kept from its first run)."""
        settings = self.settings
        return DueRule.of(years or settings.pc_max_age_years, settings.pc_due_rule)

    def cards(self, language: Language = Language.BOKMAAL) -> CardContext:
        settings = self.settings
        return CardContext(self.today(), settings.pc_max_age_years, settings.pc_reminder_days, settings.timezone, language)

    async def fallback_approver(self, municipality: str) -> Person | None:
        """The configured fallback approver for a municipality (or "default"), with an AAD object id."""
        approvers = self.settings.pc_fallback_approvers
        key = approvers.get(municipality) or approvers.get("default", "")
        if not key:
            return None
        return await self.person(key)

    async def person(self, key: str) -> Person | None:
        """A person by UPN or AAD id: the directory first, then the people who have talked to Rakel."""
        try:
            found = await self.ports.directory.person(key)
        except InventoryError:
            log.warning("directory lookup failed; trying Rakel's own users", exc_info=True)
            found = None
        if found is not None and found.id:
            return found
        if "@" in key:
            user_id = await self.ports.users.id_for_email(key)
            profile = await self.ports.users.get(user_id) if user_id else None
            return Person(id=user_id, upn=key.lower(), name=profile.name if profile else key) if user_id else None
        profile = await self.ports.users.get(key)
        return Person(id=key, upn=profile.email.lower() if profile else "", name=profile.name if profile else key)
