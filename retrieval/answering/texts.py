"""What the answerer itself writes around the passages it quotes, in bokmål, nynorsk and English."""

from __future__ import annotations

from core.texts import Localized

FOUND_IN = Localized(
    nb="Dette fant jeg i **{title}**:",
    nn="Dette fann eg i **{title}**:",
    en="This is what I found in **{title}** (in Norwegian):",
)
ALSO_IN = Localized(nb="Fra **{title}**:", nn="Frå **{title}**:", en="From **{title}**:")
# A resolved ticket is quoted by its solution; {title} is the ticket's (anonymised) subject.
FOUND_IN_CASE = Localized(
    nb="En lignende sak er løst tidligere, «{title}». Slik ble den løst:",
    nn="Ei liknande sak er løyst tidlegare, «{title}». Slik vart ho løyst:",
    en="A similar case was resolved earlier, «{title}». This is how it was solved (in Norwegian):",
)
ALSO_IN_CASE = Localized(
    nb="En lignende sak, «{title}», ble løst slik:",
    nn="Ei liknande sak, «{title}», vart løyst slik:",
    en="A similar case, «{title}», was solved like this (in Norwegian):",
)
READ_MORE = Localized(nb="Les mer: [{title}]({url})", nn="Les meir: [{title}]({url})", en="Read more: [{title}]({url})")
# The citation title of a resolved ticket (never linked: it is someone else's case).
EARLIER_CASE = Localized(
    nb="Tidligere løst sak (anonymisert): {title}",
    nn="Tidlegare løyst sak (anonymisert): {title}",
    en="Earlier resolved case (anonymised): {title}",
)
LANGUAGE_NAMES = Localized(nb="Norwegian bokmål", nn="Norwegian nynorsk", en="English")
# After a link to a domain outside RAKEL_LINK_ALLOWED_DOMAINS (the answer quotes a page that links out).
OUTSIDE_LINK = Localized(
    nb="⚠️ (lenke utenfor kommunen og ROR-IKT – vær varsom)",
    nn="⚠️ (lenkje utanfor kommunen og ROR-IKT – ver varsam)",
    en="⚠️ (link outside the municipality and ROR-IKT – be careful)",
)
