"""Free feedback about Rakel: ask for the comment, store it (masked), thank the user."""

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
        await turn.hold("comment")
        await turn.send(ASK(turn.language))

    async def on_dialog(self, turn: Turn) -> None:
        comment = MaskedText(turn.incoming.masked.strip())
        if not comment:
            await turn.send(EMPTY(turn.language))
            return
        await self._feedback.add(
            FeedbackEntry(user_id=turn.user.id, conversation_id=turn.conversation_id, kind="general",
                          comment=comment)
        )
        turn.note(Outcome.COMMENT, comment=comment)
        await turn.release()
        await turn.send(THANKS(turn.language))
