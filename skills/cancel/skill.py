"""Cancel ("avbryt", "nei vent, glem det", "stopp, ikke send den"). Inside a dialog the dispatcher ends
it (the skill holding it hears ``on_cancel``); outside one there is nothing to cancel."""

from __future__ import annotations

from skills.cancel import texts
from skills.intents import load_intents
from skills.registry import Skill
from skills.turn import Turn

CANCEL = "cancel"


class CancelSkill(Skill):
    name = "cancel"
    intents = load_intents(__file__)

    async def on_message(self, turn: Turn, intent: str) -> None:
        await turn.send(texts.NOTHING_TO_CANCEL(turn.language))
