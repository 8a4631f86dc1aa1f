"""Skills and the registry that finds the skill for an intent, a held dialog or a card action."""

from __future__ import annotations

from typing import Awaitable, Callable, ClassVar

from core.messages import ActionResult, CardAction
from skills.intents import Intent
from skills.turn import Turn


class Skill:
    """One capability. Declare ``name``, the ``intents`` it answers and the card ``actions`` (verbs)
    it owns, then override the handlers it needs."""

    name: ClassVar[str]
    intents: ClassVar[tuple[Intent, ...]] = ()
    actions: ClassVar[tuple[str, ...]] = ()

    async def on_message(self, turn: Turn, intent: Intent) -> None:
        """A message routed to this skill by intent."""
        raise NotImplementedError

    async def on_dialog(self, turn: Turn) -> None:
        """A message while this skill holds the conversation (``turn.dialog`` is set)."""
        await turn.release()
        await self.on_message(turn, self.intents[0] if self.intents else Intent.KNOWLEDGE)

    async def on_action(self, turn: Turn, action: CardAction) -> ActionResult:
        """A click on one of this skill's card buttons (an ``adaptiveCard/action`` invoke)."""
        raise NotImplementedError

    async def on_cancel(self, turn: Turn) -> None:
        """The user said "avbryt" while this skill held the conversation (the dialog is already ended)."""

    async def on_channel_message(self, turn: Turn) -> bool:
        """A message in a Teams channel (``turn.conversation_id`` is the thread). Return True when it is
        this skill's (e.g. a reply in a thread the skill started); nobody answers unclaimed ones."""
        return False

    def background_jobs(self) -> dict[str, Callable[[], Awaitable[None]]]:
        """Long-running jobs the service starts with the skill (e.g. an outbox worker); each runs until
        cancelled at shutdown and must survive its own errors."""
        return {}


class SkillRegistry:
    def __init__(self) -> None:
        self._by_name: dict[str, Skill] = {}
        self._by_intent: dict[Intent, Skill] = {}
        self._by_action: dict[str, Skill] = {}

    def register(self, skill: Skill) -> None:
        if skill.name in self._by_name:
            raise ValueError(f"two skills are named {skill.name!r}")
        self._by_name[skill.name] = skill
        for intent in skill.intents:
            if intent in self._by_intent:
                raise ValueError(f"intent {intent} is claimed by {self._by_intent[intent].name} and {skill.name}")
            self._by_intent[intent] = skill
        for verb in skill.actions:
            if verb in self._by_action:
                raise ValueError(f"card action {verb!r} is claimed twice")
            self._by_action[verb] = skill

    def for_intent(self, intent: Intent) -> Skill:
        return self._by_intent.get(intent) or self._by_intent[Intent.KNOWLEDGE]

    def for_action(self, verb: str) -> Skill | None:
        return self._by_action.get(verb)

    def named(self, name: str) -> Skill | None:
        return self._by_name.get(name)

    @property
    def skills(self) -> tuple[Skill, ...]:
        return tuple(self._by_name.values())

    @property
    def intents(self) -> set[Intent]:
        return set(self._by_intent)

    def background_jobs(self) -> dict[str, Callable[[], Awaitable[None]]]:
        jobs: dict[str, Callable[[], Awaitable[None]]] = {}
        for skill in self._by_name.values():
            jobs.update({f"{skill.name}:{name}": job for name, job in skill.background_jobs().items()})
        return jobs
