"""The tickets skills' test bench: the bot harness on the local desk or the fake Pureservice, a bot that
can be restarted on the same database and connector, a local file server for screenshots, and helpers
that press the card's buttons the way Teams does (validating every card on the way)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from app import Clock, build_runtime, utc_now
from bot.local_client import LocalChannel, LocalUser, PostResult
from bot.local_connector import LocalConnector, start_local_connector
from bot.server import create_app
from core.cards import validate_card
from core.settings import Settings
from tests.conftest import make_settings
from tests.fakes.pureservice import API_KEY, FALLBACK_REQUESTER_EMAIL, FakePureservice
from tests.harness import KARI, OLA, SIRI, BotHarness, _serve, cards_of

CHANNEL = "19:kundeservice@thread.tacv2"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200  # a small "screenshot"
FAST = dict(  # the outbox at test speed
    tickets_send_wait_seconds=1.0,
    tickets_attempt_timeout_seconds=3.0,
    tickets_retry_initial_seconds=0.2,
    tickets_retry_max_seconds=0.5,
    tickets_worker_interval_seconds=0.1,
    tickets_recheck_seconds=0.05,
)


def ticket_settings(tmp_path: Path, **overrides: Any) -> Settings:
    return make_settings(tmp_path, **{**FAST, **overrides})


def pureservice_settings(tmp_path: Path, fake: FakePureservice, **overrides: Any) -> Settings:
    values = dict(
        pureservice_url=fake.url,
        pureservice_api_key=API_KEY,
        pureservice_fallback_requester_email=FALLBACK_REQUESTER_EMAIL,
        pureservice_timeout_seconds=0.5,
        pureservice_requests_per_minute=60_000,
    )
    return ticket_settings(tmp_path, **{**values, **overrides})


@dataclass
class LocalTeams:
    """The Teams side (a local connector): it outlives a bot restart, as Teams does."""

    connector: LocalConnector
    service_url: str
    runner: web.AppRunner

    @classmethod
    async def start(cls) -> LocalTeams:
        connector = LocalConnector()
        runner, service_url = await start_local_connector(connector)
        return cls(connector, service_url, runner)

    async def close(self) -> None:
        await self.runner.cleanup()


async def start_bot(
    settings: Settings, teams: LocalTeams | None = None, *, llm: Any = None, clock: Clock = utc_now,
) -> BotHarness:
    """The bot harness; on ``teams`` when given (``close()`` then stops only the bot, like a restart)."""
    own = teams is None
    teams = teams or await LocalTeams.start()
    settings = settings.model_copy(update={"kundeservice_service_url": teams.service_url})
    runtime = await build_runtime(settings, llm=llm, clock=clock)
    bot_runner, base_url = await _serve(create_app(runtime))
    session = aiohttp.ClientSession()
    channel = LocalChannel(f"{base_url}/api/messages", teams.connector, teams.service_url, session)
    for user in (KARI, OLA, SIRI):
        channel.join(user)
    harness = BotHarness(runtime, teams.connector, channel, base_url)
    harness._cleanup.extend([*([teams.close] if own else []), bot_runner.cleanup, session.close])
    return harness


@pytest.fixture
async def bot(tmp_path: Path, demo_index: Path) -> AsyncIterator[BotHarness]:
    """The bot on the local ticket desk, with a Kundeservice channel and the demo knowledge."""
    harness = await start_bot(ticket_settings(tmp_path, kundeservice_conversation_id=CHANNEL, index_path=demo_index))
    yield harness
    await harness.close()


@pytest.fixture
async def ps_bot(tmp_path: Path, fake_pureservice: FakePureservice) -> AsyncIterator[BotHarness]:
    """The bot on the fake Pureservice, where Kari is a user (Ola is not)."""
    fake_pureservice.add_user("Kari", "Nordmann", KARI.member.email)
    harness = await start_bot(pureservice_settings(tmp_path, fake_pureservice))
    yield harness
    await harness.close()


# --- a local file server for attachments ----------------------------------------------------------
class FileServer:
    def __init__(self) -> None:
        self.base_url = ""
        self.files: dict[str, tuple[bytes, str]] = {}
        self.requests: list[str] = []
        self._runner: web.AppRunner | None = None

    async def start(self) -> FileServer:
        app = web.Application()
        app.router.add_get("/{name}", self._get)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self

    def add(self, name: str, data: bytes, content_type: str = "image/png") -> str:
        self.files[name] = (data, content_type)
        return f"{self.base_url}/{name}"

    async def _get(self, request: web.Request) -> web.Response:
        self.requests.append(request.match_info["name"])
        found = self.files.get(request.match_info["name"])
        if found is None:
            return web.Response(status=404)
        return web.Response(body=found[0], content_type=found[1])

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def file_server() -> AsyncIterator[FileServer]:
    server = await FileServer().start()
    yield server
    await server.close()


# --- pressing buttons ---------------------------------------------------------------------------------
def the_card(activity: dict[str, Any]) -> dict[str, Any]:
    [card] = cards_of(activity)
    validate_card(card)
    return card


def result_card(result: PostResult) -> dict[str, Any]:
    """The card an Action.Execute answered with (validated)."""
    assert result.status == 200, result.body
    assert result.body["type"] == "application/vnd.microsoft.card.adaptive", result.body
    card = result.body["value"]
    validate_card(card)
    return card


def result_message(result: PostResult) -> str:
    assert result.status == 200, result.body
    assert result.body["type"] == "application/vnd.microsoft.activity.message", result.body
    return result.body["value"]


def inputs(card: dict[str, Any]) -> dict[str, Any]:
    """The card's input values, as Teams sends them with Action.Execute."""
    found: dict[str, Any] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input.") and "id" in node:
                found[node["id"]] = node.get("value", "")
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(card.get("body", []))
    return found


def button(card: dict[str, Any], verb: str) -> dict[str, Any] | None:
    return next((action for action in card.get("actions", []) if action.get("verb") == verb), None)


def verbs(card: dict[str, Any]) -> list[str]:
    return [action.get("verb") or action.get("type") for action in card.get("actions", [])]


async def press(
    harness: BotHarness, user: LocalUser, card: dict[str, Any], verb: str, **edits: Any
) -> PostResult:
    """Press a button of ``card`` as Teams does: the action's data plus the card's inputs (with edits)."""
    action = button(card, verb)
    assert action is not None, f"no {verb} button on the card: {verbs(card)}"
    data = dict(action.get("data") or {})
    if action.get("associatedInputs", "auto").lower() != "none":
        data.update(inputs(card))
    data.update(edits)
    return await harness.channel.click(user, verb, data)


async def draft_for(harness: BotHarness, user: LocalUser, text: str, **fields: Any) -> dict[str, Any]:
    """Say ``text`` and return the draft card Rakel answers with."""
    replies = await harness.channel.say(user, text, **fields)
    return the_card(replies[-1])


async def wait_until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)
