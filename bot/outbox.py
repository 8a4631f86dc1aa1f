"""The Outbox skills reply through, for one turn."""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.schema import InputHints

from bot.activities import activity_from
from core.messages import Reply


class TurnOutbox:
    def __init__(self, context: TurnContext) -> None:
        self._context = context
        self._reference = TurnContext.get_conversation_reference(context.activity)

    async def send(self, reply: Reply) -> str:
        # Straight to the adapter: TurnContext.send_activity deep-copies every activity first (about
        # 1 ms for a card), to protect callers that reuse activities, which ours never do.
        activity = TurnContext.apply_conversation_reference(activity_from(reply), self._reference)
        activity.input_hint = InputHints.accepting_input
        [response] = await self._context.adapter.send_activities(self._context, [activity])
        self._context.responded = True
        return response.id if response else ""

    async def update(self, activity_id: str, reply: Reply) -> None:
        activity = activity_from(reply)
        activity.id = activity_id
        await self._context.update_activity(activity)
