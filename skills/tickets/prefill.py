"""Prefilling a ticket from the conversation: the user's own words, what Rakel already suggested, a
subject, a category and a priority suggestion (embedded rules; the LLM summary is layered on top).

"lag en sak", "meld feil om skriveren", "kan du sende dette til Kundeservice": the request words are
taken off the message, and what is left (if anything) is the problem. When nothing is left, the
problem is what the user said before, since the last ticket (the masked history).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.language import Language
from skills.intents import KNOWLEDGE
from skills.router.embedded import EmbeddedRouter
from skills.tickets import texts
from skills.tickets.classify import UNKNOWN, classify
from skills.tickets.cleaning import MAX_SUBJECT_CHARS, has_words, shorten
from store.history import TurnRecord

_VERB = (r"(?:lag[ae]?|opprett[ae]?|registrer[ae]?|meld[ae]?(?:\s+inn)?|send[ae]?|create|open|raise|report|make"
         r"|file|log|submit)")
_ARTICLES = r"(?:\s+(?:en|ei|et|ein|eit|a|an|ny|nytt|new|the))*"
_ASKING = (r"(?:(?:kan|kunne|vil)\s+(?:du|dere|de)\s+|(?:jeg|eg|vi|me)\s+(?:vil|ønsker|ønskjer|må|skal|trenger|treng)"
           r"\s+(?:å\s+|ha\s+)?|i\s+(?:want|need|would\s+like|'d\s+like)\s+to\s+|(?:can|could|would)\s+you\s+"
           r"|please\s+)")
_LEADING = re.compile(
    r"^\W*(?:(?:hei|hallo|heisann|hey|hi|hello)(?:\s+rakel)?\W+)?"
    rf"{_ASKING}?"
    r"(?:gjerne\s+|please\s+)?"
    rf"{_VERB}{_ARTICLES}"
    r"(?:\s+(?P<what>sak(?:en|a)?|ticket|case|feil(?:en)?|feilmelding|problem(?:et)?|issue|henvendelse|bug))?"
    r"(?:\s+(?:dette|det|denne|this|it))?"
    r"(?:\s+(?:til|to)\s+(?:kundeservice|support|(?:the\s+)?service\s*desk|ror-ikt))?"
    r"(?:\s+(?:om|på|for|angående|vedrørende|ang\.?|med|about|regarding|on|with)(?=[\s:]|$))?"
    r"(?:\s+(?:at|that)(?=\s))?"
    r"[\s:;,.\-–—!]*",
    re.IGNORECASE,
)
_NEW_TICKET = re.compile(r"^\W*(?:ny|new)\s+(?:sak|ticket)\b[\s:;,.\-–—!]*", re.IGNORECASE)
_TRAILING = re.compile(
    r"[\s,.;:!?\-–—]*"
    rf"{_ASKING}?(?:gjerne\s+)?{_VERB}{_ARTICLES}\s+(?:sak(?:en|a)?|ticket|case|henvendelse)"
    r"(?:\s+(?:om|på|for|on|about)\s+(?:det|dette|this|it))?"
    r"(?:\s+(?:til|to)\s+(?:kundeservice|support|(?:the\s+)?service\s*desk))?"
    r"(?:\s+(?:takk|please|thanks))?[\s.!?]*$",
    re.IGNORECASE,
)
_FILLER = frozenset(
    "takk tusen please thanks thank you nå no gjerne for meg me til kundeservice asap raskt fort snarest "
    "dette det this it om jeg eg vi i treng trenger vil ønsker ønskjer må skal å kan du dere ha".split()
)
_MARKERS = re.compile(r"\s*\[\d+\]")
_SOURCES_LINE = re.compile(r"\n+(?:Kilder|Kjelder|Sources):.*$", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ])|\n+")  # "på 2. etasje" goes on
MAX_TRIED_CHARS = 800
CREATE_TICKET = "create_ticket"


@dataclass(frozen=True)
class Problem:
    text: str  # the user's own words ("" when the message was only a request for a ticket)
    is_fault: bool = False  # "meld feil om ...": a subject can say "Feil med ..."


@dataclass(frozen=True)
class Prefill:
    subject: str
    description: str
    category: str
    priority: str
    problem: str  # the user's own words (for the LLM summary)
    tried: tuple[str, ...] = field(default_factory=tuple)  # what Rakel suggested


def problem_in(message: str) -> Problem:
    """The problem a ticket request names, without the request words."""
    text = message.strip()
    match = _LEADING.match(text) or _NEW_TICKET.match(text)
    is_fault = bool(match and (match.groupdict().get("what") or "").lower().startswith("feil"))
    if match:
        text = text[match.end():]
    text = _TRAILING.sub("", text).strip()
    return Problem(text if _substantial(text) else "", is_fault)


def _substantial(text: str) -> bool:
    words = [word for word in re.findall(r"[^\W_]+", text.lower()) if word not in _FILLER]
    return bool(words)




def _draft_intros() -> tuple[str, ...]:
    return tuple(texts.DRAFT_INTRO(language) for language in Language)


def earlier_problem(history: list[TurnRecord], router: EmbeddedRouter) -> tuple[str, tuple[str, ...]]:
    """The user's problem turns and Rakel's answers to them, since the last ticket in this conversation."""
    since: list[TurnRecord] = []
    intros = _draft_intros()
    for record in reversed(history):
        if record.role == "user" and router.classify_now(record.text).intent == CREATE_TICKET:
            break
        if record.role == "assistant" and record.text.startswith(intros):
            break
        since.append(record)
    since.reverse()
    problem: list[str] = []
    tried: list[str] = []
    answering = False
    for record in since:
        if record.role == "user":
            answering = has_words(record.text) and router.classify_now(record.text).intent == KNOWLEDGE
            if answering:
                problem.append(record.text.strip())
        elif answering and (suggestion := rakel_suggestion(record.text)):
            tried.append(suggestion)
            answering = False
    return "\n\n".join(problem), tuple(tried[-2:])


def rakel_suggestion(answer: str) -> str:
    """An answer of Rakel's as a line in a ticket: without source markers, shortened."""
    text = _SOURCES_LINE.sub("", _MARKERS.sub("", answer)).strip()
    return shorten(text, MAX_TRIED_CHARS) if has_words(text) else ""


def subject_for(problem: str, is_fault: bool = False) -> str:
    first = next((part for part in _SENTENCE_END.split(problem.strip()) if has_words(part)), "")
    if not first:
        return texts.DEFAULT_SUBJECT
    first = first.strip().rstrip(".!")
    if is_fault and len(first.split()) <= 2:
        first = f"Feil med {first}"
    subject = shorten(first, 80)
    return subject[:1].upper() + subject[1:]


def description_for(problem: str, tried: tuple[str, ...], summary: str = "", links: tuple[str, ...] = ()) -> str:
    parts = [summary, f"{texts.OWN_WORDS_HEADING}\n{problem}"] if summary else [problem]
    if tried:
        parts.append(texts.TRIED_HEADING + "\n" + "\n\n".join(tried))
    if links:
        parts.append(texts.LINKS_HEADING + "\n" + "\n".join(links))
    return "\n\n".join(part.strip() for part in parts if part.strip())


def embedded_prefill(problem: Problem, earlier: str, tried: tuple[str, ...]) -> Prefill:
    """Everything without an LLM: the message's problem (or the earlier one), classified by rules."""
    words = problem.text or earlier
    classification = classify(words)
    return Prefill(
        subject=shorten(subject_for(words, problem.is_fault), MAX_SUBJECT_CHARS),
        description=description_for(words, tried),
        category=classification.category or UNKNOWN,
        priority=classification.priority,
        problem=words,
        tried=tried,
    )
