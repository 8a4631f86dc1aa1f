"""Order → the leader's approval card → approve (a swap ticket, the employee told) or decline (the
employee gets the comment). Only that leader decides; double clicks and stale cards change nothing;
a missing, departed or silent leader hands over to the municipality's fallback approver."""

from __future__ import annotations

from core.cards import validate_card
from skills.pc_replacement.cards import VERB_APPROVE, VERB_LATER, VERB_NOT_MINE, VERB_ORDER, VERB_REFRESH, VERB_REJECT
from store.pc.models import APPROVED, AWAITING, REJECTED
from tests.harness import KARI, OLA, SIRI, text_of
from tests.skills.pc_replacement.conftest import ANE, CAMPAIGN, FRODE, LENA, PER

APPROVAL_TITLE = "Godkjenning: ny PC til "


def key(user) -> dict:
    return {"campaign": CAMPAIGN, "user": user.member.email}


async def click(world, user, verb, data) -> dict:
    """Press a button; return the card Teams would show in its place (validated)."""
    result = await world.harness.channel.click(user, verb, data)
    assert result.status == 200 and result.body["statusCode"] == 200, result.body
    assert result.body["type"] == "application/vnd.microsoft.card.adaptive", result.body
    validate_card(result.body["value"])
    return result.body["value"]


def card_text(card: dict) -> str:
    return text_of({"attachments": [{"content": card}]})


async def approval_cards(world, user) -> list[dict]:
    return [card for card in await world.cards_for(user) if card["body"][0]["text"].startswith(APPROVAL_TITLE)]


async def texts(world, user) -> list[str]:
    return [activity["text"] for activity in await world.messages(user) if activity.get("text")]


async def order(world, user) -> dict:
    return await click(world, user, VERB_ORDER, key(user))


async def test_order_sends_the_leader_an_approval_card_and_approve_files_a_ticket_and_tells_the_employee(world):
    await world.run()

    ordered = await order(world, KARI)

    assert "Bestilt 03.03.2025. Bestillingen venter på godkjenning fra Lena Lie." in card_text(ordered)
    assert "actions" not in ordered  # the buttons are gone once ordered
    [approval] = await approval_cards(world, LENA)
    text = card_text(approval)
    for expected in ("Kari Nordmann (kari.nordmann@molde.kommune.no)", "Avdeling Servicetorget", "Kommune Molde",
                     "Modell Lenovo ThinkPad T470", "Alder 7 år", "Godkjenn", "Avslå"):
        assert expected in text
    assert [block["id"] for block in approval["body"] if block["type"] == "Input.Text"] == ["comment"]
    order_id = approval["actions"][0]["data"]["order"]

    decided = await click(world, LENA, VERB_APPROVE, {"order": order_id, "comment": "Lykke til med ny PC"})

    assert "Godkjent av Lena Lie 03.03.2025." in card_text(decided) and "actions" not in decided
    [(draft, notify)] = world.tickets.created
    assert draft.subject == "PC-bytte godkjent: Kari Nordmann (PF1A2B3C)"
    assert draft.requester_email == KARI.member.email and draft.category == "pc"
    for expected in ("Lenovo ThinkPad T470", "PF1A2B3C", "MOL-0001", "14.02.2018", "Servicetorget", "Lena Lie",
                     "Lykke til med ny PC"):
        assert expected in draft.description
    assert notify == KARI.member.aad_object_id
    assert any("Lena Lie har godkjent den nye PC-en din. Kundeservice har fått sak 2025001" in text
               for text in await texts(world, KARI))
    refreshed = await click(world, KARI, VERB_REFRESH, {"view": "employee", **key(KARI)})
    assert "Godkjent av Lena Lie 03.03.2025. Kundeservice har fått sak 2025001" in card_text(refreshed)
    assert (await world.repo.orders.get(order_id)).state == APPROVED


async def test_decline_sends_the_employee_the_comment(world):
    await world.run()
    await order(world, KARI)
    [approval] = await approval_cards(world, LENA)

    decided = await click(world, LENA, VERB_REJECT, {"order": approval["actions"][0]["data"]["order"],
                                                     "comment": "Vi venter til budsjettet i juni"})

    assert "Avslått av Lena Lie 03.03.2025." in card_text(decided)
    told = "\n".join(await texts(world, KARI))
    assert "Lena Lie har avslått bestillingen av ny PC." in told
    assert "Kommentar: «Vi venter til budsjettet i juni»" in told
    assert world.tickets.created == []
    refreshed = await click(world, KARI, VERB_REFRESH, {"view": "employee", **key(KARI)})
    assert "Vi venter til budsjettet i juni" in card_text(refreshed)


async def test_only_the_leader_can_decide_anyone_else_is_politely_refused(world):
    await world.run()
    await order(world, KARI)
    [approval] = await approval_cards(world, LENA)
    order_id = approval["actions"][0]["data"]["order"]

    refused = await click(world, SIRI, VERB_APPROVE, {"order": order_id})
    refused_self = await click(world, KARI, VERB_APPROVE, {"order": order_id})

    for card in (refused, refused_self):
        assert "Bare Lena Lie kan godkjenne eller avslå denne bestillingen. Ingenting er endret." in card_text(card)
        assert "actions" not in card
    assert (await world.repo.orders.get(order_id)).state == AWAITING
    assert world.tickets.created == []


async def test_double_clicks_and_stale_cards_show_the_current_state_and_change_nothing(world):
    await world.run()
    await order(world, KARI)
    await order(world, KARI)  # the employee double-clicks "Bestill ny PC"
    [approval] = await approval_cards(world, LENA)  # one order, one approval card
    order_id = approval["actions"][0]["data"]["order"]

    first = await click(world, LENA, VERB_APPROVE, {"order": order_id})
    second = await click(world, LENA, VERB_APPROVE, {"order": order_id})
    stale = await click(world, LENA, VERB_REJECT, {"order": order_id, "comment": "Nei likevel"})

    assert "Godkjent av Lena Lie" in card_text(first)
    for card in (second, stale):
        assert "Godkjent av Lena Lie" in card_text(card)
        assert "allerede behandlet, så ingenting er endret" in card_text(card)
    assert len(world.tickets.created) == 1
    assert sum("har godkjent" in text for text in await texts(world, KARI)) == 1
    assert (await world.repo.orders.get(order_id)).state == APPROVED
    assert len(await world.repo.orders.all(CAMPAIGN)) == 1


async def test_the_employee_buttons_work_only_for_that_employee(world):
    await world.run()

    card = await click(world, OLA, VERB_ORDER, key(KARI))

    assert "knappene virker bare for Kari Nordmann" in card_text(card)
    assert await world.repo.orders.all(CAMPAIGN) == []


async def test_no_leader_in_the_register_goes_to_the_fallback_approver(world):
    await world.run()

    ordered = await order(world, PER)

    assert "venter på godkjenning fra Frode Reserve" in card_text(ordered)
    [approval] = await approval_cards(world, FRODE)
    assert "reservegodkjenner fordi Per Haugen ikke har en aktiv leder" in card_text(approval)
    await click(world, FRODE, VERB_APPROVE, {"order": approval["actions"][0]["data"]["order"]})
    assert [draft.requester_email for draft, _ in world.tickets.created] == [PER.member.email]


async def test_a_leader_who_has_left_is_replaced_by_the_fallback_approver(world):
    await world.run()

    await order(world, ANE)

    [approval] = await approval_cards(world, FRODE)
    assert "Ane Remmem" in card_text(approval)


async def test_a_silent_leader_is_reminded_once_then_the_fallback_approver_is_asked(world):
    await world.run()
    await order(world, KARI)
    [leader_card] = await approval_cards(world, LENA)
    order_id = leader_card["actions"][0]["data"]["order"]
    followups = world.followups()

    world.clock.advance(days=2)
    assert (await followups.run_once()).leader_reminders == 0
    world.clock.advance(days=1, minutes=1)
    assert (await followups.run_once()).leader_reminders == 1
    assert any("Påminnelse: Kari Nordmann venter på at du godkjenner" in text for text in await texts(world, LENA))
    assert (await followups.run_once()).leader_reminders == 0  # one reminder only
    world.clock.advance(days=3, minutes=1)
    result = await followups.run_once()

    assert result.escalations == 1
    [fallback_card] = await approval_cards(world, FRODE)
    assert "lederen ikke har svart på 6 dager" in card_text(fallback_card)
    assert any("sendt videre til Frode Reserve" in card_text(update["attachments"][0]["content"])
               for update in world.harness.connector.updates)  # Lena's card now says who decides
    late = await click(world, LENA, VERB_APPROVE, {"order": order_id})
    assert "Bare Frode Reserve kan godkjenne" in card_text(late)
    await click(world, FRODE, VERB_APPROVE, {"order": order_id})
    assert (await world.repo.orders.get(order_id)).decided_by_name == "Frode Reserve"
    assert len(world.tickets.created) == 1


async def test_a_failing_ticket_desk_keeps_the_approval_and_the_follow_up_files_the_ticket(world):
    await world.run()
    await order(world, KARI)
    [approval] = await approval_cards(world, LENA)
    order_id = approval["actions"][0]["data"]["order"]
    world.tickets.fail_next = 1

    await click(world, LENA, VERB_APPROVE, {"order": order_id})

    assert world.tickets.created == [] and (await world.repo.orders.get(order_id)).state == APPROVED
    assert not any("har godkjent" in text for text in await texts(world, KARI))
    result = await world.followups().run_once()
    assert (result.tickets, result.notices) == (1, 1)
    assert any("sak 2025001" in text for text in await texts(world, KARI))


async def test_an_approval_card_that_could_not_be_delivered_is_sent_by_the_follow_up(world):
    await world.run()
    world.configure(pc_send_attempts=1)
    world.harness.connector.fail_next(503, count=10)  # Teams is down when Kari orders

    ordered = await click(world, KARI, VERB_ORDER, key(KARI))

    assert "venter på godkjenning fra Lena Lie" in card_text(ordered)  # the order is kept
    world.harness.connector.faults.clear()
    assert await approval_cards(world, LENA) == []
    assert (await world.followups().run_once()).approval_cards == 1
    assert len(await approval_cards(world, LENA)) == 1


async def test_not_my_pc_opens_a_register_ticket_once(world):
    await world.run()

    card = await click(world, KARI, VERB_NOT_MINE, key(KARI))
    again = await click(world, KARI, VERB_NOT_MINE, key(KARI))

    assert "Kundeservice retter maskinregisteret (sak 2025001)" in card_text(card)
    assert "Kundeservice retter maskinregisteret (sak 2025001)" in card_text(again)
    [(draft, notify)] = world.tickets.created
    assert draft.subject == "Rett maskinregisteret: PF1A2B3C er ikke PC-en til Kari Nordmann"
    assert "lena.lie@molde.kommune.no" in draft.description and notify == KARI.member.aad_object_id
    assert (await world.followups().run_once()).employee_reminders == 0


async def test_employees_are_reminded_after_seven_days_at_most_twice(world):
    await world.run()
    followups = world.followups()
    await order(world, KARI)  # Kari acts and is never reminded

    world.clock.advance(days=6)
    assert (await followups.run_once()).employee_reminders == 0
    world.clock.advance(days=1, minutes=1)
    assert (await followups.run_once()).employee_reminders == 3  # Per, Ane, Guro
    assert (await followups.run_once()).employee_reminders == 0
    world.clock.advance(days=7, minutes=1)
    assert (await followups.run_once()).employee_reminders == 3
    world.clock.advance(days=7, minutes=1)
    assert (await followups.run_once()).employee_reminders == 0  # at most two
    reminders = [card for card in await world.cards_for(PER) if card["body"][0]["text"] == "Påminnelse: tid for ny PC"]
    assert len(reminders) == 2
    assert [action["title"] for action in reminders[0]["actions"]] == [
        "Bestill ny PC", "Minn meg på det senere", "Dette er ikke min PC"]


async def test_remind_me_later_reminds_after_the_configured_days(world):
    await world.run()
    followups = world.followups()
    world.clock.advance(days=5)

    card = await click(world, KARI, VERB_LATER, key(KARI))

    assert "Jeg minner deg på det om 7 dager" in card_text(card)
    assert [action["verb"] for action in card["actions"]] == [VERB_ORDER, VERB_LATER, VERB_NOT_MINE]
    world.clock.advance(days=6)
    await followups.run_once()
    assert not [c for c in await world.cards_for(KARI) if c["body"][0]["text"].startswith("Påminnelse")]
    world.clock.advance(days=1, minutes=1)
    await followups.run_once()
    assert len([c for c in await world.cards_for(KARI) if c["body"][0]["text"].startswith("Påminnelse")]) == 1
    ordered = await order(world, KARI)  # a reminder's button works like the first card's
    assert "venter på godkjenning" in card_text(ordered)


async def test_an_unknown_order_gets_a_friendly_message(world):
    result = await world.harness.channel.click(LENA, VERB_APPROVE, {"order": "finnes-ikke"})
    assert result.body["value"] == ("Jeg finner ikke denne bestillingen lenger. Skriv «jeg trenger ny PC» for å "
                                    "se status.")
    result = await world.harness.channel.click(KARI, VERB_ORDER, {"campaign": "nope", "user": "x"})
    assert "finner ikke denne bestillingen" in result.body["value"]


async def test_a_declined_order_is_final_for_the_campaign(world):
    await world.run()
    await order(world, KARI)
    [approval] = await approval_cards(world, LENA)
    await click(world, LENA, VERB_REJECT, {"order": approval["actions"][0]["data"]["order"]})

    again = await order(world, KARI)  # a stale card's button

    assert "Avslått av Lena Lie" in card_text(again)
    assert [o.state for o in await world.repo.orders.all(CAMPAIGN)] == [REJECTED]


async def test_the_swap_ticket_goes_through_the_ticket_skills_outbox_to_the_desk(world):
    world.use_real_tickets()
    await world.run()
    await order(world, KARI)
    [approval] = await approval_cards(world, LENA)

    await click(world, LENA, VERB_APPROVE, {"order": approval["actions"][0]["data"]["order"]})

    [ticket] = await world.harness.runtime.adapters.desk.tickets_for(KARI.member.email)
    assert ticket.subject == "PC-bytte godkjent: Kari Nordmann (PF1A2B3C)"
    assert any(f"sak {ticket.number}" in text for text in await texts(world, KARI))
