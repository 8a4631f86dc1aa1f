"""One turn's path through the skills: a cancel inside a held dialog, the dialog, then routing by
intent (or a "did you mean" card when the router is unsure)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from analytics.events import EventSink, Kind, Note, Outcome, Subject
from core.language import Language
from core.messages import ActionResult, CardAction, Reply
from core.pii import MaskedText, mask
from core.texts import Localized
from skills.cancel.skill import CANCEL
from skills.cancel.texts import CANCELLED
from skills.clarify import CHOOSE_VERB, chosen_card, clarify_card
from skills.help.skill import welcome
from skills.intents import IntentSpec
from skills.registry import SkillRegistry
from skills.router import Classification, Router
from skills.router.embedded import tokens
from skills.turn import Turn
from store.dialogs import DialogRepository
from store.history import HistoryRepository, TurnRecord
from store.tickets_requests import AttachmentRefRepository

_HISTORY_CHARS = 2000
T = TypeVar("T")
_DIALOG = "dialog:"
# Inside a dialog a message is a cancel only when the router is sure and the message is short: a long
# one is what the user wants to say (a ticket's text, a message to an agent).
DIALOG_CANCEL_CONFIDENCE = 0.8
DIALOG_CANCEL_WORDS = 8
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
        if dialog and self._cancels(text):
            await dialogs.end(turn.conversation_id)
            if held_by := self._registry.named(dialog.skill):
                turn.skill_name = held_by.name
                await held_by.on_cancel(turn)
            if not turn.sent:  # the skill may say what was cancelled itself
                await turn.send(CANCELLED(turn.language))
            return CANCEL
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
        classification = await self._router.classify(turn.incoming.masked.strip(), turn.language)
        if options := self._options(classification):
            turn.intent = str(classification.intent)
            turn.note(Outcome.CLARIFIED)
            await turn.send(Reply(card=clarify_card(text, options, turn.language)))
            return "clarify"
        await self._route(turn, classification.intent)
        return classification.intent

    def _cancels(self, text: str) -> bool:
        """The embedded router decides (fast, and no LLM call on every message of a dialog)."""
        classification = self._registry.router.classify_now(text)
        return (classification.intent == CANCEL and classification.confidence >= DIALOG_CANCEL_CONFIDENCE
                and len(tokens(text)) <= DIALOG_CANCEL_WORDS)

    def _options(self, classification: Classification) -> list[IntentSpec]:
        """The intents to offer when the router is unsure (none when it is sure)."""
        if not classification.ambiguous or classification.alternative == classification.intent:
            return []
        options = [self._registry.spec(classification.intent), self._registry.spec(classification.alternative)]
        return [option for option in options if option] if all(options) else []

    async def _route(self, turn: Turn, intent: str) -> None:
        if intent == CANCEL:
            for open_work in self._registry.skills:  # a draft card shown just now, say
                turn.skill_name, turn.intent = open_work.name, intent
                if await open_work.cancel_open(turn):
                    return
        skill = self._registry.for_intent(intent)
        turn.skill_name, turn.intent = skill.name, intent
        await self._record(turn, lambda: skill.on_message(turn, intent))

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
        if action.verb == CHOOSE_VERB:
            return await self._chosen(turn, action)
        skill = self._registry.for_action(action.verb)
        if skill is None:
            return ActionResult(message=UNKNOWN_ACTION(turn.language))
        turn.skill_name = skill.name
        dialog = await self._dialogs.active(turn.conversation_id)
        turn.dialog = dialog if dialog and dialog.skill == skill.name else None
        return await skill.on_action(turn, action)

    async def _chosen(self, turn: Turn, action: CardAction) -> ActionResult:
        """A button on the "did you mean" card: the original message goes to the chosen intent."""
        spec = self._registry.spec(str(action.data.get("intent") or ""))
        text = str(action.data.get("text") or "").strip()
        if spec is None or not text:
            return ActionResult(message=UNKNOWN_ACTION(turn.language))
        language = action.data.get("language")
        turn.incoming = replace(turn.incoming, text=text,
                                language=Language(language) if language in set(Language) else turn.language)
        await self._route(turn, spec.name)
        return ActionResult(card=chosen_card(spec, turn.language))

    async def _record(self, turn: Turn, handle) -> None:
        """Run the skill and keep the exchange (masked) for follow-up questions."""
        await handle()
        exchange = [TurnRecord("user", MaskedText(turn.incoming.masked[:_HISTORY_CHARS]))]
        answer = "\n".join(reply.text for reply in turn.sent if reply.text)
        if answer:
            exchange.append(TurnRecord("assistant", mask(answer[:_HISTORY_CHARS])))
        await self._history.add(turn.conversation_id, *exchange)
