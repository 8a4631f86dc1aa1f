"""Greeting, help and thanks: the welcome card on install, on "hei" and on "hjelp"; a short
"bare hyggelig" on thanks (never the whole menu)."""

from __future__ import annotations

from core import cards
from core.language import Language
from core.messages import Reply
from skills.help import texts
from skills.intents import load_intents
from skills.registry import Skill
from skills.turn import Turn

THANKS = "thanks"


def welcome(language: Language) -> Reply:
    """The card Teams shows on install and on "hjelp"; its buttons send a suggested question or request."""
    body = [cards.heading(texts.TITLE(language)), cards.paragraph(texts.INTRO(language)),
            cards.paragraph(texts.ABILITIES(language)), cards.paragraph(texts.PROMPT(language), subtle=True)]
    return Reply(card=cards.card(body, [cards.say(text) for text in texts.SUGGESTIONS[language]]))


class HelpSkill(Skill):
    name = "help"
    intents = load_intents(__file__)  # greeting, help, thanks

    async def on_message(self, turn: Turn, intent: str) -> None:
        if intent == THANKS:
            await turn.send(texts.THANKS(turn.language))
            return
        await turn.send(welcome(turn.language))
