"""The definitions (conversation, self-solved, deflection, escalation, abandonment, time to claim, CSAT)
against the hand-counted event set in tests/analytics/handcounted.py."""

from __future__ import annotations

import asyncio

import pandas as pd
import pytest

from analytics import definitions as d
from analytics import parts as p
from analytics.periods import Period
from store.store import open_store
from tests.analytics.handcounted import A, B, hand_counted_events

DAY = 24 * 3600
NOVEMBER = Period.months_ending(2026, 11, 1, "Europe/Oslo")


async def _stored():
    store = await open_store("sqlite:///:memory:")
    try:
        await store.analytics.add(hand_counted_events())
        rows = await store.analytics.event_rows(0, 2e9)
        counts = await store.analytics.monthly_counts(202601, 202612)
    finally:
        await store.close()
    return rows, counts


ROWS, COUNTS = asyncio.run(_stored())


def frame():
    return d.event_frame(ROWS)


def november(window_hours: float = 24):
    table = d.conversations(frame(), window_seconds=window_hours * 3600)
    return table[NOVEMBER.contains(table["month"])]


def november_parts(window_hours: float = 24) -> p.MonthParts:
    return p.from_events(frame(), NOVEMBER.months, window_seconds=window_hours * 3600)


def test_conversations_and_their_rates():
    figures = d.rates(november_parts().users)
    assert figures == d.Rates(conversations=19, users=16, knowledge=11, self_solved=8, escalated=7, abandoned=2)
    assert figures.deflection == pytest.approx(8 / 11)
    assert figures.escalation == pytest.approx(7 / 19)
    assert figures.abandonment == pytest.approx(2 / 19)


def test_a_ticket_inside_the_window_spoils_self_solved():
    assert d.rates(november_parts(window_hours=26).users).self_solved == 7  # m5's ticket 25 h later now counts


def test_a_gap_over_30_minutes_starts_a_new_conversation():
    table = november()
    assert (table["user_key"] == "key-m4").sum() == 2 and (table["user_key"] == "key-m6").sum() == 1


def test_per_municipality_groups_under_five_users_are_left_out():
    by_municipality = d.rates_by_municipality(november_parts().users)
    assert set(by_municipality) == {"molde", "rauma"}
    assert by_municipality["molde"] == d.Rates(8, 6, 6, 3, 3, 1)
    assert by_municipality["rauma"] == d.Rates(6, 5, 4, 4, 1, 1)


def test_the_monthly_trend_hides_small_cells():
    trend = d.monthly_trend(*COUNTS, [202610, 202611]).set_index(["month", "municipality"])
    assert trend.loc[(202611, "totalt")].tolist() == [19, 16]
    assert trend.loc[(202611, "molde")].tolist() == [8, 6]
    assert trend.loc[(202611, "rauma")].tolist() == [6, 5]
    assert trend.loc[(202611, "aukra")].isna().all() and trend.loc[(202610, "totalt")].isna().all()


def test_handoffs_feedback_tickets_and_sources():
    parts = november_parts()
    assert d.handoff_figures(parts.counts, parts.waits, parts.codes) == d.HandoffFigures(
        opened=1, taken=1, closed_hours=1, ended=1, claim_median_minutes=2.0, claim_p90_minutes=2.0,
        chat_median_minutes=10.0, users=2)
    feedback = d.feedback_figures(parts.counts, parts.codes)
    assert feedback == d.FeedbackFigures(answers=10, rated_answers=2, up=2, down=1, users=2)
    assert feedback.rating_rate == pytest.approx(0.2) and feedback.csat == pytest.approx(2 / 3)
    tickets, hidden = d.grouped_counts(parts.codes, d.TICKETS, "category")
    assert tickets.to_dict("records") == [{"category": "printing", "count": 5, "users": 5}] and hidden == 1
    sources, hidden = d.grouped_counts(parts.codes, d.SOURCES, "source")
    assert sources.to_dict("records") == [{"source": A, "count": 6, "users": 6}, {"source": B, "count": 5, "users": 5}]
    assert hidden == 0


@pytest.mark.parametrize(("users", "hidden"), [
    ({"molde": 9, "rauma": 6, "aukra": 7}, set()),  # nothing small: everything shown
    ({"molde": 9, "rauma": 6, "aukra": 2}, {"aukra", "rauma"}),  # total - molde - rauma would be aukra
    ({"molde": 9, "rauma": 6, "aukra": 3, "vestnes": 2}, {"aukra", "vestnes"}),  # together 5: only their sum shows
    ({"molde": 9, "rauma": 6, "aukra": 1, "vestnes": 2}, {"aukra", "vestnes", "rauma"}),  # together 3: one more
    ({"molde": 3}, {"molde"}),
])
def test_a_total_never_gives_away_a_small_group(users, hidden):
    assert set(d.left_out(pd.Series(users))[lambda flags: flags].index) == hidden


def test_ticket_categories_beside_their_total_hide_what_the_total_would_give_away():
    parts = november_parts()
    tickets, hidden = d.grouped_counts(parts.codes, d.TICKETS, "category", beside_total=True)
    assert tickets.empty and hidden == 2  # printing (5 users) beside one category of 1 user
