"""Messages Rakel starts itself: to a user's 1:1 chat (stored conversation reference), new threads in
a Teams channel, replies into known threads, and updates of sent cards; all through the one JSON
connector (bot.connector_http) that turn replies use."""

from __future__ import annotations

from typing import Any

from bot.activities import activity_json, addressed
from bot.connector_http import PROACTIVE_RETRIED, ConnectorHttp
from core.messages import Reply
from core.ports import AppInstaller, DeliveryError, PostedMessage, UserNotReachable
from store.references import ReferenceRepository

TEAMS = "msteams"
NOT_INSTALLED = frozenset({403, 404})  # Teams' answer to a 1:1 chat with someone who does not have Rakel


class BotMessenger:
    def __init__(
        self,
        connector: ConnectorHttp,
        references: ReferenceRepository,
        app_id: str,
        channel_service_url: str,
        *,
        tenant_id: str = "",
        installer: AppInstaller | None = None,
    ) -> None:
        self._connector = connector
        self._references = references
        self._bot = {"id": app_id or "rakel"}
        self._channel_service_url = channel_service_url
        self._tenant_id = tenant_id
        self._installer = installer  # installs Rakel for a user through Graph (issue 7), when configured

    def _channel_reference(self, conversation_id: str) -> dict[str, Any]:
        """How Rakel addresses a channel thread she knows only by id (as botbuilder's ConversationReference)."""
        return {"channelId": TEAMS, "serviceUrl": self._channel_service_url,
                "conversation": {"id": conversation_id, "isGroup": True}, "bot": self._bot}

    async def _send(self, reference: dict[str, Any], reply: Reply) -> str:
        return await self._connector.post_activity(
            reference["serviceUrl"], reference["conversation"]["id"], addressed(reply, reference),
            reply_to_id=reference.get("activityId"), retried=PROACTIVE_RETRIED,
        )

    async def send_to_user(self, user_id: str, reply: Reply) -> str:
        stored = await self._references.get(user_id)
        if stored is None or not stored.installed:
            raise UserNotReachable(user_id)
        return await self._send(stored.reference, reply)

    async def send_to_conversation(self, conversation_id: str, reply: Reply) -> str:
        return await self._send(self._channel_reference(conversation_id), reply)

    async def start_thread(self, channel_id: str, reply: Reply) -> PostedMessage:
        created = await self._connector.create_conversation(self._channel_service_url, {
            "isGroup": True, "channelData": {"channel": {"id": channel_id}}, "activity": activity_json(reply),
            "bot": self._bot,
        })
        return PostedMessage(str(created.get("id") or ""), str(created.get("activityId") or ""))

    async def update_message(self, conversation_id: str, activity_id: str, reply: Reply) -> None:
        reference = self._channel_reference(conversation_id)
        await self._connector.update_activity(self._channel_service_url, conversation_id, activity_id,
                                              addressed(reply, reference), retried=PROACTIVE_RETRIED)

    async def open_conversation(self, user_id: str) -> None:
        """Create the 1:1 chat with a user by AAD object id and keep its reference. Teams refuses (403/404)
        when Rakel is not installed for the user: then install it through Graph, when configured, and retry."""
        try:
            await self._create_personal_conversation(user_id)
        except DeliveryError as refused:
            if refused.status not in NOT_INSTALLED:
                raise
            if self._installer is None:
                raise UserNotReachable(user_id) from refused
            await self._installer.install_for(user_id)
            try:
                await self._create_personal_conversation(user_id)
            except DeliveryError as again:
                if again.status in NOT_INSTALLED:
                    raise UserNotReachable(user_id) from again
                raise

    async def _create_personal_conversation(self, user_id: str) -> None:
        member = {"id": user_id, "aadObjectId": user_id}
        parameters: dict[str, Any] = {"isGroup": False, "bot": self._bot, "members": [member]}
        if self._tenant_id:
            parameters.update({"tenantID": self._tenant_id, "channelData": {"tenant": {"id": self._tenant_id}}})
        created = await self._connector.create_conversation(self._channel_service_url, parameters)
        conversation_id = str(created.get("id") or "")
        conversation = {"id": conversation_id, "isGroup": False, "conversationType": "personal"}
        if self._tenant_id:
            conversation["tenantId"] = self._tenant_id
        reference = {"channelId": TEAMS, "serviceUrl": self._channel_service_url, "conversation": conversation,
                     "bot": self._bot, "user": member}
        await self._references.save(user_id, conversation_id, self._channel_service_url, reference)
