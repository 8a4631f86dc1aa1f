"""Proactive messages: ``send_to_user`` through the stored conversation reference."""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationReference

from bot.activities import activity_from
from core.messages import Reply
from core.ports import UserNotReachable
from store.references import ReferenceRepository


class BotMessenger:
    def __init__(self, adapter: CloudAdapter, references: ReferenceRepository, app_id: str) -> None:
        self._adapter = adapter
        self._references = references
        self._app_id = app_id

    async def send_to_user(self, user_id: str, reply: Reply) -> str:
        stored = await self._references.get(user_id)
        if stored is None or not stored.installed:
            raise UserNotReachable(user_id)
        reference = ConversationReference().deserialize(stored.reference)
        sent: list[str] = []

        async def send(context: TurnContext) -> None:
            response = await context.send_activity(activity_from(reply))
            sent.append(response.id if response else "")

        await self._adapter.continue_conversation(reference, send, self._app_id or None)
        return sent[0] if sent else ""
