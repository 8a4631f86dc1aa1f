"""The PC replacement records as the store hands them out: campaigns, targets (who gets a card in a
campaign, and where delivery and the answer stand) and orders (what was ordered, and its approval)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, TypeVar

from store.database import Row

# Delivery of the campaign card to one target.
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
# What the employee did. "" = nothing yet.
LATER, ORDERED, NOT_MINE = "later", "ordered", "not_mine"
# Order states.
AWAITING, APPROVED, REJECTED = "awaiting", "approved", "rejected"
LIVE = (AWAITING, APPROVED)  # an order that holds its PCs: no second order for them
# The ticket a record files (an order's swap ticket, a target's register correction).
NO_TICKET, TICKET_PENDING, TICKET_QUEUED, TICKET_CREATED = "none", "pending", "queued", "created"


@dataclass(frozen=True)
class StoredDevice:
    id: str
    serial: str
    model: str
    purchased: date | None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "serial": self.serial, "model": self.model,
                "purchased": self.purchased.isoformat() if self.purchased else None}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> StoredDevice:
        purchased = value.get("purchased")
        return cls(value["id"], value["serial"], value["model"], date.fromisoformat(purchased) if purchased else None)


def devices_from_json(text: str) -> list[StoredDevice]:
    return [StoredDevice.from_json(item) for item in json.loads(text)]


def devices_json(devices: list[StoredDevice]) -> str:
    return json.dumps([device.as_json() for device in devices])


def serial_key(serial: str) -> str:
    """One PC, however the register spells its serial number."""
    return serial.strip().upper()


Record = TypeVar("Record")


def from_row(cls: type[Record], row: Row) -> Record:
    """A record from its table row: one column per field, ``devices`` stored as JSON."""
    values = {item.name: row[item.name] for item in fields(cls)}  # type: ignore[arg-type]
    if "devices" in values:
        values["devices"] = devices_from_json(values["devices"])
    return cls(**values)


@dataclass(frozen=True)
class Campaign:
    id: str
    kind: str  # "campaign" | "ondemand"
    campaign_date: date
    max_age_years: int
    created_at: float
    last_run_at: float | None
    runs: int

    @classmethod
    def from_row(cls, row: Row) -> Campaign:
        return from_row(cls, {**row, "campaign_date": date.fromisoformat(row["campaign_date"])})


@dataclass(frozen=True)
class NewTarget:
    user_key: str  # AAD object id, or "upn:<upn>" when the source does not know the id
    user_id: str
    user_upn: str
    user_name: str
    municipality: str
    department: str
    manager_id: str
    manager_upn: str
    manager_name: str
    devices: list[StoredDevice]


@dataclass(frozen=True)
class Target(NewTarget):
    """A target as the campaign holds it: who and which devices, plus where delivery and answer stand."""

    campaign_id: str
    delivery: str
    attempts: int
    sent_at: float | None
    last_error: str
    conversation_id: str
    activity_id: str
    response: str
    responded_at: float | None
    remind_at: float | None
    reminders: int
    last_reminded_at: float | None
    order_id: str
    ticket_state: str  # the register correction of a "not my PC": "none" | "pending" | "queued" | "created"
    ticket_number: str
    retry_at: float | None  # a send Teams kept refusing: the service tries again from then

    @classmethod
    def from_row(cls, row: Row) -> Target:
        return from_row(cls, row)


@dataclass(frozen=True)
class DueReminder:
    """A person whose reminder is due, with the card to remind them of (their newest open one)."""

    target: Target
    reminders: int  # reminders since their latest campaign card
    last_contact_at: float | None


@dataclass(frozen=True)
class NewOrder:
    order_key: str
    campaign_id: str
    user_key: str
    user_id: str
    user_upn: str
    user_name: str
    municipality: str
    department: str
    devices: list[StoredDevice]
    approver_id: str
    approver_upn: str
    approver_name: str
    approver_kind: str  # "leader" | "fallback" | "" (nobody found yet)
    leader_id: str


@dataclass(frozen=True)
class Order(NewOrder):
    """An order as the store holds it: what was ordered, plus its approval, ticket and notice."""

    id: str
    state: str
    created_at: float
    approval_sent_at: float | None
    approval_conversation_id: str
    approval_activity_id: str
    approval_error: str
    leader_reminded_at: float | None
    escalated_at: float | None
    decided_by: str
    decided_by_name: str
    decided_at: float | None
    comment: str
    ticket_state: str  # "none" | "pending" | "queued" | "created"
    ticket_number: str
    employee_notified_at: float | None

    @classmethod
    def from_row(cls, row: Row) -> Order:
        return from_row(cls, row)


@dataclass(frozen=True)
class MunicipalityStats:
    municipality: str
    targeted: int = 0
    sent: int = 0
    failed: int = 0
    ordered: int = 0
    approved: int = 0
    rejected: int = 0
    no_response: int = 0
    not_mine: int = 0
    extra: dict[str, int] = field(default_factory=dict)


STAT_FIELDS = ("targeted", "sent", "failed", "ordered", "approved", "rejected", "no_response", "not_mine")
