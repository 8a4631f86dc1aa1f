""""Did you mean": when the router is unsure, ask with one button per likely intent instead of guessing.
A click routes the original message to the chosen intent's skill."""

from __future__ import annotations

from typing import Any

from core import cards
from core.language import Language
from core.texts import Localized
from skills.intents import IntentSpec

CHOOSE_VERB = "router.choose"  # handled by the dispatcher itself

QUESTION = Localized(
    nb="Jeg er ikke helt sikker på hva du mener. Hva vil du at jeg skal gjøre?",
    nn="Eg er ikkje heilt sikker på kva du meiner. Kva vil du at eg skal gjere?",
    en="I'm not quite sure what you mean. What would you like me to do?",
)
CHOSEN = Localized(nb="Du valgte: {label}", nn="Du valde: {label}", en="You chose: {label}")


def clarify_card(text: str, options: list[IntentSpec], language: Language) -> dict[str, Any]:
    buttons = [cards.execute(option.label(language), CHOOSE_VERB, {"intent": option.name, "text": text[:2000], "language": language.value})
               for option in options]
    return cards.card([cards.paragraph(QUESTION(language))], buttons)


def chosen_card(option: IntentSpec, language: Language) -> dict[str, Any]:
    return cards.card([cards.paragraph(CHOSEN(language, label=option.label(language)), subtle=True)])
