"""One turn's path through the skills: a held dialog first, "avbryt", then routing by intent."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from analytics.events import EventSink, Kind, Note, Outcome, Subject
from core.messages import ActionResult, CardAction
from core.pii import MaskedText, mask
from core.texts import Localized
from skills.help.skill import welcome
from skills.registry import SkillRegistry
from skills.router import Router
from skills.turn import Turn
from store.dialogs import DialogRepository
from store.history import HistoryRepository, TurnRecord
from store.tickets_requests import AttachmentRefRepository

CANCEL_WORDS = frozenset({"avbryt", "avbryte", "cancel", "stopp", "stop"})
_HISTORY_CHARS = 2000
T = TypeVar("T")
_DIALOG = "dialog:"

CANCELLED = Localized(nb="Greit, jeg har avbrutt. Hva kan jeg hjelpe deg med?",
                      nn="Greitt, eg har avbrote. Kva kan eg hjelpe deg med?",
                      en="OK, cancelled. What can I help you with?")
NOTHING_TO_CANCEL = Localized(nb="Det er ingenting å avbryte. Hva kan jeg hjelpe deg med?",
                              nn="Det er ingenting å avbryte. Kva kan eg hjelpe deg med?",
                              en="There is nothing to cancel. What can I help you with?")
EMPTY = Localized(nb="Jeg fikk en tom melding. Skriv gjerne spørsmålet ditt, eller «hjelp» for å se hva jeg kan.",
                  nn="Eg fekk ei tom melding. Skriv gjerne spørsmålet ditt, eller «hjelp» for å sjå kva eg kan.",
                  en="I got an empty message. Write your question, or “help” to see what I can do.")
ATTACHMENT_ONLY = Localized(
    nb="Jeg ser at du sendte et vedlegg. Skriv hva det gjelder, så hjelper jeg deg – eller skriv «lag en sak», "
    "så tar jeg vedlegget med i saken.",
    nn="Eg ser at du sende eit vedlegg. Skriv kva det gjeld, så hjelper eg deg – eller skriv «lag ei sak», "
    "så tek eg vedlegget med i saka.",
    en="I see you sent an attachment. Tell me what it is about, or write “create a ticket” to include it in a ticket.",
)
TRUNCATED = Localized(
    nb="Meldingen din var veldig lang, så jeg har bare lest begynnelsen av den.",
    nn="Meldinga di var veldig lang, så eg har berre lese byrjinga av ho.",
    en="Your message was very long, so I only read the beginning of it.",
)
UNKNOWN_ACTION = Localized(
    nb="Denne knappen er ikke i bruk lenger. Skriv gjerne hva du trenger hjelp med.",
    nn="Denne knappen er ikkje i bruk lenger. Skriv gjerne kva du treng hjelp med.",
    en="This button is no longer in use. Please write what you need help with.",
)


def is_cancel(text: str) -> bool:
    return re.sub(r"[^\wæøå]", "", text.lower()) in CANCEL_WORDS


def subject_of(turn: Turn) -> Subject:
    return Subject(turn.user.id, turn.user.municipality or "", turn.language.value)


class Dispatcher:
    def __init__(
        self,
        registry: SkillRegistry,
        router: Router,
        events: EventSink,
        *,
        dialogs: DialogRepository,
        history: HistoryRepository,
        attachments: AttachmentRefRepository,
        clock: Callable[[], datetime],
    ) -> None:
        self._registry = registry
        self._router = router
        self._events = events
        self._dialogs = dialogs
        self._history = history
        self._attachments = attachments
        self._clock = clock

    async def _observed(self, turn: Turn, kind: Kind, handle: Callable[[], Awaitable[T]]) -> T:
        """Run a turn and record what it achieved (``turn.note``) as analytics events: a turn that noted
        nothing is "handled", one that raised is an "error"."""
        try:
            result = await handle()
        except Exception:
            turn.note(Outcome.ERROR)
            self._record_events(turn, kind)
            raise
        self._record_events(turn, Kind.DIALOG if isinstance(result, str) and result.startswith(_DIALOG) else kind)
        return result

    def _record_events(self, turn: Turn, kind: Kind) -> None:
        """Channel and group-chat turns (agents in Kundeservice's channel) record only what they noted."""
        notes = turn.notes or ([] if turn.incoming.shared else [Note(Outcome.HANDLED)])
        subject = subject_of(turn)
        for note in notes:
            self._events.record(subject, note, kind=kind, intent=turn.intent, skill=turn.skill_name)

    async def on_install(self, turn: Turn) -> None:
        await self._observed(turn, Kind.INSTALL, lambda: turn.send(welcome(turn.language)))

    async def on_message(self, turn: Turn) -> str:
        """Handle a message; return what handled it (an intent or a label) for metrics."""
        return await self._observed(turn, Kind.MESSAGE, lambda: self._on_message(turn))

    async def _on_message(self, turn: Turn) -> str:
        dialogs = self._dialogs
        text = turn.incoming.text.strip()
        dialog = await dialogs.active(turn.conversation_id)
        if is_cancel(text):
            if dialog:
                await dialogs.end(turn.conversation_id)
                if held_by := self._registry.named(dialog.skill):
                    turn.skill_name = held_by.name
                    await held_by.on_cancel(turn)
            await turn.send((CANCELLED if dialog else NOTHING_TO_CANCEL)(turn.language))
            return "cancel"
        if turn.incoming.attachments:  # screenshots sent now go into the next ticket (issue 5)
            await self._attachments.remember(turn.conversation_id, turn.incoming.attachments, self._clock().timestamp())
        if turn.incoming.truncated:
            await turn.send(TRUNCATED(turn.language))
        if dialog and (held_by := self._registry.named(dialog.skill)):
            turn.skill_name, turn.dialog = held_by.name, dialog
            await self._record(turn, lambda: held_by.on_dialog(turn))
            return f"{_DIALOG}{held_by.name}"
        if not text:
            await turn.send((ATTACHMENT_ONLY if turn.incoming.attachments else EMPTY)(turn.language))
            return "empty"
        word, _, argument = text.partition(" ")
        if (commanded := self._registry.for_command(word)) is not None:
            turn.skill_name, turn.intent = commanded.name, f"command:{word.lower()}"
            if await commanded.on_command(turn, argument.strip()):
                return f"command:{commanded.name}"
        classification = await self._router.classify(text, turn.language)
        skill = self._registry.for_intent(classification.intent)
        turn.skill_name, turn.intent = skill.name, str(classification.intent)
        await self._record(turn, lambda: skill.on_message(turn, classification.intent))
        return classification.intent

    async def on_channel_message(self, turn: Turn) -> str:
        """A message in a Teams channel goes to the skill that claims it (e.g. a reply in a handoff thread).
        Rakel never chatters in a channel: a message no skill claims gets no answer."""
        return await self._observed(turn, Kind.MESSAGE, lambda: self._on_channel_message(turn))

    async def _on_channel_message(self, turn: Turn) -> str:
        for skill in self._registry.skills:
            turn.skill_name = skill.name
            if await skill.on_channel_message(turn):
                return f"channel:{skill.name}"
        return "channel:ignored"

    async def on_action(self, turn: Turn, action: CardAction) -> ActionResult:
        return await self._observed(turn, Kind.ACTION, lambda: self._on_action(turn, action))

    async def _on_action(self, turn: Turn, action: CardAction) -> ActionResult:
        skill = self._registry.for_action(action.verb)
        if skill is None:
            return ActionResult(message=UNKNOWN_ACTION(turn.language))
        turn.skill_name = skill.name
        dialog = await self._dialogs.active(turn.conversation_id)
        turn.dialog = dialog if dialog and dialog.skill == skill.name else None
        return await skill.on_action(turn, action)

    async def _record(self, turn: Turn, handle) -> None:
        """Run the skill and keep the exchange (masked) for follow-up questions."""
        await handle()
        exchange = [TurnRecord("user", MaskedText(turn.incoming.masked[:_HISTORY_CHARS]))]
        answer = "\n".join(reply.text for reply in turn.sent if reply.text)
        if answer:
            exchange.append(TurnRecord("assistant", mask(answer[:_HISTORY_CHARS])))
        await self._history.add(turn.conversation_id, *exchange)
