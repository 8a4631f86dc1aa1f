"""Messages Rakel starts itself: to a user's 1:1 chat (stored conversation reference), new threads in
a Teams channel, replies into known threads, and updates of sent cards."""

from __future__ import annotations

from typing import Awaitable, Callable

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationParameters, ConversationReference
from msrest.exceptions import HttpOperationError

from bot.activities import activity_from
from core.messages import Reply
from core.ports import AppInstaller, DeliveryError, PostedMessage, UserNotReachable
from core.retry_after import parse_retry_after
from store.references import ReferenceRepository

TEAMS = "msteams"


def _delivery_error(error: Exception) -> DeliveryError:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    retry_after = parse_retry_after(response.headers.get("Retry-After")) if response is not None else None
    return DeliveryError(f"channel refused the message: {error}", status=status, retry_after=retry_after)


class BotMessenger:
    def __init__(
        self,
        adapter: CloudAdapter,
        references: ReferenceRepository,
        app_id: str,
        channel_service_url: str,
        *,
        tenant_id: str = "",
        installer: AppInstaller | None = None,
    ) -> None:
        self._adapter = adapter
        self._references = references
        self._app_id = app_id
        self._channel_service_url = channel_service_url
        self._tenant_id = tenant_id
        self._installer = installer  # installs Rakel for a user through Graph (issue 7), when configured

    async def _in_conversation(self, reference: ConversationReference, work: Callable[[TurnContext], Awaitable[None]]) -> None:
        """Run ``work`` in a proactive turn; its errors reach the caller (not the turn error handler)."""
        failure: list[BaseException] = []

        async def guarded(context: TurnContext) -> None:
            try:
                await work(context)
            except Exception as error:  # noqa: BLE001 - re-raised below, outside botbuilder's pipeline
                failure.append(error)

        await self._adapter.continue_conversation(reference, guarded, self._app_id or None)
        if failure:
            error = failure[0]
            raise _delivery_error(error) if isinstance(error, HttpOperationError) else error

    async def _send(self, reference: ConversationReference, reply: Reply) -> str:
        sent: list[str] = []

        async def send(context: TurnContext) -> None:
            response = await context.send_activity(activity_from(reply))
            sent.append(response.id if response else "")

        await self._in_conversation(reference, send)
        return sent[0] if sent else ""

    def _channel_reference(self, conversation_id: str) -> ConversationReference:
        return ConversationReference(
            channel_id=TEAMS,
            service_url=self._channel_service_url,
            conversation=ConversationAccount(id=conversation_id, is_group=True),
            bot=ChannelAccount(id=self._app_id or "rakel"),
        )

    async def send_to_user(self, user_id: str, reply: Reply) -> str:
        stored = await self._references.get(user_id)
        if stored is None or not stored.installed:
            raise UserNotReachable(user_id)
        return await self._send(ConversationReference().deserialize(stored.reference), reply)

    async def send_to_conversation(self, conversation_id: str, reply: Reply) -> str:
        return await self._send(self._channel_reference(conversation_id), reply)

    async def start_thread(self, channel_id: str, reply: Reply) -> PostedMessage:
        parameters = ConversationParameters(
            is_group=True,
            channel_data={"channel": {"id": channel_id}},
            activity=activity_from(reply),
            bot=ChannelAccount(id=self._app_id or "rakel"),
        )
        created: list[PostedMessage] = []

        async def remember(context: TurnContext) -> None:
            created.append(PostedMessage(context.activity.conversation.id, context.activity.id))

        try:
            await self._adapter.create_conversation(
                self._app_id or None, remember, parameters, TEAMS, self._channel_service_url
            )
        except HttpOperationError as error:
            raise _delivery_error(error) from error
        return created[0]

    async def update_message(self, conversation_id: str, activity_id: str, reply: Reply) -> None:
        async def update(context: TurnContext) -> None:
            activity = activity_from(reply)
            activity.id = activity_id
            await context.update_activity(activity)

        await self._in_conversation(self._channel_reference(conversation_id), update)

    async def open_conversation(self, user_id: str) -> None:
        """Create the 1:1 chat with a user by AAD object id and keep its reference. Teams refuses (403/404)
        when Rakel is not installed for the user: then install it through Graph, when configured, and retry."""
        try:
            await self._create_personal_conversation(user_id)
        except HttpOperationError as error:
            refused = _delivery_error(error)
            if refused.status not in (403, 404):
                raise refused from error
            if self._installer is None:
                raise UserNotReachable(user_id) from error
            await self._installer.install_for(user_id)
            try:
                await self._create_personal_conversation(user_id)
            except HttpOperationError as retry_error:
                refused = _delivery_error(retry_error)
                if refused.status in (403, 404):
                    raise UserNotReachable(user_id) from retry_error
                raise refused from retry_error

    async def _create_personal_conversation(self, user_id: str) -> None:
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=self._app_id or "rakel"),
            members=[ChannelAccount(id=user_id, aad_object_id=user_id)],
            tenant_id=self._tenant_id or None,
            channel_data={"tenant": {"id": self._tenant_id}} if self._tenant_id else None,
        )
        created: list[str] = []

        async def remember(context: TurnContext) -> None:
            created.append(context.activity.conversation.id)

        await self._adapter.create_conversation(
            self._app_id or None, remember, parameters, TEAMS, self._channel_service_url
        )
        reference = ConversationReference(
            channel_id=TEAMS,
            service_url=self._channel_service_url,
            conversation=ConversationAccount(
                id=created[0], is_group=False, conversation_type="personal", tenant_id=self._tenant_id or None
            ),
            bot=ChannelAccount(id=self._app_id or "rakel"),
            user=ChannelAccount(id=user_id, aad_object_id=user_id),
        )
        await self._references.save(user_id, created[0], self._channel_service_url, reference.serialize())
