"""What the answerer itself writes around the passages it quotes, in bokmål, nynorsk and English."""

from __future__ import annotations

from core.texts import Localized

FOUND_IN = Localized(
    nb="Dette fant jeg i **{title}**:",
    nn="Dette fann eg i **{title}**:",
    en="This is what I found in **{title}** (in Norwegian):",
)
ALSO_IN = Localized(nb="Fra **{title}**:", nn="Frå **{title}**:", en="From **{title}**:")
READ_MORE = Localized(nb="Les mer: [{title}]({url})", nn="Les meir: [{title}]({url})", en="Read more: [{title}]({url})")
FROM_EARLIER_CASE = Localized(
    nb="Fra en tidligere løst sak (anonymisert)",
    nn="Frå ei tidlegare løyst sak (anonymisert)",
    en="From an earlier resolved case (anonymised)",
)
LANGUAGE_NAMES = Localized(nb="Norwegian bokmål", nn="Norwegian nynorsk", en="English")
