"""Everything the tickets skills keep in the store, behind one ``Store`` field (``store.tickets``)."""

from __future__ import annotations

from dataclasses import dataclass

from store.database import Database
from store.leases import LeaseKeeper
from store.tickets_outbox import OutboxRepository
from store.tickets_requests import AttachmentRefRepository, TicketRequestRepository


@dataclass
class TicketRepositories:
    requests: TicketRequestRepository  # drafts on confirmation cards
    attachments: AttachmentRefRepository  # files users sent, by conversation
    outbox: OutboxRepository  # every ticket until the desk has it

    @classmethod
    def open(cls, db: Database, leases: LeaseKeeper) -> TicketRepositories:
        return cls(
            requests=TicketRequestRepository(db, leases),
            attachments=AttachmentRefRepository(db),
            outbox=OutboxRepository(db, leases),
        )
