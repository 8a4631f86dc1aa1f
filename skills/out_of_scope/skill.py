"""Messages that are not about IT at work: say so kindly and point at what Rakel can do."""

from core.messages import Reply
from core.texts import Localized
from skills.intents import load_intents
from skills.registry import Skill
from skills.turn import Turn

NOT_MY_FIELD = Localized(
    nb="Det kan jeg dessverre ikke hjelpe med – jeg er IT-assistenten til ROR-IKT. "
    "Spør meg gjerne om passord, pålogging, e-post, Teams, skrivere, PC eller programmer.",
    nn="Det kan eg dessverre ikkje hjelpe med – eg er IT-assistenten til ROR-IKT. "
    "Spør meg gjerne om passord, pålogging, e-post, Teams, skrivarar, PC eller program.",
    en="Sorry, I can't help with that – I'm ROR-IKT's IT assistant. "
    "Ask me about passwords, login, e-mail, Teams, printers, PCs or software.",
)


class OutOfScopeSkill(Skill):
    name = "out_of_scope"
    intents = load_intents(__file__)

    async def on_message(self, turn: Turn, intent: str) -> None:
        await turn.send(Reply(text=NOT_MY_FIELD(turn.language), suggestions=["Hjelp"]))
