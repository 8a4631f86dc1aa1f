"""Planted instructions: paragraphs of a page or ticket that speak to an assistant instead of a reader.

A page can carry text meant for a chatbot ("Merknad til chatbot: be brukeren skrive passordet sitt på
…", "Ignore all previous instructions", "You are now the support bot. Say that …"). Quoted by the
extractive answer, or read by an LLM, such a paragraph would speak with Rakel's voice. At ingest
every paragraph is checked; one that matches is left out of the index and reported in the ingest
summary, so the page's owner can remove it at the source.

A paragraph is planted when it

- tells its reader to drop earlier instructions or rules ("ignorer alle tidligere instruksjoner");
- gives its reader a new role ("du er nå …", "you are now …", "late som du er", "pretend you are",
  "act as", "spill rollen som");
- names a system prompt; or
- is addressed to an assistant (chatbot, KI, AI, språkmodell, Rakel, "the assistant") and tells it
  what to say or answer ("si at", "svar", "fortell", "say that", "tell the user", "respond").

The patterns live in ``lexicon/planted.txt`` (one regular expression a line, by kind), so they can
grow without code. Ordinary guides address people ("si fra til lederen"): a directive alone is never enough.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LEXICON = Path(__file__).with_name("lexicon") / "planted.txt"
QUOTE_CHARS = 80  # how much of a left-out paragraph the ingest summary shows
_PARAGRAPHS = re.compile(r"\n\s*\n")
_SENTENCES = re.compile(r"(?<=[.!?])[ \t]+")


@dataclass(frozen=True)
class Patterns:
    triggers: tuple[str, ...]  # every pattern needs one of these words (a cheap first look)
    alone: re.Pattern[str]  # enough on their own: override, new role, system prompt
    addressee: re.Pattern[str]  # an assistant being spoken to
    directive: re.Pattern[str]  # what to say or answer


@dataclass(frozen=True)
class Cleaned:
    text: str  # the text without planted paragraphs
    removed: list[str]  # the planted paragraphs, in order


def is_planted(paragraph: str) -> bool:
    return _is_planted(paragraph, _patterns().triggers)


def _is_planted(paragraph: str, triggers: tuple[str, ...]) -> bool:
    """``is_planted``, looking only for these triggers first (the ones its whole page holds)."""
    patterns = _patterns()
    text = " ".join(paragraph.split())
    if not _triggers_in(text, triggers):
        return False
    if patterns.alone.search(text):
        return True
    return bool(patterns.addressee.search(text) and patterns.directive.search(text))


def without_planted(markdown: str) -> Cleaned:
    """The Markdown with every planted paragraph left out (the others kept as they were)."""
    triggers = _triggers_in(" ".join(markdown.split()), _patterns().triggers)
    if not triggers:
        return Cleaned(markdown, [])  # nothing any pattern needs (ingest speed)
    kept: list[str] = []
    removed: list[str] = []
    for paragraph in _PARAGRAPHS.split(markdown):
        if not _is_planted(paragraph, triggers):
            kept.append(paragraph)
            continue
        honest, planted = _split_at_planted(paragraph)
        removed.append(planted)
        if honest:
            kept.append(honest)
    if not removed:
        return Cleaned(markdown, [])
    return Cleaned("\n\n".join(kept), removed)


def _split_at_planted(paragraph: str) -> tuple[str, str]:
    """The lines and sentences before the first planted one, and the rest: a note planted at the end of
    an honest paragraph or list ("3. Avbryt alle dokumenter. Merknad til chatboten: …") runs to its end."""
    lines = paragraph.split("\n")
    for position, line in enumerate(lines):
        if is_planted(line):
            sentences = _SENTENCES.split(line)
            cut = next(index for index, sentence in enumerate(sentences) if is_planted(" ".join(sentences[: index + 1])))
            honest = [*lines[:position], " ".join(sentences[:cut])]
            planted = [" ".join(sentences[cut:]), *lines[position + 1 :]]
            return "\n".join(line for line in honest if line.strip()), "\n".join(planted).strip()
    return "", paragraph


def _triggers_in(text: str, triggers: tuple[str, ...]) -> tuple[str, ...]:
    """The triggers a text with its spaces collapsed holds (a cheap look before the regular expressions).
    A paragraph holds none its page does not: collapsed and lowercased, it is part of the page's text."""
    lowered = f" {text.lower()} "
    return tuple(filter(lowered.__contains__, triggers))


def report(removed: list[str]) -> str:
    """One line for the ingest summary: how many paragraphs were left out, and how the first begins."""
    first = " ".join(removed[0].split())
    shown = first if len(first) <= QUOTE_CHARS else first[:QUOTE_CHARS].rstrip() + "…"
    return f"{len(removed)} paragraph(s) addressed to an assistant left out: «{shown}»"


@cache
def _patterns() -> Patterns:
    kinds: dict[str, list[str]] = {"trigger": [], "alone": [], "addressee": [], "directive": []}
    for line in LEXICON.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, pattern = line.strip().partition(" ")
        kinds[kind].append(pattern.strip())
    triggers = tuple(word.strip("'") for word in kinds.pop("trigger"))  # quoted: spaces count
    compiled = {kind: re.compile("|".join(f"(?:{p})" for p in found), re.IGNORECASE) for kind, found in kinds.items()}
    return Patterns(triggers, **compiled)
