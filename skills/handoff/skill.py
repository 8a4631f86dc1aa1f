"""The handoff skill: "snakk med et menneske" puts the user in Kundeservice's queue in Teams, relays
the chat both ways once an agent takes it, and files the transcript as a ticket at the end."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from core.messages import ActionResult, CardAction, Reply
from skills.handoff.cards import CLAIM, END, KEEP_AS_NOTE, RATE, START, TAKE_OVER, TRANSFER
from skills.handoff.flow import SKILL, HandoffFlow
from skills.intents import load_intents
from skills.registry import Skill, card_action
from skills.turn import Turn


class HandoffSkill(Skill):
    name = SKILL
    intents = load_intents(__file__)

    def __init__(self, flow: HandoffFlow, check_interval_seconds: float) -> None:
        self._flow = flow
        self._interval = check_interval_seconds

    async def on_message(self, turn: Turn, intent: str) -> None:
        await turn.send(Reply(card=await self._flow.request(turn)))

    async def on_dialog(self, turn: Turn) -> None:
        await self._flow.from_user(turn)

    async def on_cancel(self, turn: Turn) -> None:
        await self._flow.cancel(turn)

    async def on_channel_message(self, turn: Turn) -> bool:
        return await self._flow.from_agent(turn)

    @card_action(START)
    async def start(self, turn: Turn, action: CardAction) -> ActionResult:
        return ActionResult(card=await self._flow.request(turn, str(action.data.get("question") or "")))

    @card_action(CLAIM)
    async def claim(self, turn: Turn, action: CardAction) -> ActionResult:
        return await self._flow.claim(turn, _handoff_id(action))

    @card_action(END)
    async def end(self, turn: Turn, action: CardAction) -> ActionResult:
        return await self._flow.end_clicked(turn, _handoff_id(action), action.data.get("resolved") is not False)

    @card_action(TRANSFER)
    async def transfer(self, turn: Turn, action: CardAction) -> ActionResult:
        data = action.data
        return await self._flow.transfer(turn, _handoff_id(action), str(data.get("from") or ""), str(data.get("to") or ""))

    @card_action(TAKE_OVER)
    async def take_over(self, turn: Turn, action: CardAction) -> ActionResult:
        data = action.data
        return await self._flow.take_over(turn, _handoff_id(action), str(data.get("from") or ""),
                                          str(data.get("message_id") or ""), str(data.get("text") or ""))

    @card_action(KEEP_AS_NOTE)
    async def keep_as_note(self, turn: Turn, action: CardAction) -> ActionResult:
        return await self._flow.keep_as_note(turn, _handoff_id(action))

    @card_action(RATE)
    async def rate(self, turn: Turn, action: CardAction) -> ActionResult:
        data = action.data
        return await self._flow.rate(turn, _handoff_id(action), _as_int(data.get("rating")), str(data.get("comment") or ""))

    def background_jobs(self) -> dict[str, Callable[[], Awaitable[None]]]:
        return {"upkeep": self._upkeep}

    async def _upkeep(self) -> None:
        try:
            while True:
                await self._flow.upkeep()  # survives its own errors step by step
                await asyncio.sleep(self._interval)
        finally:  # cancelled at shutdown: the relay's sends under way finish first
            await self._flow.shutdown()


def _handoff_id(action: CardAction) -> str:
    return str(action.data.get("handoff_id") or "")


def _as_int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0
