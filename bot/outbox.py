"""The Outbox skills reply through, for one turn."""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext

from bot.activities import activity_from, activity_json, conversation_reference_json
from bot.connector_http import ConnectorHttp
from core.messages import Reply


class TurnOutbox:
    def __init__(self, context: TurnContext, connector: ConnectorHttp) -> None:
        self._context = context
        self._connector = connector

    def _addressed(self, reply: Reply) -> dict[str, Any]:
        """The reply addressed by the turn's conversation reference, as botbuilder's
        apply_conversation_reference does it: from the bot, to the user, in reply to their message."""
        reference = conversation_reference_json(self._context.activity)
        activity = activity_json(reply)
        activity.update({
            "channelId": reference["channelId"],
            "serviceUrl": reference["serviceUrl"],
            "conversation": reference["conversation"],
            "from": reference["bot"],
            "recipient": reference["user"],
            "replyToId": reference["activityId"],
        })
        if "locale" in reference:
            activity["locale"] = reference["locale"]
        return activity

    async def send(self, reply: Reply) -> str:
        incoming = self._context.activity
        client = self._context.turn_state.get(self._context.adapter.BOT_CONNECTOR_CLIENT_KEY)
        activity_id = await self._connector.post_activity(
            incoming.service_url, incoming.conversation.id, self._addressed(reply),
            reply_to_id=incoming.id, credentials=client.config.credentials if client else None,
        )
        self._context.responded = True
        return activity_id

    async def update(self, activity_id: str, reply: Reply) -> None:
        activity = activity_from(reply)
        activity.id = activity_id
        await self._context.update_activity(activity)
