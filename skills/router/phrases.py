"""The word lists of the embedded router's rules (the rest it learns from the skills' examples)."""

CANCEL = "cancel"
SMALLTALK = frozenset({"greeting", "help", "thanks"})
# What a user asks Rakel to *do*; a question about how to do it, or its negation, is something else.
REQUESTS = frozenset({"create_ticket", "my_tickets", "handoff", "pc_order", "cancel", "feedback"})
PROCESS_INTENTS = frozenset({"create_ticket", "pc_order", "handoff", "my_tickets"})

HOW_WORDS = frozenset("hvordan korleis korsn koss kossen kordan åssen how".split())
PERSONS = frozenset("jeg eg æ man ein en vi me i we you one to".split())  # "how to", "hvordan kan man"
NEGATIONS = frozenset("ikke ikkje itj ikk ikkj not dont don't no never aldri ingen".split())
REQUEST_WORDS = frozenset(
    "lag lage lagar opprett opprette send sende ha sak saka saken ticket tickets case bestill bestille "
    "bestiller ny new create open raise send submit want need trenger treng vil".split()
)
