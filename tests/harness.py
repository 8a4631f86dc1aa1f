"""The bot harness every skill's tests use: the real aiohttp app on loopback, a LocalConnector that
receives the bot's replies, and a LocalChannel that posts Teams-shaped activities."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from app import Clock, Runtime, build_runtime, utc_now
from bot.local_client import LocalChannel, LocalUser
from bot.local_connector import LocalConnector, start_local_connector
from bot.server import create_app
from core.ports import Llm
from core.settings import Settings

KARI = LocalUser.create("Kari Nordmann", "kari.nordmann@molde.kommune.no")
OLA = LocalUser.create("Ola Hansen", "ola.hansen@rauma.kommune.no")
SIRI = LocalUser.create("Siri Brekke", "siri.brekke@ror-ikt.no")


@dataclass
class BotHarness:
    runtime: Runtime
    connector: LocalConnector
    channel: LocalChannel
    endpoint: str
    _cleanup: list[Any] = field(default_factory=list)

    async def close(self) -> None:
        for item in reversed(self._cleanup):
            await item()


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def start_harness(
    settings: Settings, *, llm: Llm | None = None, token: str | None = None, clock: Clock = utc_now,
) -> BotHarness:
    connector = LocalConnector()
    connector_runner, service_url = await start_local_connector(connector)
    # Channel posts (Kundeservice) go to the same local connector as the replies.
    settings = settings.model_copy(update={"kundeservice_service_url": service_url})
    runtime = await build_runtime(settings, llm=llm, clock=clock)
    bot_runner, base_url = await _serve(create_app(runtime))
    session = aiohttp.ClientSession()
    channel = LocalChannel(f"{base_url}/api/messages", connector, service_url, session, token=token)
    for user in (KARI, OLA, SIRI):
        channel.join(user)
    harness = BotHarness(runtime, connector, channel, base_url)
    harness._cleanup.extend([connector_runner.cleanup, bot_runner.cleanup, session.close])
    return harness


def text_of(activity: dict[str, Any]) -> str:
    """Everything a user would read in a reply: its text and the text blocks of its cards."""
    parts = [activity.get("text") or ""]
    for attachment in activity.get("attachments") or []:
        parts.extend(_card_texts(attachment.get("content") or {}))
    return "\n".join(part for part in parts if part)


def _card_texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if node.get("type") == "TextBlock" else []
        found += [f"{fact['title']} {fact['value']}" for fact in node.get("facts", [])]
        found += [action["title"] for action in node.get("actions", []) if isinstance(action, dict) and "title" in action]
        for key in ("body", "items", "columns"):
            for child in node.get(key, []) or []:
                found += _card_texts(child)
        return found
    return []


def cards_of(activity: dict[str, Any]) -> list[dict[str, Any]]:
    return [a["content"] for a in activity.get("attachments") or [] if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]


def suggestions_of(activity: dict[str, Any]) -> list[str]:
    return [action["title"] for action in (activity.get("suggestedActions") or {}).get("actions", [])]


async def wait_until_ok(
    session: aiohttp.ClientSession, url: str, *, running: Callable[[], bool] = lambda: True,
    attempts: int = 600, pause: float = 0.1,
) -> bool:
    """Poll ``url`` until it answers 200 (True); False when ``running()`` turns false or attempts run out.
    For a server started in another process or container (tests and benchmarks)."""
    for _ in range(attempts):
        try:
            async with session.get(url) as response:
                if response.status == 200:
                    return True
        except aiohttp.ClientError:
            pass
        if not running():
            return False
        await asyncio.sleep(pause)
    return False
