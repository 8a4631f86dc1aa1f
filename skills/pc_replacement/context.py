"""What every part of the PC replacement flow shares: the services, the store, the courier, the time."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from core.language import Language
from core.ports import InventoryError, Person
from skills.pc_replacement.cards import CardContext
from skills.pc_replacement.delivery import Courier
from skills.pc_replacement.pacing import Pacer
from skills.pc_replacement.rules import DueRule, local_date
from skills.services import Services
from store.pc import PcRepositories

DAY = 86400.0
INTERACTIVE_ATTEMPTS = 2
INTERACTIVE_MAX_WAIT_SECONDS = 1.0
log = logging.getLogger(__name__)


@dataclass
class PcContext:
    services: Services
    courier: Courier

    @classmethod
    def create(cls, services: Services, pacer: Pacer | None = None, *, interactive: bool = False) -> PcContext:
        """``interactive``: for a button click, which Teams wants answered within seconds: one quick retry,
        and the follow-up job delivers what is still missing."""
        settings = services.settings
        pacer = pacer or Pacer(settings.pc_campaign_rate_per_second)
        if interactive:
            courier = Courier(services.messenger, services.store.references, pacer,
                              attempts=INTERACTIVE_ATTEMPTS, max_wait_seconds=INTERACTIVE_MAX_WAIT_SECONDS)
        else:
            courier = Courier(services.messenger, services.store.references, pacer, attempts=settings.pc_send_attempts)
        return cls(services, courier)

    @property
    def repo(self) -> PcRepositories:
        return self.services.store.pc

    def now(self) -> float:
        return self.services.clock().timestamp()

    def today(self) -> date:
        return local_date(self.services.clock(), self.services.settings.timezone)

    def rule(self, years: int | None = None) -> DueRule:
        """The replacement rule of the settings (``years``: a campaign's own, kept from its first run)."""
        settings = self.services.settings
        return DueRule.of(years or settings.pc_max_age_years, settings.pc_due_rule)

    def cards(self, language: Language = Language.BOKMAAL) -> CardContext:
        settings = self.services.settings
        return CardContext(self.today(), settings.pc_max_age_years, settings.pc_reminder_days, settings.timezone, language)

    async def fallback_approver(self, municipality: str) -> Person | None:
        """The configured fallback approver for a municipality (or "default"), with an AAD object id."""
        approvers = self.services.settings.pc_fallback_approvers
        key = approvers.get(municipality) or approvers.get("default", "")
        if not key:
            return None
        return await self.person(key)

    async def person(self, key: str) -> Person | None:
        """A person by UPN or AAD id: the directory first, then the people who have talked to Rakel."""
        directory = self.services.directory
        if directory is not None:
            try:
                found = await directory.person(key)
            except InventoryError:
                log.warning("directory lookup failed; trying Rakel's own users", exc_info=True)
                found = None
            if found is not None and found.id:
                return found
        if "@" in key:
            user_id = await self.services.store.users.id_for_email(key)
            profile = await self.services.store.users.get(user_id) if user_id else None
            return Person(id=user_id, upn=key.lower(), name=profile.name if profile else key) if user_id else None
        profile = await self.services.store.users.get(key)
        return Person(id=key, upn=profile.email.lower() if profile else "", name=profile.name if profile else key)
