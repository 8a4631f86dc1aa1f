"""Every skill Rakel has. Adding a skill = one module plus one line here."""

from __future__ import annotations

from core.texts import Localized
from skills.feedback import FeedbackSkill
from skills.help import HelpSkill
from skills.intents import Intent
from skills.knowledge.skill import KnowledgeSkill
from skills.out_of_scope import OutOfScopeSkill
from skills.pending import PendingSkill
from skills.registry import SkillRegistry
from skills.services import Services


def build_registry(services: Services) -> SkillRegistry:
    registry = SkillRegistry()
    registry.register(HelpSkill())
    registry.register(FeedbackSkill())
    registry.register(OutOfScopeSkill())
    registry.register(KnowledgeSkill(services.answerer))
    registry.register(PendingSkill("tickets", (Intent.CREATE_TICKET,), Localized(nb="Å lage saker", nn="Å lage saker", en="Creating tickets")))
    registry.register(PendingSkill("ticket_status", (Intent.TICKET_STATUS,), Localized(nb="Oversikt over sakene dine", nn="Oversikt over sakene dine", en="Your ticket overview")))
    registry.register(PendingSkill("handoff", (Intent.TALK_TO_HUMAN,), Localized(nb="Chat med Kundeservice", nn="Chat med Kundeservice", en="Chat with Kundeservice")))
    registry.register(PendingSkill("pc_replacement", (Intent.PC_REPLACEMENT,), Localized(nb="Bestilling av ny PC", nn="Bestilling av ny PC", en="Ordering a new PC")))
    return registry
