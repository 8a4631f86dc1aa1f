"""What a handoff goes through: request (or closed), queue, claim, relay, end with a transcript ticket
and feedback; timeouts by the clock. Every step starts with a conditional update in the store, so
two bot processes never do the same step twice, and a restarted process carries on from the store.

The user reads their own language (kept from the request); Kundeservice reads bokmål.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from analytics.events import EventSink, Note, Outcome, Subject
from core.cards import Card, paragraph
from core.cards import card as make_card
from core.language import Language
from core.messages import ActionResult, Reply
from core.pii import MaskedText, mask
from core.ports import FileFetcher, Messenger, TicketDesk, TicketDeskError, TicketSubmitter
from core.settings import Settings
from skills.handoff import texts
from skills.handoff.cards import (
    TO_QUEUE,
    claimed_card,
    feedback_card,
    queued_card,
    request_card,
    shorten,
    status_text,
    take_over_card,
    thanks_card,
    ticket_offer_card,
)
from skills.handoff.category import suggest_category
from skills.handoff.hours import OpeningHours, describe_opening
from skills.handoff.relay import FileLimits, Relay, sender_warnings, tell_agents
from skills.handoff.transcript import transcript_draft
from skills.tickets.attachments import human_size
from skills.turn import Turn
from store.dialogs import Dialog, DialogRepository
from store.feedback import FeedbackEntry, FeedbackRepository
from store.handoffs import Handoff, HandoffRepository, HandoffState, Sender, TicketState
from store.history import HistoryRepository

log = logging.getLogger(__name__)

SKILL = "handoff"
STEP = "chat"
SUMMARY_CHARS = 300
TRIGGER_WORDS = 6  # a request longer than this probably says what it is about
REPOST_AFTER_SECONDS = 60  # a request whose card never reached the channel is posted again
RETRY_TICKET_AFTER_SECONDS = 60
RESOLVE = "resolve"  # a ticket update: mark the transcript ticket resolved
COLLEAGUES_SEEN_DAYS = 60  # "Overfør" offers everyone who took a chat this recently
AGENT_END_WORDS = {"avslutt": True, "avslutt løst": True, "avslutt lost": True, "avslutt åpen": False,
                   "avslutt apen": False, "avslutt open": False, "avslutt uløst": False}


STAFF_LABEL = "ROR-IKT"  # the municipality shown for ROR-IKT's own staff


def _normalized(text: str) -> str:
    return " ".join(re.sub(r"[^\wæøå ]", " ", text.lower()).split())


def _arrival_ordered_id() -> str:
    """Unique, and sorting in the order requests arrived: the queue's tie-breaker for equal clock times."""
    return f"{time.time_ns():016x}{uuid.uuid4().hex[:16]}"


def refusal_reason(error: str) -> str:
    """The desk's own words (after the outbox's reason code), masked and short, for Kundeservice."""
    return shorten(mask(error.split(":", 1)[-1].strip()), 200) or texts.UNKNOWN


def agent_end_word(text: str) -> bool | None:
    """True (resolved) or False (leave open) when an agent's message ends the chat; None otherwise."""
    return AGENT_END_WORDS.get(_normalized(text))


class HandoffFlow:
    def __init__(
        self,
        settings: Settings,
        *,
        handoffs: HandoffRepository,
        history: HistoryRepository,
        dialogs: DialogRepository,
        feedback: FeedbackRepository,
        messenger: Messenger,
        files: FileFetcher,
        events: EventSink,
        tickets: TicketSubmitter,
        desk: TicketDesk,
        clock: Callable[[], datetime],
    ) -> None:
        self._settings = settings
        self._repository = handoffs
        self._history = history
        self._dialogs = dialogs
        self._feedback = feedback
        self._messenger = messenger
        self._events = events
        self._tickets = tickets
        self._desk = desk
        self._clock = clock
        self._hours = OpeningHours.from_settings(settings)
        limits = FileLimits(settings.tickets_max_attachments, settings.tickets_max_attachment_bytes,
                            settings.tickets_attachment_timeout_seconds, settings.handoff_inline_image_max_bytes)
        self._relay = Relay(self._repository, messenger, files, limits)

    def _now(self) -> datetime:
        return self._clock()

    # --- request -----------------------------------------------------------------------------
    async def request(self, turn: Turn, question: str = "") -> Card:
        """Queue the user for Kundeservice (the card goes to the channel), or say why not and offer a
        ticket. Returns the card to show the user."""
        language, now = turn.language, self._now()
        if not question and len(turn.incoming.text.split()) > TRIGGER_WORDS:
            question = turn.incoming.text  # "kan jeg snakke med noen om at skriveren ikke virker"
        if existing := await self._repository.active_for_conversation(turn.conversation_id):
            await turn.hold(STEP, {"handoff_id": existing.id})
            return make_card([paragraph(await self._already(existing, language))])
        if not self._hours.is_open(now):
            turn.note(Outcome.HANDOFF_CLOSED)
            return self._closed(language, now, question)
        if not self._settings.kundeservice_conversation_id:
            log.warning("handoff asked for, but RAKEL_KUNDESERVICE_CONVERSATION_ID is not set")
            text = texts.NOT_SET_UP(language, phone=self._settings.kundeservice_phone,
                                    opens=f"{self._hours.opens:%H:%M}", closes=f"{self._hours.closes:%H:%M}")
            return ticket_offer_card(language, text, question)
        handoff = await self._new_handoff(turn, question, now)
        if not await self._repository.open(handoff):  # a double click got there first
            return await self.request(turn, question)
        await turn.hold(STEP, {"handoff_id": handoff.id})
        turn.note(Outcome.HANDOFF_OPENED, category=handoff.category)
        if not await self._post_card(handoff):
            await self._repository.leave_queue(handoff.id, HandoffState.FAILED, now.timestamp())
            await turn.release()
            return ticket_offer_card(language, texts.NOT_SENT(language, phone=self._settings.kundeservice_phone),
                                     question)
        return queued_card(language, await self._repository.queue_position(handoff))

    async def _new_handoff(self, turn: Turn, question: str, now: datetime) -> Handoff:
        recent = await self._history.recent(
            turn.conversation_id, limit=self._settings.handoff_recent_messages
        )
        lines = [(record.role, record.text) for record in recent if record.text]  # kept masked
        said = [text for role, text in lines if role == "user"]
        summary = shorten(mask(question), SUMMARY_CHARS) if question else (said[-1] if said else "")
        suggested = next((text for role, text in reversed(lines) if role == "assistant"), "")
        user = turn.user
        return Handoff(
            id=_arrival_ordered_id(), state=HandoffState.WAITING, user_id=user.id,
            user_conversation_id=turn.conversation_id, user_name=user.name, user_email=user.email,
            municipality=STAFF_LABEL if user.is_staff else (user.municipality or "").capitalize(),
            language=turn.language.value, summary=summary, category=suggest_category(" ".join([summary, *said])),
            context={"recent": lines, "suggested": suggested}, requested_at=now.timestamp(),
        )

    async def _already(self, handoff: Handoff, language: Language) -> str:
        if handoff.state is HandoffState.CLAIMED:
            return texts.ALREADY_CHATTING(language, agent=handoff.agent_name)
        return texts.ALREADY_WAITING(language, position=await self._repository.queue_position(handoff))

    def _closed(self, language: Language, now: datetime, question: str) -> Card:
        holiday = self._hours.holiday(self._hours.local(now).date())
        text = texts.CLOSED(
            language,
            reason=texts.CLOSED_REASON(language, holiday=holiday) if holiday else "",
            when=describe_opening(self._hours.next_opening(now), now, language),
            phone=self._settings.kundeservice_phone,
        )
        return ticket_offer_card(language, text, question)

    # --- claim ---------------------------------------------------------------------------------
    async def claim(self, turn: Turn, handoff_id: str) -> ActionResult:
        """"Ta saken": the first click wins; everyone's card then shows who took it."""
        handoff = await self._repository.get(handoff_id)
        if handoff is None:
            return ActionResult(message=texts.UNKNOWN_REQUEST(Language.BOKMAAL))
        if not self._from_channel(turn, handoff):
            return ActionResult(message=texts.NOT_FROM_CHANNEL)
        agent = turn.user
        now = self._now().timestamp()
        won = await self._repository.claim(handoff.id, agent.id, agent.name, agent.email, now)
        handoff = await self._reload(handoff)
        if not won:
            taken_by_other = handoff.agent_id is not None and handoff.agent_id != agent.id
            note = texts.TAKEN_BEFORE_YOU.format(agent=handoff.agent_name) if taken_by_other else ""
            return ActionResult(card=await self._card(handoff, note=note))
        self._record(handoff, Outcome.HANDOFF_TAKEN, (handoff.claimed_at or now) - handoff.requested_at)
        await self._refresh_card(handoff)
        await self._hold_user(handoff)  # again: the user may have wandered off to another skill meanwhile
        await self._tell_user(handoff, Reply(card=claimed_card(Language(handoff.language), handoff)))
        return ActionResult(card=await self._card(handoff))

    def _from_channel(self, turn: Turn, handoff: Handoff) -> bool:
        channel = self._settings.kundeservice_conversation_id
        in_the_channel = bool(channel) and turn.conversation_id.split(";")[0] == channel
        return turn.conversation_id == handoff.thread_id or in_the_channel

    # --- transfer ------------------------------------------------------------------------------
    async def transfer(self, turn: Turn, handoff_id: str, expected_agent: str, to: str) -> ActionResult:
        """"Overfør": to a named colleague, or back to the queue (it keeps its place)."""
        handoff = await self._running_chat(turn, handoff_id, expected_agent)
        if isinstance(handoff, str):
            return ActionResult(message=handoff)
        by = turn.user.name
        if to == TO_QUEUE:
            return ActionResult(card=await self._card(await self._requeue(handoff, by)))
        since = (self._now() - timedelta(days=COLLEAGUES_SEEN_DAYS)).timestamp()
        colleague = next((agent for agent in await self._repository.known_agents(since) if agent[0] == to), None)
        if colleague is None:
            return ActionResult(card=await self._card(handoff, note=texts.TRANSFER_UNKNOWN))
        moved = await self._hand_to(handoff, colleague, texts.NOTE_TRANSFERRED.format(
            by=by, to=colleague[1], user=handoff.user_name), texts.EVENT_TRANSFERRED.format(by=by, to=colleague[1]))
        return ActionResult(card=await self._card(moved))

    async def take_over(self, turn: Turn, handoff_id: str, expected_agent: str, message_id: str,
                        text: str) -> ActionResult:
        """A colleague who wrote in the thread takes the chat; what they wrote goes to the user."""
        handoff = await self._running_chat(turn, handoff_id, expected_agent)
        if isinstance(handoff, str):
            return ActionResult(message=handoff)
        agent, previous = turn.user, handoff.agent_name
        if agent.id != handoff.agent_id:
            handoff = await self._hand_to(
                handoff, (agent.id, agent.name, agent.email),
                texts.NOTE_TAKEN_OVER.format(to=agent.name, agent=previous, user=handoff.user_name),
                texts.EVENT_TAKEN_OVER.format(to=agent.name, agent=previous))
        if handoff.agent_id != agent.id:  # someone else moved it first
            return ActionResult(message=texts.TRANSFER_TOO_LATE.format(status=self._status_line(handoff)))
        if text:
            await self._relay.send(handoff, Sender.AGENT, agent.name, text, [], message_id, self._now())
        return ActionResult(card=make_card([paragraph(texts.YOU_TOOK_OVER.format(user=handoff.user_name))]))

    async def _running_chat(self, turn: Turn, handoff_id: str, expected_agent: str) -> Handoff | str:
        """The chat a card in the channel acts on, or why not (unknown, not from the channel, or no longer
        the agent's the card was drawn for: someone moved it first)."""
        handoff = await self._repository.get(handoff_id)
        if handoff is None:
            return texts.UNKNOWN_REQUEST(Language.BOKMAAL)
        if not self._from_channel(turn, handoff):
            return texts.NOT_FROM_CHANNEL
        if handoff.state is not HandoffState.CLAIMED or handoff.agent_id != expected_agent:
            return texts.TRANSFER_TOO_LATE.format(status=self._status_line(handoff))
        return handoff

    async def keep_as_note(self, turn: Turn, handoff_id: str) -> ActionResult:
        handoff = await self._repository.get(handoff_id)
        name = handoff.user_name if handoff else texts.UNKNOWN
        return ActionResult(card=make_card([paragraph(texts.KEPT_AS_NOTE.format(user=name))]))

    async def _hand_to(self, handoff: Handoff, colleague: tuple[str, str, str], note: str, event: str) -> Handoff:
        colleague_id, name, email = colleague
        now = self._now().timestamp()
        if not await self._repository.transfer(handoff.id, handoff.agent_id or "", colleague_id, name, email, now):
            return await self._reload(handoff)
        await self._repository.append_event(handoff.id, event, now)
        handoff = await self._reload(handoff)
        await self._note(handoff, note)
        await self._refresh_card(handoff)
        await self._tell_user(handoff, Reply(text=texts.TAKEN_OVER(Language(handoff.language), agent=name)))
        return handoff

    async def _requeue(self, handoff: Handoff, by: str) -> Handoff:
        if not await self._repository.requeue(handoff.id, handoff.agent_id or ""):
            return await self._reload(handoff)
        previous = handoff.agent_name
        await self._repository.append_event(handoff.id, texts.EVENT_REQUEUED.format(by=by), self._now().timestamp())
        handoff = await self._reload(handoff)
        await self._note(handoff, texts.NOTE_REQUEUED.format(by=by))
        await self._refresh_card(handoff)
        position = await self._repository.queue_position(handoff)
        await self._tell_user(handoff, Reply(text=texts.BACK_IN_QUEUE(Language(handoff.language), agent=previous,
                                                                      position=position)))
        return handoff

    def _status_line(self, handoff: Handoff) -> str:
        return status_text(handoff, self._hours, self._settings.handoff_claim_timeout_minutes)

    # --- relay ---------------------------------------------------------------------------------
    async def from_user(self, turn: Turn) -> None:
        """A message from the user while the handoff holds their chat."""
        handoff = await self._repository.active_for_conversation(turn.conversation_id)
        if handoff is None:
            await turn.release()
            await turn.send(texts.CHAT_IS_OVER(turn.language))
            return
        text = turn.incoming.text
        if not text and not turn.incoming.attachments:
            await turn.send(texts.EMPTY(turn.language))
            return
        files = await self._relay.fetch(turn.incoming.attachments)
        await self._relay.send(handoff, Sender.USER, handoff.user_name, text, files, turn.incoming.activity_id,
                               self._now())
        for warning in sender_warnings(files, turn.language, self._relay.limits.max_bytes):
            await turn.send(warning)
        if handoff.state is HandoffState.WAITING and (position := await self._repository.queue_position(handoff)):
            await turn.send(texts.NOTED_WHILE_WAITING(turn.language, position=position))

    async def from_agent(self, turn: Turn) -> bool:
        """A message in the Kundeservice channel: ours when it is in a handoff's thread."""
        handoff = await self._repository.by_thread(turn.conversation_id)
        if handoff is None:
            return False
        text = turn.incoming.text
        if handoff.state is HandoffState.WAITING:
            await turn.send(texts.NOTE_CLAIM_FIRST.format(user=handoff.user_name))
        elif handoff.state in (HandoffState.CLAIMED, HandoffState.WRAPPING_UP):
            if turn.user.id != handoff.agent_id:
                if handoff.state is HandoffState.CLAIMED and (text or turn.incoming.attachments):
                    card = take_over_card(handoff, turn.user.name, turn.incoming.activity_id, text)
                    await turn.send(Reply(card=card))  # never dropped without a word
                return True
            if (resolved := agent_end_word(text)) is not None:
                await self.agent_ends(handoff, resolved, turn.user.name)
            elif handoff.state is HandoffState.CLAIMED:
                if text or turn.incoming.attachments:
                    await self._relay_from_agent(turn, handoff)
            else:
                await turn.send(texts.NOTE_CHAT_OVER.format(user=handoff.user_name))
        else:
            await turn.send(texts.NOTE_CHAT_OVER.format(user=handoff.user_name))
        return True

    async def _relay_from_agent(self, turn: Turn, handoff: Handoff) -> None:
        files = await self._relay.fetch(turn.incoming.attachments)
        await self._relay.send(handoff, Sender.AGENT, turn.user.name, turn.incoming.text, files,
                               turn.incoming.activity_id, self._now())
        limit = human_size(self._relay.limits.max_bytes)
        for item in files:
            if item.problem == "too_large":
                await self._note(handoff, texts.NOTE_YOUR_FILE_TOO_LARGE.format(name=item.name, limit=limit,
                                                                                user=handoff.user_name))
            elif item.problem:
                await self._note(handoff, texts.NOTE_YOUR_FILE_NOT_FETCHED.format(name=item.name, user=handoff.user_name))

    # --- the end -------------------------------------------------------------------------------
    async def end_clicked(self, turn: Turn, handoff_id: str, resolved: bool) -> ActionResult:
        """"Avslutt": the user's button in their chat, or the agents' buttons on the channel card."""
        handoff = await self._repository.get(handoff_id)
        if handoff is None:
            return ActionResult(message=texts.UNKNOWN_REQUEST(turn.language))
        if self._from_channel(turn, handoff):
            return ActionResult(card=await self._card(await self.agent_ends(handoff, resolved, turn.user.name)))
        if turn.user.id != handoff.user_id:
            return ActionResult(message=texts.UNKNOWN_REQUEST(turn.language))
        language = Language(handoff.language)
        if handoff.state is not HandoffState.CLAIMED:
            return ActionResult(card=make_card([paragraph(texts.NO_LONGER_OPEN(language))]))
        await self.user_ends(handoff)
        return ActionResult(card=make_card([paragraph(texts.YOU_ENDED(language, agent=handoff.agent_name))]))

    async def user_ends(self, handoff: Handoff, turn: Turn | None = None) -> None:
        """The user ended the chat ("avslutt", the button, or "avbryt"): the agent picks how it is saved. The
        goodbye is the reply of the user's turn when there is one (so nothing else answers it)."""
        now = self._now()
        await self._relay.deliver(handoff, Sender.USER)  # what the user wrote reaches the thread first
        if not await self._repository.user_ended(handoff.id, now.timestamp()):
            return
        handoff = await self._reload(handoff)
        await self._release_user(handoff)
        await self._note(handoff, texts.NOTE_USER_ENDED.format(user=handoff.user_name))
        await self._refresh_card(handoff)
        goodbye = Reply(card=feedback_card(Language(handoff.language), handoff.id, self._closing_lines(handoff)))
        await (turn.send(goodbye) if turn is not None else self._tell_user(handoff, goodbye))

    async def agent_ends(self, handoff: Handoff, resolved: bool, agent_name: str | None) -> Handoff:
        """End the chat as resolved or open (``agent_name`` None: nobody chose in time), file the
        transcript, and thank the user."""
        now = self._now()
        await self._relay.deliver(handoff, Sender.AGENT)  # the agent's last words reach the user first
        user_had_left = handoff.state is HandoffState.WRAPPING_UP
        if not await self._repository.close(handoff.id, resolved, "agent", now.timestamp()):
            return await self._reload(handoff)
        handoff = await self._reload(handoff)
        self._record(handoff, Outcome.HANDOFF_ENDED, (handoff.ended_at or now.timestamp()) - (handoff.claimed_at or handoff.requested_at))
        if handoff.ticket_state not in (None, TicketState.PENDING):  # filed as open already, before the choice
            return await self._chosen_after_filing(handoff, resolved, agent_name)
        if not user_had_left:
            await self._release_user(handoff)
        outcome_text = texts.OUTCOME_RESOLVED if resolved else texts.OUTCOME_OPEN
        if agent_name is None:
            await self._note(handoff, texts.NOTE_SAVED_AS_OPEN)
        else:
            note = texts.NOTE_SAVED if user_had_left else texts.NOTE_ENDED
            await self._note(handoff, note.format(who=agent_name, outcome=outcome_text))
        await self._file_ticket(handoff)
        await self._refresh_card(handoff)
        language = Language(handoff.language)
        if not user_had_left:
            await self._tell_user(handoff, Reply(card=feedback_card(language, handoff.id, self._closing_lines(handoff))))
        elif handoff.ticket_number:
            await self._tell_user(handoff, Reply(text=texts.SAVED_AS_TICKET(language, number=handoff.ticket_number)))
        return handoff

    async def _chosen_after_filing(self, handoff: Handoff, resolved: bool, agent_name: str | None) -> Handoff:
        """The transcript went in as open while the agent had not chosen; "løst" now updates that ticket."""
        outcome_text = texts.OUTCOME_RESOLVED if resolved else texts.OUTCOME_OPEN
        if agent_name is None:
            await self._note(handoff, texts.NOTE_SAVED_AS_OPEN)
        else:
            await self._note(handoff, texts.NOTE_SAVED.format(who=agent_name, outcome=outcome_text))
        if resolved:
            await self._repository.want_ticket_update(handoff.id, RESOLVE)
            handoff.ticket_update = RESOLVE
            await self._update_ticket(handoff)
        await self._refresh_card(handoff)
        return handoff

    async def _update_ticket(self, handoff: Handoff) -> None:
        """Mark the transcript ticket resolved (retried by the background job until the desk takes it)."""
        desk = self._desk
        if handoff.ticket_update != RESOLVE or not handoff.ticket_id:
            return
        try:
            await desk.resolve_ticket(handoff.ticket_id, texts.TICKET_SOLUTION.format(agent=handoff.agent_name))
        except Exception:  # noqa: BLE001 - the background job tries again
            log.warning("could not mark the handoff ticket resolved; will retry", extra={"handoff": handoff.id})
            return
        await self._repository.want_ticket_update(handoff.id, None)
        handoff.ticket_update = None
        await self._note(handoff, texts.NOTE_TICKET_RESOLVED.format(number=handoff.ticket_number))

    def _closing_lines(self, handoff: Handoff) -> list[str]:
        language = Language(handoff.language)
        ended = texts.YOU_ENDED if handoff.ended_by == "user" else texts.AGENT_ENDED
        lines = [ended(language, agent=handoff.agent_name)]
        if handoff.ticket_number and handoff.ended_by != "user":
            lines.append(texts.SAVED_AS_TICKET(language, number=handoff.ticket_number))
        return lines

    async def cancel(self, turn: Turn) -> None:
        """The user cancelled, in the router's cancel intent ("avbryt", "glem det", "avslutt", "eg vil ikkje vente",
        "leave the queue"): leave the queue (and say so), or end a running chat."""
        handoff = await self._repository.active_for_conversation(turn.conversation_id)
        if handoff is None:
            return
        if handoff.state is HandoffState.CLAIMED:
            await self.user_ends(handoff, turn)
        else:
            await self.leave_queue(handoff)
            await turn.send(texts.LEFT_QUEUE(turn.language))

    async def leave_queue(self, handoff: Handoff) -> None:
        """The user left the queue: the card in the channel shows it, and nobody can take it any more."""
        if await self._repository.leave_queue(handoff.id, HandoffState.CANCELLED, self._now().timestamp()):
            handoff = await self._reload(handoff)
            await self._note(handoff, texts.NOTE_LEFT_QUEUE.format(user=handoff.user_name))
            await self._refresh_card(handoff)

    async def rate(self, turn: Turn, handoff_id: str, rating: int, comment: str) -> ActionResult:
        handoff = await self._repository.get(handoff_id)
        if handoff is None or handoff.user_id != turn.user.id or rating not in (1, -1):
            return ActionResult(message=texts.UNKNOWN_REQUEST(turn.language))
        masked = mask(comment)  # from the card: text entering here
        turn.note(Outcome.FEEDBACK_UP if rating == 1 else Outcome.FEEDBACK_DOWN, comment=masked)
        await self._feedback.add(FeedbackEntry(
            id=f"handoff:{handoff.id}", user_id=handoff.user_id, conversation_id=handoff.user_conversation_id,
            kind="handoff", rating=rating, question=handoff.summary, comment=MaskedText(masked[:2000]),
        ))
        return ActionResult(card=thanks_card(Language(handoff.language), self._closing_lines(handoff), rating))

    async def _file_ticket(self, handoff: Handoff) -> None:
        """Save the masked transcript as a ticket (idempotent: a retry never makes a second one)."""
        submitter = self._tickets
        draft = transcript_draft(handoff, await self._repository.transcript(handoff.id), self._hours,
                                 max_files=self._settings.tickets_max_attachments)
        try:
            submission = await submitter.submit(draft, notify_user_id=handoff.user_id)
        except TicketDeskError as error:
            if error.retryable:
                log.warning("handoff transcript not filed; will retry", extra={"handoff": handoff.id})
                return
            log.error("the desk refused a handoff transcript; it stays in the outbox",
                      extra={"handoff": handoff.id, "status": error.status})
            await self._repository.ticket_filed(handoff.id, TicketState.REFUSED, None)
            handoff.ticket_state = TicketState.REFUSED
            await self._note(handoff, texts.NOTE_TICKET_REFUSED.format(reason=refusal_reason(str(error))))
            return
        except Exception:  # noqa: BLE001 - the background job files it again later
            log.exception("handoff transcript not filed; will retry", extra={"handoff": handoff.id})
            return
        number = submission.ticket.number if submission.ticket else None
        ticket_id = submission.ticket.id if submission.ticket else None
        await self._repository.ticket_filed(handoff.id, TicketState.FILED if number else TicketState.QUEUED, number,
                                            ticket_id)
        handoff.ticket_state = TicketState.FILED if number else TicketState.QUEUED
        handoff.ticket_number, handoff.ticket_id = number, ticket_id or handoff.ticket_id
        result = texts.OUTCOME_RESOLVED if handoff.resolved else texts.OUTCOME_OPEN
        if number:
            await self._note(handoff, texts.NOTE_TICKET.format(ticket=texts.TICKET_NUMBER.format(number=number),
                                                               outcome=result))
        else:
            await self._note(handoff, texts.NOTE_TICKET_QUEUED.format(outcome=result))

    async def shutdown(self) -> None:
        """The process is stopping: finish the sends under way (the store then hands the leases back)."""
        await self._relay.drain()

    # --- the background job ------------------------------------------------------------------
    async def upkeep(self) -> None:
        """One round: post lost cards, time out waits, save wrap-ups, resume stalled relays, file
        transcripts that failed, and keep waiting users held. Each step survives the others' errors."""
        steps = (self._post_missing_cards, self._time_out_waiting, self._file_before_choice, self._finish_wrap_ups,
                 self._update_tickets, self._follow_the_outbox,
                 self._relay.resume_stalled, self._file_pending_tickets, self._repository.keep_users_held)
        for step in steps:
            try:
                await step()
            except Exception:  # noqa: BLE001 - logged; the next round tries again
                log.exception("handoff upkeep step failed", extra={"step": step.__name__})

    async def _post_missing_cards(self) -> None:
        before = (self._now() - timedelta(seconds=REPOST_AFTER_SECONDS)).timestamp()
        for handoff in await self._repository.in_state(HandoffState.WAITING, requested_before=before):
            if handoff.thread_id is None:
                await self._post_card(handoff)

    async def _time_out_waiting(self) -> None:
        now = self._now()
        if not self._hours.is_open(now):
            for handoff in await self._repository.in_state(HandoffState.WAITING):
                await self._expire(handoff, now)
            return
        before = (now - timedelta(minutes=self._settings.handoff_claim_timeout_minutes)).timestamp()
        for handoff in await self._repository.in_state(HandoffState.WAITING, requested_before=before):
            if handoff.timeout_notified_at is None:
                await self._nobody_yet(handoff, now)

    async def _nobody_yet(self, handoff: Handoff, now: datetime) -> None:
        """Nobody claimed in time: offer a ticket now; the request stays in the queue and on the card."""
        if not await self._repository.mark_timeout_notified(handoff.id, now.timestamp()):
            return
        handoff = await self._reload(handoff)
        language = Language(handoff.language)
        position = await self._repository.queue_position(handoff)
        text = texts.NOBODY_YET(language, position=position)
        minutes = round(self._settings.handoff_claim_timeout_minutes)
        await self._refresh_card(handoff)
        await self._note(handoff, texts.NOTE_NOBODY_YET.format(minutes=minutes, user=handoff.user_name))
        await self._tell_user(handoff, Reply(card=ticket_offer_card(language, text, handoff.summary, still_waiting=True)))

    async def _expire(self, handoff: Handoff, now: datetime) -> None:
        """Kundeservice closed with the user still in the queue: let them go, with a ticket on offer."""
        if not await self._repository.leave_queue(handoff.id, HandoffState.EXPIRED, now.timestamp()):
            return
        handoff = await self._reload(handoff)
        await self._release_user(handoff)
        language = Language(handoff.language)
        when = describe_opening(self._hours.next_opening(now), now, language)
        text = texts.CLOSED_BEFORE_ANYONE(language, when=when)
        await self._refresh_card(handoff)
        await self._note(handoff, texts.NOTE_EXPIRED.format(user=handoff.user_name))
        await self._tell_user(handoff, Reply(card=ticket_offer_card(language, text, handoff.summary)))

    async def _finish_wrap_ups(self) -> None:
        """The user ended and no agent chose in time: save it as open, so nothing is left unfollowed."""
        before = (self._now() - timedelta(minutes=self._settings.handoff_wrap_up_minutes)).timestamp()
        for handoff in await self._repository.in_state(HandoffState.WRAPPING_UP):
            if handoff.ended_at is not None and handoff.ended_at <= before:
                await self.agent_ends(handoff, False, None)

    async def _file_before_choice(self) -> None:
        """The user ended and the agent has not chosen within the short set time: file the transcript now,
        as open, so no record waits for the choice; a later "løst" updates the ticket."""
        before = (self._now() - timedelta(seconds=self._settings.handoff_wrap_up_file_seconds)).timestamp()
        for handoff in await self._repository.in_state(HandoffState.WRAPPING_UP):
            if handoff.ticket_state is not None or handoff.ended_at is None or handoff.ended_at > before:
                continue
            if not await self._repository.file_before_choice(handoff.id):
                continue
            await self._file_ticket(handoff)
            if handoff.ticket_state is not TicketState.PENDING:
                await self._note(handoff, texts.NOTE_FILED_BEFORE_CHOICE)
                if handoff.ticket_number:
                    await self._tell_user(handoff, Reply(text=texts.SAVED_AS_TICKET(
                        Language(handoff.language), number=handoff.ticket_number)))
            await self._refresh_card(handoff)

    async def _follow_the_outbox(self) -> None:
        """Transcripts waiting in the ticket outbox (queued, or refused and tried again there): when the
        desk has taken one, the thread and the card say its number; a refusal is said once."""
        for handoff in await self._repository.tickets_in_outbox():
            state = await self._tickets.state(f"handoff-{handoff.id}")
            if state is None:
                continue
            if state.ticket is not None:
                await self._repository.ticket_filed(handoff.id, TicketState.FILED, state.ticket.number, state.ticket.id)
                handoff = await self._reload(handoff)
                result = texts.OUTCOME_RESOLVED if handoff.resolved else texts.OUTCOME_OPEN
                await self._note(handoff, texts.NOTE_TICKET.format(
                    ticket=texts.TICKET_NUMBER.format(number=state.ticket.number), outcome=result))
                await self._refresh_card(handoff)
            elif state.refused and handoff.ticket_state is TicketState.QUEUED:
                await self._repository.ticket_filed(handoff.id, TicketState.REFUSED, None)
                handoff = await self._reload(handoff)
                await self._note(handoff, texts.NOTE_TICKET_REFUSED.format(reason=refusal_reason(state.refused)))
                await self._refresh_card(handoff)

    async def _update_tickets(self) -> None:
        for handoff in await self._repository.tickets_to_update():
            await self._update_ticket(handoff)

    async def _file_pending_tickets(self) -> None:
        before = (self._now() - timedelta(seconds=RETRY_TICKET_AFTER_SECONDS)).timestamp()
        for handoff in await self._repository.tickets_pending():
            if handoff.ended_at is not None and handoff.ended_at <= before:
                await self._file_ticket(handoff)
                await self._refresh_card(handoff)

    # --- small helpers ------------------------------------------------------------------------
    def _record(self, handoff: Handoff, outcome: Outcome, seconds: float) -> None:
        """An event about the handoff's user (not the agent whose click or message caused it)."""
        staff = handoff.municipality == STAFF_LABEL
        municipality = self._settings.staff_municipality if staff else handoff.municipality.lower()
        self._events.record(Subject(handoff.user_id, municipality, handoff.language),
                                     Note(outcome, seconds=max(0.0, seconds), category=handoff.category),
                                     skill="handoff")

    async def _card(self, handoff: Handoff, *, note: str = "") -> Card:
        colleagues: list[tuple[str, str]] = []
        if handoff.state is HandoffState.CLAIMED:
            since = (self._now() - timedelta(days=COLLEAGUES_SEEN_DAYS)).timestamp()
            colleagues = [(agent_id, name) for agent_id, name, _ in await self._repository.known_agents(since)]
        return request_card(handoff, self._hours, self._settings.handoff_claim_timeout_minutes, note=note,
                            colleagues=colleagues)

    async def _reload(self, handoff: Handoff) -> Handoff:
        return await self._repository.get(handoff.id) or handoff

    async def _post_card(self, handoff: Handoff) -> bool:
        try:
            posted = await self._messenger.start_thread(
                self._settings.kundeservice_conversation_id, Reply(card=await self._card(handoff))
            )
        except Exception:  # noqa: BLE001 - the user is told and offered a ticket
            log.exception("could not post the handoff card in the Kundeservice channel", extra={"handoff": handoff.id})
            return False
        await self._repository.posted(handoff.id, posted.conversation_id, posted.activity_id)
        handoff.thread_id, handoff.card_activity_id = posted.conversation_id, posted.activity_id
        return True

    async def _refresh_card(self, handoff: Handoff) -> None:
        """Show the handoff's state on the channel card, for everyone."""
        if not (handoff.thread_id and handoff.card_activity_id):
            return
        try:
            await self._messenger.update_message(
                handoff.thread_id, handoff.card_activity_id, Reply(card=await self._card(handoff))
            )
        except Exception:  # noqa: BLE001 - the state is in the store; the next change updates the card
            log.warning("could not update the handoff card", extra={"handoff": handoff.id})

    async def _note(self, handoff: Handoff, text: str) -> None:
        await tell_agents(self._messenger, handoff, text)

    async def _tell_user(self, handoff: Handoff, reply: Reply) -> None:
        try:
            await self._messenger.send_to_user(handoff.user_id, reply)
        except Exception:  # noqa: BLE001 - e.g. Rakel uninstalled; Kundeservice hears about it
            log.warning("could not reach the user of a handoff", extra={"handoff": handoff.id})
            await self._note(handoff, texts.NOTE_UNREACHABLE.format(user=handoff.user_name))

    async def _hold_user(self, handoff: Handoff) -> None:
        await self._dialogs.save(handoff.user_conversation_id, Dialog(SKILL, STEP, {"handoff_id": handoff.id}))

    async def _release_user(self, handoff: Handoff) -> None:
        dialogs = self._dialogs
        dialog = await dialogs.active(handoff.user_conversation_id)
        if dialog is not None and dialog.skill == SKILL:
            await dialogs.end(handoff.user_conversation_id)
