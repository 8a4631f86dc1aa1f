"""The ticket cards: the editable draft, what became of it, "my tickets", and the post in Kundeservice's
channel. Buttons are Action.Execute, so each answer replaces the card in place; only a draft that can
still be sent has a "Send" button."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from core import cards
from core.cards import Card
from core.language import Language
from core.ports import TicketSummary
from skills.tickets import texts
from skills.tickets.attachments import human_size
from skills.tickets.classify import CATEGORIES, UNKNOWN
from skills.tickets.cleaning import MAX_SUBJECT_CHARS, MAX_TEXT_CHARS
from store.tickets_outbox import OutboxEntry
from store.tickets_requests import TicketRequest

SEND_VERB, CANCEL_VERB, REFRESH_VERB = "tickets.send", "tickets.cancel", "tickets.refresh"
LIST_VERB = "tickets.list"
UNKNOWN_CHOICE = "unknown"  # the choice value for "Kundeservice picks" (choice values cannot be empty)
MAX_LISTED = 10
MAX_CHANNEL_TEXT = 3000


def _attention(text: str) -> dict[str, Any]:
    return {**cards.paragraph(text), "color": "Attention"}


def notices_of(request: TicketRequest, language: Language, max_files: int, max_bytes: int) -> list[str]:
    """What the user should know about the text and the files of this draft."""
    found = [texts.NOTICES[code](language) for code in request.notices if code in texts.NOTICES]
    for item in request.files:
        if item.problem in texts.FILE_PROBLEMS:
            found.append(texts.FILE_PROBLEMS[item.problem](language, name=item.name, limit=human_size(max_bytes),
                                                           max=max_files))
    return found


def _refresh(request_id: str, user_ids: list[str]) -> dict[str, Any]:
    """Teams re-asks for the card when the user sees it: a queued ticket shows its number by itself."""
    return {"action": cards.execute(texts.REFRESH(Language.BOKMAAL), REFRESH_VERB, {"request": request_id}),
            "userIds": user_ids}


def draft_card(
    request: TicketRequest,
    language: Language,
    notices: list[str],
    *,
    error: str = "",
    failure: str = "",
) -> Card:
    """The editable draft. ``failure``: the desk refused it (the draft stays, and can be sent again)."""
    body: list[dict[str, Any]] = [cards.heading(texts.FAILED_TITLE(language) if failure else texts.CARD_TITLE(language))]
    if failure:
        body.append(_attention(failure))
    body += [cards.paragraph(notice, subtle=True) for notice in notices]
    if error:
        body.append(_attention(error))
    choices = [{"title": texts.UNKNOWN_CATEGORY(language), "value": UNKNOWN_CHOICE}]
    choices += [{"title": texts.CATEGORY_NAMES[key](language), "value": key} for key in CATEGORIES]
    body += [
        {"type": "Input.Text", "id": "subject", "label": texts.SUBJECT(language), "value": request.subject,
         "maxLength": MAX_SUBJECT_CHARS, "isRequired": True, "errorMessage": texts.SUBJECT_MISSING(language)},
        {"type": "Input.Text", "id": "description", "label": texts.DESCRIPTION(language),
         "value": request.description, "isMultiline": True, "maxLength": MAX_TEXT_CHARS},
        {"type": "Input.ChoiceSet", "id": "category", "label": texts.CATEGORY(language), "style": "compact",
         "value": request.category or UNKNOWN_CHOICE, "choices": choices},
        {"type": "Input.Text", "id": "phone", "label": texts.PHONE(language), "value": request.phone,
         "placeholder": texts.PHONE_HINT(language), "style": "tel", "maxLength": 30},
    ]
    pairs = [(texts.PRIORITY(language), texts.PRIORITY_NAMES[request.priority](language))]
    attached = [item.name for item in request.files if not item.problem]
    if attached:
        pairs.append((texts.ATTACHMENTS(language), ", ".join(attached)))
    body += [cards.facts(pairs), cards.paragraph(texts.PRIORITY_NOTE(language), subtle=True)]
    cancel = {**cards.execute(texts.CANCEL(language), CANCEL_VERB, {"request": request.id}), "associatedInputs": "none"}
    return cards.card(body, [cards.execute(texts.SEND(language), SEND_VERB, {"request": request.id}, style="positive"),
                             cancel])


def created_card(subject: str, ticket: TicketSummary, language: Language, notices: list[str] | None = None) -> Card:
    body = [
        cards.heading(texts.CREATED_TITLE(language)),
        cards.paragraph(texts.CREATED_TEXT(language, number=ticket.number)),
        cards.facts([(texts.NUMBER(language), ticket.number), (texts.SUBJECT(language), subject),
                     (texts.STATUS(language), ticket.status)]),
        *(cards.paragraph(notice, subtle=True) for notice in notices or ()),
    ]
    return cards.card(body, [cards.open_url(texts.OPEN_TICKET(language), ticket.url)] if ticket.url else None)


def queued_card(request: TicketRequest, language: Language, notices: list[str], user_ids: list[str]) -> Card:
    body = [
        cards.heading(texts.QUEUED_TITLE(language)),
        cards.paragraph(texts.QUEUED_TEXT(language)),
        cards.facts([(texts.SUBJECT(language), request.subject)]),
        *(cards.paragraph(notice, subtle=True) for notice in notices),
    ]
    return cards.card(body, refresh=_refresh(request.id, user_ids))


def sending_card(request: TicketRequest, language: Language, user_ids: list[str]) -> Card:
    body = [cards.heading(texts.CARD_TITLE(language)), cards.paragraph(texts.SENDING_TEXT(language)),
            cards.facts([(texts.SUBJECT(language), request.subject)])]
    return cards.card(body, refresh=_refresh(request.id, user_ids))


def cancelled_card(language: Language) -> Card:
    return cards.card([cards.paragraph(texts.CANCELLED_TEXT(language))])


# --- "my tickets" ----------------------------------------------------------------------------------
def when(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%d.%m.%Y %H:%M")


def _ticket_block(ticket: TicketSummary, language: Language, timezone: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = [
        {**cards.paragraph(f"**{ticket.number}** – {ticket.subject or '…'}"), "weight": "Bolder"},
        cards.facts([(texts.STATUS(language), ticket.status),
                     (texts.UPDATED(language), when(ticket.updated, timezone))]),
    ]
    if ticket.url:
        items.append({"type": "ActionSet", "actions": [cards.open_url(texts.OPEN_TICKET(language), ticket.url)]})
    return {"type": "Container", "items": items, "separator": True}


def _waiting_block(entry: OutboxEntry, language: Language) -> dict[str, Any]:
    status = texts.NOT_ACCEPTED(language) if entry.state == "failed" else texts.WAITING(language)
    return {"type": "Container", "separator": True, "items": [
        {**cards.paragraph(entry.subject or "…"), "weight": "Bolder"},
        cards.facts([(texts.STATUS(language), status)]),
    ]}


def my_tickets_card(
    tickets: list[TicketSummary], waiting: list[OutboxEntry], language: Language, timezone: str, note: str = ""
) -> Card:
    body: list[dict[str, Any]] = [cards.heading(texts.MY_TICKETS(language))]
    if note:
        body.append(cards.paragraph(note))
    open_tickets = [ticket for ticket in tickets if ticket.is_open]
    closed = [ticket for ticket in tickets if not ticket.is_open]
    if waiting or open_tickets:
        body.append(cards.paragraph(texts.OPEN_TICKETS(language), subtle=True))
        body += [_waiting_block(entry, language) for entry in waiting[:MAX_LISTED]]
        body += [_ticket_block(ticket, language, timezone) for ticket in open_tickets[:MAX_LISTED]]
    if closed:
        body.append(cards.paragraph(texts.RECENTLY_CLOSED(language), subtle=True))
        body += [_ticket_block(ticket, language, timezone) for ticket in closed[:MAX_LISTED]]
    if not (waiting or tickets):
        body.append(cards.paragraph(texts.NO_TICKETS(language)))
    return cards.card(body, [cards.execute(texts.REFRESH(language), LIST_VERB, {"language": language.value})])


# --- Kundeservice's channel (local desk) ------------------------------------------------------------
class ChannelTicket(Protocol):
    """What the channel post shows of a ticket; the local desk's ticket has these fields, and the skill
    needs no import from the connector to draw it."""

    @property
    def number(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def priority(self) -> str: ...
    @property
    def requester_email(self) -> str: ...
    @property
    def requester_name(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def attachment_names(self) -> tuple[str, ...]: ...


def channel_card(ticket: ChannelTicket) -> Card:
    names = texts.CHANNEL_FACTS
    category = texts.CATEGORY_NAMES[ticket.category](Language.BOKMAAL) if ticket.category in CATEGORIES else "–"
    pairs = [
        (names["requester"], ticket.requester_name or "–"),
        (names["email"], ticket.requester_email or "–"),
        (names["category"], category),
        (names["priority"], texts.PRIORITY_NAMES.get(ticket.priority, texts.PRIORITY_NAMES["normal"])(Language.BOKMAAL)),
    ]
    if ticket.phone:
        pairs.append((names["phone"], ticket.phone))
    if ticket.attachment_names:
        pairs.append((names["attachments"], ", ".join(ticket.attachment_names)))
    body = [
        cards.heading(texts.CHANNEL_TITLE.format(number=ticket.number)),
        cards.paragraph(f"**{ticket.subject}**"),
        cards.facts(pairs),
    ]
    if ticket.description.strip():
        description = ticket.description
        if len(description) > MAX_CHANNEL_TEXT:
            description = description[:MAX_CHANNEL_TEXT].rstrip() + " …"
        body.append(cards.paragraph(description))
    body.append(cards.paragraph(texts.CHANNEL_FOOTER, subtle=True))
    return cards.card(body)


def category_from_card(value: object) -> str:
    value = str(value or "")
    return value if value in CATEGORIES else UNKNOWN
