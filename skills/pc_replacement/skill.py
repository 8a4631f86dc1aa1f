"""PC replacement: "jeg trenger ny PC", the campaign card's buttons, the approval card and the
follow-up job (reminders, escalation, retries)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from analytics.events import Outcome
from core.messages import ActionResult, CardAction, Reply, UserProfile
from core.ports import DeviceStatus, InventoryError
from skills.intents import load_intents
from skills.pc_replacement import texts as T
from skills.pc_replacement.approvals import Approvals
from skills.pc_replacement.cards import (
    COMMENT_INPUT,
    COMMENT_MAX_CHARS,
    VERB_APPROVE,
    VERB_LATER,
    VERB_NOT_MINE,
    VERB_ORDER,
    VERB_REFRESH,
    VERB_REJECT,
    CardContext,
    approval_card,
    employee_card,
)
from skills.pc_replacement.context import DAY, PcContext, PcPorts, pacer_for
from skills.pc_replacement.followups import FollowUps
from skills.pc_replacement.planning import UNKNOWN_MUNICIPALITY
from skills.pc_replacement.rules import age_text, local_date, long_date, norwegian_date
from skills.pc_replacement.tickets import file_ticket, register_draft
from skills.registry import Skill, card_action
from skills.turn import Turn
from store.pc.models import (
    APPROVED,
    AWAITING,
    LATER,
    NOT_MINE,
    ORDERED,
    NewTarget,
    Order,
    StoredDevice,
    Target,
    serial_key,
)

log = logging.getLogger(__name__)
ONDEMAND = "ondemand"  # the campaign of orders that start with "jeg trenger ny PC"


def _own(order: Order | None, target: Target) -> Order | None:
    """Only the employee's own order shows on their card."""
    return order if order is not None and order.user_key == target.user_key else None


def already_ordered(order: Order, cards: CardContext) -> str:
    """"Du har allerede bestilt ny PC 3. november; lederen din har godkjent." """
    language = cards.language
    when = long_date(local_date(datetime.fromtimestamp(order.created_at, UTC), cards.timezone), language)
    if order.state == APPROVED:
        by_leader = order.approver_kind == "leader" and order.decided_by == order.leader_id
        return T.ALREADY_ORDERED_APPROVED(language, date=when,
                                          approver=T.YOUR_LEADER(language) if by_leader else order.decided_by_name)
    if not order.approver_id:
        return T.ALREADY_ORDERED_NO_APPROVER(language, date=when)
    return T.ALREADY_ORDERED_AWAITING(language, date=when, approver=order.approver_name)


def is_employee(user: UserProfile, target: Target) -> bool:
    if target.user_id and user.id == target.user_id:
        return True
    return bool(user.email) and user.email.lower() == target.user_upn


class PcReplacementSkill(Skill):
    name = "pc_replacement"
    intents = load_intents(__file__)

    def __init__(self, ports: PcPorts) -> None:
        pacer = pacer_for(ports.settings)  # one pace for all of this process's sends
        self.context = PcContext.create(ports, pacer, interactive=True)
        self.approvals = Approvals(self.context)
        background = PcContext.create(ports, pacer)
        self.followups = FollowUps(background, Approvals(background))

    # --- "jeg trenger ny PC" ----------------------------------------------------------------
    async def on_message(self, turn: Turn, intent: str) -> None:
        language, settings = turn.language, self.context.settings
        cards = self.context.cards(language)
        repo = self.context.repo
        for target in await repo.targets.of_user(turn.user.id, turn.user.email):
            if target.response in ("", LATER, ORDERED):  # an open campaign card or order: show where it stands
                order = _own(await self.approvals.current_order(target), target)
                if order is not None:
                    await turn.send(T.STATUS_INTRO(language))
                await self._send_card(turn, target, employee_card(target, order, cards))
                return
        try:
            devices = await self.context.ports.inventory.devices_of(turn.user.id, turn.user.email)
        except InventoryError:
            log.warning("inventory lookup failed", exc_info=True)
            devices = None
        if devices is None:
            await turn.send(T.NO_INVENTORY(language, years=settings.pc_max_age_years, phone=settings.kundeservice_phone))
            return
        if not devices:
            await turn.send(T.NO_DEVICES(language, years=settings.pc_max_age_years))
            return
        ordered = await repo.orders.ordered_serials()
        open_devices = [d for d in devices if d.status is DeviceStatus.IN_USE and serial_key(d.serial) not in ordered]
        rule = self.context.rule()
        due = [d for d in open_devices if d.purchased and rule.is_due(d.purchased, cards.today)]
        if due:
            target = await self._ondemand_target(turn, due)
            order = _own(await self.approvals.current_order(target), target)
            await self._send_card(turn, target, employee_card(target, order, cards))
            return
        lines = [
            T.NOT_YET_DEVICE(language, model=d.model, serial=d.serial, purchased=norwegian_date(d.purchased),
                             age=age_text(d.purchased, cards.today, language),
                             due=norwegian_date(rule.due_date(d.purchased)))
            if d in open_devices and d.purchased else T.ALREADY_HANDLED_DEVICE(language, model=d.model, serial=d.serial)
            for d in devices
        ]
        await turn.send(T.NOT_YET(language, years=settings.pc_max_age_years, devices="\n".join(lines)))

    async def _ondemand_target(self, turn: Turn, devices: list) -> Target:
        repo, user = self.context.repo, turn.user
        await repo.campaigns.create(ONDEMAND, ONDEMAND, self.context.today(), self.context.settings.pc_max_age_years,
                                   self.context.now())
        upn = (user.email or user.id).lower()
        person = await self.context.person(upn)
        manager = person.manager if person else None
        first = min(devices, key=lambda device: device.purchased)
        await repo.targets.add(ONDEMAND, [NewTarget(
            user_key=upn, user_id=user.id, user_upn=upn, user_name=user.name or upn,
            municipality=first.municipality or user.municipality or UNKNOWN_MUNICIPALITY,
            department=first.department or (person.department if person else ""),
            manager_id=manager.id if manager and manager.active else "",
            manager_upn=manager.upn if manager and manager.active else "",
            manager_name=manager.name if manager and manager.active else "",
            devices=[StoredDevice(d.id, d.serial, d.model, d.purchased) for d in sorted(devices, key=lambda d: d.purchased)],
        )], self.context.now())
        target = await repo.targets.get(ONDEMAND, upn)
        assert target is not None
        return target

    async def _send_card(self, turn: Turn, target: Target, card: dict) -> None:
        activity_id = await turn.send(Reply(card=card))
        await self.context.repo.targets.set_card(target.campaign_id, target.user_key, turn.conversation_id, activity_id)
        await self.context.repo.targets.confirm_delivery(target.campaign_id, target.user_key, self.context.now())

    # --- card buttons -----------------------------------------------------------------------
    @card_action(VERB_REFRESH)
    async def refresh(self, turn: Turn, action: CardAction) -> ActionResult:
        if action.data.get("view") == "approval":
            return await self.approval_action(turn, action)
        return await self.employee_action(turn, action)

    @card_action(VERB_ORDER, VERB_LATER, VERB_NOT_MINE)
    async def employee_action(self, turn: Turn, action: CardAction) -> ActionResult:
        repo, language = self.context.repo, turn.language
        cards = self.context.cards(language)
        target = await repo.targets.get(str(action.data.get("campaign", "")), str(action.data.get("user", "")))
        if target is None:
            return ActionResult(message=T.UNKNOWN_ORDER(language))
        order = await self.approvals.current_order(target)
        if not is_employee(turn.user, target):
            return ActionResult(card=employee_card(target, _own(order, target), cards,
                                                   notice=T.NOT_YOUR_CARD(language, name=target.user_name)))
        now = self.context.now()
        await repo.targets.confirm_delivery(target.campaign_id, target.user_key, now)
        notice = ""
        if order is not None and order.id != target.order_id and action.verb != VERB_REFRESH:
            # a card from another campaign: its PCs are ordered already; answer with where that order stands
            if order.user_key == target.user_key:
                await self.approvals.link(target, order)
                notice = already_ordered(order, cards)
            else:
                notice = T.ORDERED_BY_SOMEONE_ELSE(language)
        elif action.verb == VERB_ORDER:
            await repo.targets.respond(target.campaign_id, target.user_key, ORDERED, now)
            target = await repo.targets.get(target.campaign_id, target.user_key) or target
            if target.response == ORDERED:
                turn.note(Outcome.PC_ORDER)
                order, created = await self.approvals.ensure_order(target)
                if created or (order.state == AWAITING and order.approval_sent_at is None):
                    await self.approvals.send_approval(order)
        elif action.verb == VERB_LATER:
            days = self.context.settings.pc_reminder_days
            await repo.targets.respond(target.campaign_id, target.user_key, LATER, now, remind_at=now + days * DAY)
        elif action.verb == VERB_NOT_MINE:
            if await repo.targets.respond(target.campaign_id, target.user_key, NOT_MINE, now):
                await self._register_correction(target)
        target = await repo.targets.get(target.campaign_id, target.user_key) or target
        order = await self.approvals.current_order(target)
        return ActionResult(card=employee_card(target, _own(order, target), cards, notice=notice))

    async def _register_correction(self, target: Target) -> None:
        """The "not my PC" ticket, through the ticket outbox; the follow-up job files it if this fails."""
        await file_ticket(self.context, self.context.repo.targets.tickets, (target.campaign_id, target.user_key),
                          register_draft(target, self.context.settings), target.user_id)

    @card_action(VERB_APPROVE, VERB_REJECT)
    async def approval_action(self, turn: Turn, action: CardAction) -> ActionResult:
        language = turn.language
        cards = self.context.cards(language)
        order_id = str(action.data.get("order", ""))
        notice = None
        if action.verb == VERB_REFRESH:
            order = await self.context.repo.orders.get(order_id)
        else:
            comment = str(action.data.get(COMMENT_INPUT) or "").strip()[:COMMENT_MAX_CHARS]
            order, notice = await self.approvals.decide(order_id, turn.user, action.verb == VERB_APPROVE, comment)
        if order is None:
            return ActionResult(message=T.UNKNOWN_ORDER(language))
        text = notice(language, approver=order.approver_name or "godkjenneren") if notice else ""
        days = 2 * self.context.settings.pc_leader_reminder_days
        return ActionResult(card=approval_card(order, cards, viewer_id=turn.user.id, notice=text, escalation_days=days))

    # --- the follow-up job ------------------------------------------------------------------
    def background_jobs(self) -> dict[str, Callable[[], Awaitable[None]]]:
        return {"followups": self._follow_up_forever}

    async def _follow_up_forever(self) -> None:
        interval = self.context.settings.pc_background_interval_seconds
        while True:
            await asyncio.sleep(interval)
            try:
                result = await self.followups.run_once()
                log.info("pc follow-ups", extra=vars(result))
            except Exception:  # noqa: BLE001 - logged; the next round tries again
                log.exception("pc follow-ups failed")
