"""Turn a follow-up question ("og på mobilen?") into a search query with the help of earlier turns.

A follow-up leans on the previous question for its subject. It is recognised by its opening ("og",
"men", "hva med", "what about"), or by being a bare phrase of at most two content words that ends
in "da?"/"then?" or starts with a preposition ("på mobilen?", "i Teams da?"). The search query is
then the previous question followed by the follow-up; a new question is searched as it stands. Either
way the greetings, thanks and signature of a chatty message are left out (``retrieval.chatter``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from core.pii import MaskedText
from retrieval.analysis import NorwegianAnalyzer
from retrieval.chatter import strip_chatter

_OPENINGS = re.compile(
    r"^\s*(og|men|enn|også|hva med|kva med|hvordan med|korleis med|samme|det samme|and|but|what about|how about|same)\b",
    re.IGNORECASE,
)
_CLOSINGS = re.compile(r"\b(da|då|then|også|òg|too)\s*\??\s*$", re.IGNORECASE)
_PREPOSITIONS = frozenset("på i med for til fra frå hos via under uten utan on in with for from at via".split())
MAX_BARE_CONTENT_WORDS = 2

_analyzer = NorwegianAnalyzer()


class ConversationTurn(Protocol):
    role: str  # "user" | "assistant"
    text: MaskedText  # the history keeps only masked text (store.history.TurnRecord)


def search_query(question: str, history: Sequence[ConversationTurn]) -> str:
    """What to search for: the question without its chatter (greetings, thanks, signature), led by
    the previous question when it is a follow-up ("Takk! Og på mobilen?")."""
    asked = strip_chatter(question)
    previous = previous_question(question, history)
    if previous and is_follow_up(asked):
        return f"{strip_chatter(previous)} {asked}"
    return asked


def previous_question(question: str, history: Sequence[ConversationTurn]) -> str:
    """The user's last question before this one (the history may or may not hold this one already)."""
    asked = [turn.text for turn in history if turn.role == "user" and turn.text.strip()]
    if asked and asked[-1].strip() == question.strip():
        asked.pop()
    return asked[-1] if asked else ""


def is_follow_up(question: str) -> bool:
    if _OPENINGS.match(question):
        return True
    if len(_analyzer.words(question)) > MAX_BARE_CONTENT_WORDS:
        return False
    words = re.findall(r"[^\W_]+", question.lower())
    return bool(_CLOSINGS.search(question)) or (bool(words) and words[0] in _PREPOSITIONS)
