"""Skills and the registry that finds the skill for an intent, a held dialog or a card action.

A skill declares what it answers and owns; the registry builds the tables from that:

    class TicketStatusSkill(Skill):
        name = "ticket_status"
        intents = load_intents(__file__)       # intents.toml beside the module

        @card_action("tickets.list")
        async def refresh(self, turn, action): ...
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, ClassVar

from core.messages import ActionResult, CardAction
from skills.intents import KNOWLEDGE, IntentSpec, canonical
from skills.router.embedded import EmbeddedRouter
from skills.turn import Turn

ActionHandler = Callable[[Turn, CardAction], Awaitable[ActionResult]]
_VERBS_ATTRIBUTE = "__card_verbs__"


def card_action(*verbs: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a skill method as the handler of clicks on buttons with these verbs."""

    def mark(method: Callable[..., Any]) -> Callable[..., Any]:
        setattr(method, _VERBS_ATTRIBUTE, (*getattr(method, _VERBS_ATTRIBUTE, ()), *verbs))
        return method

    return mark


class Skill:
    """One capability. Declare ``name`` and the ``intents`` it answers (usually ``load_intents(__file__)``),
    mark its card handlers with ``@card_action(verb)``, and override the hooks it needs."""

    name: ClassVar[str]
    intents: ClassVar[tuple[IntentSpec, ...]] = ()
    card_handlers: ClassVar[dict[str, str]] = {}  # verb → method name, collected from @card_action
    commands: ClassVar[tuple[str, ...]] = ()  # exact first words handled before routing (e.g. "rapport")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        handlers: dict[str, str] = {}
        for klass in reversed(cls.__mro__):  # a subclass's handler replaces its base's
            own: dict[str, str] = {}
            for attribute, member in vars(klass).items():
                for verb in getattr(member, _VERBS_ATTRIBUTE, ()):
                    if own.setdefault(verb, attribute) != attribute:
                        raise TypeError(f"{klass.__name__}: card action {verb!r} has two handlers")
            handlers.update(own)
        cls.card_handlers = handlers

    @property
    def actions(self) -> tuple[str, ...]:
        """The card verbs this skill owns."""
        return tuple(self.card_handlers)

    async def on_message(self, turn: Turn, intent: str) -> None:
        """A message routed to this skill by one of its intents (by name)."""
        raise NotImplementedError

    async def on_dialog(self, turn: Turn) -> None:
        """A message while this skill holds the conversation (``turn.dialog`` is set)."""
        await turn.release()
        await self.on_message(turn, self.intents[0].name if self.intents else KNOWLEDGE)

    async def on_action(self, turn: Turn, action: CardAction) -> ActionResult:
        """A click on one of this skill's card buttons (an ``adaptiveCard/action`` invoke)."""
        method = self.card_handlers.get(action.verb)
        if method is None:
            raise LookupError(f"{self.name} has no handler for {action.verb!r}")
        return await getattr(self, method)(turn, action)

    async def on_command(self, turn: Turn, argument: str) -> bool:
        """A message whose first word is one of ``commands``; ``argument`` is the rest. Return False
        to let the message be routed as usual (e.g. the user may not use the command)."""
        return False

    async def on_cancel(self, turn: Turn) -> None:
        """The user cancelled while this skill held the conversation (the dialog is already ended). A skill
        that sends nothing here gets the dispatcher's "Greit, jeg har avbrutt"."""

    async def cancel_open(self, turn: Turn) -> bool:
        """The user cancelled while no dialog was held ("nei vent, ikke send den" under a draft card):
        cancel what this skill has open in the conversation, say so, and return True; or return False."""
        return False

    async def on_channel_message(self, turn: Turn) -> bool:
        """A message in a Teams channel (``turn.conversation_id`` is the thread). Return True when it is
        this skill's (e.g. a reply in a thread the skill started); nobody answers unclaimed ones."""
        return False

    def background_jobs(self) -> dict[str, Callable[[], Awaitable[None]]]:
        """Long-running jobs the service starts with the skill (e.g. an outbox worker); each runs until
        cancelled at shutdown and must survive its own errors."""
        return {}


class SkillRegistry:
    def __init__(self, cache_dir: Path | None = None) -> None:
        self._by_name: dict[str, Skill] = {}
        self._by_intent: dict[str, tuple[Skill, IntentSpec]] = {}
        self._by_action: dict[str, Skill] = {}
        self._by_command: dict[str, Skill] = {}
        self.router = EmbeddedRouter(lambda: self.intents, cache_dir)  # trained from the declared intents on first use

    def register(self, skill: Skill) -> None:
        if skill.name in self._by_name:
            raise ValueError(f"two skills are named {skill.name!r}")
        for spec in skill.intents:
            if spec.name in self._by_intent:
                raise ValueError(f"intent {spec.name} is claimed by {self._by_intent[spec.name][0].name} and {skill.name}")
        for command in skill.commands:
            if command in self._by_command:
                raise ValueError(f"command {command!r} is claimed by {self._by_command[command].name} and {skill.name}")
        for verb in skill.actions:
            if verb in self._by_action:
                raise ValueError(f"card action {verb!r} is claimed by {self._by_action[verb].name} and {skill.name}")
        self._by_name[skill.name] = skill
        self._by_intent.update({spec.name: (skill, spec) for spec in skill.intents})
        self._by_action.update(dict.fromkeys(skill.actions, skill))
        self._by_command.update(dict.fromkeys(skill.commands, skill))

    def for_intent(self, intent: str) -> Skill:
        """The skill of an intent; the knowledge skill for names nobody declared."""
        found = self._by_intent.get(canonical(intent)) or self._by_intent[KNOWLEDGE]
        return found[0]

    def for_command(self, word: str) -> Skill | None:
        return self._by_command.get(word.lower())

    def for_action(self, verb: str) -> Skill | None:
        return self._by_action.get(verb)

    def named(self, name: str) -> Skill | None:
        return self._by_name.get(name)

    def spec(self, intent: str) -> IntentSpec | None:
        found = self._by_intent.get(canonical(intent))
        return found[1] if found else None

    @property
    def skills(self) -> tuple[Skill, ...]:
        return tuple(self._by_name.values())

    @property
    def intents(self) -> tuple[IntentSpec, ...]:
        """Every declared intent, in registration order (what the routers are built from)."""
        return tuple(spec for _, spec in self._by_intent.values())

    def background_jobs(self) -> dict[str, Callable[[], Awaitable[None]]]:
        jobs: dict[str, Callable[[], Awaitable[None]]] = {}
        for skill in self._by_name.values():
            jobs.update({f"{skill.name}:{name}": job for name, job in skill.background_jobs().items()})
        return jobs
