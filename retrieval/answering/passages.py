"""Which section of the best page answers the question: a sentence-level re-score on CPU.

The index ranks chunks as wholes; a page's introduction and its section with the answer often score
alike. Within the best document, the passage quoted first is the one whose best sentence or step,
read with its headings, holds the most of the question's words (each word in any form the analyser
gives it without the index: its stem, synonyms and glossary translations), ties going to the index's
order. A question that asks for a number, a time or a day ("hvor lenge", "hvor raskt", "når",
"how many") counts a sentence with a number or a weekday as ``NEED_WEIGHT`` more words covered: that
is what it needs, more than one more of its words. Document ranking is left as the index made it.
"""

from __future__ import annotations

import re
from functools import cache

from retrieval.analysis import NorwegianAnalyzer
from retrieval.answering.cite import quote
from retrieval.model import Chunk
from retrieval.text import plain_text

NEED_WEIGHT = 1.5
_UNITS = re.compile(r"\n+|(?<=[.!?])\s+")
_ASKS_FOR_A_NUMBER = re.compile(
    r"\b(hvor|kor|how)\s+(lenge|lang|raskt|fort|mange|mye|mykje|ofte|long|fast|soon|many|much|often)\b"
    r"|\b(når|kva tid|what time|when|hvilken dag|kva dag|which day|what day|frist|deadline)\b",
    re.IGNORECASE,
)
_NUMBER_OR_DAY = re.compile(
    r"\d|\b(mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|måndag|tysdag|laurdag|sundag)",
    re.IGNORECASE,
)


@cache
def _analyzer() -> NorwegianAnalyzer:
    return NorwegianAnalyzer()


def question_forms(question: str) -> list[frozenset[str]]:
    """Per word of the question, the terms that stand for it."""
    analyzer = _analyzer()
    return [analyzer.forms(word) for word in analyzer.query_words(question)]


def passage_score(question: str, forms: list[frozenset[str]], chunk: Chunk) -> float:
    """How many of the question's words the chunk's best sentence (with its headings) holds, plus
    ``NEED_WEIGHT`` for a number or a day when the question asks for one."""
    analyzer = _analyzer()
    context = set(analyzer.index_terms(" ".join(chunk.heading_path)))
    wants_number = bool(_ASKS_FOR_A_NUMBER.search(question))
    best = 0.0
    for unit in _UNITS.split(plain_text(quote(chunk))):
        terms = context | set(analyzer.index_terms(unit))
        covered = sum(1 for word in forms if word & terms)
        best = max(best, covered + (NEED_WEIGHT if wants_number and _NUMBER_OR_DAY.search(unit) else 0.0))
    return best
