"""The router that needs no LLM: the trained intent model (skills/router/model.py) with a few
high-precision rules around it.

1. A message that is one of the labelled examples (after normalising) has that example's intent.
2. A message of several clauses ("hei, skriveren virker ikke"; "lag sak: får ikke logget inn") is read
   clause by clause: greetings and thanks beside a question do not make it smalltalk, a request
   beside the description of its problem is the request, and a short request before a colon heads the
   whole message ("lag en sak: …, ring meg på …" is the ticket, not a call).
3. A question about how to do something ("hvordan melder jeg inn en sak?") is a knowledge question,
   not the request itself.
4. A negated request ("jeg vil ikke ha en sak", "ikke send den") is not that request.
5. When the best two intents are close or the best is unsure, the classification says so, and the
   dispatcher asks instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.language import Language
from skills.intents import KNOWLEDGE, IntentSpec
from skills.router import Classification
from skills.router.model import IntentModel, normalize, trained
from skills.router.phrases import (
    BOT_WORDS,
    CANCEL,
    DECIDE_WORDS,
    FEEDBACK,
    HOW_WORDS,
    IMPERSONAL,
    MODALS,
    NEGATIONS,
    NOUN_NEGATIONS,
    PERSONS,
    PROCESS_INTENTS,
    PROCESS_WORDS,
    REQUEST_NOUNS,
    REQUEST_WORDS,
    REQUESTS,
    SMALLTALK,
    WHO_WORDS,
)

_TOKEN = re.compile(r"[a-z0-9æøåéèüäö]+")
_CLAUSE_END = re.compile(r"[.!?\n:;,]+")
_CONTRACTED_NOT = re.compile(r"(?<=\w)['’´`]k(?:je|ke|kje)\b", re.IGNORECASE)  # "treng'kje", "e'kje": "… ikkje"
LOW_CONFIDENCE = 0.5  # below this the router asks
CLOSE_MARGIN = 0.2  # … and when the best two are closer than this
CLAUSE_CONFIDENCE = 0.7  # a clause beside smalltalk or a question must be at least this sure to decide
NEGATION_REACH = 3  # a negation governs request words up to this many words later
HOW_REACH = 3  # "hvordan kan jeg", "how do I": the person within this many words of the question word
SHORT_NEGATION_WORDS = 5  # "ikke send den" is a cancel; a longer negated request is a question
HEADING_WORDS = 6  # "lag sak: …", "create a ticket: …": a request this short before a colon heads the message


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalize(text))


@dataclass(frozen=True)
class Ranked:
    intent: str
    confidence: float
    runner_up: str
    runner_up_confidence: float


class EmbeddedRouter:
    """Works in bokmål, nynorsk, dialect and English without any service."""

    def __init__(self, intents: Iterable[IntentSpec] | Callable[[], Iterable[IntentSpec]],
                 cache_dir: Path | None = None) -> None:
        self._intents = intents
        self._cache_dir = cache_dir
        self._model: IntentModel | None = None
        self._known: dict[str, str] = {}

    def _ready(self) -> IntentModel:
        """Trained (or loaded) on first use, so a registry can hand out its router before every skill
        is registered."""
        if self._model is None:
            specs = tuple(self._intents() if callable(self._intents) else self._intents)
            examples = [example for spec in specs for example in spec.examples]
            known: dict[str, set[str]] = {}
            for example in examples:
                known.setdefault(" ".join(tokens(example.text)), set()).add(example.intent)
            self._known = {text: next(iter(names)) for text, names in known.items() if len(names) == 1 and text}
            self._model = trained(examples, self._cache_dir)
        return self._model

    def classify_now(self, text: str) -> Classification:
        ranked = self.rank(text)
        ambiguous = ranked.confidence < LOW_CONFIDENCE or ranked.confidence - ranked.runner_up_confidence < CLOSE_MARGIN
        return Classification(ranked.intent, ranked.confidence, "embedded", alternative=ranked.runner_up,
                              ambiguous=ambiguous)

    async def classify(self, text: str, language: Language) -> Classification:
        return self.classify_now(text)

    @lru_cache(maxsize=2048)  # noqa: B019 - one router per process; the same short messages come often
    def _scored(self, text: str) -> tuple[tuple[str, float], ...]:
        model = self._ready()
        probabilities = model.probabilities(text)
        order = probabilities.argsort()[::-1]
        return tuple((model.intents[i], float(probabilities[i])) for i in order)

    def rank(self, text: str) -> Ranked:
        """The best intent and the runner-up, after the rules."""
        words = tokens(text)
        if not words:
            return Ranked(KNOWLEDGE, 1.0, KNOWLEDGE, 0.0)
        if known := self._known_intent(words):
            return Ranked(known, 1.0, _second(self._scored(text), known), 0.0)
        scored = self._scored(text)
        best, confidence = scored[0]
        second, second_confidence = scored[1]
        clause = self._by_clauses(text)
        if clause and clause[0] != best:
            second, second_confidence = best, min(confidence, 1.0 - clause[1])
            best, confidence = clause
        elif clause and clause[1] > confidence:  # the clauses are surer than the whole message
            confidence, second_confidence = clause[1], min(second_confidence, 1.0 - clause[1])
        if best in PROCESS_INTENTS and (_asks_how(words) or _ends_asking_how(text)):
            return Ranked(KNOWLEDGE, max(confidence, dict(scored).get(KNOWLEDGE, 0.0)), best, 0.0)
        if best in REQUESTS and best != CANCEL and _negated(text):
            return Ranked(CANCEL if len(words) <= SHORT_NEGATION_WORDS else KNOWLEDGE, confidence, best, 0.0)
        return Ranked(best, confidence, second, second_confidence)

    def _by_clauses(self, text: str) -> tuple[str, float] | None:
        """The intent the clauses agree on, when the message has several: smalltalk beside anything else
        does not count, and a sure request beside a question or problem description is the request."""
        # "takk skal du ha, Rakel": her name on its own is an address, not a clause
        clauses = [part for part in _CLAUSE_END.split(text) if not set(tokens(part)) <= BOT_WORDS]
        if len(clauses) < 2:
            return None
        head, colon, _ = text.partition(":")
        if colon and 0 < len(tokens(head)) <= HEADING_WORDS:  # "lag en sak: …, ring meg på …": what it asks
            intent, p = self._scored(head)[0]
            if intent in REQUESTS - {CANCEL} and p >= CLAUSE_CONFIDENCE:
                return intent, p
        decided = [self._scored(part)[0] for part in clauses]
        meant = [(intent, p) for intent, p in decided if intent not in SMALLTALK]
        if not meant or any(p < CLAUSE_CONFIDENCE for _, p in meant):
            meant = decided  # "takk, det løste seg": the thanks counts when the rest is unsure
        intents = {intent for intent, _ in meant}
        if len(intents) == 1:
            return meant[0][0], max(p for _, p in meant)
        # "no ticket, just tell me how …": a cancel beside a question leaves the question; "du skjønner ikke,
        # gi meg en person": a complaint about Rakel beside a request leaves the request
        sure = {intent for intent, p in meant if intent in REQUESTS - {CANCEL, FEEDBACK} and p >= CLAUSE_CONFIDENCE}
        if len(sure) == 1 and intents <= {KNOWLEDGE, CANCEL, FEEDBACK} | sure:
            request = sure.pop()
            return request, max(p for intent, p in meant if intent == request)
        return None

    def _known_intent(self, words: Sequence[str]) -> str | None:
        self._ready()
        return self._known.get(" ".join(words))


def _second(scored: tuple[tuple[str, float], ...], intent: str) -> str:
    return next(name for name, _ in scored if name != intent)


def _asks_how(words: Sequence[str]) -> bool:
    """ "hvordan melder jeg …", "korleis bestiller ein …", "how do I …", "kan man …", "hva er rutinen for …",
    "hvem godkjenner …": a question about the process."""
    if words[0] in HOW_WORDS and any(word in PERSONS for word in words[1:1 + HOW_REACH]):
        return True
    if words[0] in WHO_WORDS and any(word in DECIDE_WORDS for word in words[1:1 + HOW_REACH]):
        return True
    return (words[0] in MODALS and len(words) > 1 and words[1] in IMPERSONAL) or any(w in PROCESS_WORDS for w in words)


def _ends_asking_how(text: str) -> bool:
    """ "Jeg har fått pc-en til forrige ansatt, og hennes bruker kommer opp. Hvordan logger jeg inn?": a message
    that ends with a how-question is that question, whatever its story says first."""
    clauses = [words for words in map(tokens, _CLAUSE_END.split(text)) if words]
    last = clauses[-1] if len(clauses) > 1 else []
    return bool(last) and last[0] in HOW_WORDS and any(word in PERSONS for word in last[1:1 + HOW_REACH])


def _negated(text: str) -> bool:
    """A negation with a request word right after it in the same clause: "vil ikke ha sak", "ikkje send",
    "don't create", "æ treng'kje prate mæ nån"; not "du forstår meg ikke, jeg vil snakke med en person", and
    not when what is negated is Rakel herself ("I don't want to talk to a bot")."""
    text = _CONTRACTED_NOT.sub(" ikkje", text)
    if any(word in BOT_WORDS for word in tokens(text)):
        return False
    return any(
        (word in NEGATIONS and any(later in REQUEST_WORDS for later in words[index + 1:index + 1 + NEGATION_REACH]))
        or (word in NOUN_NEGATIONS and words[index + 1:index + 2] and words[index + 1] in REQUEST_NOUNS)
        for words in map(tokens, _CLAUSE_END.split(text))
        for index, word in enumerate(words)
    )
