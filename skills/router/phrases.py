"""The word lists of the embedded router's rules (the rest it learns from the skills' examples)."""

CANCEL = "cancel"
SMALLTALK = frozenset({"greeting", "help", "thanks"})
# What a user asks Rakel to *do*; a question about how to do it, or its negation, is something else.
FEEDBACK = "feedback"
REQUESTS = frozenset({"create_ticket", "my_tickets", "handoff", "pc_order", CANCEL, FEEDBACK})
PROCESS_INTENTS = frozenset({"create_ticket", "pc_order", "handoff", "my_tickets"})

HOW_WORDS = frozenset("hvordan korleis korsn koss kossen kordan åssen how".split())
PERSONS = frozenset("jeg eg æ man ein en vi me i we you one to".split())  # "how to", "hvordan kan man"
# "kan man snakke med kundeservice på telefon?", "can one order …": whether something can be done, asked of
# no one in particular, is a question about the process ("ein"/"en" are left out: they are also articles)
MODALS = frozenset("kan går gar can could may".split())
IMPERSONAL = frozenset("man one".split())
# "hva er rutinen for pc-bytte?", "what's the procedure to …": a question about the rules of a process
PROCESS_WORDS = frozenset(
    "rutine rutinen rutina rutinar rutiner prosedyre prosedyren prosedyra procedure procedures process "
    "prosess prosessen policy policyen regel regelen reglene reglane reglan regler rule rules "
    "retningslinje retningslinjer retningslinjene guidelines".split()
)
# "hvem godkjenner …", "who decides if I get a new laptop?": who approves or decides is a question about the process
WHO_WORDS = frozenset("hvem kven kæm kem who".split())
DECIDE_WORDS = frozenset(
    "godkjenner godkjenne godkjenn godkjend bestemmer bestemme bestemm avgjør avgjer avgjøre approves approve "
    "approved decides decide signs".split()
)
# Rakel herself: "I don't want to talk to a bot" negates the bot, not the request for a person
BOT_WORDS = frozenset("bot boten bot'en robot roboten chatbot chatboten maskin maskina maskinen machine rakel".split())
NEGATIONS = frozenset("ikke ikkje itj ikk ikkj not dont don't never aldri ingen".split())
# "no ticket, just …", "no need": but nynorsk "no" is "now" ("no vil eg ha ei sak"), so only right before a noun
NOUN_NEGATIONS = frozenset({"no"})
REQUEST_NOUNS = frozenset("ticket tickets case need person human sak saka saken".split())
REQUEST_WORDS = frozenset(
    "lag lage lagar opprett opprette send sende ha sak saka saken ticket tickets case bestill bestille "
    "bestiller ny new create open raise send submit want need trenger treng vil "
    # "I'm not looking to log a ticket", "ikkje meld det": filing is a request word too
    "log logge logg melde meld melda "
    # "jeg trenger ikke en person, bare forklar …": not wanting a person is not asking for one
    "person personen menneske snakke snakka prate prata talk speak someone".split()
)
