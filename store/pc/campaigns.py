"""Campaigns: one row per monthly campaign (and one for on-demand orders), the run that sends it,
and the report figures per municipality."""

from __future__ import annotations

from datetime import date
from typing import Any

from store.database import Database
from store.pc.models import (
    APPROVED,
    AWAITING,
    FAILED,
    LATER,
    NOT_MINE,
    ORDERED,
    REJECTED,
    SENT,
    STAT_FIELDS,
    Campaign,
    MunicipalityStats,
    Target,
)

_STATS = f"""
SELECT t.municipality AS municipality,
    COUNT(*) AS targeted,
    SUM(CASE WHEN t.delivery = '{SENT}' THEN 1 ELSE 0 END) AS sent,
    SUM(CASE WHEN t.delivery = '{FAILED}' THEN 1 ELSE 0 END) AS failed,
    SUM(CASE WHEN t.response = '{ORDERED}' THEN 1 ELSE 0 END) AS ordered,
    SUM(CASE WHEN o.state = '{APPROVED}' THEN 1 ELSE 0 END) AS approved,
    SUM(CASE WHEN o.state = '{REJECTED}' THEN 1 ELSE 0 END) AS rejected,
    SUM(CASE WHEN t.delivery = '{SENT}' AND t.response IN ('', '{LATER}') THEN 1 ELSE 0 END) AS no_response,
    SUM(CASE WHEN t.response = '{NOT_MINE}' THEN 1 ELSE 0 END) AS not_mine,
    SUM(CASE WHEN o.state = '{AWAITING}' THEN 1 ELSE 0 END) AS awaiting_approval,
    SUM(CASE WHEN t.response = '{LATER}' THEN 1 ELSE 0 END) AS postponed,
    SUM(t.reminders) AS reminders,
    SUM(CASE WHEN t.delivery = '{FAILED}' AND t.retry_at IS NOT NULL THEN 1 ELSE 0 END) AS to_retry
FROM pc_targets t LEFT JOIN pc_orders o ON o.campaign_id = t.campaign_id AND o.user_key = t.user_key
WHERE t.campaign_id = ?
GROUP BY t.municipality ORDER BY t.municipality
"""
EXTRA_FIELDS = ("awaiting_approval", "postponed", "reminders", "to_retry")


class CampaignRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, campaign_id: str, kind: str, campaign_date: date, max_age_years: int, now: float) -> Campaign:
        """The campaign, created on first use; a re-run keeps its original date and rule."""
        await self._db.execute(
            "INSERT INTO pc_campaigns (id, kind, campaign_date, max_age_years, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO NOTHING",
            campaign_id, kind, campaign_date.isoformat(), max_age_years, now,
        )
        campaign = await self.get(campaign_id)
        assert campaign is not None
        return campaign

    async def get(self, campaign_id: str) -> Campaign | None:
        row = await self._db.fetch_one("SELECT * FROM pc_campaigns WHERE id = ?", campaign_id)
        return Campaign.from_row(row) if row else None

    async def all(self, kind: str | None = None) -> list[Campaign]:
        if kind:
            rows = await self._db.fetch_all("SELECT * FROM pc_campaigns WHERE kind = ? ORDER BY created_at", kind)
        else:
            rows = await self._db.fetch_all("SELECT * FROM pc_campaigns ORDER BY created_at")
        return [Campaign.from_row(row) for row in rows]

    async def record_run(self, campaign_id: str, now: float) -> None:
        """A run took the campaign's lease and starts sending."""
        await self._db.execute("UPDATE pc_campaigns SET runs = runs + 1, last_run_at = ? WHERE id = ?", now, campaign_id)

    # --- the report ------------------------------------------------------------------------
    async def funnel_rows(self, kind: str, sent_from: float, sent_until: float) -> list[tuple[Any, ...]]:
        """The cards of ``kind`` campaigns delivered in ``[sent_from, sent_until)``, for the monthly report's
        funnel: (municipality, user_key, sent_at, response, order state, order ticket state), as they
        stand now. ``user_key`` is only for counting distinct people; the report never shows it."""
        return await self._db.fetch_tuples(
            "SELECT t.municipality, t.user_key, t.sent_at, t.response, COALESCE(o.state, ''), "
            "COALESCE(o.ticket_state, '') "
            "FROM pc_targets t JOIN pc_campaigns c ON c.id = t.campaign_id "
            "LEFT JOIN pc_orders o ON o.campaign_id = t.campaign_id AND o.user_key = t.user_key "
            "WHERE c.kind = ? AND t.sent_at >= ? AND t.sent_at < ?",
            kind, sent_from, sent_until,
        )

    async def stats(self, campaign_id: str) -> list[MunicipalityStats]:
        rows = await self._db.fetch_all(_STATS, campaign_id)
        return [
            MunicipalityStats(
                municipality=row["municipality"],
                **{name: int(row[name] or 0) for name in STAT_FIELDS},
                extra={name: int(row[name] or 0) for name in EXTRA_FIELDS},
            )
            for row in rows
        ]

    async def without_answer(self, campaign_id: str) -> list[Target]:
        """Who has not acted: not reached, or reached without an answer."""
        rows = await self._db.fetch_all(
            "SELECT * FROM pc_targets WHERE campaign_id = ? AND response IN ('', ?) ORDER BY municipality, user_upn",
            campaign_id, LATER,
        )
        return [Target.from_row(row) for row in rows]
