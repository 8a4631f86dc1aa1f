"""The Store: one database, migrated, with a repository per kind of state."""

from __future__ import annotations

from dataclasses import dataclass

from store.analytics import AnalyticsRepository
from store.answers import AnswerRepository
from store.database import Database, PasswordProvider, open_database
from store.dialogs import DialogRepository
from store.feedback import FeedbackRepository
from store.handoffs import HandoffRepository
from store.history import HistoryRepository
from store.leases import LeaseKeeper
from store.migrations import migrate
from store.pc import PcRepositories
from store.references import ReferenceRepository
from store.tickets_repositories import TicketRepositories
from store.users import UserRepository


@dataclass
class Store:
    db: Database
    leases: LeaseKeeper  # this process's leases (heartbeats; released at close)
    users: UserRepository
    references: ReferenceRepository
    dialogs: DialogRepository
    history: HistoryRepository
    feedback: FeedbackRepository
    answers: AnswerRepository
    handoffs: HandoffRepository
    pc: PcRepositories
    tickets: TicketRepositories
    analytics: AnalyticsRepository

    async def ping(self) -> None:
        await self.db.fetch_value("SELECT 1 AS ok")

    async def close(self) -> None:
        await self.handoffs.hand_back_leases()
        await self.leases.close()
        await self.db.close()


async def open_store(
    database_url: str, *, staff_municipality: str = "ror-ikt", password: PasswordProvider | None = None
) -> Store:
    db = await open_database(database_url, password=password)
    await migrate(db)
    leases = LeaseKeeper(db)
    return Store(
        db=db,
        leases=leases,
        users=UserRepository(db, staff_municipality),
        references=ReferenceRepository(db),
        dialogs=DialogRepository(db),
        history=HistoryRepository(db),
        feedback=FeedbackRepository(db),
        answers=AnswerRepository(db),
        handoffs=HandoffRepository(db),
        pc=PcRepositories.open(db),
        tickets=TicketRepositories.open(db, leases),
        analytics=AnalyticsRepository(db),
    )
