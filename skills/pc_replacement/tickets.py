"""The tickets this skill files for Kundeservice: an approved swap, and a register correction."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from core.ports import TicketDraft
from core.settings import Settings
from skills.pc_replacement import texts as T
from skills.pc_replacement.rules import norwegian_date
from store.pc.models import TICKET_CREATED, TICKET_QUEUED, Order, StoredDevice, Target, serial_key
from store.pc.tickets import TicketClaims

if TYPE_CHECKING:
    from skills.pc_replacement.context import PcContext

log = logging.getLogger(__name__)
CLAIM_SECONDS = 300.0  # a claimed filing not finished after this is taken up again


async def file_ticket(context: PcContext, claims: TicketClaims, key: tuple[Any, ...], draft: TicketDraft,
                      notify_user_id: str) -> None:
    """File a ticket through the ticket outbox, once: claimed first, recorded as created or queued (the
    outbox then retries it and tells ``notify_user_id`` the number). A failure leaves it pending for the
    follow-up job: never only logged."""
    tickets = context.ports.tickets
    now = context.now()
    if not await claims.claim(key, now, now - CLAIM_SECONDS):
        return
    try:
        submission = await tickets.submit(draft, notify_user_id=notify_user_id or None)
    except Exception:  # noqa: BLE001 - kept pending; the follow-up job files it later
        log.exception("filing a pc ticket failed; will retry", extra={"ticket": draft.idempotency_key})
        await claims.release(key)
        return
    if submission.ticket is not None:
        await claims.record(key, TICKET_CREATED, submission.ticket.number)
    else:
        await claims.record(key, TICKET_QUEUED, "")


def _device_lines(devices: list[StoredDevice]) -> str:
    return "\n".join(
        T.DEVICE_LINE.format(model=device.model, serial=device.serial, id=device.id,
                             purchased=norwegian_date(device.purchased) if device.purchased else "ukjent")
        for device in devices
    )


def _serials(devices: list[StoredDevice]) -> str:
    return ", ".join(device.serial for device in devices)


def swap_draft(order: Order, settings: Settings) -> TicketDraft:
    decided = datetime.fromtimestamp(order.decided_at or 0, UTC).astimezone(ZoneInfo(settings.timezone))
    return TicketDraft(
        subject=T.SWAP_SUBJECT.format(employee=order.user_name, serials=_serials(order.devices))[:200],
        description=T.SWAP_DESCRIPTION.format(
            approver=order.decided_by_name, date=norwegian_date(decided.date()), employee=order.user_name,
            upn=order.user_upn, municipality=order.municipality.capitalize(), department=order.department or "–",
            devices=_device_lines(order.devices), comment=order.comment or "–", campaign=order.campaign_id,
        ),
        category=settings.pc_ticket_category,
        ticket_type=settings.pc_ticket_type,
        priority="normal",
        requester_email=order.user_upn,
        requester_name=order.user_name,
        idempotency_key=f"pc-swap-{order.id}",
    )


def register_draft(target: Target, settings: Settings) -> TicketDraft:
    return TicketDraft(
        subject=T.NOT_MINE_SUBJECT.format(serials=_serials(target.devices), employee=target.user_name)[:200],
        description=T.NOT_MINE_DESCRIPTION.format(
            employee=target.user_name, upn=target.user_upn, devices=_device_lines(target.devices),
            municipality=target.municipality.capitalize(), department=target.department or "–",
            manager=target.manager_upn or "–", campaign=target.campaign_id,
        ),
        category=settings.pc_register_ticket_category,
        ticket_type=settings.pc_register_ticket_type,
        priority="low",
        requester_email=target.user_upn,
        requester_name=target.user_name,
        # one correction per person and PCs, whichever campaign's card said "not mine"
        idempotency_key=f"pc-register-{target.user_key}-{'-'.join(sorted(serial_key(d.serial) for d in target.devices))}",
    )
