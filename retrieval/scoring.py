"""Scoring for the local index: BM25 with weighted query terms, softened by how much of the query a chunk covers.

The score of a chunk is its BM25 score divided by the most a query can reach with each of its words
found once (the sum of the words' idf), times the mean of 1 and the share of the query's idf the
chunk covers. So a chunk that matches every word of the question outranks one that repeats a single
word often (Lucene's old "coordination factor", softened), and the score reads like "how much of
the question this chunk answers": a fixed threshold can judge whether the evidence is good enough.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from retrieval.analysis import QueryGroup, Vocabulary

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class QueryPlan:
    weights: dict[str, float]  # indexed term -> BM25 weight (expansion weight x idf x (k1 + 1))
    coverage: list[dict[str, float]]  # per query word: indexed term -> share of that word it covers
    word_idf: list[float]
    chunk_count: int
    average_length: float

    @property
    def ceiling(self) -> float:
        return sum(self.word_idf)

    def length_norm(self, length: float) -> float:
        return K1 * (1 - B + B * length / self.average_length)

    def score(self, tf: Mapping[str, float], length: float) -> float:
        norm = self.length_norm(length)
        bm25 = sum(weight * tf[term] / (tf[term] + norm) for term, weight in self.weights.items() if term in tf)
        covered = sum(
            idf * max((share for term, share in word.items() if term in tf), default=0.0)
            for word, idf in zip(self.coverage, self.word_idf, strict=True)
        )
        ceiling = self.ceiling
        return bm25 / ceiling * (covered / ceiling + 1) / 2

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
    groups: list[QueryGroup], vocabulary: Vocabulary, chunk_count: int, total_length: float
) -> QueryPlan | None:
    weights: dict[str, float] = {}
    coverage: list[dict[str, float]] = []
    word_idf: list[float] = []
    for group in groups:
        known = {term: weight for term, weight in group.terms.items() if term in vocabulary}
        for term, weight in known.items():
            weights[term] = weights.get(term, 0.0) + weight * idf(vocabulary.df(term), chunk_count) * (K1 + 1)
        coverage.append(known)
        # an unknown word weighs as the rarest: a question about something the index never mentions
        word_idf.append(max((idf(vocabulary.df(term), chunk_count) for term in known), default=idf(0, chunk_count)))
    if not weights or not chunk_count:
        return None
    return QueryPlan(weights, coverage, word_idf, chunk_count, total_length / chunk_count or 1.0)


def idf(df: int, chunk_count: int) -> float:
    return math.log(1 + (chunk_count - df + 0.5) / (df + 0.5))
