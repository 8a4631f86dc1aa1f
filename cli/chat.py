"""`rakel chat`: talk to the same bot in a terminal. The bot runs in-process on loopback with a local
connector, so every message takes the real path (HTTP, botbuilder, skills) that Teams messages take."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

import aiohttp
from aiohttp import web
from rich.console import Console
from rich.markup import escape

from app import build_runtime
from bot.local_client import LocalChannel, LocalUser
from bot.local_connector import LocalConnector, start_local_connector
from bot.server import create_app
from cli.card_text import Button, RenderedCard, render_card
from core.logging_setup import configure_logging
from core.settings import Settings, load_settings

console = Console(highlight=False)
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


class TerminalChat:
    def __init__(self, channel: LocalChannel, user: LocalUser) -> None:
        self.channel = channel
        self.user = user
        self.buttons: list[Button] = []
        self.inputs: dict[str, Any] = {}
        self.last_card: RenderedCard | None = None
        self.rateable: str | None = None  # the last answer that takes thumbs up/down

    def show(self, activities: list[dict[str, Any]]) -> None:
        self.buttons, self.last_card = [], None
        for activity in activities:
            if (activity.get("channelData") or {}).get("feedbackLoopEnabled"):
                self.rateable = activity.get("id")
            if activity.get("text"):
                console.print(f"[bold cyan]Rakel:[/] {escape(activity['text'])}")
            for attachment in activity.get("attachments") or []:
                if attachment.get("contentType") == ADAPTIVE_CARD:
                    self.show_card(attachment["content"], activity.get("id"))
            for entity in activity.get("entities") or []:
                for citation in entity.get("citation") or []:
                    appearance = citation["appearance"]
                    label = f"[{citation['position']}] {appearance['name']} – {appearance['url']}"
                    console.print(f"  [dim]{escape(label)}[/]")
            for action in (activity.get("suggestedActions") or {}).get("actions", []):
                self.buttons.append(Button(action["title"], "say", action["value"]))
        for number, button in enumerate(self.buttons, start=1):
            console.print(f"  [yellow]({number})[/] {escape(button.title)}")
        if self.rateable and any(activity.get("id") == self.rateable for activity in activities):
            console.print("  [dim]Var svaret nyttig? Skriv + eller -[/]")

    async def rate(self, liked: bool) -> None:
        comment = "" if liked else console.input("Kommentar (valgfritt): ").strip()
        before = len(self.channel.connector.replies(self.user.conversation_id))
        await self.channel.react(self.user, "like" if liked else "dislike", self.rateable or "", comment)
        await asyncio.sleep(0.2)
        self.show(self.channel.connector.replies(self.user.conversation_id)[before:])
        console.print("[dim]Takk for tilbakemeldingen![/]")

    def show_card(self, card: dict[str, Any], activity_id: str | None) -> None:
        rendered = render_card(card)
        console.print("[cyan]┌─ kort ─[/]")
        for line in rendered.lines:
            console.print(f"[cyan]│[/] {escape(line)}")
        console.print("[cyan]└────────[/]")
        for button in rendered.buttons:
            if button.kind == "execute":
                verb, data = button.value
                button.value = (verb, data, activity_id)
        self.buttons.extend(rendered.buttons)
        self.last_card = rendered

    async def press(self, button: Button) -> None:
        if button.kind == "url":
            console.print(f"[dim]Åpne: {button.value}[/]")
            return
        if button.kind == "say":
            await self.say(str(button.value))
            return
        verb, data, activity_id = button.value
        data = {**data, **self.ask_inputs()}
        result = await self.channel.click(self.user, verb, data, reply_to_id=activity_id)
        await asyncio.sleep(0.2)  # messages a skill sends beside the invoke response
        body = result.body if isinstance(result.body, dict) else {}
        if body.get("type") == ADAPTIVE_CARD:
            self.show_card(body["value"], activity_id)
            for number, card_button in enumerate(self.buttons, start=1):
                console.print(f"  [yellow]({number})[/] {escape(card_button.title)}")
        elif body.get("value"):
            console.print(f"[bold cyan]Rakel:[/] {escape(str(body['value']))}")

    def ask_inputs(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for card_input in (self.last_card.inputs if self.last_card else []):
            if card_input.choices:
                options = ", ".join(f"{value}={title}" for title, value in card_input.choices)
                console.print(f"[dim]{options}[/]")
            answer = console.input(f"{card_input.label} [{card_input.value}]: ").strip()
            values[card_input.id] = answer or card_input.value
        return values

    async def say(self, text: str) -> None:
        before = len(self.channel.connector.replies(self.user.conversation_id))
        await self.channel.say(self.user, text, expect=1, timeout=30)
        await asyncio.sleep(0.2)  # let a skill's later messages arrive too
        self.show(self.channel.connector.replies(self.user.conversation_id)[before:])

    async def run(self) -> None:
        self.show(await self.channel.install(self.user))
        while True:
            try:
                text = await asyncio.to_thread(console.input, "[bold green]Du:[/] ")
            except EOFError:
                return
            if text.strip() in ("/quit", "/exit"):
                return
            if text.strip().isdigit() and 0 < int(text) <= len(self.buttons):
                await self.press(self.buttons[int(text) - 1])
            elif text.strip() in ("+", "-") and self.rateable:
                await self.rate(text.strip() == "+")
            else:
                await self.say(text)


async def chat(settings: Settings, name: str, email: str) -> None:
    from cli.ingest import ensure_demo_index

    await ensure_demo_index(settings)
    connector = LocalConnector()
    connector_runner, service_url = await start_local_connector(connector)
    runtime = await build_runtime(settings)
    runner = web.AppRunner(create_app(runtime), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    user = LocalUser.create(name, email)
    async with aiohttp.ClientSession() as session:
        channel = LocalChannel(f"http://127.0.0.1:{port}/api/messages", connector, service_url, session)
        channel.join(user)
        console.print(f"[dim]Du er {name} <{email}>. Skriv tallet for å trykke på en knapp, /quit for å avslutte.[/]")
        try:
            await TerminalChat(channel, user).run()
        finally:
            await runner.cleanup()
            await connector_runner.cleanup()


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("chat", help="chat with Rakel in this terminal (no Teams needed)")
    parser.add_argument("--name", default="Kari Nordmann")
    parser.add_argument("--email", default="kari.nordmann@molde.kommune.no", help="decides the municipality")

    def run(args: argparse.Namespace) -> int:
        settings = load_settings()
        configure_logging("WARNING", "console")
        logging.getLogger("bot.edge").setLevel(logging.ERROR)  # the local-mode warning is expected here
        asyncio.run(chat(settings, args.name, args.email))
        return 0

    parser.set_defaults(run=run)
