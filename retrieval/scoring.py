"""Scoring for the local index: the evidence that a chunk answers the question, and its rank.

The evidence of a chunk (``QueryPlan.evidence``, 0..1) is the share of the question's weight the
chunk covers, where

- a word weighs its idf over every form it may take (the word, its synonyms, compounds containing
  it): "passord" is in half the pages through "passordbytte" and friends, so it proves little;
- what the question needs covered saturates at ``ENOUGH_WORDS`` of the rarest words: a long, chatty
  message with context sentences ("jeg må levere en rapport i dag") is answered by a chunk that
  covers its substance, not every word;
- a word the index has never seen (no form, no typo correction) counts in full, outside that
  saturation: "3D-skriver med harpiks" is about something no page covers, however well "skriver"
  matches.

It reads like "how much of the question this chunk answers", so one fixed threshold can judge
whether the evidence is good enough (see retrieval.answering.pipeline).

The score of a chunk ranks it: its BM25 score divided by the most a query can reach with each of its
words found once (the sum of the words' idf), times the mean of 1 and the evidence. A resolved ticket's
evidence is judged on its subject and problem only: it answers a question about the same problem. So a chunk that
matches every word of the question outranks one that repeats a single word often (Lucene's old
"coordination factor", softened). A resolved ticket's score counts ``TICKET_PRIOR`` (see there).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from retrieval.analysis import QueryGroup, Vocabulary
from retrieval.model import TICKET_SOURCES

K1 = 1.2
B = 0.75
ENOUGH_WORDS = 2.0  # the coverage a question needs for ranking saturates at this many words of the highest idf
# The confidence (the hit's evidence) saturates at the question's own most specific known words instead:
# this many of them, by idf (chosen on the demo and dev sets, see retrieval/answering/pipeline.py).
SPECIFIC_WORDS = 2.5
# A resolved ticket is evidence only when its subject and problem share at least this many of the
# question's words: "når går ferja?" is not the problem of "Mistet jobbmobilen på ferja".
MIN_TICKET_WORDS = 2
# A resolved ticket is one person's case: short, specific, and so favoured by BM25's length
# normalisation. A guide is the maintained answer. When a guide and a ticket match a question about
# equally well, the guide should come first, so a ticket's score counts this much.
TICKET_PRIOR = 0.85


@dataclass(frozen=True)
class QueryPlan:
    weights: dict[str, float]  # indexed term -> BM25 weight (expansion weight x idf x (k1 + 1))
    coverage: list[dict[str, float]]  # per query word: indexed term -> share of that word it covers
    word_idf: list[float]
    chunk_count: int
    average_length: float
    evidence_idf: list[float]  # per query word: idf of all its forms together (0 for an unknown word)
    unknown_weight: float = 1.0  # how much a word the index has never seen counts against the evidence

    def evidence(self, tf: Mapping[str, float], *, specific: bool = False) -> float:
        """How much of the question a chunk with these terms covers: 0 (nothing) to 1 (enough).

        Enough is ``ENOUGH_WORDS`` words of the highest idf any word can have (for ranking), or, with
        ``specific``, the question's own ``SPECIFIC_WORDS`` most specific known words (the confidence):
        a question whose known words are all common needs no rare word covered to be answered."""
        return self._share(*self._covered(tf), specific=specific)

    def _covered(self, tf: Mapping[str, float]) -> tuple[float, float, float]:
        """The idf of the question's known words the chunk covers, of all its known words, of its unknown words."""
        covered = needed = unknown = 0.0
        for word, weight in zip(self.coverage, self.evidence_idf, strict=True):
            if not word:
                unknown += self.unknown_weight * self._rarest_idf
                continue
            needed += weight
            covered += weight * max((share for term, share in word.items() if term in tf), default=0.0)
        return covered, needed, unknown

    def _share(self, covered: float, needed: float, unknown: float, *, specific: bool) -> float:
        needed = min(needed, self._specific_need if specific else ENOUGH_WORDS * self._rarest_idf) + unknown
        return min(1.0, covered / needed) if needed else 0.0

    @cached_property
    def _rarest_idf(self) -> float:
        return idf(0, self.chunk_count)

    @cached_property
    def _specific_need(self) -> float:
        """The idf of the question's ``SPECIFIC_WORDS`` most specific known words (a fraction counting
        that share of the next one)."""
        known = sorted((weight for word, weight in zip(self.coverage, self.evidence_idf, strict=True) if word), reverse=True)
        whole = int(SPECIFIC_WORDS)
        part = SPECIFIC_WORDS - whole
        return sum(known[:whole]) + (part * known[whole] if len(known) > whole else 0.0)

    @property
    def ceiling(self) -> float:
        return sum(self.word_idf)

    def length_norm(self, length: float) -> float:
        return K1 * (1 - B + B * length / self.average_length)

    def score(
        self, tf: Mapping[str, float], length: float, match_tf: Mapping[str, float] | None = None
    ) -> tuple[float, float]:
        """The rank score of a chunk with these terms and this length, and its evidence (the specific
        kind); both judged on ``match_tf`` when given: a ticket's subject and problem, which must hold
        ``MIN_TICKET_WORDS`` of the question's words."""
        norm = self.length_norm(length)
        bm25 = sum(weight * tf[term] / (tf[term] + norm) for term, weight in self.weights.items() if term in tf)
        covered = self._covered(tf if match_tf is None else match_tf)
        coverage = self._share(*covered, specific=False)
        evidence = self._share(*covered, specific=True)
        if match_tf is not None and self.words_covered(match_tf) < MIN_TICKET_WORDS:
            evidence = 0.0
        return bm25 / self.ceiling * (coverage + 1) / 2, evidence

    def words_covered(self, tf: Mapping[str, float]) -> int:
        """How many of the question's words a chunk with these terms holds in some form."""
        return sum(1 for word in self.coverage if any(term in tf for term in word))

    def candidate_terms(self, vocabulary: Vocabulary, budget: int) -> list[str]:
        """The terms that find candidates: each word's own term first, rarest first, within a budget of
        postings; the rest (very common words, weak expansions) only rescore the candidates found."""
        primary = {term for word in self.coverage for term, share in word.items() if share >= 1.0}
        ordered = sorted(self.weights, key=lambda term: (term not in primary, vocabulary.df(term)))
        chosen: list[str] = []
        spent = 0
        for term in ordered:
            if chosen and spent + vocabulary.df(term) > budget:
                continue
            chosen.append(term)
            spent += vocabulary.df(term)
        return chosen


def plan_query(
    groups: list[QueryGroup],
    vocabulary: Vocabulary,
    chunk_count: int,
    total_length: float,
    unknown_weight: float = 1.0,
) -> QueryPlan | None:
    weights: dict[str, float] = {}
    coverage: list[dict[str, float]] = []
    word_idf: list[float] = []
    evidence_idf: list[float] = []
    for group in groups:
        known = {term: weight for term, weight in group.terms.items() if term in vocabulary}
        for term, weight in known.items():
            weights[term] = weights.get(term, 0.0) + weight * idf(vocabulary.df(term), chunk_count) * (K1 + 1)
        coverage.append(known)
        # an unknown word weighs as the rarest: a question about something the index never mentions
        word_idf.append(max((idf(vocabulary.df(term), chunk_count) for term in known), default=idf(0, chunk_count)))
        # the chunks holding any form of the word: at most the sum of the forms' document frequencies
        forms_df = min(chunk_count, sum(vocabulary.df(term) for term in known))
        evidence_idf.append(idf(forms_df, chunk_count) if known else 0.0)
    if not weights or not chunk_count:
        return None
    average = total_length / chunk_count or 1.0
    return QueryPlan(weights, coverage, word_idf, chunk_count, average, evidence_idf, unknown_weight)


def source_prior(source: str) -> float:
    """How much a chunk's score counts by where it comes from (see ``TICKET_PRIOR``)."""
    return TICKET_PRIOR if source in TICKET_SOURCES else 1.0


def idf(df: int, chunk_count: int) -> float:
    return math.log(1 + (chunk_count - df + 0.5) / (df + 0.5))
