"""The Bot Framework edge from settings: the adapter (inbound authentication), the JSON reply connector,
the messenger for messages Rakel starts herself, the file fetcher, and - once the skills exist - the
activity handler that turns activities into turns for the dispatcher."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter

from bot.authentication import build_authentication, outbound_credentials
from bot.connector_http import ConnectorHttp
from bot.files import HttpFileFetcher
from bot.handler import RakelBot, answer_turn_error
from bot.identity import IdentityResolver
from bot.metrics import BotMetrics
from bot.proactive import BotMessenger
from core.lifecycle import Lifecycle
from core.ports import AppInstaller
from core.settings import Environment, Settings
from skills.dispatcher import Dispatcher
from store.dialogs import DialogRepository
from store.references import ReferenceRepository
from store.users import UserRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Channel:
    adapter: CloudAdapter
    connector: ConnectorHttp
    messenger: BotMessenger
    files: HttpFileFetcher
    metrics: BotMetrics


def warn_about_local_mode(settings: Settings) -> None:
    if settings.auth_enabled:
        return
    if settings.env is Environment.PRODUCTION:  # Settings already refuses this; belt and braces
        raise RuntimeError("RAKEL_APP_ID must be set when RAKEL_ENV=production")
    log.warning(
        "!!! LOCAL MODE: RAKEL_APP_ID is empty, so Bot Framework authentication is OFF and anyone who can "
        "reach this port can talk to the bot. Never expose this to a network. !!!"
    )


def build_channel(
    settings: Settings, life: Lifecycle, references: ReferenceRepository, *, installer: AppInstaller | None,
) -> Channel:
    warn_about_local_mode(settings)
    adapter = CloudAdapter(build_authentication(settings))
    connector = ConnectorHttp(outbound_credentials(settings))  # every message Rakel sends goes through it
    life.closes(connector.close)
    files = HttpFileFetcher(settings)
    life.closes(files.close)
    messenger = BotMessenger(connector, references, settings.app_id, settings.kundeservice_service_url,
                             tenant_id=settings.teams_tenant_id, installer=installer)
    return Channel(adapter, connector, messenger, files, BotMetrics())


def build_bot(
    settings: Settings, channel: Channel, dispatcher: Dispatcher, *,
    users: UserRepository, references: ReferenceRepository, dialogs: DialogRepository,
) -> RakelBot:
    """The activity handler; the adapter's turn errors are answered in Norwegian and counted."""
    bot = RakelBot(dispatcher, IdentityResolver(users, settings), channel.metrics, channel.connector,
                   references=references, dialogs=dialogs)

    async def on_error(context: TurnContext, error: Exception) -> None:
        await answer_turn_error(context, error, channel.metrics)

    channel.adapter.on_turn_error = on_error
    return bot
