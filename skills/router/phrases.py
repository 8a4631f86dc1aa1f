"""Trigger phrases per intent, in bokmål, nynorsk and English. A phrase matches when every one of
its content words occurs in the message (after stemming, allowing typos); the longest match wins."""

from skills.intents import Intent

PHRASES: dict[Intent, tuple[str, ...]] = {
    Intent.TALK_TO_HUMAN: (
        "snakke med menneske", "snakke med person", "snakke med noen", "snakke med nokon",
        "prate med menneske", "prate med noen", "chatte med menneske", "ekte menneske", "ekte person",
        "snakke med kundeservice", "snakke med saksbehandler", "menneske", "talk to human",
        "talk to person", "speak to someone", "real person", "human", "agent", "live agent",
    ),
    Intent.CREATE_TICKET: (
        "lag sak", "lage sak", "opprett sak", "opprette sak", "ny sak", "registrer sak",
        "registrere sak", "meld feil", "melde feil", "meld inn feil", "melde inn", "sende kundeservice",
        "send kundeservice", "send dette til kundeservice", "lag ei sak", "opprett ei sak",
        "create ticket", "open ticket", "raise ticket", "report issue", "new ticket",
    ),
    Intent.TICKET_STATUS: (
        "mine saker", "sakene mine", "sakane mine", "saka mi", "saken min", "status sak",
        "status på saken", "status på saka", "hvor er saken", "kor er saka", "har dere sett på saken",
        "my tickets", "ticket status", "status of my ticket",
    ),
    Intent.PC_REPLACEMENT: (
        "bestille pc", "bestille ny pc", "trenger ny pc", "treng ny pc", "få ny pc", "ha ny pc",
        "bytte pc", "byte pc", "pc bytte", "pc rullering", "gammel pc", "pc gammel", "bytte datamaskin",
        "need new pc", "need new laptop", "order pc", "replace pc", "replace laptop", "old pc",
    ),
    Intent.GREETING_HELP: (
        "hei", "hallo", "heisann", "hei rakel", "god morgen", "god dag", "morn", "hello", "hi",
        "hey", "takk", "tusen takk", "thanks", "thank you", "hjelp", "help", "meny", "menu",
        "hva kan du", "kva kan du", "hva kan du hjelpe med", "kva kan du hjelpe med",
        "what can you do", "start",
    ),
    Intent.FEEDBACK: (
        "tilbakemelding", "gi tilbakemelding", "feedback", "dårlig svar", "feil svar", "bra svar",
        "godt svar", "det hjalp ikke", "det hjelpte ikkje", "ikke fornøyd", "klage",
    ),
    Intent.OUT_OF_SCOPE: (
        "været", "vær i morgen", "værmelding", "weather", "fotball", "football", "oppskrift",
        "recipe", "vits", "joke", "fortell en vits", "middag", "lotto", "horoskop", "politikk",
    ),
}

# Short messages made only of these words are greetings; longer ones are questions.
GREETING_EXTRA_WORDS = 2

STOP_WORDS = frozenset(
    "en ei et ein eit the a an to of on om til for med å i på dette det den denne meg deg "
    "jeg eg du vi me kan kunne vil ville skal please pls gjerne".split()
)
