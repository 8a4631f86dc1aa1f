"""The handoff's test bench: the bot harness with a Kundeservice channel, a frozen clock, the tickets
skill's outbox on the local desk, Kundeservice agents, and helpers to act in the channel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.local_client import BOT_ID, TENANT_ID, LocalUser, PostResult
from connectors.local_desk.repository import LocalTicket
from core.cards import validate_card
from core.ports import TicketDraft, TicketSubmission
from core.settings import Settings
from tests.conftest import make_settings
from tests.harness import BotHarness, cards_of, start_harness
from tests.skills.tickets.conftest import FileServer

CHANNEL = "19:kundeservice@thread.tacv2"
OSLO = ZoneInfo("Europe/Oslo")
PER = LocalUser.create("Per Agent", "per.agent@ror-ikt.no")
LISE = LocalUser.create("Lise Lund", "lise.lund@ror-ikt.no")
MONDAY_MORNING = datetime(2026, 5, 11, 10, 0, tzinfo=OSLO)  # an ordinary Monday, Kundeservice open


class FrozenClock:
    """The clock for tests: time stands still until the test moves it."""

    def __init__(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class DeskDown:
    """A TicketSubmitter (core.ports) whose every submit fails, as when the ticket outbox itself errs."""

    async def submit(self, draft: TicketDraft, *, notify_user_id: str | None = None) -> TicketSubmission:
        raise RuntimeError("desk down")


def handoff_settings(tmp_path: Path, demo_index: Path, **overrides: Any) -> Settings:
    values = {"kundeservice_conversation_id": CHANNEL, "handoff_check_interval_seconds": 0.02,
              "index_path": demo_index, "tickets_worker_interval_seconds": 0.05, **overrides}
    return make_settings(tmp_path, **values)


async def start_desk(settings: Settings, clock: FrozenClock) -> BotHarness:
    """A bot process with the frozen clock and the agents in Teams. Tickets go through the tickets
    skill's outbox to the local desk, as in a deployment without Pureservice."""
    harness = await start_harness(settings, clock=clock)
    for agent in (PER, LISE):
        harness.channel.join(agent)
    return harness


@pytest.fixture
async def file_server() -> AsyncIterator[FileServer]:
    """Where the pictures and files people send in Teams are downloaded from."""
    server = await FileServer().start()
    yield server
    await server.close()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(MONDAY_MORNING)


@pytest.fixture
async def bot(tmp_path: Path, demo_index: Path, clock: FrozenClock) -> AsyncIterator[BotHarness]:
    harness = await start_desk(handoff_settings(tmp_path, demo_index), clock)
    yield harness
    await harness.close()


async def filed_tickets(bot: BotHarness) -> list[LocalTicket]:
    """The tickets on the local desk, oldest first."""
    return sorted(await bot.runtime.adapters.desk.local.all(), key=lambda ticket: int(ticket.number))


async def wait_for_tickets(bot: BotHarness, count: int, timeout: float = 5.0) -> list[LocalTicket]:
    deadline = asyncio.get_running_loop().time() + timeout
    while len(tickets := await filed_tickets(bot)) < count and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.02)
    return tickets


# --- acting as Kundeservice in the channel --------------------------------------------------------
def in_thread(bot: BotHarness, agent: LocalUser, thread_id: str, type_: str, **fields: Any) -> dict[str, Any]:
    activity = bot.channel.activity(agent, type_, **fields)
    activity["conversation"] = {"id": thread_id, "conversationType": "channel", "tenantId": TENANT_ID}
    return activity


async def agent_says(bot: BotHarness, agent: LocalUser, thread_id: str, text: str, **fields: Any) -> PostResult:
    """An agent writes in the thread, @mentioning Rakel as Teams requires without RSC."""
    mention = {"type": "mention", "text": "<at>Rakel</at>", "mentioned": {"id": BOT_ID, "name": "Rakel"}}
    activity = in_thread(bot, agent, thread_id, "message", text=f"<at>Rakel</at> {text}", entities=[mention], **fields)
    result = await bot.channel.post(activity)
    assert result.status == 200, result.body
    return result


async def agent_clicks(bot: BotHarness, agent: LocalUser, thread_id: str, verb: str, data: dict[str, Any]) -> PostResult:
    value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
    root_id = thread_id.split("=")[-1]
    activity = in_thread(bot, agent, thread_id, "invoke", name="adaptiveCard/action", value=value, replyToId=root_id)
    return await bot.channel.post(activity)


def response_card(result: PostResult) -> dict[str, Any]:
    assert result.status == 200 and result.body["type"] == "application/vnd.microsoft.card.adaptive", result.body
    validate_card(result.body["value"])
    return result.body["value"]


# --- reading what happened ----------------------------------------------------------------------
def the_thread(bot: BotHarness) -> str:
    """The handoff's thread: the first in the channel (a filed transcript is announced in a thread of its own)."""
    return bot.connector.channel_threads(CHANNEL)[0]


def request_card(bot: BotHarness, thread_id: str) -> dict[str, Any]:
    """The handoff card in the channel as everyone sees it now (updates applied)."""
    [card] = cards_of(bot.connector.replies(thread_id)[0])
    validate_card(card)
    return card


def buttons(card: dict[str, Any]) -> list[tuple[str, str]]:
    """The card's buttons as (title, verb); the card is validated on the way."""
    validate_card(card)
    return [(action["title"], action.get("verb", "")) for action in card.get("actions", [])]


def handoff_id_of(card: dict[str, Any]) -> str:
    return next(action["data"]["handoff_id"] for action in card["actions"] if "handoff_id" in action.get("data", {}))


async def thread_texts(bot: BotHarness, thread_id: str, count: int, timeout: float = 5.0) -> list[str]:
    """The texts Rakel posted in the thread (not the card), once there are at least ``count``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = [a["text"] for a in bot.connector.replies(thread_id) if a.get("text") and not cards_of(a)]
        if len(found) >= count or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.01)


async def settle(bot: BotHarness, rounds: int = 5) -> None:
    """Let the background job run a few rounds."""
    await asyncio.sleep(bot.runtime.settings.handoff_check_interval_seconds * rounds)
