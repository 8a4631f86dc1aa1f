"""What a skill gets for one turn: who is talking, what they sent, its held dialog, and a way to reply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from analytics.events import Note, Outcome
from core.language import Language
from core.messages import Incoming, Reply, UserProfile
from store.dialogs import Dialog, DialogRepository


class Outbox(Protocol):
    """The channel back to the user; ``bot/`` implements it over the Bot Framework."""

    async def send(self, reply: Reply) -> str:
        """Send a message; return its activity id (for later updates)."""
        ...

    async def update(self, activity_id: str, reply: Reply) -> None: ...


@dataclass
class Turn:
    user: UserProfile
    incoming: Incoming
    dialogs: DialogRepository
    outbox: Outbox
    skill_name: str = ""  # set by the dispatcher before a skill runs
    intent: str = ""  # the routed intent, set by the dispatcher
    dialog: Dialog | None = None
    sent: list[Reply] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # what happened, for analytics (see analytics.events)

    @property
    def language(self) -> Language:
        return self.incoming.language

    @property
    def conversation_id(self) -> str:
        return self.incoming.conversation_id

    async def send(self, reply: Reply | str) -> str:
        reply = Reply(text=reply) if isinstance(reply, str) else reply
        self.sent.append(reply)
        return await self.outbox.send(reply)

    def note(self, outcome: Outcome, **details: Any) -> None:
        """Say what this turn achieved (answered, ticket created, ...); the dispatcher records it as an
        analytics event when the turn ends. ``details`` are the fields of ``analytics.events.Note``."""
        self.notes.append(Note(outcome, **details))

    async def hold(self, step: str, data: dict[str, Any] | None = None) -> None:
        """Keep the conversation with this skill: the next message comes straight back to it."""
        self.dialog = Dialog(self.skill_name, step, data or {})
        await self.dialogs.save(self.conversation_id, self.dialog)

    async def release(self) -> None:
        """The skill is done; the next message is routed again."""
        self.dialog = None
        await self.dialogs.end(self.conversation_id)
