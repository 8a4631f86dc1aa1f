"""The Outbox skills reply through, for one turn: replies and card updates addressed by the turn's
conversation reference, through the one JSON connector (bot.connector_http)."""

from __future__ import annotations

from botbuilder.core import TurnContext

from bot.activities import addressed, conversation_reference_json
from bot.connector_http import ConnectorHttp
from core.messages import Reply


class TurnOutbox:
    def __init__(self, context: TurnContext, connector: ConnectorHttp) -> None:
        self._context = context
        self._connector = connector
        self._reference = conversation_reference_json(context.activity)

    async def send(self, reply: Reply) -> str:
        reference = self._reference
        activity_id = await self._connector.post_activity(
            reference["serviceUrl"], reference["conversation"]["id"], addressed(reply, reference),
            reply_to_id=reference["activityId"],
        )
        self._context.responded = True
        return activity_id

    async def update(self, activity_id: str, reply: Reply) -> None:
        reference = self._reference
        await self._connector.update_activity(reference["serviceUrl"], reference["conversation"]["id"], activity_id,
                                              addressed(reply, reference))
