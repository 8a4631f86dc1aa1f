"""The question inside a chatty message: greetings, thanks, politeness and the signature taken out.

Real users write "Hei! Jeg har et spørsmål. Hvordan bytter jeg passord? Takk for hjelpen, Kari".
Searched as it stands, every polite word dilutes the match and a name in the signature reads as a
topic the index has never heard of. This removes, before anything is searched or judged:

- the phrases in ``lexicon/chatter.txt`` (greetings, thanks, apologies, "et spørsmål"), whole words only;
- a signature: from a closing word of ``lexicon/signoffs.txt`` ("Hilsen", "Mvh") to the end, when what
  follows is short and asks nothing;
- a name line: one to three capitalised words after the last sentence of a message ("... passord? Ola").

What is left is the message's own words in their order; an all-chatter message ("Hei!") becomes empty.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

LEXICON_DIR = Path(__file__).with_name("lexicon")
MAX_SIGNATURE_WORDS = 6  # "Hilsen Kari Nordmann, helsesykepleier på Sentrum skole" is about this long
MAX_NAME_WORDS = 3

_WORDS = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_NAME_LINE = re.compile(rf"(?<=[.!?\n])[\s,;:–-]*((?:[A-ZÆØÅ][^\W\d_]*[\s,.!]*){{1,{MAX_NAME_WORDS}}})$")
_SPACES = re.compile(r"[ \t]+")


def strip_chatter(text: str) -> str:
    """The message without greetings, thanks, politeness phrases, signature and trailing name line."""
    text = _without_signature(text)
    text = _phrases().sub(" ", text)
    text = _NAME_LINE.sub("", text.rstrip())
    return _SPACES.sub(" ", text).strip(" ,;:-–")


def _without_signature(text: str) -> str:
    for match in _signoffs().finditer(text):
        rest = text[match.end() :]
        if "?" not in rest and len(_WORDS.findall(rest)) <= MAX_SIGNATURE_WORDS:
            return text[: match.start()]
    return text


@cache
def _phrases() -> re.Pattern[str]:
    return _alternatives(_read_phrases(LEXICON_DIR / "chatter.txt"))


@cache
def _signoffs() -> re.Pattern[str]:
    return _alternatives(_read_phrases(LEXICON_DIR / "signoffs.txt"))


def _alternatives(phrases: list[str]) -> re.Pattern[str]:
    """Whole-word alternatives, longest first, any case; spaces in a phrase match any whitespace."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in ordered)
    return re.compile(rf"(?<![^\W_])(?:{body})(?![^\W_])[!.,]*", re.IGNORECASE)


def _read_phrases(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip().lower() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]
