"""Free feedback about Rakel: store the comment (masked) and thank the user. A message that is itself the
feedback ("svarene dine er for lange", "lenken du sendte virker ikke") is stored at once; only a bare wish to
give feedback ("jeg vil gi tilbakemelding") is asked for the comment."""

import re

from analytics.events import Outcome
from core.pii import MaskedText
from core.texts import Localized
from skills.intents import load_intents
from skills.registry import Skill
from skills.turn import Turn
from store.feedback import FeedbackEntry, FeedbackRepository

ASK = Localized(
    nb="Så fint at du vil gi tilbakemelding! Skriv den her, så tar jeg den med til ROR-IKT. "
    "(Skriv «avbryt» for å la være.)",
    nn="Så fint at du vil gje tilbakemelding! Skriv ho her, så tek eg ho med til ROR-IKT. "
    "(Skriv «avbryt» for å la vere.)",
    en="Great that you want to give feedback! Write it here and I'll pass it on to ROR-IKT. "
    "(Write “avbryt” to skip.)",
)
THANKS = Localized(
    nb="Takk for tilbakemeldingen! Den hjelper oss å gjøre Rakel bedre.",
    nn="Takk for tilbakemeldinga! Ho hjelper oss å gjere Rakel betre.",
    en="Thank you for the feedback! It helps us make Rakel better.",
)
# The words of a bare wish to give feedback, with nothing said yet about Rakel or her answers
_ASKING_WORDS = frozenset(
    "jeg eg æ i vil ville gjerne kan få lyst har ha gi gje give leave send make want would like to have "
    "en ei et eit ein a an noen nokon nån some litt tilbakemelding tilbakemeldinga tilbakemeldingen "
    "tilbakemeldinger feedback klage klag complaint complain forslag forbedringsforslag suggestion ros "
    "kommentar comment på til te om about for førr on of deg dæ you rakel bot boten roboten chatboten "
    "chatbot hei hi d m ll ve forbedring forbedre av".split()
)
_WORD = re.compile(r"\w+")
EMPTY = Localized(
    nb="Jeg fikk ingen tekst. Skriv tilbakemeldingen din, eller «avbryt».",
    nn="Eg fekk ingen tekst. Skriv tilbakemeldinga di, eller «avbryt».",
    en="I got no text. Write your feedback, or “avbryt” to skip.",
)


class FeedbackSkill(Skill):
    name = "feedback"
    intents = load_intents(__file__)

    def __init__(self, feedback: FeedbackRepository) -> None:
        self._feedback = feedback

    async def on_message(self, turn: Turn, intent: str) -> None:
        if says_something(turn.incoming.masked):
            await self._store(turn, MaskedText(turn.incoming.masked.strip()))
            await turn.send(THANKS(turn.language))
            return
        await turn.hold("comment")
        await turn.send(ASK(turn.language))

    async def on_dialog(self, turn: Turn) -> None:
        comment = MaskedText(turn.incoming.masked.strip())
        if not comment:
            await turn.send(EMPTY(turn.language))
            return
        await self._store(turn, comment)
        await turn.release()
        await turn.send(THANKS(turn.language))

    async def _store(self, turn: Turn, comment: MaskedText) -> None:
        await self._feedback.add(
            FeedbackEntry(user_id=turn.user.id, conversation_id=turn.conversation_id, kind="general",
                          comment=comment)
        )
        turn.note(Outcome.COMMENT, comment=comment)


def says_something(text: str) -> bool:
    """Whether the message is the feedback itself, not only a wish to give some."""
    return any(word not in _ASKING_WORDS for word in _WORD.findall(text.lower()))
