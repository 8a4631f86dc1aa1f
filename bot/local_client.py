"""A Teams-like client for local use: posts real Bot Framework activities to a bot endpoint and reads
the bot's replies from a LocalConnector. Used by `rakel chat`, the tests and the benchmarks."""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp

from bot.local_connector import LocalConnector, Member

BOT_ID = "28:rakel-local"
TENANT_ID = "00000000-0000-0000-0000-00000000ab01"


@dataclass(frozen=True)
class LocalUser:
    member: Member
    conversation_id: str

    @classmethod
    def create(cls, name: str, email: str) -> LocalUser:
        aad = str(uuid.uuid5(uuid.NAMESPACE_URL, email))
        member = Member(id=f"29:{aad}", name=name, aad_object_id=aad, email=email)
        return cls(member, f"a:personal-{aad}")


@dataclass
class PostResult:
    status: int
    body: Any


class LocalChannel:
    def __init__(
        self,
        endpoint: str,
        connector: LocalConnector,
        service_url: str,
        session: aiohttp.ClientSession,
        *,
        token: str | None = None,
        channel_id: str = "msteams",
    ) -> None:
        self.endpoint = endpoint
        self.connector = connector
        self.service_url = service_url
        self.session = session
        self.token = token
        self.channel_id = channel_id
        self._ids = itertools.count(1)

    def join(self, user: LocalUser) -> LocalUser:
        self.connector.add_member(user.member)
        return user

    def activity(self, user: LocalUser, type_: str, **fields: Any) -> dict[str, Any]:
        return {
            "type": type_,
            "id": f"user-{next(self._ids)}",
            "timestamp": datetime.now(UTC).isoformat(),
            "serviceUrl": self.service_url,
            "channelId": self.channel_id,
            "from": {"id": user.member.id, "name": user.member.name, "aadObjectId": user.member.aad_object_id},
            "recipient": {"id": BOT_ID, "name": "Rakel"},
            "conversation": {"id": user.conversation_id, "conversationType": "personal", "tenantId": TENANT_ID},
            "channelData": {"tenant": {"id": TENANT_ID}},
            "locale": "nb-NO",
            **fields,
        }

    async def post(self, activity: dict[str, Any]) -> PostResult:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self.session.post(self.endpoint, json=activity, headers=headers) as response:
            text = await response.text()
            body: Any = text
            if response.content_type == "application/json" and text:
                body = await response.json()
            return PostResult(response.status, body)

    async def _exchange(self, user: LocalUser, activity: dict[str, Any], expect: int, timeout: float) -> list[dict[str, Any]]:
        before = len(self.connector.replies(user.conversation_id))
        result = await self.post(activity)
        if result.status >= 300:
            raise AssertionError(f"bot answered HTTP {result.status}: {result.body}")
        replies = await self.connector.wait_for(user.conversation_id, before + expect, timeout)
        return replies[before:]

    async def say(self, user: LocalUser, text: str, *, expect: int = 1, timeout: float = 5.0, **fields: Any) -> list[dict[str, Any]]:
        """Send a message and return the bot's new replies (at least ``expect`` of them)."""
        return await self._exchange(user, self.activity(user, "message", text=text, **fields), expect, timeout)

    async def install(self, user: LocalUser, *, expect: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        activity = self.activity(
            user, "conversationUpdate", membersAdded=[{"id": BOT_ID}, {"id": user.member.id}]
        )
        return await self._exchange(user, activity, expect, timeout)

    async def uninstall(self, user: LocalUser) -> PostResult:
        return await self.post(self.activity(user, "installationUpdate", action="remove"))

    async def click(self, user: LocalUser, verb: str, data: dict[str, Any] | None = None, *, reply_to_id: str | None = None) -> PostResult:
        """Press an Action.Execute button: an adaptiveCard/action invoke; returns the invoke response."""
        value = {"action": {"type": "Action.Execute", "verb": verb, "data": data or {}}, "trigger": "manual"}
        fields: dict[str, Any] = {"name": "adaptiveCard/action", "value": value}
        if reply_to_id:
            fields["replyToId"] = reply_to_id
        return await self.post(self.activity(user, "invoke", **fields))

    async def react(self, user: LocalUser, reaction: str, reply_to_id: str, comment: str = "") -> PostResult:
        """Teams' thumbs up/down on a message (a message/submitAction invoke)."""
        feedback = json.dumps({"feedbackText": comment})
        value = {"actionName": "feedback", "actionValue": {"reaction": reaction, "feedback": feedback}}
        return await self.post(self.activity(user, "invoke", name="message/submitAction", value=value, replyToId=reply_to_id))
