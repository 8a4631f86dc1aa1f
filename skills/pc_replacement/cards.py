"""The employee's card and the approver's card, always drawn from the current state in the store.

Both carry ``refresh`` (Action.Execute), so Teams asks Rakel for the current card whenever one is
shown: a card opened days later, or one that was already clicked, shows what is true now. In a 1:1
chat (fewer than 60 members) Teams refreshes for everyone, so ``userIds`` is not needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.cards import Card, card, execute, facts, heading, paragraph
from core.language import Language
from skills.pc_replacement import texts as T
from skills.pc_replacement.rules import age_text, norwegian_date
from store.pc.models import APPROVED, AWAITING, LATER, NOT_MINE, REJECTED, Order, StoredDevice, Target

VERB_ORDER = "pc.order"
VERB_LATER = "pc.later"
VERB_NOT_MINE = "pc.not_mine"
VERB_APPROVE = "pc.approve"
VERB_REJECT = "pc.reject"
VERB_REFRESH = "pc.refresh"
VERBS = (VERB_ORDER, VERB_LATER, VERB_NOT_MINE, VERB_APPROVE, VERB_REJECT, VERB_REFRESH)
COMMENT_INPUT = "comment"
COMMENT_MAX_CHARS = 500


@dataclass(frozen=True)
class CardContext:
    today: date
    max_age_years: int
    reminder_days: int
    timezone: str
    language: Language = Language.BOKMAAL


def _day(timestamp: float | None, context: CardContext) -> str:
    if timestamp is None:
        return ""
    moment = datetime.fromtimestamp(timestamp, UTC).astimezone(ZoneInfo(context.timezone))
    return norwegian_date(moment.date())


def _warning(text: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, "color": "Attention", "weight": "Bolder"}


def _status(text: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, "color": "Good", "weight": "Bolder"}


def device_facts(device: StoredDevice, context: CardContext) -> dict[str, Any]:
    language = context.language
    pairs = [(T.FACT_MODEL(language), device.model), (T.FACT_SERIAL(language), device.serial)]
    if device.id and device.id != device.serial:
        pairs.insert(0, (T.FACT_DEVICE(language), device.id))
    if device.purchased:
        pairs += [(T.FACT_PURCHASED(language), norwegian_date(device.purchased)),
                  (T.FACT_AGE(language), age_text(device.purchased, context.today, language))]
    return facts(pairs)


def _oldest(devices: list[StoredDevice]) -> StoredDevice:
    return min(devices, key=lambda device: device.purchased or date.max)


def _first_name(name: str) -> str:
    return name.split(" ")[0] if name and "@" not in name else name


def employee_card(target: Target, order: Order | None, context: CardContext, *, reminder: bool = False,
                  notice: str = "") -> Card:
    language = context.language
    key = {"campaign": target.campaign_id, "user": target.user_key}
    body: list[dict[str, Any]] = [heading((T.REMINDER_TITLE if reminder else T.CARD_TITLE)(language))]
    oldest = _oldest(target.devices)
    if len(target.devices) > 1:
        intro = T.CARD_INTRO_MANY(language, name=_first_name(target.user_name), count=len(target.devices),
                                  years=context.max_age_years)
    else:
        age = age_text(oldest.purchased, context.today, language) if oldest.purchased else "?"
        intro = T.CARD_INTRO(language, name=_first_name(target.user_name), age=age, years=context.max_age_years)
    body.append(paragraph(intro))
    body += [device_facts(device, context) for device in target.devices]
    body += _employee_state(target, order, context)
    if notice:
        body.append(_warning(notice))
    actions = []
    if target.response in ("", LATER) and order is None:  # not answered here, nor ordered from another card
        actions = [
            execute(T.BUTTON_ORDER(language), VERB_ORDER, key, style="positive"),
            execute(T.BUTTON_LATER(language), VERB_LATER, key),
            execute(T.BUTTON_NOT_MINE(language), VERB_NOT_MINE, key),
        ]
    refresh = {"action": execute(T.CARD_TITLE(language), VERB_REFRESH, {"view": "employee", **key})}
    return card(body, actions, refresh=refresh)


def _employee_state(target: Target, order: Order | None, context: CardContext) -> list[dict[str, Any]]:
    language = context.language
    if order is None:
        if target.response == LATER:
            return [_status(T.STATE_LATER(language, days=context.reminder_days))]
        if target.response == NOT_MINE:
            text = (T.STATE_NOT_MINE_TICKET(language, ticket=target.ticket_number) if target.ticket_number
                    else T.STATE_NOT_MINE(language))
            return [_status(text)]
        return []
    if order.state == AWAITING:
        if not order.approver_id:
            return [_status(T.STATE_ORDERED_NO_APPROVER(language, date=_day(order.created_at, context)))]
        return [_status(T.STATE_ORDERED(language, date=_day(order.created_at, context), approver=order.approver_name))]
    if order.state == APPROVED:
        when = _day(order.decided_at, context)
        text = (T.STATE_APPROVED(language, approver=order.decided_by_name, date=when, ticket=order.ticket_number)
                if order.ticket_number else T.STATE_APPROVED_NO_TICKET(language, approver=order.decided_by_name, date=when))
        return [_status(text)]
    blocks = [_warning(T.STATE_REJECTED(language, approver=order.decided_by_name, date=_day(order.decided_at, context)))]
    if order.comment:
        blocks.append(paragraph(T.COMMENT_LINE(language, comment=order.comment)))
    return blocks


def approval_card(order: Order, context: CardContext, *, viewer_id: str, notice: str = "",
                  escalation_days: int = 0) -> Card:
    """The approver's card; anyone else sees it without buttons."""
    language = context.language
    oldest = _oldest(order.devices)
    age = age_text(oldest.purchased, context.today, language) if oldest.purchased else "?"
    body: list[dict[str, Any]] = [
        heading(T.APPROVAL_TITLE(language, employee=order.user_name)),
        paragraph(T.APPROVAL_INTRO(language, employee=order.user_name, age=age, years=context.max_age_years)),
        facts([
            (T.FACT_EMPLOYEE(language), f"{order.user_name} ({order.user_upn})"),
            (T.FACT_DEPARTMENT(language), order.department or "–"),
            (T.FACT_MUNICIPALITY(language), order.municipality.capitalize()),
            (T.FACT_ORDERED(language), _day(order.created_at, context)),
        ]),
    ]
    body += [device_facts(device, context) for device in order.devices]
    if order.approver_kind == "fallback" and order.state == AWAITING and viewer_id == order.approver_id:
        note = (T.APPROVAL_AS_ESCALATION(language, days=escalation_days) if order.escalated_at
                else T.APPROVAL_AS_FALLBACK(language, employee=order.user_name))
        body.append(paragraph(note, subtle=True))
    actions: list[dict[str, Any]] = []
    if order.state == APPROVED:
        body.append(_status(T.DECIDED_APPROVED(language, name=order.decided_by_name, date=_day(order.decided_at, context))))
    elif order.state == REJECTED:
        body.append(_warning(T.DECIDED_REJECTED(language, name=order.decided_by_name, date=_day(order.decided_at, context))))
    elif viewer_id == order.approver_id:
        body.append({
            "type": "Input.Text", "id": COMMENT_INPUT, "isMultiline": True, "maxLength": COMMENT_MAX_CHARS,
            "label": T.COMMENT_LABEL(language, employee=_first_name(order.user_name)),
            "placeholder": T.COMMENT_PLACEHOLDER(language),
        })
        data = {"order": order.id}
        actions = [execute(T.BUTTON_APPROVE(language), VERB_APPROVE, data, style="positive"),
                   execute(T.BUTTON_REJECT(language), VERB_REJECT, data, style="destructive")]
    else:
        body.append(paragraph(T.MOVED_TO(language, approver=order.approver_name or "Kundeservice")))
    if order.comment and order.state in (APPROVED, REJECTED):
        body.append(paragraph(T.COMMENT_LINE(language, comment=order.comment)))
    if notice:
        body.append(_warning(notice))
    refresh = {"action": execute(T.APPROVAL_TITLE(language, employee=order.user_name), VERB_REFRESH,
                                 {"view": "approval", "order": order.id})}
    return card(body, actions, refresh=refresh)
