"""What the help skill says: the welcome card, and short replies to greetings and thanks."""

from core.language import Language
from core.texts import Localized

TITLE = Localized(nb="Hei, jeg er Rakel 👋", nn="Hei, eg er Rakel 👋", en="Hi, I'm Rakel 👋")
INTRO = Localized(
    nb="Jeg er IT-assistenten til ROR-IKT. Dette kan jeg hjelpe deg med:",
    nn="Eg er IT-assistenten til ROR-IKT. Dette kan eg hjelpe deg med:",
    en="I'm the IT assistant of ROR-IKT. I can help you with:",
)
ABILITIES = Localized(
    nb="- **Svare på IT-spørsmål** fra Kompetanseportalen og intranettet ditt\n"
    "- **Lage en sak** til Kundeservice\n- **Vise sakene dine** og status på dem\n"
    "- **Sette deg i kontakt med Kundeservice** (hverdager 08:00–15:30)\n- **Bytte PC** når din er over seks år",
    nn="- **Svare på IT-spørsmål** frå Kompetanseportalen og intranettet ditt\n"
    "- **Lage ei sak** til Kundeservice\n- **Vise sakene dine** og status på dei\n"
    "- **Setje deg i kontakt med Kundeservice** (kvardagar 08:00–15:30)\n- **Byte PC** når din er over seks år",
    en="- **Answer IT questions** from Kompetanseportalen and your intranet\n"
    "- **Create a ticket** for Kundeservice\n- **Show your tickets** and their status\n"
    "- **Connect you with Kundeservice** (weekdays 08:00–15:30)\n- **Replace your PC** when it is over six years old",
)
PROMPT = Localized(
    nb="Skriv spørsmålet ditt med egne ord, eller velg et forslag.",
    nn="Skriv spørsmålet ditt med eigne ord, eller vel eit forslag.",
    en="Write your question in your own words, or pick a suggestion.",
)
SUGGESTIONS = {
    Language.BOKMAAL: ["Hvordan bytter jeg passord?", "Lag en sak", "Mine saker", "Snakk med et menneske"],
    Language.NYNORSK: ["Korleis byter eg passord?", "Lag ei sak", "Sakene mine", "Snakk med eit menneske"],
    Language.ENGLISH: ["How do I change my password?", "Create a ticket", "My tickets", "Talk to a human"],
}
THANKS = Localized(
    nb="Bare hyggelig! Si fra hvis det er noe mer.",
    nn="Berre hyggeleg! Sei frå om det er noko meir.",
    en="You're welcome! Let me know if there is anything else.",
)
