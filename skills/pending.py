"""A skill whose issue has not landed yet: routing to it works and is tested; it says so honestly.
Replace its line in skills/catalog.py with the real skill when that lands."""

from __future__ import annotations

from core.messages import Reply
from core.texts import Localized
from skills.intents import Intent
from skills.registry import Skill
from skills.turn import Turn

COMING = Localized(
    nb="{feature} kommer snart i Rakel. Inntil videre når du Kundeservice på telefon {phone} "
    "(hverdager 08:00–15:30).",
    nn="{feature} kjem snart i Rakel. Inntil vidare når du Kundeservice på telefon {phone} "
    "(kvardagar 08:00–15:30).",
    en="{feature} is coming soon to Rakel. Until then, call Kundeservice at {phone} (weekdays 08:00–15:30).",
)


class PendingSkill(Skill):
    def __init__(self, name: str, intents: tuple[Intent, ...], feature: Localized) -> None:
        self.name = name  # type: ignore[misc]
        self.intents = intents  # type: ignore[misc]
        self._feature = feature

    async def on_message(self, turn: Turn, intent: Intent) -> None:
        phone = turn.services.settings.kundeservice_phone
        await turn.send(Reply(text=COMING(turn.language, feature=self._feature(turn.language), phone=phone)))
