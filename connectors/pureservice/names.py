"""The tenant's names for what Rakel's tickets need, each tied to the setting it comes from.

Ids differ per Pureservice tenant, so every one is looked up by name (``Lookup``). A name the tenant
lacks is reported with the exact setting to change (``RAKEL_PURESERVICE_TICKET_TYPE``,
``RAKEL_PURESERVICE_PRIORITIES["high"]``, ...): at start-up (the service refuses to start), in
``/readyz`` and in the log of a refused ticket.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from connectors.pureservice.errors import MissingEntityError
from core.settings import DEFAULT_TICKET_CATEGORIES, DEFAULT_TICKET_PRIORITIES, Settings

REQUEST_TYPE_KEY = "Ticket"  # the API's key of the request type "ticket" (the other is "Change")


@dataclass(frozen=True)
class Lookup:
    """One id to look up: ``entity`` named ``name``, configured by ``setting``."""

    setting: str  # the exact variable, e.g. 'RAKEL_PURESERVICE_PRIORITIES["high"]'
    entity: str  # the API entity: tickettype, status, priority, source, department, category
    name: str
    what: str  # in words, for messages: "ticket type"
    of_tickets: bool = False  # statuses and priorities exist per request type: the ticket's only

    def missing(self) -> MissingNameError:
        return MissingNameError(f"{self.setting}: Pureservice has no {self.what} named {self.name!r}")


class MissingNameError(MissingEntityError):
    """A name in our settings that the tenant does not have; the message starts with the setting."""

    reason = "setup"


def _setting(field_name: str, key: str | None = None) -> str:
    variable = f"RAKEL_{field_name.upper()}"
    return f'{variable}["{key}"]' if key is not None else variable


@dataclass(frozen=True)
class DeskNames:
    """The names a new ticket needs (defaults: ROR-IKT's tenant; every one is a setting)."""

    zone: str = "Kundeservice"  # the department (zone) that receives Rakel's tickets
    new_status: str = "Ny"
    resolved_status: str = "Løst"  # for tickets created as already solved (TicketDraft.resolved)
    ticket_type: str = "Henvendelse"  # TicketDraft.ticket_type "" (the default)
    ticket_types: Mapping[str, str] = field(default_factory=dict)  # other TicketDraft.ticket_type keys
    source: str = "Chat"
    priorities: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TICKET_PRIORITIES))
    categories: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TICKET_CATEGORIES))

    @classmethod
    def from_settings(cls, settings: Settings) -> DeskNames:
        return cls(
            zone=settings.pureservice_zone, new_status=settings.pureservice_new_status,
            resolved_status=settings.pureservice_resolved_status, ticket_type=settings.pureservice_ticket_type,
            ticket_types=dict(settings.pureservice_ticket_types), source=settings.pureservice_source,
            priorities=dict(settings.pureservice_priorities), categories=dict(settings.pureservice_categories),
        )

    # --- one lookup per thing a ticket links to ------------------------------------------------
    def zone_lookup(self) -> Lookup:
        return Lookup(_setting("pureservice_zone"), "department", self.zone, "zone (department)")

    def status_lookup(self, *, resolved: bool) -> Lookup:
        if resolved:
            return Lookup(_setting("pureservice_resolved_status"), "status", self.resolved_status, "ticket status", True)
        return Lookup(_setting("pureservice_new_status"), "status", self.new_status, "ticket status", True)

    def source_lookup(self) -> Lookup:
        return Lookup(_setting("pureservice_source"), "source", self.source, "source")

    def ticket_type_lookup(self, key: str = "") -> Lookup:
        """The ticket type for ``TicketDraft.ticket_type`` (an unknown key: a MissingNameError naming the setting)."""
        if not key:
            return Lookup(_setting("pureservice_ticket_type"), "tickettype", self.ticket_type, "ticket type")
        if key not in self.ticket_types:
            raise MissingNameError(f'{_setting("pureservice_ticket_types")} has no ticket type for {key!r}')
        return Lookup(_setting("pureservice_ticket_types", key), "tickettype", self.ticket_types[key], "ticket type")

    def priority_lookup(self, key: str) -> Lookup:
        if key not in self.priorities:
            raise MissingNameError(f'{_setting("pureservice_priorities")} has no priority for {key!r}')
        return Lookup(_setting("pureservice_priorities", key), "priority", self.priorities[key], "priority", True)

    def category_lookup(self, key: str) -> Lookup | None:
        """The category for ``TicketDraft.category``; None when the key is not mapped (no category is set)."""
        if key not in self.categories:
            return None
        return Lookup(_setting("pureservice_categories", key), "category", self.categories[key], "category")

    def all_lookups(self) -> list[Lookup]:
        """Every name Rakel will use: checked at start-up and by /readyz."""
        return [
            self.ticket_type_lookup(), *(self.ticket_type_lookup(key) for key in self.ticket_types),
            self.status_lookup(resolved=False), self.status_lookup(resolved=True), self.source_lookup(),
            self.zone_lookup(), *(self.priority_lookup(key) for key in self.priorities),
            *(lookup for key in self.categories if (lookup := self.category_lookup(key)) is not None),
        ]
