"""Which language a message is written in: bokmål, nynorsk or English.

Hand-written on purpose: chat messages are a few words long, and statistical detectors (langdetect,
lingua) cannot tell nynorsk from bokmål at that length. Marker words that only one of the three
written forms uses do that reliably; anything without markers is bokmål, the house default.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Language(StrEnum):
    BOKMAAL = "nb"
    NYNORSK = "nn"
    ENGLISH = "en"


_NYNORSK_MARKERS = frozenset(
    "eg ikkje kva korleis kvifor kven kvar kvart eit ein nokon noko nokre berre frå mykje "
    "dykk dokker ho vert vart sjå sjølv heime heile kome kjem saka sakane maskina meir òg "
    "treng fekk gjere gjer høyrer".split()
)
_BOKMAAL_MARKERS = frozenset(
    "jeg ikke hva hvordan hvorfor hvem hvor hvert et en noen noe bare fra mye dere "
    "hun blir ble selv hjemme hele komme kommer saken maskinen mer også trenger fikk gjøre".split()
)
_ENGLISH_MARKERS = frozenset(
    "i the is are my how what why who where can could please help with to do does not "
    "password printer ticket agent human want need this that it have has".split()
)
_WORD = re.compile(r"[a-zæøåé]+")


def detect_language(text: str) -> Language:
    words = _WORD.findall(text.lower())
    if not words:
        return Language.BOKMAAL
    scores = {
        Language.NYNORSK: sum(word in _NYNORSK_MARKERS for word in words),
        Language.BOKMAAL: sum(word in _BOKMAAL_MARKERS for word in words),
        Language.ENGLISH: sum(word in _ENGLISH_MARKERS for word in words),
    }
    if any(letter in text.lower() for letter in "æøå"):
        scores[Language.ENGLISH] = 0
    best = max(scores, key=lambda language: scores[language])
    if scores[best] == 0:
        return Language.BOKMAAL
    # Bokmål wins ties: nynorsk and bokmål share many words, and bokmål is the default.
    if scores[Language.BOKMAAL] == scores[best]:
        return Language.BOKMAAL
    return best
