"""Screenshots and files the user sends go into the ticket; what cannot be attached becomes a link."""

from __future__ import annotations

import argparse

import pytest
from rich.console import Console

from cli.tickets import run as tickets_command
from tests.harness import KARI, text_of
from tests.skills.tickets.conftest import (
    CHANNEL,
    PNG,
    draft_for,
    inputs,
    press,
    result_card,
    start_bot,
    the_card,
    ticket_settings,
)

TEAMS_FILE = "application/vnd.microsoft.teams.file.download.info"


@pytest.fixture
async def bot(tmp_path):
    harness = await start_bot(ticket_settings(tmp_path, kundeservice_conversation_id=CHANNEL,
                                              tickets_max_attachment_bytes=2048, tickets_max_attachments=2))
    yield harness
    await harness.close()


def image(url: str, name: str = "image.png") -> dict:
    return {"contentType": "image/png", "contentUrl": url, "name": name}


async def sent_ticket(bot):
    [ticket] = await bot.runtime.adapters.desk.local.all()
    return ticket, await bot.runtime.adapters.desk.local.file_data(ticket.id)


async def test_a_screenshot_sent_before_lag_en_sak_goes_into_the_ticket(bot, file_server, tmp_path):
    url = file_server.add("skjerm.png", PNG)
    [hint] = await bot.channel.say(KARI, "", attachments=[image(url, "skjerm.png")])
    assert "lag en sak" in text_of(hint)  # Rakel promises to take it along

    [ask] = await bot.channel.say(KARI, "lag en sak")
    assert "jeg tar med 1 vedlegg" in text_of(ask)
    [draft] = await bot.channel.say(KARI, "Dette bildet kommer opp når jeg starter PC-en")
    card = the_card(draft)
    assert "Vedlegg skjerm.png" in text_of(draft)
    result_card(await press(bot, KARI, card, "tickets.send"))

    ticket, files = await sent_ticket(bot)
    assert files == [("skjerm.png", "image/png", PNG)]
    assert ticket.attachment_names == ()  # all() lists without files; get() names them
    assert (await bot.runtime.adapters.desk.local.get(ticket.id)).attachment_names == ("skjerm.png",)
    console = Console(record=True, width=200)  # Kundeservice saves it with `rakel tickets show 1001 --files`
    args = argparse.Namespace(action="show", limit=50, number=ticket.number, files=tmp_path / "ut")
    assert await tickets_command(bot.runtime.settings, args, console) == 0
    assert (tmp_path / "ut" / "skjerm.png").read_bytes() == PNG


async def test_screenshots_sent_while_rakel_asks_are_taken_along(bot, file_server):
    first, second = file_server.add("a.png", PNG), file_server.add("b.png", PNG + b"2")
    await bot.channel.say(KARI, "lag en sak")
    [thanks] = await bot.channel.say(KARI, "", attachments=[image(first), image(second)])
    assert "jeg tar med 2 vedlegg" in text_of(thanks)
    card = await draft_for(bot, KARI, "Se bildene, Outlook henger")
    result_card(await press(bot, KARI, card, "tickets.send"))

    _, files = await sent_ticket(bot)
    assert [(name, data) for name, _, data in files] == [("image.png", PNG), ("image-2.png", PNG + b"2")]


async def test_a_teams_file_is_fetched_from_its_download_url(bot, file_server):
    url = file_server.add("logg.txt", b"2026-11-20 feil 0x80070005", "text/plain")
    teams_file = {"contentType": TEAMS_FILE, "name": "logg.txt", "contentUrl": "https://sharepoint.invalid/logg.txt",
                  "content": {"downloadUrl": url, "uniqueId": "abc", "fileType": "txt"}}
    card = await draft_for(bot, KARI, "lag en sak: Oppdateringen feiler, se loggen", attachments=[teams_file])
    result_card(await press(bot, KARI, card, "tickets.send"))

    _, files = await sent_ticket(bot)
    assert files == [("logg.txt", "text/plain", b"2026-11-20 feil 0x80070005")]
    assert file_server.requests == ["logg.txt"]


async def test_a_file_too_large_or_unreachable_becomes_a_link_and_the_user_is_told(bot, file_server):
    big = file_server.add("video.mp4", b"x" * 5000, "video/mp4")
    gone = f"{file_server.base_url}/borte.png"
    card = await draft_for(bot, KARI, "lag en sak: Skjermen flimrer",
                           attachments=[image(big, "video.mp4"), image(gone, "borte.png")])
    shown = text_of({"attachments": [{"content": card}]})
    assert "«video.mp4» er for stor til å legges ved (over 2 KB). Lenken står i beskrivelsen i stedet." in shown
    assert "Jeg fikk ikke hentet «borte.png». Lenken står i beskrivelsen i stedet." in shown
    description = inputs(card)["description"]
    assert f"- video.mp4: {big}" in description and f"- borte.png: {gone}" in description

    created = result_card(await press(bot, KARI, card, "tickets.send"))
    ticket, files = await sent_ticket(bot)
    assert files == []
    assert big in ticket.description and gone in ticket.description
    assert "er for stor til å legges ved" in str(created)


async def test_more_files_than_the_limit_become_links(bot, file_server):
    urls = [file_server.add(f"{n}.png", PNG) for n in range(3)]
    card = await draft_for(bot, KARI, "lag en sak: Tre feilmeldinger",
                           attachments=[image(url, f"{n}.png") for n, url in enumerate(urls)])
    assert "Jeg legger ved høyst 2 filer; lenken til «2.png» står i beskrivelsen i stedet." in str(card)
    result_card(await press(bot, KARI, card, "tickets.send"))
    _, files = await sent_ticket(bot)
    assert [name for name, _, _ in files] == ["0.png", "1.png"]


async def test_files_from_before_the_last_ticket_are_not_taken_again(bot, file_server):
    url = file_server.add("skjerm.png", PNG)
    card = await draft_for(bot, KARI, "lag en sak: Word krasjer", attachments=[image(url, "skjerm.png")])
    result_card(await press(bot, KARI, card, "tickets.send"))
    second = await draft_for(bot, KARI, "lag en sak: Excel krasjer også")
    assert "Vedlegg" not in text_of({"attachments": [{"content": second}]})
