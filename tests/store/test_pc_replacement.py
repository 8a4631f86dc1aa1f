"""The PC replacement state on SQLite and PostgreSQL: the campaign + user key, one winner per
transition, and the report query."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date

import pytest

from store.leases import LeaseKeeper
from store.pc.models import (
    APPROVED,
    AWAITING,
    FAILED,
    LATER,
    NOT_MINE,
    ORDERED,
    REJECTED,
    SENDING,
    NewOrder,
    NewTarget,
    StoredDevice,
)
from store.store import open_store

NOW = 1_740_990_000.0
DEVICE = StoredDevice("MOL-0001", "PF1A2B3C", "Lenovo ThinkPad T470", date(2018, 2, 14))


@pytest.fixture(params=["sqlite", "postgresql"])
async def repo(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'rakel.db'}" if request.param == "sqlite" else request.getfixturevalue("fresh_postgres_url")
    store = await open_store(url)
    yield store.pc
    await store.close()


def target(upn: str, municipality: str = "molde") -> NewTarget:
    return NewTarget(upn, f"id-{upn}", upn, upn.split("@")[0].title(), municipality, "Servicetorget",
                     "id-lena", "lena@molde.kommune.no", "Lena Lie", [DEVICE])


def order_for(upn: str) -> NewOrder:
    return NewOrder(f"c1:{upn}", "c1", upn, f"id-{upn}", upn, "Kari", "molde", "Servicetorget", [DEVICE],
                    "id-lena", "lena@molde.kommune.no", "Lena Lie", "leader", "id-lena")


async def test_targets_are_keyed_by_campaign_and_user(repo):
    await repo.campaigns.create("c1", "campaign", date(2025, 3, 3), 6, NOW)
    again = await repo.campaigns.create("c1", "campaign", date(2030, 1, 1), 9, NOW)
    assert (again.campaign_date, again.max_age_years) == (date(2025, 3, 3), 6)  # a re-run keeps the original

    assert await repo.targets.add("c1", [target("kari@m.no"), target("per@m.no")], NOW) == 2
    assert await repo.targets.add("c1", [target("kari@m.no"), target("ola@r.no", "rauma")], NOW) == 1
    assert [t.user_key for t in await repo.targets.unsent("c1")] == ["kari@m.no", "per@m.no", "ola@r.no"]
    assert (await repo.targets.get("c1", "kari@m.no")).devices == [DEVICE]


async def test_a_target_is_claimed_once_and_a_dead_runs_claim_is_taken_again(repo):
    await repo.campaigns.create("c1", "campaign", date(2025, 3, 3), 6, NOW)
    await repo.targets.add("c1", [target("kari@m.no")], NOW)

    claims = await asyncio.gather(*(repo.targets.claim_delivery("c1", "kari@m.no", NOW) for _ in range(5)))
    assert sum(claims) >= 1
    assert (await repo.targets.get("c1", "kari@m.no")).delivery == SENDING
    await repo.targets.mark_failed("c1", "kari@m.no", "Teams 503")
    assert (await repo.targets.get("c1", "kari@m.no")).delivery == FAILED
    assert await repo.targets.claim_delivery("c1", "kari@m.no", NOW)
    await repo.targets.mark_sent("c1", "kari@m.no", "id-kari", "a:1", "bot-1", NOW)
    assert not await repo.targets.claim_delivery("c1", "kari@m.no", NOW)
    assert await repo.targets.unsent("c1") == []


async def test_the_answer_is_recorded_once_and_later_can_become_an_order(repo):
    await repo.campaigns.create("c1", "campaign", date(2025, 3, 3), 6, NOW)
    await repo.targets.add("c1", [target("kari@m.no")], NOW)
    assert await repo.targets.respond("c1", "kari@m.no", LATER, NOW, remind_at=NOW + 7 * 86400)
    assert await repo.targets.respond("c1", "kari@m.no", ORDERED, NOW)
    assert not await repo.targets.respond("c1", "kari@m.no", NOT_MINE, NOW)
    assert (await repo.targets.get("c1", "kari@m.no")).response == ORDERED


async def test_an_order_is_created_once_and_decided_once(repo):
    results = await asyncio.gather(*(repo.orders.create(order_for("kari@m.no"), NOW) for _ in range(3)))
    assert sum(created for _, created in results) == 1
    assert len({order.id for order, _ in results}) == 1
    order_id = results[0][0].id
    assert await repo.orders.ordered_serials() == {"PF1A2B3C"}

    assert not await repo.approvals.decide(order_id, APPROVED, "id-siri", "Siri", "", NOW)  # not the approver
    decisions = await asyncio.gather(
        repo.approvals.decide(order_id, APPROVED, "id-lena", "Lena Lie", "", NOW),
        repo.approvals.decide(order_id, REJECTED, "id-lena", "Lena Lie", "nei", NOW),
    )
    assert sorted(decisions) == [False, True]
    decided = await repo.orders.get(order_id)
    assert decided.state in (APPROVED, REJECTED) and decided.state != AWAITING


def order_in(campaign: str, upn: str, devices: list[StoredDevice]) -> NewOrder:
    return replace(order_for(upn), order_key=f"{campaign}:{upn}", campaign_id=campaign, devices=devices)


async def test_one_live_order_per_pc_whatever_campaign_the_card_came_from(repo):
    """Monthly re-runs: last month's card and this month's card for the same PC make one order."""
    other = StoredDevice("MOL-0009", "pf1a2b3c ", "Lenovo ThinkPad T470", date(2018, 2, 14))  # same serial, spelt so
    results = await asyncio.gather(repo.orders.create(order_in("pc-2025-03", "kari@m.no", [DEVICE]), NOW),
                                   repo.orders.create(order_in("pc-2025-04", "kari@m.no", [other]), NOW))
    assert sorted(created for _, created in results) == [False, True]
    assert len({order.id for order, _ in results}) == 1
    assert len(await repo.orders.all()) == 1
    held = await repo.orders.live_for(["PF1A2B3C"])
    assert held is not None and held.id == results[0][0].id

    # declined: the PC is free again, and a later campaign may ask once more
    assert await repo.approvals.decide(held.id, REJECTED, "id-lena", "Lena Lie", "ikke nå", NOW)
    assert await repo.orders.live_for(["PF1A2B3C"]) is None and await repo.orders.ordered_serials() == set()
    again, created = await repo.orders.create(order_in("pc-2025-05", "kari@m.no", [DEVICE]), NOW)
    assert created and again.id != held.id


async def test_reminders_follow_one_schedule_per_person_across_open_campaigns(repo):
    for campaign, day in (("pc-2025-03", 0), ("pc-2025-04", 30)):
        await repo.campaigns.create(campaign, "campaign", date(2025, 3, 3), 6, NOW + day * 86400)
        await repo.targets.add(campaign, [target("kari@m.no")], NOW + day * 86400)
        await repo.targets.claim_delivery(campaign, "kari@m.no", NOW + day * 86400)
        await repo.targets.mark_sent(campaign, "kari@m.no", "id-kari", "a:1", f"card-{campaign}", NOW + day * 86400)

    assert await repo.targets.due_reminders(NOW + 36 * 86400, 7 * 86400.0, 2) == []  # the April card is 6 days old
    [due] = await repo.targets.due_reminders(NOW + 37 * 86400, 7 * 86400.0, 2)  # one reminder, not one per campaign
    assert due.target.campaign_id == "pc-2025-04"  # of the newest card
    assert await repo.targets.claim_reminder(due, NOW + 37 * 86400)
    assert await repo.targets.due_reminders(NOW + 37 * 86400 + 3600, 7 * 86400.0, 2) == []


async def test_escalation_hands_over_once(repo):
    order, _ = await repo.orders.create(order_for("kari@m.no"), NOW)
    moved = await asyncio.gather(*(repo.approvals.set_approver(order.id, "id-frode", "frode@m.no", "Frode", "fallback", NOW,
                                                     escalation=True) for _ in range(3)))
    assert sum(moved) == 1
    assert (await repo.orders.get(order.id)).approver_id == "id-frode"


async def test_due_reminders_and_the_report_query(repo):
    await repo.campaigns.create("c1", "campaign", date(2025, 3, 3), 6, NOW)
    await repo.targets.add("c1", [target("kari@m.no"), target("per@m.no"), target("ola@r.no", "rauma")], NOW)
    for key in ("kari@m.no", "per@m.no", "ola@r.no"):
        await repo.targets.claim_delivery("c1", key, NOW)
        await repo.targets.mark_sent("c1", key, f"id-{key}", "a:1", "bot-1", NOW)
    await repo.targets.respond("c1", "kari@m.no", ORDERED, NOW)
    order, _ = await repo.orders.create(order_for("kari@m.no"), NOW)
    await repo.approvals.decide(order.id, APPROVED, "id-lena", "Lena Lie", "", NOW)

    assert await repo.targets.due_reminders(NOW + 6 * 86400, 7 * 86400.0, 2) == []
    due = await repo.targets.due_reminders(NOW + 7 * 86400, 7 * 86400.0, 2)
    assert [d.target.user_key for d in due] == ["per@m.no", "ola@r.no"]
    assert await repo.targets.claim_reminder(due[0], NOW + 7 * 86400)
    assert not await repo.targets.claim_reminder(due[0], NOW + 7 * 86400)  # the same reminder twice: once

    stats = {row.municipality: row for row in await repo.campaigns.stats("c1")}
    assert (stats["molde"].targeted, stats["molde"].sent, stats["molde"].ordered, stats["molde"].approved,
            stats["molde"].no_response) == (2, 2, 1, 1, 1)
    assert (stats["rauma"].targeted, stats["rauma"].no_response) == (1, 1)
    assert stats["molde"].extra["reminders"] == 1


async def test_a_lease_is_taken_over_only_from_the_holder_named(repo, tmp_path):
    """``take_over``: a new run takes the campaign from a run known dead, never from a third one."""
    db = repo.campaigns._db
    dead, new, third = (LeaseKeeper(db, owner=name) for name in ("dead", "new", "third"))
    assert await dead.take("pc_campaign:c1")
    assert not await new.take("pc_campaign:c1")
    assert not await third.take_over("pc_campaign:c1", "someone-else")
    assert await new.take_over("pc_campaign:c1", "dead")
    assert await new.holder("pc_campaign:c1") == "new"
    for keeper in (dead, new, third):
        await keeper.close()
