"""Pictures and files in a handoff: a screenshot the employee pastes is fetched with the bot's credentials
and shown inline in the thread (never a link the agent cannot open), a large one is shrunk to fit, other
files go into the transcript ticket, and whatever could not be taken is said plainly, both ways."""

from __future__ import annotations

import base64
import io
import random

import pytest
from PIL import Image

from tests.harness import KARI, text_of
from tests.skills.handoff.conftest import (
    PER,
    agent_clicks,
    agent_says,
    filed_tickets,
    handoff_settings,
    start_desk,
    thread_texts,
)
from tests.skills.handoff.test_handoff import claimed

TEAMS_FILE = "application/vnd.microsoft.teams.file.download.info"


def png(width: int = 40, height: int = 30, *, noise: bool = False) -> bytes:
    picture = Image.new("RGB", (width, height), (200, 30, 30))
    if noise:  # a photo-like picture: large as PNG, small as JPEG
        rng = random.Random(7)
        picture.putdata([(100 + x % 50 + rng.randrange(8), 80 + y % 40, 120) for y in range(height) for x in range(width)])
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def pasted(url: str, name: str = "image.png") -> list[dict]:
    """A screenshot pasted into Teams: the image attachment and its text/html sibling."""
    return [{"contentType": "image/png", "contentUrl": url, "name": name},
            {"contentType": "text/html", "content": f'<p><img src="{url}"></p>'}]


def inline_images(activity: dict) -> list[tuple[str, bytes]]:
    found = []
    for attachment in activity.get("attachments") or []:
        url = attachment.get("contentUrl", "")
        if attachment.get("contentType", "").startswith("image/") and url.startswith("data:"):
            found.append((attachment["contentType"], base64.b64decode(url.split(",", 1)[1])))
    return found


@pytest.fixture
async def bot(tmp_path, demo_index, clock):
    harness = await start_desk(handoff_settings(tmp_path, demo_index, tickets_max_attachment_bytes=1_000_000,
                                                handoff_inline_image_max_bytes=20_000), clock)
    yield harness
    await harness.close()


async def test_a_pasted_screenshot_is_shown_inline_in_the_thread_not_as_a_link(bot, file_server):
    thread, _ = await claimed(bot)
    picture = png()
    url = file_server.add("skjerm.png", picture)
    assert await bot.channel.say(KARI, "Skriveren sier feil 0x61", expect=0, attachments=pasted(url)) == []
    await thread_texts(bot, thread, 1)
    relayed = bot.connector.replies(thread)[-1]
    assert relayed["text"] == "**Kari Nordmann:** Skriveren sier feil 0x61"
    assert inline_images(relayed) == [("image/png", picture)]
    assert url not in str(relayed)  # no dead link
    assert file_server.requests == ["skjerm.png"]  # fetched once, when it arrived


async def test_a_picture_over_the_inline_limit_is_shrunk_to_fit(bot, file_server):
    thread, _ = await claimed(bot)
    large = png(1200, 900, noise=True)
    assert len(large) > 20_000
    await bot.channel.say(KARI, "", expect=0, attachments=pasted(file_server.add("stor.png", large)))
    await thread_texts(bot, thread, 1)
    [(content_type, data)] = inline_images(bot.connector.replies(thread)[-1])
    assert content_type == "image/jpeg" and len(data) <= 20_000
    assert Image.open(io.BytesIO(data)).size[0] < 1200


async def test_a_document_goes_into_the_transcript_ticket_and_the_thread_says_so(bot, file_server):
    thread, handoff_id = await claimed(bot)
    url = file_server.add("logg.txt", b"2026-11-20 feil 0x80070005", "text/plain")
    document = {"contentType": TEAMS_FILE, "name": "logg.txt", "content": {"downloadUrl": url, "fileType": "txt"}}
    await bot.channel.say(KARI, "Her er loggen", expect=0, attachments=[document])
    [line] = await thread_texts(bot, thread, 1)
    assert line == "**Kari Nordmann:** Her er loggen\n\n📎 logg.txt (0 KB) legges ved saken i Pureservice når samtalen lagres."
    await bot.channel.say(KARI, "", expect=0, attachments=pasted(file_server.add("skjerm.png", png())))
    await agent_clicks(bot, PER, thread, "handoff.end", {"handoff_id": handoff_id, "resolved": True})
    [ticket] = await filed_tickets(bot)
    files = await bot.runtime.adapters.desk.local.file_data(ticket.id)
    assert [(name, data) for name, _, data in files] == [
        ("001-logg.txt", b"2026-11-20 feil 0x80070005"), ("002-image.png", png())]


async def test_a_file_too_large_or_not_fetched_is_said_plainly_to_both(bot, file_server):
    thread, _ = await claimed(bot)
    huge = file_server.add("film.png", b"\x89PNG" + b"\x00" * 1_100_000)
    replies = await bot.channel.say(KARI, "Se her", expect=2, attachments=[
        *pasted(huge, "film.png"), {"contentType": "image/png", "contentUrl": f"{file_server.base_url}/borte.png",
                                    "name": "borte.png"}])
    told = [text_of(reply) for reply in replies]
    assert "«film.png» er større enn 976 KB" in told[0]
    assert "Jeg fikk ikke hentet «borte.png»" in told[1]
    [line] = await thread_texts(bot, thread, 1)
    assert line == ("**Kari Nordmann:** Se her\n\n"
                    "📎 film.png er større enn 976 KB, så Rakel kunne ikke ta den med. Be om den på annen måte.\n\n"
                    "📎 borte.png kunne ikke hentes fra Teams, så den kom ikke med. Be om å få den på nytt.")


async def test_a_picture_the_agent_pastes_reaches_the_employee_inline(bot, file_server):
    thread, _ = await claimed(bot)
    before = len(bot.connector.replies(KARI.conversation_id))
    picture = png(20, 20)
    await agent_says(bot, PER, thread, "Trykk her:", attachments=pasted(file_server.add("knapp.png", picture)))
    [relayed] = (await bot.connector.wait_for(KARI.conversation_id, before + 1))[before:]
    assert relayed["text"] == "**Per Agent:** Trykk her:"
    assert inline_images(relayed) == [("image/png", picture)]

    await agent_says(bot, PER, thread, "og denne", attachments=pasted(f"{file_server.base_url}/borte.png", "borte.png"))
    notes = await thread_texts(bot, thread, 1)
    assert notes[-1] == "📎 borte.png kunne ikke hentes fra Teams, så Kari Nordmann fikk den ikke. Prøv å sende den på nytt."
    [relayed] = (await bot.connector.wait_for(KARI.conversation_id, before + 2))[before + 1:]
    assert "📎 borte.png kunne ikke hentes, så den kom ikke med." in relayed["text"]
