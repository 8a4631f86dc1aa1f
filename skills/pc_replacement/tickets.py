"""The tickets this skill files for Kundeservice: an approved swap, and a register correction."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from core.ports import TicketDraft
from core.settings import Settings
from skills.pc_replacement import texts as T
from skills.pc_replacement.rules import norwegian_date
from store.pc.models import Order, StoredDevice, Target


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
        category=settings.pc_ticket_category,
        priority="low",
        requester_email=target.user_upn,
        requester_name=target.user_name,
        idempotency_key=f"pc-register-{target.campaign_id}-{target.user_key}",
    )
