""""Mine saker": the user's own open and recently closed tickets, and never anyone else's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.local_client import LocalUser
from tests.fakes.pureservice import FALLBACK_REQUESTER_EMAIL
from tests.harness import KARI, OLA, cards_of, text_of
from tests.skills.tickets.conftest import draft_for, press, result_card, start_bot, the_card, ticket_settings

NOW = datetime.now(UTC)


@pytest.fixture
def pureservice_tickets(fake_pureservice):
    """Kari's tickets (open, recently solved, solved long ago) and one of Ola's."""
    kari = fake_pureservice.add_user("Kari", "Nordmann", KARI.member.email)
    ola = fake_pureservice.add_user("Ola", "Hansen", OLA.member.email)
    return {
        "open": fake_pureservice.add_ticket("Skriveren er tom for toner", kari, status="Under arbeid",
                                            modified=NOW - timedelta(hours=2)),
        "solved": fake_pureservice.add_ticket("Passordet er byttet", kari, status="Løst",
                                              modified=NOW - timedelta(days=3)),
        "old": fake_pureservice.add_ticket("Gammel sak om mus", kari, status="Lukket",
                                           created=NOW - timedelta(days=200), modified=NOW - timedelta(days=90)),
        "olas": fake_pureservice.add_ticket("Olas hemmelige lønnssak", ola, status="Ny"),
    }


async def test_my_tickets_lists_my_open_and_recently_closed_tickets_with_links(ps_bot, fake_pureservice,
                                                                               pureservice_tickets):
    [reply] = await ps_bot.channel.say(KARI, "mine saker")
    card = the_card(reply)
    shown = text_of(reply)
    open_ticket, solved = pureservice_tickets["open"], pureservice_tickets["solved"]
    assert f"**{open_ticket['requestNumber']}** – Skriveren er tom for toner" in shown
    assert "Status Under arbeid" in shown
    assert f"**{solved['requestNumber']}** – Passordet er byttet" in shown
    assert shown.index("Åpne saker") < shown.index("Skriveren") < shown.index("Nylig lukket") < shown.index("Passordet")
    assert "Gammel sak om mus" not in shown and "Olas" not in shown
    links = [a["url"] for block in card["body"] for item in block.get("items", []) for a in item.get("actions", [])]
    assert f"{fake_pureservice.url}/agent/app#/ticket/{open_ticket['requestNumber']}" in links
    refreshed = result_card(await ps_bot.channel.click(KARI, "tickets.list", card["actions"][0]["data"]))
    assert "Skriveren er tom for toner" in str(refreshed)


async def test_a_number_of_someone_elses_ticket_is_not_found_among_mine(ps_bot, pureservice_tickets):
    olas = pureservice_tickets["olas"]
    [reply] = await ps_bot.channel.say(KARI, f"status på sak {olas['requestNumber']}")
    shown = text_of(reply)
    assert f"Jeg finner ikke sak {olas['requestNumber']} blant sakene dine" in shown
    assert "Olas hemmelige lønnssak" not in str(reply)
    assert "Skriveren er tom for toner" in shown  # her own list instead


async def test_a_number_of_my_own_ticket_shows_that_ticket(ps_bot, pureservice_tickets):
    solved = pureservice_tickets["solved"]
    [reply] = await ps_bot.channel.say(KARI, f"status på saken min #{solved['requestNumber']}")
    shown = text_of(reply)
    assert "Passordet er byttet" in shown and "Skriveren er tom for toner" not in shown


async def test_a_user_without_an_email_address_is_told_clearly(ps_bot):
    anonymous = ps_bot.channel.join(LocalUser.create("Uten Adresse", ""))
    [reply] = await ps_bot.channel.say(anonymous, "mine saker")
    assert "Jeg vet ikke hvilken e-postadresse du har" in text_of(reply)
    assert cards_of(reply) == []


async def test_a_pureservice_outage_gets_a_friendly_message(ps_bot, fake_pureservice, pureservice_tickets):
    fake_pureservice.fail_next(503, 10)
    [reply] = await ps_bot.channel.say(KARI, "mine saker")
    assert "Jeg får ikke kontakt med saksystemet akkurat nå" in text_of(reply)


async def test_queued_tickets_are_listed_as_waiting(ps_bot, fake_pureservice, pureservice_tickets):
    fake_pureservice.fail_next(503, 50, method="POST", path="/ticket/")
    card = await draft_for(ps_bot, KARI, "lag en sak: Kalenderen synkroniserer ikke")
    result_card(await press(ps_bot, KARI, card, "tickets.send"))
    [reply] = await ps_bot.channel.say(KARI, "mine saker")
    shown = text_of(reply)
    assert "Kalenderen synkroniserer ikke" in shown and "Venter på å bli sendt" in shown
    [olas] = await ps_bot.channel.say(OLA, "mine saker")
    assert "Kalenderen" not in text_of(olas)


async def test_on_the_local_desk_my_tickets_follow_their_status(tmp_path):
    bot = await start_bot(ticket_settings(tmp_path))
    try:
        [empty] = await bot.channel.say(KARI, "mine saker")
        assert "Du har ingen åpne eller nylig lukkede saker" in text_of(empty)
        card = await draft_for(bot, KARI, "lag en sak: Headsettet knitrer")
        result_card(await press(bot, KARI, card, "tickets.send"))
        card = await draft_for(bot, OLA, "lag en sak: Olas mobil er knust")
        result_card(await press(bot, OLA, card, "tickets.send"))

        [listed] = await bot.channel.say(KARI, "status på saken min")
        assert "**1001** – Headsettet knitrer" in text_of(listed) and "Status Ny" in text_of(listed)
        assert "Olas mobil" not in text_of(listed)
        assert await bot.runtime.adapters.desk.local.set_status("1001", "Løst")
        [listed] = await bot.channel.say(KARI, "mine saker")
        assert text_of(listed).index("Nylig lukket") < text_of(listed).index("Headsettet knitrer")
        [english] = await bot.channel.say(KARI, "my tickets")
        assert "Your tickets" in text_of(english) and "Recently closed" in text_of(english)
    finally:
        await bot.close()


async def test_a_ticket_filed_under_the_fallback_requester_is_among_mine_and_nobody_elses(ps_bot, fake_pureservice):
    """Ola is not a Pureservice user: his ticket is filed under the fallback requester, and Rakel's own
    record of it puts it in his "mine saker" (with its current status), not in Kari's."""
    card = await draft_for(ps_bot, OLA, "lag en sak: Jeg får ikke logget inn på Visma")
    created = result_card(await press(ps_bot, OLA, card, "tickets.send"))
    [ticket] = fake_pureservice.tickets
    assert ticket["userId"] == fake_pureservice.rows["emailaddress"][
        next(i for i, a in fake_pureservice.rows["emailaddress"].items() if a["email"] == FALLBACK_REQUESTER_EMAIL)
    ]["userId"]
    assert str(ticket["requestNumber"]) in str(created)
    ticket["statusId"] = fake_pureservice.id_of("status", "Under arbeid")

    [reply] = await ps_bot.channel.say(OLA, "mine saker")
    shown = text_of(reply)
    assert f"**{ticket['requestNumber']}** – Jeg får ikke logget inn på Visma" in shown
    assert "Status Under arbeid" in shown
    [karis] = await ps_bot.channel.say(KARI, "mine saker")
    assert "Visma" not in text_of(karis)
