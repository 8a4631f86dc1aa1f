"""What may go into a ticket: no fødselsnummer, at most 10,000 characters, and some words at all."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.pii import mask_identity_numbers
from skills.tickets.texts import CUT_MARK

MAX_TEXT_CHARS = 10_000
MAX_SUBJECT_CHARS = 150
_WORD_CHARACTER = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class Cleaned:
    text: str
    fnr_removed: bool = False
    cut: bool = False


def has_words(text: str) -> bool:
    """Letters or digits in any script ("😡😡" and "???" have none; "Мій принтер" has)."""
    return bool(_WORD_CHARACTER.search(text))


def shorten(text: str, limit: int, ellipsis: str = "…") -> str:
    """At most ``limit`` characters, cut at a word boundary when one is near."""
    text = text.strip()
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    cut = text[:room]
    boundary = cut.rfind(" ")
    if boundary > room * 0.6:
        cut = cut[:boundary]
    return cut.rstrip(" ,.;:–-") + ellipsis


def clean(text: str, limit: int = MAX_TEXT_CHARS) -> Cleaned:
    """Mask identity numbers, then cut a text over ``limit`` with a visible mark at the end."""
    masked = mask_identity_numbers(text)
    result = masked.text.strip()
    cut = len(result) > limit
    if cut:
        result = shorten(result, limit - len(CUT_MARK) - 2) + "\n\n" + CUT_MARK
    return Cleaned(result, fnr_removed=bool(masked.counts), cut=cut)
