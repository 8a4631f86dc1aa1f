"""PC replacement state, one repository per aggregate: campaigns, their targets, orders and their
approvals (``store.pc`` on the Store).

Every state change that two clicks, two processes or a crashed run could race on is one conditional
``UPDATE ... WHERE <expected state>``; the caller acts only when it changed a row.
"""

from __future__ import annotations

from dataclasses import dataclass

from store.database import Database
from store.pc.approvals import ApprovalRepository
from store.pc.campaigns import CampaignRepository
from store.pc.orders import OrderRepository
from store.pc.targets import TargetRepository


@dataclass
class PcRepositories:
    campaigns: CampaignRepository
    targets: TargetRepository
    orders: OrderRepository
    approvals: ApprovalRepository

    @classmethod
    def open(cls, db: Database) -> PcRepositories:
        return cls(CampaignRepository(db), TargetRepository(db), OrderRepository(db), ApprovalRepository(db))
