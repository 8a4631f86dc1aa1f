"""«rapport» in Teams: staff get the key figures on a card and a signed link that opens the report;
others get routed as usual; a changed or old link is refused."""

from __future__ import annotations

from datetime import datetime

import aiohttp
import pytest

from core.cards import validate_card
from skills.report.skill import requested_month
from tests.analytics.handcounted import OSLO, hand_counted_events
from tests.conftest import make_settings
from tests.harness import KARI, SIRI, cards_of, start_harness

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=OSLO)


@pytest.fixture
async def bot(tmp_path):
    harness = await start_harness(make_settings(tmp_path, report_staff=["Siri.Brekke@ror-ikt.no"]), clock=lambda: NOW)
    await harness.runtime.store.analytics.add(hand_counted_events())
    yield harness
    await harness.close()


def link_of(card: dict) -> str:
    [action] = card["actions"]
    assert action["type"] == "Action.OpenUrl"
    return action["url"]


async def test_staff_get_the_key_figures_and_a_link_that_opens_the_report(bot):
    working, answer = await bot.channel.say(SIRI, "rapport", expect=2)
    assert "november 2026" in working["text"]
    [card] = cards_of(answer)
    validate_card(card)
    facts = {fact["title"]: fact["value"] for block in card["body"] if block["type"] == "FactSet"
             for fact in block["facts"]}
    assert facts["Samtaler"] == "19" and facts["Aktive brukere"] == "16"
    assert facts["Løst uten Kundeservice (deflection)"] == "72,7\u00a0%"
    url = link_of(card).replace("http://127.0.0.1:3978", bot.endpoint)
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            assert response.status == 200 and response.content_type == "text/html"
            assert "Rakel – rapport for november 2026" in await response.text()
        async with session.get(url.replace("signature=", "signature=0")) as response:
            assert response.status == 403
        async with session.get(url.replace("rapport.html", "..%2Frakel.db")) as response:
            assert response.status in (403, 404)


async def test_a_named_month_and_a_bad_one(bot):
    _, answer = await bot.channel.say(SIRI, "rapport oktober", expect=2)
    [card] = cards_of(answer)
    assert "oktober 2026" in card["body"][0]["text"]
    assert "færre enn 5 brukere" in card["body"][1]["text"]
    [reply] = await bot.channel.say(SIRI, "rapport blåbær")
    assert "hvilken måned" in reply["text"]


async def test_others_writing_rapport_are_routed_as_usual(bot):
    [reply] = await bot.channel.say(KARI, "rapport")
    assert not any(card.get("actions", [{}])[0].get("type") == "Action.OpenUrl" for card in cards_of(reply))
    assert "Rakel – rapport" not in str(reply)


async def test_an_expired_link_is_refused(bot):
    from analytics.links import ReportLinks

    links = ReportLinks(bot.runtime.settings.analytics_secret, bot.endpoint)
    async with aiohttp.ClientSession() as session:
        async with session.get(links.url("2026-11", "rapport.html", expires=1000)) as response:
            assert response.status == 403


@pytest.mark.parametrize(("argument", "expected"), [
    ("", (2026, 11)), ("2026-09", (2026, 9)), ("november", (2026, 11)), ("desember", (2026, 12)),
    ("januar", (2026, 1)), ("mars 2025", (2025, 3)), ("nå", (2026, 12)), ("2026-13", None), ("ma", None),
])
def test_which_month(argument, expected):
    assert requested_month(argument, NOW) == expected
