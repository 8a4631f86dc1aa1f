"""The retention job: events and masked texts older than their settings are deleted."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from store.analytics import AnalyticsRepository

log = logging.getLogger(__name__)


async def purge_expired(repository: AnalyticsRepository, now: datetime, *, event_days: int, text_days: int) -> tuple[int, int]:
    cutoff = now - timedelta(days=event_days)
    events, texts = await repository.purge(cutoff.timestamp(), (now - timedelta(days=text_days)).timestamp(),
                                           cutoff.year * 100 + cutoff.month)
    if events or texts:
        log.info("analytics retention: purged", extra={"events": events, "texts": texts})
    return events, texts


def purge_job(repository: AnalyticsRepository, clock: Callable[[], datetime], *, event_days: int, text_days: int):
    """The purge as a no-argument job for the service's maintenance loop."""
    return lambda: purge_expired(repository, clock(), event_days=event_days, text_days=text_days)
