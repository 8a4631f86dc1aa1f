"""Every skill Rakel has. Adding a skill = one module (with its intents.toml) plus one line here."""

from __future__ import annotations

from skills.feedback.skill import FeedbackSkill
from skills.handoff.skill import HandoffSkill
from skills.help.skill import HelpSkill
from skills.knowledge.skill import KnowledgeSkill
from skills.out_of_scope.skill import OutOfScopeSkill
from skills.pc_replacement.skill import PcReplacementSkill
from skills.registry import SkillRegistry
from skills.services import Services
from skills.tickets.skill import TicketSkill
from skills.tickets.status import TicketStatusSkill


def build_registry(services: Services) -> SkillRegistry:
    registry = SkillRegistry()
    registry.register(HelpSkill())
    registry.register(FeedbackSkill())
    registry.register(OutOfScopeSkill())
    registry.register(KnowledgeSkill(services.answerer))
    registry.register(TicketSkill(services, registry.router))
    registry.register(TicketStatusSkill())
    registry.register(HandoffSkill(services))
    registry.register(PcReplacementSkill(services))
    return registry
