"""A real monthly routine: last month's campaign is still open when this month's runs. The order, its
approval and its swap ticket belong to the person and the PC (serial), not to the campaign; an old
card answers with where things stand; reminders follow one schedule per person."""

from __future__ import annotations

from datetime import date

from skills.pc_replacement.cards import VERB_APPROVE, VERB_LATER, VERB_NOT_MINE, VERB_ORDER
from tests.harness import KARI
from tests.skills.pc_replacement.conftest import (
    CAMPAIGN,
    CAMPAIGN_DATE,
    GURO,
    LENA,
    PER,
    line,
    write_register,
)
from tests.skills.pc_replacement.test_approvals import approval_cards, card_text, click
from tests.skills.pc_replacement.test_campaign import campaign_cards

APRIL, APRIL_DATE = "pc-2025-04", date(2025, 4, 3)


def key(user, campaign: str) -> dict:
    return {"campaign": campaign, "user": user.member.email}


async def two_campaigns(world) -> None:
    await world.run()  # March
    world.clock.advance(days=31)
    await world.runner().run(APRIL, APRIL_DATE)


async def test_a_card_from_last_month_answers_with_the_order_made_from_this_months(world):
    await two_campaigns(world)
    assert len(await campaign_cards(world, KARI)) == 2  # March's card, unanswered, and April's

    await click(world, KARI, VERB_ORDER, key(KARI, APRIL))
    [approval] = await approval_cards(world, LENA)
    await click(world, LENA, VERB_APPROVE, {"order": approval["actions"][0]["data"]["order"]})
    stale = await click(world, KARI, VERB_ORDER, key(KARI, CAMPAIGN))  # March's card, pressed in April

    assert "Du har allerede bestilt ny PC 3. april; lederen din har godkjent." in card_text(stale)
    assert "actions" not in stale  # no buttons: nothing more to order
    assert len(await world.repo.orders.all()) == 1
    assert len(await approval_cards(world, LENA)) == 1
    assert len(world.tickets.created) == 1


async def test_pressing_both_months_cards_before_approval_makes_one_order_and_one_approval_card(world):
    await two_campaigns(world)

    await click(world, KARI, VERB_ORDER, key(KARI, CAMPAIGN))
    stale = await click(world, KARI, VERB_LATER, key(KARI, APRIL))  # any button of the other card

    assert "Du har allerede bestilt ny PC 3. april; bestillingen venter på godkjenning fra Lena Lie." in card_text(stale)
    assert len(await world.repo.orders.all()) == 1
    assert len(await approval_cards(world, LENA)) == 1
    march = await world.repo.targets.get(CAMPAIGN, KARI.member.email)
    april = await world.repo.targets.get(APRIL, KARI.member.email)
    assert march.order_id == april.order_id != ""


async def test_april_plans_no_card_for_a_pc_ordered_from_marchs_card(world):
    await world.run()
    await click(world, KARI, VERB_ORDER, key(KARI, CAMPAIGN))
    world.clock.advance(days=31)

    await world.runner().run(APRIL, APRIL_DATE)

    assert await world.repo.targets.get(APRIL, KARI.member.email) is None
    assert await world.repo.targets.get(APRIL, PER.member.email) is not None


async def test_with_two_open_campaigns_a_person_gets_one_reminder_card_a_day(world):
    await two_campaigns(world)
    followups = world.followups()

    world.clock.advance(days=7)  # seven days after April's card (March's is 38 days old)
    first = await followups.run_once()
    again = await followups.run_once()

    assert first.employee_reminders == 4 and again.employee_reminders == 0  # Kari, Per, Ane, Guro: once each
    for person in (KARI, PER, GURO):
        reminders = [card for card in await world.cards_for(person) if card["body"][0]["text"].startswith("Påminnelse")]
        assert len(reminders) == 1
        assert reminders[0]["actions"][0]["data"]["campaign"] == APRIL  # the newest card


async def test_a_person_who_ordered_from_one_campaigns_card_is_not_reminded_by_the_others(world):
    await two_campaigns(world)
    await click(world, KARI, VERB_ORDER, key(KARI, APRIL))
    world.clock.advance(days=40)

    await world.followups().run_once()

    assert not [card for card in await world.cards_for(KARI) if card["body"][0]["text"].startswith("Påminnelse")]


async def test_a_register_correction_that_fails_is_filed_by_the_follow_up(world):
    await world.run()
    world.tickets.fail_next = 1  # the ticket desk (or the outbox) is down when Kari answers

    card = await click(world, KARI, VERB_NOT_MINE, key(KARI, CAMPAIGN))

    assert "Kundeservice retter maskinregisteret." in card_text(card) and world.tickets.created == []
    assert (await world.followups().run_once()).tickets == 1
    [(draft, _)] = world.tickets.created
    assert draft.subject.startswith("Rett maskinregisteret: PF1A2B3C")
    assert (await world.repo.targets.get(CAMPAIGN, KARI.member.email)).ticket_number == "2025001"
    assert (await world.followups().run_once()).tickets == 0


async def test_a_pc_exactly_six_years_old_on_the_campaign_date_is_not_yet_due(world, register_path):
    bought_six_years_ago = line("MOL-0100", "PF0303", "Lenovo ThinkPad T480", f"{CAMPAIGN_DATE:%d.%m}.2019", PER,
                                kommune="Molde kommune", leader=LENA)
    one_day_older = line("MOL-0101", "PF0302", "Lenovo ThinkPad T480", "02.03.2019", KARI,
                         kommune="Molde kommune", leader=LENA)
    write_register(register_path, [bought_six_years_ago, one_day_older])

    await world.run()

    assert [target.user_upn for target in await world.repo.targets.of_campaign(CAMPAIGN)] == [KARI.member.email]
    world.configure(pc_due_rule="at_age")
    await world.runner().run("pc-at-age", CAMPAIGN_DATE)
    assert len(await world.repo.targets.of_campaign("pc-at-age")) == 2
