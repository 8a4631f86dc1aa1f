"""RakelBot: turns Bot Framework activities into Rakel turns and hands them to the dispatcher."""

from __future__ import annotations

import logging
import secrets

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.schema import ChannelAccount

from bot.activities import (
    SHARED_CONVERSATIONS,
    conversation_reference_json,
    incoming_from,
    invoke_card_response,
    invoke_message_response,
)
from bot.connector_http import ConnectorHttp
from bot.identity import IdentityResolver
from bot.metrics import BotMetrics
from bot.outbox import TurnOutbox
from core.messages import ActionResult, Reply, UserProfile
from core.texts import Localized
from skills.dispatcher import Dispatcher
from skills.turn import Turn
from store.dialogs import DialogRepository
from store.references import ReferenceRepository

log = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = Localized(
    nb="Beklager, noe gikk galt hos meg. Prøv igjen om litt, eller skriv «lag en sak». (Referanse: {reference})",
    nn="Orsak, noko gjekk gale hos meg. Prøv igjen om litt, eller skriv «lag ei sak». (Referanse: {reference})",
    en="Sorry, something went wrong on my side. Try again shortly, or write “create a ticket”. (Reference: {reference})",
)
CARD_ACTIONS = ("adaptiveCard/action", "message/submitAction")


def _in_channel(context: TurnContext) -> bool:
    """A Teams channel post or thread reply (conversation id "<channel id>;messageid=<root id>")."""
    conversation = context.activity.conversation
    return conversation is not None and conversation.conversation_type == "channel"


def new_reference() -> str:
    return secrets.token_hex(4)


class RakelBot(ActivityHandler):
    def __init__(
        self, dispatcher: Dispatcher, identity: IdentityResolver, metrics: BotMetrics, connector: ConnectorHttp, *,
        references: ReferenceRepository, dialogs: DialogRepository,
    ) -> None:
        self._dispatcher = dispatcher
        self._references = references
        self._dialogs = dialogs
        self._identity = identity
        self._metrics = metrics
        self._connector = connector

    async def _start_turn(self, context: TurnContext) -> Turn:
        user = await self._identity.resolve(context)
        await self._remember_conversation(context, user)
        return Turn(user=user, incoming=incoming_from(context), dialogs=self._dialogs, outbox=TurnOutbox(context, self._connector))

    async def _remember_conversation(self, context: TurnContext, user: UserProfile) -> None:
        """Keep the 1:1 conversation reference of every user, for proactive messages later."""
        conversation = context.activity.conversation
        if conversation is None or conversation.conversation_type in SHARED_CONVERSATIONS:
            return
        await self._references.save(
            user.id, conversation.id, context.activity.service_url or "", conversation_reference_json(context.activity)
        )

    async def on_message_activity(self, context: TurnContext) -> None:
        turn = await self._start_turn(context)
        if turn.incoming.action is not None:
            result = await self._dispatcher.on_action(turn, turn.incoming.action)
            await self._send_result(turn, result)
            label = f"action:{turn.incoming.action.verb}"
        elif _in_channel(context):
            label = await self._dispatcher.on_channel_message(turn)
        else:
            label = await self._dispatcher.on_message(turn)
        self._metrics.turns.labels(label).inc()

    async def _send_result(self, turn: Turn, result: ActionResult) -> None:
        if result.card is not None:
            await turn.send(Reply(card=result.card))
        if result.message:
            await turn.send(result.message)

    async def on_invoke_activity(self, context: TurnContext) -> InvokeResponse:
        if context.activity.name not in CARD_ACTIONS:
            return await super().on_invoke_activity(context)
        try:
            turn = await self._start_turn(context)
            if turn.incoming.action is None:
                raise ValueError("card action without a value")
            result = await self._dispatcher.on_action(turn, turn.incoming.action)
            self._metrics.turns.labels(f"action:{turn.incoming.action.verb}").inc()
        except Exception:  # noqa: BLE001 - Teams must get a 200 with a message, never "Unable to reach app"
            reference = new_reference()
            log.exception("card action failed", extra={"reference": reference})
            self._metrics.errors.labels("card_action").inc()
            language = incoming_from(context).language
            return InvokeResponse(status=200, body=invoke_message_response(SOMETHING_WENT_WRONG(language, reference=reference)))
        if context.activity.name == "message/submitAction":
            if result.message:
                await turn.send(result.message)
            return InvokeResponse(status=200, body={})
        if result.card is not None:
            return InvokeResponse(status=200, body=invoke_card_response(result.card))
        return InvokeResponse(status=200, body=invoke_message_response(result.message or ""))

    async def on_members_added_activity(self, members_added: list[ChannelAccount], context: TurnContext) -> None:
        bot_id = context.activity.recipient.id if context.activity.recipient else None
        if not any(member.id == bot_id for member in members_added):
            return
        conversation = context.activity.conversation
        if conversation is not None and conversation.conversation_type in SHARED_CONVERSATIONS:
            return
        turn = await self._start_turn(context)
        await self._dispatcher.on_install(turn)
        self._metrics.turns.labels("install").inc()

    async def on_members_removed_activity(self, members_removed: list[ChannelAccount], context: TurnContext) -> None:
        bot_id = context.activity.recipient.id if context.activity.recipient else None
        if any(member.id == bot_id for member in members_removed):
            await self._forget_conversation(context)

    async def on_installation_update_add(self, context: TurnContext) -> None:
        await self._start_turn(context)

    async def on_installation_update_remove(self, context: TurnContext) -> None:
        await self._forget_conversation(context)

    async def _forget_conversation(self, context: TurnContext) -> None:
        account = context.activity.from_property
        user_id = account.aad_object_id or account.id
        await self._references.mark_uninstalled(user_id)
        self._metrics.turns.labels("uninstall").inc()


async def answer_turn_error(context: TurnContext, error: Exception, metrics: BotMetrics) -> None:
    """The adapter's last line: log under a short reference and tell the user in Norwegian."""
    reference = new_reference()
    log.error("turn failed", exc_info=error, extra={"reference": reference})
    metrics.errors.labels("turn").inc()
    try:
        language = incoming_from(context).language
        await context.send_activity(SOMETHING_WENT_WRONG(language, reference=reference))
    except Exception:  # noqa: BLE001 - the channel itself is down; the log has the reference
        log.warning("could not tell the user about the error", extra={"reference": reference})
