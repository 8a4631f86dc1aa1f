"""The handoff skill: "snakk med et menneske" puts the user in Kundeservice's queue in Teams, relays
the chat both ways once an agent takes it, and files the transcript as a ticket at the end."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from core.messages import ActionResult, CardAction, Reply
from skills.handoff.cards import CLAIM, END, RATE, START
from skills.handoff.flow import SKILL, HandoffFlow
from skills.intents import Intent
from skills.registry import Skill
from skills.services import Services
from skills.turn import Turn


class HandoffSkill(Skill):
    name = SKILL
    intents = (Intent.TALK_TO_HUMAN,)
    actions = (START, CLAIM, END, RATE)

    def __init__(self, services: Services) -> None:
        self._flow = HandoffFlow(services)
        self._interval = services.settings.handoff_check_interval_seconds

    async def on_message(self, turn: Turn, intent: Intent) -> None:
        await turn.send(Reply(card=await self._flow.request(turn)))

    async def on_dialog(self, turn: Turn) -> None:
        await self._flow.from_user(turn)

    async def on_cancel(self, turn: Turn) -> None:
        await self._flow.cancel(turn)

    async def on_channel_message(self, turn: Turn) -> bool:
        return await self._flow.from_agent(turn)

    async def on_action(self, turn: Turn, action: CardAction) -> ActionResult:
        data = action.data
        handoff_id = str(data.get("handoff_id") or "")
        if action.verb == START:
            return ActionResult(card=await self._flow.request(turn, str(data.get("question") or "")))
        if action.verb == CLAIM:
            return await self._flow.claim(turn, handoff_id)
        if action.verb == END:
            return await self._flow.end_clicked(turn, handoff_id, data.get("resolved") is not False)
        return await self._flow.rate(turn, handoff_id, _as_int(data.get("rating")), str(data.get("comment") or ""))

    def background_jobs(self) -> dict[str, Callable[[], Awaitable[None]]]:
        return {"upkeep": self._upkeep}

    async def _upkeep(self) -> None:
        while True:
            await self._flow.upkeep()  # survives its own errors step by step
            await asyncio.sleep(self._interval)


def _as_int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0
