"""A scripted month of demo conversations with the demo bot, and the monthly report they produce.

The employees of the demo register (demo/inventory.csv) talk to Rakel through her real HTTP endpoint on
Monday 16 November 2026: questions the demo corpus answers and questions it cannot (three topics), thumbs
up and down with comments, tickets, chats with Kundeservice (an agent takes them in the channel), free
feedback, the PC campaign with orders and approvals, and «rapport» from ROR-IKT staff.

    .venv/bin/python demo/conversations.py [--out var/demo-report]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.monthly import write_monthly_report  # noqa: E402
from analytics.render import ReportFiles  # noqa: E402
from bot.local_client import LocalUser  # noqa: E402
from cli.campaign import _planner, _ports  # noqa: E402
from cli.ingest import ensure_demo_index  # noqa: E402
from core.settings import Settings  # noqa: E402
from skills.pc_replacement.campaign import CampaignRunner  # noqa: E402
from skills.pc_replacement.context import PcContext  # noqa: E402
from tests.harness import BotHarness, cards_of, start_harness  # noqa: E402
from tests.skills.handoff.conftest import CHANNEL, LISE, FrozenClock, agent_clicks, handoff_id_of, request_card  # noqa: E402

OSLO = ZoneInfo("Europe/Oslo")
START = datetime(2026, 11, 16, 8, 30, tzinfo=OSLO)  # a Monday: Kundeservice is open
REPORT_TIME = datetime(2026, 12, 3, 9, 0, tzinfo=OSLO)
INVENTORY = Path(__file__).with_name("inventory.csv")
STAFF = LocalUser.create("Siri Brekke", "siri.brekke@ror-ikt.no")
ANSWERED = ["Hvordan bytter jeg passord?", "Hvordan legger jeg til en skriver?", "Hvordan setter jeg opp VPN?",
            "Hvordan får jeg tilgang til en delt postboks?", "Hvordan setter jeg opp MFA på mobilen?"]
GAPS = [  # what the demo corpus has no page about: the content gaps the report should show
    ["Hvordan bestiller jeg ny mobilabonnement til en vikar?", "Hvem betaler mobilabonnementet til vikarer?",
     "Kan vikarer få mobilabonnement fra kommunen?", "Hvordan sier jeg opp mobilabonnement for en vikar?"],
    ["Hvordan booker jeg møterom med videoutstyr i rådhuset?", "Videoutstyret på møterommet virker ikke med Teams",
     "Hvem har ansvar for videoutstyr på møterom?", "Møterommet mangler skjerm til videomøte"],
    ["Hvordan får jeg lønnsslippen på engelsk i Visma?", "Lønnsslippen i Visma viser feil skattetrekk",
     "Hvor finner jeg lønnsslippen for oktober i Visma?", "Visma lønnsslipp vises ikke på mobilen"],
]
COMMENTS = ["Rakel svarte raskt, takk!", "Savner svar om vikarer", "Fint at jeg slipper å ringe",
            "Svarene kunne vært kortere", "Veldig nyttig for nyansatte", "Finner ikke alt om Visma"]


def demo_users() -> list[LocalUser]:
    """The employees in the demo register, one each."""
    with INVENTORY.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    seen: dict[str, LocalUser] = {}
    for row in rows:
        email = row["Bruker"].strip().lower()
        if email and "@" in email and email not in seen:
            seen[email] = LocalUser.create(row["Navn"].strip() or email, email)
    return list(seen.values())


async def _send(bot: BotHarness, user: LocalUser, text: str, expect: int = 1) -> list[dict]:
    return await bot.channel.say(user, text, expect=expect, timeout=20)


async def _ticket_from(bot: BotHarness, user: LocalUser, unsure: dict, question: str) -> None:
    """«Opprett sak» under an answer Rakel was unsure of, then «Send»."""
    result = await bot.channel.click(user, "tickets.start", {"question": question}, reply_to_id=unsure["id"])
    draft = (result.body or {}).get("value") or {}
    send = next((action for action in draft.get("actions", []) if action.get("verb") == "tickets.send"), None)
    if send is not None:
        await bot.channel.click(user, "tickets.send", send["data"])


async def _handoff(bot: BotHarness, clock: FrozenClock, user: LocalUser) -> None:
    """«Snakk med et menneske», Lise in Kundeservice takes it a few minutes later, the user ends the chat."""
    await _send(bot, user, "kan jeg snakke med et menneske")
    thread = bot.connector.channel_threads(CHANNEL)[-1]
    handoff_id = handoff_id_of(request_card(bot, thread))
    clock.advance(minutes=3)
    await agent_clicks(bot, LISE, thread, "handoff.claim", {"handoff_id": handoff_id})
    clock.advance(minutes=6)
    await _send(bot, user, "avslutt")


async def converse(bot: BotHarness, clock: FrozenClock, users: list[LocalUser]) -> None:
    for index, user in enumerate(users):
        clock.advance(minutes=4)
        await _send(bot, user, "hei")
        [answer] = await _send(bot, user, ANSWERED[index % len(ANSWERED)])
        if index % 3 == 0:
            await bot.channel.react(user, "like", answer["id"])
        elif index % 4 == 1:
            await bot.channel.react(user, "dislike", answer["id"], comment="Dette hjalp ikke, ring meg på 91234567")
        question = GAPS[index % len(GAPS)][index // len(GAPS) % len(GAPS[0])]
        replies = await _send(bot, user, question)
        if index % 4 == 0:
            await _ticket_from(bot, user, replies[0], question)
        if index % 6 == 2:
            await _handoff(bot, clock, user)
        if index % 7 == 3:
            await _send(bot, user, "jeg vil gi tilbakemelding")
            await _send(bot, user, COMMENTS[index % len(COMMENTS)])


async def pc_campaign(bot: BotHarness, users: list[LocalUser]) -> None:
    """The PC campaign: every employee with a due PC gets the card; most order, leaders approve."""
    context = PcContext.create(_ports(bot.runtime))
    await CampaignRunner(context, _planner(bot.runtime)).run("pc-2026-11", date(2026, 11, 16))
    for index, user in enumerate(users):
        card = next((card for activity in bot.connector.replies(user.conversation_id) for card in cards_of(activity)
                     if any(action.get("verb") == "pc.order" for action in card.get("actions", []))), None)
        if card is not None and index % 5 != 4:
            order = next(action for action in card["actions"] if action.get("verb") == "pc.order")
            await bot.channel.click(user, "pc.order", order["data"])
    for user in users:
        for activity in bot.connector.replies(user.conversation_id):
            for card in cards_of(activity):
                approve = next((a for a in card.get("actions", []) if a.get("verb") == "pc.approve"), None)
                if approve is not None:
                    await bot.channel.click(user, "pc.approve", approve["data"])


def demo_settings(out: Path, index_path: Path) -> Settings:
    return Settings(_env_file=None, env="development", data_dir=out / "var", index_path=index_path,  # type: ignore[call-arg]
                    kundeservice_conversation_id=CHANNEL, report_staff=[STAFF.member.email],
                    handoff_check_interval_seconds=0.05, tickets_worker_interval_seconds=0.05,
                    pc_campaign_rate_per_second=30, report_dir=out)


async def run_demo(out: Path) -> tuple[ReportFiles, list[dict]]:
    """Play the month and write its report to ``out/2026-11``; returns the files and the «rapport» reply."""
    index_settings = Settings(_env_file=None, env="development", data_dir=out / "index")  # type: ignore[call-arg]
    await ensure_demo_index(index_settings)
    clock = FrozenClock(START)
    bot = await start_harness(demo_settings(out, index_settings.local_index_path), clock=clock)
    try:
        users = demo_users()
        for user in [*users, STAFF, LISE]:
            bot.channel.join(user)
        await converse(bot, clock, users)
        await pc_campaign(bot, users)
        await bot.runtime.adapters.events.flush()
        clock.set(REPORT_TIME)
        card = await _send(bot, STAFF, "rapport", expect=2)
        store = bot.runtime.store
        files = await write_monthly_report(store.analytics, store.pc.campaigns, bot.runtime.settings, 2026, 11,
                                           now=REPORT_TIME, directory=out / "2026-11")
        return files, card
    finally:
        await bot.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("var/demo-report"))
    args = parser.parse_args()
    files, _ = asyncio.run(run_demo(args.out))
    print(f"Rapport: {files.html}")
    for path in [*files.charts, *files.tables]:
        print(f"  {path}")


if __name__ == "__main__":
    main()
