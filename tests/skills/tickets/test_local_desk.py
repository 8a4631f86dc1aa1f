"""The embedded default: the local ticket desk, new tickets posted in Kundeservice's channel, `rakel tickets`."""

from __future__ import annotations

import argparse
import asyncio

from rich.console import Console

from cli.tickets import run as tickets_command
from core.ports import TicketDraft
from tests.harness import KARI, OLA, cards_of, text_of
from tests.skills.tickets.conftest import CHANNEL, draft_for, press, result_card, the_card, wait_until


async def send(bot, user, text: str, **edits) -> dict:
    card = await draft_for(bot, user, text)
    return result_card(await press(bot, user, card, "tickets.send", **edits))


async def channel_posts(bot) -> list[dict]:
    return [bot.connector.replies(thread)[0] for thread in bot.connector.channel_threads(CHANNEL)]


async def test_each_new_ticket_is_posted_once_as_a_card_in_the_kundeservice_channel(bot):
    await send(bot, KARI, "lag en sak: Skriveren i resepsjonen lager striper", phone="912 34 567")

    async def posted() -> bool:
        return len(await channel_posts(bot)) == 1

    await wait_until(posted)
    [post] = await channel_posts(bot)
    card = the_card(post)
    shown = text_of(post)
    assert "Ny sak 1001 fra Rakel" in shown and "**Skriveren i resepsjonen lager striper**" in shown
    assert "Innmelder Kari Nordmann" in shown and "E-post kari.nordmann@molde.kommune.no" in shown
    assert "Kategori Utskrift" in shown and "Telefon 912 34 567" in shown
    assert card["body"][-1]["text"] == "Se alle saker med «rakel tickets»."
    await asyncio.sleep(0.6)  # the announcing job runs again: nothing is posted twice
    assert len(await channel_posts(bot)) == 1


async def test_a_channel_post_teams_refuses_is_posted_later_and_the_ticket_is_not_held_up(bot, caplog):
    card = await draft_for(bot, KARI, "lag en sak: Webkameraet viser svart bilde")
    bot.connector.fail_next(503, 2)  # Teams refuses the next posts (the click's answer needs no post)
    created = result_card(await press(bot, KARI, card, "tickets.send"))
    assert "1001" in str(created)

    async def posted() -> bool:
        return len(await channel_posts(bot)) == 1

    await wait_until(posted, timeout=15)
    assert "Webkameraet viser svart bilde" in text_of((await channel_posts(bot))[0])
    assert "could not post a new ticket in the Kundeservice channel" in caplog.text


async def test_the_local_desk_is_idempotent_and_keeps_requesters_apart(bot):
    desk = bot.runtime.adapters.desk.local
    draft = TicketDraft(subject="Mus", description="Musa er død", category="pc", priority="normal",
                        requester_email="Kari.Nordmann@Molde.Kommune.no", requester_name="Kari Nordmann",
                        idempotency_key="same-key")
    first, second = await asyncio.gather(desk.create_ticket(draft), desk.create_ticket(draft))
    assert first == second and len(await desk.all()) == 1
    assert [t.number for t in await desk.tickets_for("kari.nordmann@molde.kommune.no")] == [first.number]
    assert await desk.tickets_for(OLA.member.email) == []
    await desk.add_note(first.id, "Ringt brukeren")
    assert await desk.notes(first.id) == ["Ringt brukeren"]


async def test_rakel_tickets_lists_shows_and_updates_the_local_desk(bot):
    await send(bot, KARI, "lag en sak: Visma-lønn viser feil timer")
    await send(bot, OLA, "lag en sak: VPN vil ikke koble til")
    settings = bot.runtime.settings


    async def run(action: str | None, **values) -> tuple[int, str]:
        console = Console(record=True, width=200)
        code = await tickets_command(settings, argparse.Namespace(action=action, limit=50, **values), console)
        return code, console.export_text()

    code, listed = await run(None)
    assert code == 0
    assert "1002" in listed and "VPN vil ikke koble til" in listed and "Ola Hansen" in listed
    assert "1001" in listed and "Visma-lønn viser feil timer" in listed and "remote_access" in listed

    code, shown = await run("show", number="1001", files=None)
    assert code == 0 and "Sak 1001: Visma-lønn viser feil timer" in shown and "Status: Ny" in shown

    code, changed = await run("status", number="1001", status="Løst")
    assert code == 0 and "Sak 1001 har nå status «Løst»" in changed
    [reply] = await bot.channel.say(KARI, "mine saker")
    assert "Nylig lukket" in text_of(reply) and "Status Løst" in text_of(reply)

    code, missing = await run("show", number="9999", files=None)
    assert code == 1 and "Fant ingen sak 9999" in missing

    code, outbox = await run("outbox")
    assert code == 0 and "created" in outbox and "kari.nordmann@molde.kommune.no" in outbox
    assert cards_of(reply)
