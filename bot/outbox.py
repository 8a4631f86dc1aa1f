"""The Outbox skills reply through, for one turn."""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext

from bot.activities import activity_from, activity_json
from bot.connector_http import ConnectorHttp
from core.messages import Reply


class TurnOutbox:
    def __init__(self, context: TurnContext, connector: ConnectorHttp) -> None:
        self._context = context
        self._connector = connector

    def _addressed(self, reply: Reply) -> dict[str, Any]:
        """The reply addressed as botbuilder's apply_conversation_reference would address it."""
        incoming = self._context.activity
        conversation = incoming.conversation
        activity = activity_json(reply)
        activity.update({
            "channelId": incoming.channel_id,
            "serviceUrl": incoming.service_url,
            "conversation": {key: value for key, value in {
                "id": conversation.id, "conversationType": conversation.conversation_type,
                "tenantId": conversation.tenant_id, "isGroup": conversation.is_group,
            }.items() if value is not None},
            "from": {"id": incoming.recipient.id, "name": incoming.recipient.name},
            "recipient": {"id": incoming.from_property.id, "name": incoming.from_property.name},
            "replyToId": incoming.id,
        })
        if incoming.locale:
            activity["locale"] = incoming.locale
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
