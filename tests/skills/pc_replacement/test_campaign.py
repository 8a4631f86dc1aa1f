"""`campaign run`: one proactive card per employee with a due PC, at a paced rate, resumable after a
crash without duplicates or misses, patient with Teams' 429s and 5xx."""

from __future__ import annotations

import socket
import subprocess

import pytest

from core.ports import DeliveryError
from skills.pc_replacement.campaign import CampaignBusy, CampaignRunner, lease_name
from skills.pc_replacement.cards import VERB_LATER, VERB_NOT_MINE, VERB_ORDER, VERB_REFRESH
from store.leases import LeaseKeeper
from store.pc.models import FAILED, SENDING, SENT
from tests.harness import KARI, OLA, SIRI
from tests.skills.pc_replacement.conftest import CAMPAIGN, CAMPAIGN_DATE, DUE, GURO, LENA, PER, TOR

PC_TITLES = ("Tid for ny PC", "Påminnelse: tid for ny PC")


def pc_cards(cards: list[dict]) -> list[dict]:
    return [card for card in cards if card["body"][0]["text"] in PC_TITLES]


async def campaign_cards(world, user) -> list[dict]:
    return pc_cards(await world.cards_for(user))


async def test_run_sends_one_card_per_employee_with_a_due_pc(world):
    await world.harness.channel.install(KARI)  # Kari opened Rakel before; the others never did

    result = await world.run()

    assert result.outcomes["sent"] == len(DUE) and result.outcomes["failed"] == 0
    for person in DUE:
        [card] = await campaign_cards(world, person)
        assert [action["verb"] for action in card["actions"]] == [VERB_ORDER, VERB_LATER, VERB_NOT_MINE]
        assert [action["title"] for action in card["actions"]] == [
            "Bestill ny PC", "Minn meg på det senere", "Dette er ikke min PC"]
        assert card["refresh"]["action"]["verb"] == VERB_REFRESH
        assert all(action["type"] == "Action.Execute" for action in card["actions"])
    for person in (OLA, SIRI, LENA, TOR):  # PC too new, retired, or the person has left
        assert await campaign_cards(world, person) == []
    # Kari's card went to the chat she opened; the others' to 1:1 chats Rakel created by AAD object id
    assert len(pc_cards(await world.cards_for(KARI))) == 1
    created = world.harness.connector.conversations_created
    assert sorted(p["members"][0]["id"] for p in created) == sorted(p.member.aad_object_id for p in DUE if p is not KARI)
    tenant = world.settings.app_tenant_id
    assert all(p["isGroup"] is False and p["channelData"]["tenant"]["id"] == tenant == p["tenantID"] for p in created)


async def test_the_card_shows_device_model_and_age(world):
    await world.run()

    [card] = await campaign_cards(world, KARI)
    facts = {fact["title"]: fact["value"] for fact in card["body"][2]["facts"]}
    assert facts == {"Enhet": "MOL-0001", "Modell": "Lenovo ThinkPad T470", "Serienummer": "PF1A2B3C",
                     "Kjøpt": "14.02.2018", "Alder": "7 år"}
    assert "PC-en din er 7 år gammel" in card["body"][1]["text"]
    [guros] = await campaign_cards(world, GURO)  # two due PCs, one card, one order
    assert "Du har 2 PC-er" in guros["body"][1]["text"]
    serials = [{fact["title"]: fact["value"] for fact in block["facts"]}["Serienummer"]
               for block in guros["body"] if block["type"] == "FactSet"]
    assert serials == ["CN6002", "CN6001"]  # oldest first


async def test_a_second_run_sends_nothing_new(world):
    await world.run()
    again = await world.run()

    assert again.to_send == 0 and again.outcomes["sent"] == 0
    for person in DUE:
        assert len(await campaign_cards(world, person)) == 1


class Crash(BaseException):
    """The process dies (not an error the runner could handle)."""


async def test_a_crash_mid_run_and_a_rerun_send_no_duplicates_and_miss_no_one(world, monkeypatch):
    world.configure(pc_campaign_concurrency=1)  # the pacer's waits are recorded, not slept: one at a time
    messenger = world.ports.messenger
    real_send = messenger.send_to_user
    sent: list[str] = []

    async def dying_send(user_id, reply):
        if len(sent) == 2:
            raise Crash()
        activity = await real_send(user_id, reply)
        sent.append(user_id)
        return activity

    monkeypatch.setattr(messenger, "send_to_user", dying_send)
    with pytest.raises(BaseExceptionGroup):
        await world.run()
    targets = await world.repo.targets.of_campaign(CAMPAIGN)
    assert sum(target.delivery == SENT for target in targets) == 2
    assert any(target.delivery == SENDING for target in targets)  # claimed when the process died

    monkeypatch.setattr(messenger, "send_to_user", real_send)
    resumed = await world.run()

    assert resumed.to_send == len(DUE) - 2
    for person in DUE:
        assert len(await campaign_cards(world, person)) == 1, person.member.name
    assert all(target.delivery == SENT for target in await world.repo.targets.of_campaign(CAMPAIGN))


async def test_a_card_teams_took_before_the_crash_is_sent_again_rather_than_missed(world):
    """At least once: a target left "sending" by a dead run is re-sent (the card is harmless twice)."""
    await world.repo.campaigns.create(CAMPAIGN, "campaign", CAMPAIGN_DATE, 6, world.clock().timestamp())
    await world.run()
    kari = await world.repo.targets.get(CAMPAIGN, KARI.member.email)
    await world.harness.runtime.store.db.execute(
        "UPDATE pc_targets SET delivery = ? WHERE campaign_id = ? AND user_key = ?", SENDING, CAMPAIGN, kari.user_key)

    resumed = await world.run()

    assert resumed.uncertain == 1 and resumed.outcomes["sent"] == 1
    assert len(await campaign_cards(world, KARI)) == 2


async def test_a_card_the_employee_already_used_is_not_sent_again_after_a_crash(world):
    await world.run()
    kari = await world.repo.targets.get(CAMPAIGN, KARI.member.email)
    await world.harness.runtime.store.db.execute(
        "UPDATE pc_targets SET delivery = ? WHERE campaign_id = ? AND user_key = ?", SENDING, CAMPAIGN, kari.user_key)
    await world.harness.channel.click(KARI, VERB_LATER, {"campaign": CAMPAIGN, "user": kari.user_key})

    resumed = await world.run()

    assert resumed.outcomes["sent"] == 0
    assert len(await campaign_cards(world, KARI)) == 1


def other_run(world, owner: str) -> LeaseKeeper:
    """Another campaign run's leases (same database, same lease time)."""
    return LeaseKeeper(world.harness.runtime.store.db, owner=owner, clock=world.lease_time)


def dead_pid() -> int:
    """The pid of a process on this machine that has exited (and been reaped)."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


async def test_a_resume_right_after_a_crash_on_this_machine_takes_over_at_once(world):
    crashed = other_run(world, f"{socket.gethostname()}:{dead_pid()}:abcd")
    assert await crashed.take(lease_name(CAMPAIGN))

    result = await world.run()

    assert result.outcomes["sent"] == len(DUE)
    assert world.lease_time.waited == 0.0  # not "busy", and no waiting for a heartbeat to age out


async def test_a_resume_after_a_run_vanished_elsewhere_waits_only_until_its_lease_runs_out(world):
    vanished = other_run(world, "other-host:4242:abcd")
    assert await vanished.take(lease_name(CAMPAIGN))  # then the other machine dies: no more heartbeats

    result = await world.run()

    assert result.outcomes["sent"] == len(DUE)
    assert 0 < world.lease_time.waited <= vanished.ttl + vanished.heartbeat


async def test_a_live_run_is_not_joined_and_force_takes_over(world):
    alive = other_run(world, "other-host:4242:abcd")
    assert await alive.take(lease_name(CAMPAIGN))
    tick = world.lease_time.sleep

    async def while_it_renews(seconds: float) -> None:
        await tick(seconds)
        await alive.renew()  # its heartbeat

    planner = world.runner()._planner
    with pytest.raises(CampaignBusy):
        await CampaignRunner(world.context(), planner, sleep=while_it_renews).run(CAMPAIGN, CAMPAIGN_DATE)
    assert await world.repo.targets.of_campaign(CAMPAIGN) == []  # it sent nothing

    result = await world.runner().run(CAMPAIGN, CAMPAIGN_DATE, force=True)
    assert result.outcomes["sent"] == len(DUE)
    await alive.close()


async def test_429_is_retried_after_retry_after_and_5xx_with_backoff(world):
    await world.harness.channel.install(KARI)
    world.harness.connector.fail_next(429, count=1, retry_after=7)
    world.harness.connector.fail_next(503, count=1)
    world.harness.connector.fail_next(502, count=1)

    result = await world.run()

    assert result.outcomes["sent"] == len(DUE) and result.outcomes["failed"] == 0
    assert max(world.pauses.delays) == 7.0  # Retry-After honoured, by the pacer: every sender waits
    assert len(world.sleeps.delays) == 2 and all(0 < delay <= 30 for delay in world.sleeps.delays)  # 5xx backoff
    for person in DUE:
        assert len(await campaign_cards(world, person)) == 1


async def test_a_message_teams_keeps_refusing_is_failed_reported_and_sent_by_the_next_run(world):
    world.configure(pc_campaign_concurrency=1)
    world.harness.connector.fail_next(503, count=4)  # every attempt for the first request (attempts=4)

    first = await world.run()

    assert first.outcomes["failed"] == 1 and first.outcomes["sent"] == len(DUE) - 1
    [failed] = [target for target in await world.repo.targets.of_campaign(CAMPAIGN) if target.delivery == FAILED]
    assert "503" in failed.last_error
    second = await world.run()
    assert second.outcomes["sent"] == 1
    for person in DUE:
        assert len(await campaign_cards(world, person)) == 1


async def test_an_employee_rakel_cannot_reach_is_failed_not_retried_forever(world):
    world.configure(pc_campaign_concurrency=1)
    world.harness.connector.fail_next(403, count=1)  # Teams: the app is not installed for this user

    result = await world.run()

    assert result.outcomes["failed"] == 1
    [failed] = [target for target in await world.repo.targets.of_campaign(CAMPAIGN) if target.delivery == FAILED]
    assert "ikke installert" in failed.last_error
    assert world.sleeps.delays == []  # not retried: waiting would not help


async def test_rakel_is_installed_through_graph_when_teams_says_it_is_missing(world):
    installed: list[str] = []

    class Installer:
        async def install_for(self, user_id: str) -> None:
            installed.append(user_id)

    world.ports.messenger._installer = Installer()
    world.harness.connector.fail_next(404, count=1)  # the first 1:1 chat cannot be created: not installed

    result = await world.run()

    assert result.outcomes["sent"] == len(DUE)
    assert len(installed) == 1
    for person in DUE:
        assert len(await campaign_cards(world, person)) == 1


async def test_delivery_errors_carry_status_and_retry_after(world):
    await world.harness.channel.install(PER)
    world.harness.connector.fail_next(429, count=1, retry_after=3)
    with pytest.raises(DeliveryError) as refused:
        from core.messages import Reply

        await world.ports.messenger.send_to_user(PER.member.aad_object_id, Reply(text="x"))
    assert (refused.value.status, refused.value.retry_after) == (429, 3.0)


async def test_a_429_storm_longer_than_the_patience_leaves_sends_the_service_delivers_later(world):
    world.configure(pc_campaign_concurrency=1, pc_throttle_patience_seconds=20)
    world.harness.connector.fail_next(429, count=12, retry_after=10)  # 3 per message: 0 s, 10 s, 20 s

    result = await world.run()

    assert result.outcomes["failed"] == len(DUE)
    assert all(pause == 10.0 for pause in world.pauses.delays if pause > 1)  # every sender waited out Retry-After
    [stats] = [row for row in await world.repo.campaigns.stats(CAMPAIGN) if row.municipality == "molde"]
    assert stats.extra["to_retry"] == 3  # Kari, Per, Ane (Guro is in Rauma)
    followups = await world.followups().run_once()
    assert followups.resent == len(DUE)
    assert all(row.extra["to_retry"] == 0 for row in await world.repo.campaigns.stats(CAMPAIGN))
    for person in DUE:
        assert len(await campaign_cards(world, person)) == 1
    assert (await world.followups().run_once()).resent == 0
