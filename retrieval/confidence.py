"""How sure the local index is that its best hit answers the question: a calibrated probability.

The evidence of a hit (``retrieval.scoring``) says how much of the question it covers, but one
threshold on it means different things on different corpora: a page that mentions every word of
"Kan jeg bruke egen PC på jobb?" somewhere is not an answer to it. So the best hit is described by a
few signals that mean the same on any corpus, and a logistic model turns them into the probability
that the answer shown is the right one:

- ``evidence``: the share of the question's weight the hit covers (specific words counting most);
- ``words``: the share of the question's words the hit holds in some form, however common;
- ``unknown``: the share of the question's words the index has never seen;
- ``margin``: how far the hit scores above the best hit of another document (share of its score);
- ``score``: the hit's rank score (BM25 over what the question could reach, see ``scoring``);
- ``ticket``: 1 for a resolved ticket, judged on its problem;
- ``known``: the share of the question's words the index knows (in some form) that the hit holds: an
  untranslated English filler word counts neither way;
- ``rarest``: the share of the question's two most specific known words (by idf) the hit holds: a
  page that shares the common words of a question but not its key word is near the topic, not on it;
- ``title``: the share of the question's weight the hit's title and headings cover.

The model (``calibration.json`` beside this file: the signals it uses, standardisation, weights) is
fitted by ``bench/calibrate.py`` on the demo, dev, heldout and heldout3 sets, never on a set kept clean
for measuring; it is data, refitted when the signals change. That script also compares sets of
signals by leaving one set out: with the sets of December 2026 only ``evidence`` and ``score`` carried
over to the left-out corpus; the other signals fitted their own corpus and made the left-out one worse
or no better than one question in a set (``title`` came closest: it helped two sets and hurt two; the
best-sentence evidence added nothing: short questions are answered by one sentence anyway). So the
model uses those two, and the threshold is a probability (see ``retrieval.answering.pipeline``).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from retrieval.analysis import Analyzer
from retrieval.model import TICKET_SOURCES, Chunk, SearchHit
from retrieval.scoring import QueryPlan
from retrieval.sources.tickets import ticket_problem
from retrieval.text import plain_text

CALIBRATION = Path(__file__).with_name("calibration.json")
FEATURES = ("evidence", "words", "unknown", "margin", "score", "ticket", "known", "rarest", "title")
RAREST_WORDS = 2  # the question's most specific known words the ``rarest`` signal looks for
# Azure AI Search: the semantic reranker's score (0-4) through the same kind of model. What could be
# measured without a real index: nothing; the fake service returns scores it was given. So the shipped
# model is a prior read from the ranker's documented scale (0-1 irrelevant, 1-2 somewhat relevant,
# 2-3 relevant, 3-4 highly relevant): the threshold (0.55) at 2.0, 0.90 at 3.0, 0.14 at 1.0, which
# keeps the decision the old "reranker / 4 >= 0.5" made. Refit it with bench/calibrate.py's method on
# answers from a real index (the reranker score of the best hit and whether the answer cited an
# expected page).
AZURE_CALIBRATION = Path(__file__).with_name("calibration_azure.json")
AZURE_FEATURES = ("reranker",)


@dataclass(frozen=True)
class Calibration:
    """A logistic model over ``FEATURES``: standardised by ``mean`` and ``scale``, then weighed."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def probability(self, signals: Mapping[str, float]) -> float:
        z = self.bias + sum(
            weight * (signals[name] - mean) / scale
            for name, mean, scale, weight in zip(self.features, self.mean, self.scale, self.weights, strict=True)
        )
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict[str, object]:
        return {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "weights": list(self.weights),
            "bias": self.bias,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object], known: Sequence[str] = FEATURES) -> Calibration:
        def floats(key: str) -> tuple[float, ...]:
            values = data[key]
            assert isinstance(values, list)
            return tuple(float(value) for value in values)

        names = data["features"]
        assert isinstance(names, list)
        bias = data["bias"]
        assert isinstance(bias, int | float)
        calibration = cls(tuple(str(n) for n in names), floats("mean"), floats("scale"), floats("weights"), float(bias))
        if set(calibration.features) - set(known):
            raise ValueError(f"calibration uses unknown features: {set(calibration.features) - set(known)}")
        return calibration


@cache
def calibration(path: Path = CALIBRATION, known: tuple[str, ...] = FEATURES) -> Calibration:
    return Calibration.from_json(json.loads(path.read_text(encoding="utf-8")), known)


def reranker_confidence(reranker: float) -> float:
    """Azure's semantic reranker score (0-4) as a confidence (see ``AZURE_CALIBRATION``)."""
    return calibration(AZURE_CALIBRATION, AZURE_FEATURES).probability({"reranker": reranker})


def with_confidence(hits: Sequence[SearchHit], plan: QueryPlan, analyzer: Analyzer) -> list[SearchHit]:
    """The hits, the best one carrying its signals and its calibrated confidence."""
    if not hits:
        return []
    signals = best_hit_signals(hits, plan, analyzer)
    best = replace(hits[0], confidence=calibration().probability(signals), signals=signals)
    return [best, *hits[1:]]


def best_hit_signals(hits: Sequence[SearchHit], plan: QueryPlan, analyzer: Analyzer) -> dict[str, float]:
    best = hits[0]
    chunk = best.chunk
    ticket = chunk.source in TICKET_SOURCES
    judged = Counter(analyzer.index_terms(judged_text(chunk)))
    other = max((hit.score for hit in hits if hit.chunk.document_id != chunk.document_id), default=0.0)
    words = len(plan.coverage) or 1
    known = [(weight, word) for word, weight in zip(plan.coverage, plan.evidence_idf, strict=True) if word]
    rarest = [word for _, word in sorted(known, key=lambda item: -item[0])[:RAREST_WORDS]]
    heading = Counter(analyzer.index_terms("\n".join([chunk.title, *chunk.heading_path])))
    return {
        "evidence": best.evidence if best.evidence is not None else plan.evidence(judged, specific=True),
        "words": plan.words_covered(judged) / words,
        "unknown": sum(1 for word in plan.coverage if not word) / words,
        "margin": (best.score - other) / best.score if best.score > 0 else 0.0,
        "score": best.score,
        "ticket": 1.0 if ticket else 0.0,
        "known": sum(1 for _, word in known if any(term in judged for term in word)) / (len(known) or 1),
        "rarest": sum(1 for word in rarest if any(term in judged for term in word)) / (len(rarest) or 1),
        "title": plan.evidence(heading, specific=True),
    }


def judged_text(chunk: Chunk) -> str:
    """The text a hit's evidence is judged on: title, headings and body, or a ticket's subject and problem."""
    if chunk.source in TICKET_SOURCES:
        return f"{chunk.title}\n{plain_text(ticket_problem(chunk.text, chunk.heading_path))}"
    return "\n".join([chunk.title, *chunk.heading_path, plain_text(chunk.text)])
