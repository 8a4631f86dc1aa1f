"""An order and its approval: who approves (the leader, else the municipality's fallback approver), the
approval card, the decision (one winner), the swap ticket and telling the employee.

Each step is recorded before the next is tried, and each can be repeated by the follow-up job
(``followups.py``) after a crash or an outage without doing anything twice.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from core.messages import Reply, UserProfile
from core.ports import DeliveryError, InventoryError, Person
from core.texts import Localized
from skills.pc_replacement import texts as T
from skills.pc_replacement.cards import approval_card, employee_card
from skills.pc_replacement.context import PcContext
from skills.pc_replacement.delivery import Undeliverable
from skills.pc_replacement.tickets import CLAIM_SECONDS, file_ticket, swap_draft
from store.pc.models import APPROVED, AWAITING, LIVE, ORDERED, REJECTED, NewOrder, Order, Target

log = logging.getLogger(__name__)


class Approvals:
    def __init__(self, context: PcContext) -> None:
        self._context = context

    @property
    def _repo(self):  # noqa: ANN202 - the store's repository
        return self._context.repo

    # --- placing the order -------------------------------------------------------------------
    async def current_order(self, target: Target) -> Order | None:
        """The order this card shows: its own, or the one that holds its PCs from another campaign's card."""
        if target.order_id:
            return await self._repo.orders.get(target.order_id)
        return await self._repo.orders.live_for([device.serial for device in target.devices])

    async def ensure_order(self, target: Target) -> tuple[Order, bool]:
        """The order for this target: created now (True), or the one that already holds its PCs (a double
        click, another process, or a card from another campaign)."""
        held = await self.current_order(target)
        if held is not None and held.state in LIVE:
            await self.link(target, held)
            return held, False
        approver, kind = await self.approver_for(target)
        order, created = await self._repo.orders.create(NewOrder(
            order_key=f"{target.campaign_id}:{target.user_key}", campaign_id=target.campaign_id,
            user_key=target.user_key, user_id=target.user_id, user_upn=target.user_upn,
            user_name=target.user_name, municipality=target.municipality, department=target.department,
            devices=target.devices, approver_id=approver.id if approver else "",
            approver_upn=approver.upn if approver else "", approver_name=approver.name if approver else "",
            approver_kind=kind, leader_id=target.manager_id,
        ), self._context.now())
        await self.link(target, order)
        return order, created

    async def link(self, target: Target, order: Order) -> None:
        """Record on this card that its employee has ordered (through this card or another)."""
        if order.user_key != target.user_key or target.order_id == order.id:
            return  # someone else's order never shows on this card
        await self._repo.targets.respond(target.campaign_id, target.user_key, ORDERED, self._context.now())
        await self._repo.targets.set_order(target.campaign_id, target.user_key, order.id)

    async def approver_for(self, target: Target) -> tuple[Person | None, str]:
        leader = await self._leader(target)
        if leader is not None and leader.active and leader.id and leader.id != target.user_id:
            return leader, "leader"
        fallback = await self._context.fallback_approver(target.municipality)
        if fallback is not None and fallback.id and fallback.id != target.user_id:
            return fallback, "fallback"
        log.warning("no approver for a pc order", extra={"municipality": target.municipality})
        return None, ""

    async def _leader(self, target: Target) -> Person | None:
        """The leader now (the directory knows about changes since the campaign was planned)."""
        leader: Person | None = None
        known = False
        try:
            person = await self._context.ports.directory.person(target.user_id or target.user_upn)
        except InventoryError:
            log.warning("directory lookup failed; using the leader from the campaign plan", exc_info=True)
            person = None
        if person is not None:
            known, leader = True, person.manager
        if not known and (target.manager_id or target.manager_upn):
            leader = Person(target.manager_id, target.manager_upn, target.manager_name or target.manager_upn)
        if leader is not None and not leader.id and leader.upn:
            leader = replace(leader, id=await self._context.ports.users.id_for_email(leader.upn) or "")
        return leader

    # --- the approval card ------------------------------------------------------------------
    async def send_approval(self, order: Order) -> bool:
        """Send the approval card to the current approver; False when it must be tried again later."""
        if not order.approver_id:
            return False
        now = self._context.now()
        if not await self._repo.approvals.claim_delivery(order.id, now, now - CLAIM_SECONDS):
            return False
        card = approval_card(order, self._context.cards(), viewer_id=order.approver_id,
                             escalation_days=2 * self._context.settings.pc_leader_reminder_days)
        try:
            delivered = await self._context.courier.deliver(order.approver_id, Reply(card=card))
        except Undeliverable as error:
            await self._repo.approvals.mark_failed(order.id, str(error))
            if order.approver_kind == "leader":
                return await self._to_fallback(order, escalation=False)
            log.warning("approver cannot be reached", extra={"order": order.id, "error": str(error)})
            return False
        except DeliveryError as error:
            await self._repo.approvals.mark_failed(order.id, f"{error.status}: {error}")
            return False
        await self._repo.approvals.mark_sent(order.id, delivered.conversation_id, delivered.activity_id,
                                            self._context.now())
        return True

    async def escalate(self, order: Order) -> bool:
        """The leader did not act after the reminder: ask the fallback approver."""
        return await self._to_fallback(order, escalation=True)

    async def _to_fallback(self, order: Order, *, escalation: bool) -> bool:
        fallback = await self._context.fallback_approver(order.municipality)
        if fallback is None or not fallback.id or fallback.id in (order.approver_id, order.user_id):
            return False
        if not await self._repo.approvals.set_approver(order.id, fallback.id, fallback.upn, fallback.name, "fallback",
                                             self._context.now(), escalation=escalation):
            return False
        moved = await self._repo.orders.get(order.id)
        assert moved is not None
        if order.approval_activity_id:  # the leader's card now says who decides
            await self._update(order.approval_conversation_id, order.approval_activity_id,
                               approval_card(moved, self._context.cards(), viewer_id=order.approver_id))
        return await self.send_approval(moved)

    # --- the decision -----------------------------------------------------------------------
    async def decide(
        self, order_id: str, viewer: UserProfile, approve: bool, comment: str
    ) -> tuple[Order | None, Localized | None]:
        """Approve or decline; returns the order as it is now and a notice when nothing changed."""
        order = await self._repo.orders.get(order_id)
        if order is None:
            return None, None
        if order.state != AWAITING:
            return order, T.ALREADY_DECIDED
        if viewer.id != order.approver_id:
            return order, T.ONLY_APPROVER
        state = APPROVED if approve else REJECTED
        changed = await self._repo.approvals.decide(order.id, state, viewer.id, viewer.name or order.approver_name,
                                          comment, self._context.now())
        decided = await self._repo.orders.get(order.id)
        assert decided is not None
        if not changed:  # someone else (or a second click) got there first
            return decided, T.ALREADY_DECIDED
        await self.after_decision(decided)
        return await self._repo.orders.get(order.id), None

    async def after_decision(self, order: Order) -> None:
        if order.state == APPROVED:
            await self.file_ticket(order)
            order = await self._repo.orders.get(order.id) or order
        await self.tell_employee(order)

    async def file_ticket(self, order: Order) -> None:
        """The swap ticket; the approval stands whatever happens, and the follow-up job files it later."""
        await file_ticket(self._context, self._repo.orders.tickets, (order.id,),
                          swap_draft(order, self._context.settings), order.user_id)

    async def tell_employee(self, order: Order) -> None:
        """Tell the employee the outcome (once), and redraw their card."""
        if order.state == APPROVED and order.ticket_state == "pending":
            return  # told together with the ticket number once it is filed
        if not await self._repo.orders.claim_notice(order.id, self._context.now()):
            return
        language = self._context.cards().language
        if order.state == APPROVED:
            text = (T.TOLD_APPROVED(language, approver=order.decided_by_name, ticket=order.ticket_number)
                    if order.ticket_number else T.TOLD_APPROVED_QUEUED(language, approver=order.decided_by_name))
        else:
            parts = [T.TOLD_REJECTED(language, approver=order.decided_by_name)]
            if order.comment:
                parts.append(T.COMMENT_LINE(language, comment=order.comment))
            parts.append(T.TOLD_REJECTED_ASK(language, approver=order.decided_by_name))
            text = "\n\n".join(parts)
        try:
            await self._context.courier.deliver(order.user_id, Reply(text=text))
        except DeliveryError:
            await self._repo.orders.unclaim_notice(order.id)  # try again in the next follow-up round
            log.warning("could not tell the employee yet", extra={"order": order.id})
            return
        except Undeliverable as error:
            log.warning("the employee cannot be reached", extra={"order": order.id, "error": str(error)})
        target = await self._repo.targets.get(order.campaign_id, order.user_key)
        if target is not None and target.activity_id:
            await self._update(target.conversation_id, target.activity_id, employee_card(target, order, self._context.cards()))

    async def _update(self, conversation_id: str, activity_id: str, card: dict) -> None:
        """Redraw a card already sent; best effort (the card's refresh shows the truth anyway)."""
        if not conversation_id or not activity_id:
            return
        try:
            await self._context.courier.pacer.acquire()
            await self._context.ports.messenger.update_message(conversation_id, activity_id, Reply(card=card))
        except Exception:  # noqa: BLE001 - the card refreshes itself when shown
            log.info("could not redraw a card", extra={"activity": activity_id}, exc_info=True)
