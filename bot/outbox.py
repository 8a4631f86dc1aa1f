"""The Outbox skills reply through, for a turn (TurnContext) or proactively."""

from __future__ import annotations

from botbuilder.core import TurnContext

from bot.activities import activity_from
from core.messages import Reply


class TurnOutbox:
    def __init__(self, context: TurnContext) -> None:
        self._context = context

    async def send(self, reply: Reply) -> str:
        response = await self._context.send_activity(activity_from(reply))
        return response.id if response else ""

    async def update(self, activity_id: str, reply: Reply) -> None:
        activity = activity_from(reply)
        activity.id = activity_id
        await self._context.update_activity(activity)
