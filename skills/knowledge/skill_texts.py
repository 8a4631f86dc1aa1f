"""What the knowledge skill says around its answers (the answers' own wording is in answer_texts.py)."""

from core.texts import Localized

SOURCES = Localized(nb="Kilder:", nn="Kjelder:", en="Sources:")
NOT_SURE = Localized(
    nb="Jeg fant ikke et sikkert svar på det.",
    nn="Eg fann ikkje eit sikkert svar på det.",
    en="I couldn't find a reliable answer to that.",
)
CLOSEST = Localized(
    nb="Under er det nærmeste jeg fant – det er ikke sikkert at det gjelder deg.",
    nn="Under er det næraste eg fann – det er ikkje sikkert at det gjeld deg.",
    en="Below is the closest I found – it may not apply to you.",
)
WAYS_ON = Localized(
    nb="Vil du at jeg lager en sak til Kundeservice, eller vil du snakke med et menneske?",
    nn="Vil du at eg lagar ei sak til Kundeservice, eller vil du snakke med eit menneske?",
    en="Shall I create a ticket for Kundeservice, or would you like to talk to a person?",
)
SEARCH_DOWN = Localized(
    nb="Søket mitt virker ikke akkurat nå, så jeg kan ikke svare på spørsmålet ditt. "
    "Vil du at jeg lager en sak, eller vil du snakke med et menneske?",
    nn="Søket mitt verkar ikkje akkurat no, så eg kan ikkje svare på spørsmålet ditt. "
    "Vil du at eg lagar ei sak, eller vil du snakke med eit menneske?",
    en="My search is not working right now, so I can't answer your question. "
    "Shall I create a ticket, or would you like to talk to a person?",
)
CREATE_TICKET = Localized(nb="Opprett sak", nn="Opprett sak", en="Create a ticket")
TALK_TO_HUMAN = Localized(nb="Snakk med et menneske", nn="Snakk med eit menneske", en="Talk to a person")
SORRY = Localized(
    nb="Takk for tilbakemeldingen, og beklager at svaret ikke hjalp. Vil du at jeg lager en sak, "
    "eller vil du snakke med et menneske?",
    nn="Takk for tilbakemeldinga, og orsak at svaret ikkje hjelpte. Vil du at eg lagar ei sak, "
    "eller vil du snakke med eit menneske?",
    en="Thanks for the feedback, and sorry the answer didn't help. Shall I create a ticket, "
    "or would you like to talk to a person?",
)
SORRY_AGAIN = Localized(
    nb="Beklager, jeg klarer visst ikke å hjelpe deg med dette. En i Kundeservice kan nok det – "
    "vil du snakke med et menneske?",
    nn="Orsak, eg klarer visst ikkje å hjelpe deg med dette. Ein i Kundeservice kan nok det – "
    "vil du snakke med eit menneske?",
    en="Sorry, I don't seem to be able to help with this. Someone at Kundeservice can – "
    "would you like to talk to a person?",
)
