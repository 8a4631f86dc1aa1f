"""A local Bot Connector: the service side of the Bot Framework, on loopback.

The bot sends its replies here (as it would to Teams' serviceUrl), so ``rakel chat``, the tests and the
benchmarks see exactly what Teams would receive. It also answers Teams member look-ups from a
directory of test users, and can inject faults (429 with Retry-After, 5xx) for resilience tests.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Member:
    id: str
    name: str
    aad_object_id: str
    email: str

    def as_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "name": self.name,
            "aadObjectId": self.aad_object_id,
            "email": self.email,
            "userPrincipalName": self.email,
        }


@dataclass
class LocalConnector:
    members: dict[str, Member] = field(default_factory=dict)
    activities: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    updates: list[dict[str, Any]] = field(default_factory=list)
    conversations_created: list[dict[str, Any]] = field(default_factory=list)
    faults: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # served before real answers
    authorizations: list[str] = field(default_factory=list)  # the Authorization header of every post
    delays: list[float] = field(default_factory=list)  # seconds the next posts take (a slow channel)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition | None = None

    def add_member(self, member: Member) -> None:
        self.members[member.id] = member

    def fail_next(self, status: int, count: int = 1, retry_after: float | None = None) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.faults.extend([(status, headers)] * count)

    def delay_next(self, seconds: float, count: int = 1) -> None:
        """The next posts take this long to be answered (they are stored when answered, as Teams would)."""
        self.delays.extend([seconds] * count)

    def replies(self, conversation_id: str) -> list[dict[str, Any]]:
        return list(self.activities[conversation_id])

    async def wait_for(self, conversation_id: str, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until the conversation holds at least ``count`` bot activities; return them all."""
        condition = self._condition()
        async with condition:
            await asyncio.wait_for(
                condition.wait_for(lambda: len(self.activities[conversation_id]) >= count), timeout
            )
        return self.replies(conversation_id)

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def _notify(self) -> None:
        condition = self._condition()
        async with condition:
            condition.notify_all()

    def _fault(self) -> web.Response | None:
        if not self.faults:
            return None
        status, headers = self.faults.pop(0)
        return web.json_response({"error": {"code": "Throttled" if status == 429 else "ServiceError"}},
                                 status=status, headers=headers)

    async def _post_activity(self, request: web.Request) -> web.Response:
        if (fault := self._fault()) is not None:
            return fault
        conversation_id = request.match_info["conversation_id"]
        self.authorizations.append(request.headers.get("Authorization", ""))
        activity = await request.json()
        if self.delays:
            await asyncio.sleep(self.delays.pop(0))
        activity["id"] = activity_id = f"bot-{next(self._ids)}"
        self.activities[conversation_id].append(activity)
        await self._notify()
        return web.json_response({"id": activity_id})

    async def _update_activity(self, request: web.Request) -> web.Response:
        if (fault := self._fault()) is not None:
            return fault
        activity = await request.json()
        activity["id"] = request.match_info["activity_id"]
        self.updates.append(activity)
        stored = self.activities[request.match_info["conversation_id"]]
        for index, existing in enumerate(stored):
            if existing.get("id") == activity["id"]:
                stored[index] = activity
        await self._notify()
        return web.json_response({"id": activity["id"]})

    def channel_threads(self, channel_id: str) -> list[str]:
        """Conversation ids of the threads Rakel started in a channel, oldest first."""
        return [conversation for conversation in self.activities if conversation.startswith(f"{channel_id};messageid=")]

    async def _get_member(self, request: web.Request) -> web.Response:
        member = self.members.get(request.match_info["member_id"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response(member.as_json())

    async def _create_conversation(self, request: web.Request) -> web.Response:
        if (fault := self._fault()) is not None:
            return fault
        parameters = await request.json()
        self.conversations_created.append(parameters)
        channel = ((parameters.get("channelData") or {}).get("channel") or {}).get("id")
        if channel and parameters.get("activity"):
            # A new post in a Teams channel: the thread's conversation id carries the root message id.
            activity_id = f"bot-{next(self._ids)}"
            conversation_id = f"{channel};messageid={activity_id}"
            self.activities[conversation_id].append({**parameters["activity"], "id": activity_id})
            await self._notify()
            return web.json_response({"id": conversation_id, "activityId": activity_id})
        conversation_id = f"a:created-{next(self._ids)}"
        return web.json_response({"id": conversation_id, "activityId": ""})

    def app(self) -> web.Application:
        app = web.Application()
        prefix = "/v3/conversations"
        app.router.add_post(prefix, self._create_conversation)
        app.router.add_post(prefix + "/{conversation_id}/activities", self._post_activity)
        app.router.add_post(prefix + "/{conversation_id}/activities/{reply_to}", self._post_activity)
        app.router.add_put(prefix + "/{conversation_id}/activities/{activity_id}", self._update_activity)
        app.router.add_get(prefix + "/{conversation_id}/members/{member_id}", self._get_member)
        return app


async def start_local_connector(connector: LocalConnector, host: str = "127.0.0.1", port: int = 0) -> tuple[web.AppRunner, str]:
    """Serve the connector; return the runner (for cleanup) and its service URL."""
    runner = web.AppRunner(connector.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://{host}:{bound_port}/"
