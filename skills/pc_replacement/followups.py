"""What happens after the first message, run every few minutes by the service (and by
`rakel campaign remind`): reminders to employees who have not answered, approval cards not yet
delivered, a reminder to a silent leader and then the fallback approver, swap tickets and outcome
messages that could not be done at the time. Every step is claimed in the store first, so several
bot processes can run this at once without doing anything twice."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from core.messages import Reply
from core.ports import DeliveryError
from skills.pc_replacement import texts as T
from skills.pc_replacement.approvals import Approvals
from skills.pc_replacement.campaign import SENT, CampaignBusy, CardSender, lease_name, take_campaign
from skills.pc_replacement.cards import employee_card
from skills.pc_replacement.context import DAY, PcContext
from skills.pc_replacement.delivery import Undeliverable
from skills.pc_replacement.tickets import file_ticket, register_draft
from store.pc.models import TICKET_PENDING, Order, Target

log = logging.getLogger(__name__)


@dataclass
class FollowUpResult:
    employee_reminders: int = 0
    approval_cards: int = 0
    leader_reminders: int = 0
    escalations: int = 0
    tickets: int = 0
    notices: int = 0
    resent: int = 0  # campaign cards Teams kept refusing during the run, delivered now


class FollowUps:
    def __init__(self, context: PcContext, approvals: Approvals) -> None:
        self._context = context
        self._approvals = approvals
        self._sender = CardSender(context)

    async def run_once(self) -> FollowUpResult:
        result = FollowUpResult()
        result.resent = await self.resend_cards()
        result.employee_reminders = await self.remind_employees()
        result.approval_cards = await self.deliver_approvals()
        result.leader_reminders, result.escalations = await self.remind_leaders()
        result.tickets = await self.file_tickets()
        result.notices = await self.tell_employees()
        return result

    async def resend_cards(self) -> int:
        """Campaign cards that still failed after the run's retries (a long 429 storm, an outage): tried
        again each round, campaign by campaign, never beside a run that is sending that campaign."""
        repo, sent = self._context.repo, 0
        due: dict[str, list[Target]] = defaultdict(list)
        for target in await repo.targets.due_retries(self._context.now()):
            due[target.campaign_id].append(target)
        for campaign_id, targets in due.items():
            leases = self._context.ports.leases
            try:
                await take_campaign(leases, campaign_id, wait=False)
            except CampaignBusy:
                continue  # a run is sending it: it sends these too
            try:
                for target in targets:
                    sent += await self._sender.send(target) == SENT
            finally:
                await leases.release(lease_name(campaign_id))
        return sent

    async def remind_employees(self) -> int:
        """One reminder per person whose schedule is due, whatever campaigns are open: their newest card."""
        settings = self._context.settings
        repo = self._context.repo
        sent = 0
        for due in await repo.targets.due_reminders(self._context.now(), settings.pc_reminder_days * DAY,
                                                    settings.pc_max_reminders):
            target = due.target
            held = await self._approvals.current_order(target)
            if held is not None and held.user_key == target.user_key:
                await self._approvals.link(target, held)  # ordered through another campaign's card
                continue
            if not await repo.targets.claim_reminder(due, self._context.now()):
                continue
            card = employee_card(await repo.targets.get(target.campaign_id, target.user_key) or target, None,
                                 self._context.cards(), reminder=True)
            try:
                delivered = await self._context.courier.deliver(target.user_id, Reply(card=card))
            except (Undeliverable, DeliveryError) as error:
                log.warning("reminder not delivered", extra={"campaign": target.campaign_id, "error": str(error)})
                continue
            await repo.targets.set_card(target.campaign_id, target.user_key, delivered.conversation_id, delivered.activity_id)
            sent += 1
        return sent

    async def deliver_approvals(self) -> int:
        """Approval cards not delivered yet (outage, crash, no approver found at the time)."""
        delivered = 0
        for order in await self._context.repo.approvals.awaiting_delivery():
            if not order.approver_id:
                order = await self._find_approver(order)
                if order is None:
                    continue
            if await self._approvals.send_approval(order):
                delivered += 1
        return delivered

    async def _find_approver(self, order: Order) -> Order | None:
        target = await self._context.repo.targets.get(order.campaign_id, order.user_key)
        if target is None:
            return None
        approver, kind = await self._approvals.approver_for(target)
        if approver is None:
            return None
        await self._context.repo.approvals.set_approver(order.id, approver.id, approver.upn, approver.name, kind,
                                              self._context.now(), escalation=False)
        return await self._context.repo.orders.get(order.id)

    async def remind_leaders(self) -> tuple[int, int]:
        """One reminder per approver (all their waiting orders in one message), then the fallback approver."""
        wait = self._context.settings.pc_leader_reminder_days * DAY
        now = self._context.now()
        due: dict[str, list[Order]] = defaultdict(list)
        escalations = 0
        for order in await self._context.repo.approvals.awaiting_decision():
            if order.leader_reminded_at is None and (order.approval_sent_at or now) + wait <= now:
                if await self._context.repo.approvals.claim_leader_reminder(order.id, now):
                    due[order.approver_id].append(order)
            elif (order.leader_reminded_at is not None and order.leader_reminded_at + wait <= now
                  and order.approver_kind == "leader" and order.escalated_at is None):
                if await self._approvals.escalate(order):
                    escalations += 1
        for approver_id, orders in due.items():
            names = ", ".join(order.user_name for order in orders)
            language = self._context.cards().language
            text = (T.LEADER_REMINDER_ONE(language, names=names) if len(orders) == 1
                    else T.LEADER_REMINDER_MANY(language, count=len(orders), names=names))
            try:
                await self._context.courier.deliver(approver_id, Reply(text=text))
            except (Undeliverable, DeliveryError) as error:
                log.warning("leader reminder not delivered", extra={"error": str(error)})
        return len(due), escalations

    async def file_tickets(self) -> int:
        """Swap tickets and register corrections that could not be filed at the time."""
        repo, filed = self._context.repo, 0
        for order in await repo.orders.needing_ticket():
            await self._approvals.file_ticket(order)
            current = await repo.orders.get(order.id)
            if current is not None and current.ticket_state != TICKET_PENDING:
                filed += 1
        settings = self._context.settings
        for target in await repo.targets.needing_ticket():
            await file_ticket(self._context, repo.targets.tickets, (target.campaign_id, target.user_key),
                              register_draft(target, settings), target.user_id)
            current = await repo.targets.get(target.campaign_id, target.user_key)
            if current is not None and current.ticket_state != TICKET_PENDING:
                filed += 1
        return filed

    async def tell_employees(self) -> int:
        told = 0
        for order in await self._context.repo.orders.needing_notice():
            await self._approvals.tell_employee(order)
            current = await self._context.repo.orders.get(order.id)
            if current is not None and current.employee_notified_at is not None:
                told += 1
        return told
