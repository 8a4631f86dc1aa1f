"""The handoff's Adaptive Cards: the request card in the Kundeservice channel (updated in place as the
handoff moves on) and the small cards the user gets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core import cards
from core.cards import Card
from core.language import Language
from skills.handoff import texts
from skills.handoff.category import category_label
from skills.handoff.hours import OpeningHours
from store.handoffs import Handoff, HandoffState, TicketState

START = "handoff.start"
CLAIM = "handoff.claim"
END = "handoff.end"
RATE = "handoff.rate"
TRANSFER = "handoff.transfer"
TAKE_OVER = "handoff.take_over"
KEEP_AS_NOTE = "handoff.note"
TO_QUEUE = "queue"  # the transfer choice that puts the chat back in the queue
TICKET = "tickets.start"  # owned by the tickets skill
CANCEL_WORD = "avbryt"
_LINE_CHARS = 300
_SUGGESTION_CHARS = 500


def clock_time(hours: OpeningHours, epoch: float | None) -> str:
    if epoch is None:
        return ""
    return hours.local(datetime.fromtimestamp(epoch, UTC)).strftime("%H:%M")


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


# --- Kundeservice's card -----------------------------------------------------------------------
Colleague = tuple[str, str]  # (id, name): someone the chat can be handed to


def request_card(handoff: Handoff, hours: OpeningHours, timeout_minutes: float, *, note: str = "",
                 colleagues: list[Colleague] | None = None) -> Card:
    """The card in the channel: who, what, the last messages, Rakel's suggestion, the state, and the
    buttons that fit the state."""
    body: list[dict[str, Any]] = [
        cards.heading(texts.CARD_TITLE.format(name=handoff.user_name or texts.UNKNOWN)),
        cards.facts([
            (texts.FACT_MUNICIPALITY, handoff.municipality or texts.UNKNOWN),
            (texts.FACT_EMAIL, handoff.user_email or texts.UNKNOWN),
            (texts.FACT_CATEGORY, category_label(handoff.category)),
            (texts.FACT_REQUESTED, clock_time(hours, handoff.requested_at)),
            (texts.FACT_STATUS, status_text(handoff, hours, timeout_minutes)),
        ]),
        cards.paragraph(texts.PROBLEM.format(summary=handoff.summary) if handoff.summary else texts.NO_SUMMARY),
    ]
    recent = handoff.context.get("recent") or []
    if recent:
        lines = [
            cards.paragraph(f"{texts.SPEAKER_USER if role == 'user' else texts.SPEAKER_RAKEL}: "
                            f"{shorten(text, _LINE_CHARS)}", subtle=True)
            for role, text in recent
        ]
        body.append({"type": "Container", "items": [cards.paragraph(texts.RECENT), *lines], "separator": True})
    if suggested := handoff.context.get("suggested"):
        body.append(cards.paragraph(texts.SUGGESTED.format(text=shorten(suggested, _SUGGESTION_CHARS))))
    if handoff.state is HandoffState.CLAIMED:
        body.append(cards.paragraph(texts.RELAY_HINT.format(agent=handoff.agent_name, user=handoff.user_name),
                                    subtle=True))
        body.append(_transfer_picker(handoff, colleagues or []))
    if note:
        body.append({**cards.paragraph(note), "color": "Attention", "weight": "Bolder"})
    return cards.card(body, _actions(handoff))


def status_text(handoff: Handoff, hours: OpeningHours, timeout_minutes: float) -> str:
    at = clock_time(hours, handoff.ended_at)
    match handoff.state:
        case HandoffState.WAITING if handoff.timeout_notified_at is not None:
            return texts.STATUS_WAITING_LONG.format(minutes=round(timeout_minutes))
        case HandoffState.WAITING:
            return texts.STATUS_WAITING
        case HandoffState.CLAIMED:
            return texts.STATUS_CLAIMED.format(agent=handoff.agent_name, time=clock_time(hours, handoff.claimed_at))
        case HandoffState.WRAPPING_UP:
            return texts.STATUS_WRAPPING_UP.format(user=handoff.user_name, time=at)
        case HandoffState.CLOSED:
            return texts.STATUS_CLOSED.format(time=at, outcome=outcome(handoff))
        case HandoffState.CANCELLED:
            return texts.STATUS_CANCELLED.format(user=handoff.user_name, time=at)
        case HandoffState.EXPIRED:
            return texts.STATUS_EXPIRED.format(user=handoff.user_name)
    return texts.STATUS_FAILED


def outcome(handoff: Handoff) -> str:
    """"løst" / "åpen, trenger oppfølging", with the ticket number once there is one."""
    text = texts.OUTCOME_RESOLVED if handoff.resolved else texts.OUTCOME_OPEN
    if handoff.ticket_number:
        text += ", " + texts.TICKET_NUMBER.format(number=handoff.ticket_number)
    elif handoff.ticket_state is TicketState.QUEUED:
        text += ", " + texts.OUTCOME_QUEUED
    elif handoff.ticket_state is TicketState.REFUSED:
        text += " – " + texts.OUTCOME_REFUSED
    return text


def _transfer_picker(handoff: Handoff, colleagues: list[Colleague]) -> dict[str, Any]:
    """Whom "Overfør" hands the chat to: a colleague who has taken chats before, or the queue."""
    choices = [{"title": name, "value": colleague_id} for colleague_id, name in colleagues
               if colleague_id != handoff.agent_id]
    choices.append({"title": texts.TRANSFER_TO_QUEUE, "value": TO_QUEUE})
    return {"type": "Input.ChoiceSet", "id": "to", "label": texts.TRANSFER_LABEL, "style": "compact",
            "choices": choices, "value": choices[0]["value"], "separator": True}


def _actions(handoff: Handoff) -> list[dict[str, Any]]:
    ref = {"handoff_id": handoff.id}
    match handoff.state:
        case HandoffState.WAITING:
            return [cards.execute(texts.CLAIM, CLAIM, ref, style="positive")]
        case HandoffState.CLAIMED:
            return [cards.execute(texts.END_RESOLVED, END, {**ref, "resolved": True}),
                    cards.execute(texts.END_OPEN, END, {**ref, "resolved": False}),
                    cards.execute(texts.TRANSFER, TRANSFER, {**ref, "from": handoff.agent_id})]
        case HandoffState.WRAPPING_UP:
            return [cards.execute(texts.SAVE_RESOLVED, END, {**ref, "resolved": True}, style="positive"),
                    cards.execute(texts.SAVE_OPEN, END, {**ref, "resolved": False})]
    return []


def take_over_card(handoff: Handoff, colleague: str, message_id: str, text: str) -> Card:
    """In the thread, for a colleague who wrote in someone else's chat: take it over, or keep it a note."""
    data = {"handoff_id": handoff.id, "from": handoff.agent_id, "message_id": message_id, "text": text}
    return cards.card(
        [cards.paragraph(texts.TAKE_OVER_QUESTION.format(colleague=colleague, agent=handoff.agent_name,
                                                         user=handoff.user_name))],
        [cards.execute(texts.TAKE_OVER, TAKE_OVER, data, style="positive"),
         cards.execute(texts.KEEP_AS_NOTE, KEEP_AS_NOTE, {"handoff_id": handoff.id})],
    )


# --- the user's cards --------------------------------------------------------------------------
def queued_card(language: Language, position: int) -> Card:
    return cards.card(
        [cards.paragraph(texts.QUEUED(language, position=position)), cards.paragraph(texts.WHILE_YOU_WAIT(language))],
        [cards.say(texts.LEAVE_QUEUE(language), CANCEL_WORD)],
    )


def claimed_card(language: Language, handoff: Handoff) -> Card:
    return cards.card(
        [cards.paragraph(texts.CLAIMED(language, agent=handoff.agent_name))],
        [cards.execute(texts.END_CHAT(language), END, {"handoff_id": handoff.id})],
    )


def ticket_offer_card(language: Language, text: str, question: str, *, still_waiting: bool = False) -> Card:
    """A way on when no person can take the chat: a ticket now (the tickets skill's button)."""
    actions = [cards.execute(texts.CREATE_TICKET(language), TICKET, {"question": question, "source": "handoff"},
                             style="positive")]
    if still_waiting:
        actions.append(cards.say(texts.LEAVE_QUEUE(language), CANCEL_WORD))
    return cards.card([cards.paragraph(text)], actions)


def feedback_card(language: Language, handoff_id: str, lines: list[str]) -> Card:
    """How was the help? Thumbs up or down, with an optional comment."""
    body = [cards.paragraph(line) for line in lines]
    body += [
        cards.paragraph(texts.HOW_WAS_IT(language)),
        {"type": "Input.Text", "id": "comment", "placeholder": texts.COMMENT(language), "isMultiline": True,
         "maxLength": 1000},
    ]
    return cards.card(body, [
        cards.execute(texts.GOOD(language), RATE, {"handoff_id": handoff_id, "rating": 1}),
        cards.execute(texts.BAD(language), RATE, {"handoff_id": handoff_id, "rating": -1}),
    ])


def thanks_card(language: Language, lines: list[str], rating: int) -> Card:
    thanks = texts.THANKS_GOOD if rating > 0 else texts.THANKS_BAD
    return cards.card([*(cards.paragraph(line) for line in lines), cards.paragraph(thanks(language))])
