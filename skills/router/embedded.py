"""The router that needs no LLM: stemmed, typo-tolerant phrase matching (Snowball + rapidfuzz)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

import Stemmer
from rapidfuzz import fuzz

from core.language import Language
from skills.intents import KNOWLEDGE, IntentSpec
from skills.router import Classification
from skills.router.phrases import GREETING_EXTRA_WORDS, SMALLTALK, STOP_WORDS

_WORD = re.compile(r"[a-z0-9æøåé]+")
_SENTENCE_END = re.compile(r"[.!?\n]+")
MAX_GAP = 2  # other words allowed between two words of a phrase ("pc-en min er gammel")
_TYPO_SIMILARITY = 80.0
_MIN_FUZZY_LENGTH = 5
_stemmer = Stemmer.Stemmer("norwegian")


def content_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    return [word for word in _WORD.findall(text) if word not in STOP_WORDS]


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


@lru_cache(maxsize=65536)
def _matches(phrase_word: str, message_word: str) -> bool:
    if _stem(phrase_word) == _stem(message_word):
        return True
    if len(phrase_word) < _MIN_FUZZY_LENGTH:
        # Short words tolerate one extra letter at the end only ("sakk", "saka"), not substitutions.
        return message_word.startswith(phrase_word) and len(message_word) == len(phrase_word) + 1
    return len(message_word) >= _MIN_FUZZY_LENGTH - 1 and fuzz.ratio(phrase_word, message_word) >= _TYPO_SIMILARITY


def _compile(specs: Iterable[IntentSpec]) -> list[tuple[str, tuple[str, ...]]]:
    compiled = []
    for spec in specs:
        if spec.name == KNOWLEDGE:  # the default needs no phrases
            continue
        for example in spec.examples:
            words = tuple(content_words(example.text))
            if words:
                compiled.append((spec.name, words))
    return compiled


def _phrase_in(phrase: tuple[str, ...], words: list[str]) -> bool:
    """The phrase's words occur in order, each within MAX_GAP words of the one before."""

    def from_position(index: int, start: int) -> bool:
        if index == len(phrase):
            return True
        stop = len(words) if index == 0 else min(len(words), start + MAX_GAP + 1)
        return any(
            _matches(phrase[index], words[position]) and from_position(index + 1, position + 1)
            for position in range(start, stop)
        )

    return from_position(0, 0)


class EmbeddedRouter:
    """Works in bokmål, nynorsk and English without any service. Unmatched text is a question."""

    def __init__(self, intents: Iterable[IntentSpec] | Callable[[], Iterable[IntentSpec]]) -> None:
        self._intents = intents
        self._compiled: list[tuple[str, tuple[str, ...]]] | None = None

    @property
    def _phrases(self) -> list[tuple[str, tuple[str, ...]]]:
        """Built on first use, so a registry can hand out its router before every skill is registered."""
        if self._compiled is None:
            self._compiled = _compile(self._intents() if callable(self._intents) else self._intents)
        return self._compiled

    def classify_now(self, text: str) -> Classification:
        """The intent of the longest phrase found within one sentence; questions by default."""
        words = content_words(text)
        sentences = [content_words(sentence) for sentence in _SENTENCE_END.split(text)]
        best: tuple[int, str] | None = None
        for intent, phrase in self._phrases:
            if best is not None and len(phrase) <= best[0]:
                continue
            if any(len(phrase) <= len(sentence) and _phrase_in(phrase, sentence) for sentence in sentences):
                best = (len(phrase), intent)
        if best is None:
            return Classification(KNOWLEDGE, 0.5, "embedded")
        length, intent = best
        if intent in SMALLTALK and len(words) - length > GREETING_EXTRA_WORDS:
            # "hei, skriveren virker ikke" is a question that starts with a greeting.
            return Classification(KNOWLEDGE, 0.5, "embedded")
        confidence = min(1.0, 0.6 + 0.4 * length / max(len(words), 1))
        return Classification(intent, confidence, "embedded")

    async def classify(self, text: str, language: Language) -> Classification:
        return self.classify_now(text)
