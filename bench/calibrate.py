"""Fit the confidence model of the local index (retrieval/calibration.json) and print its curves.

Run: .venv/bin/python bench/calibrate.py [--write]

Every question of the fitting sets (demo, dev and the first two held-out sets: bench/data/heldout and
heldout3, dev sets now; never a set kept clean for measuring) is answered as its user would be, and
the best hit's signals
(``retrieval.confidence``) are paired with whether the answer shown is right: 1 when the question is
answerable and the answer cites an expected document, 0 otherwise (an unanswerable question, or an
answer from the wrong page). A logistic regression over the standardised signals (``MODEL_FEATURES``) is then

- compared with regressions over other sets of signals (``CANDIDATES``), each fitted on the other sets
  and judged on the left-out one at the threshold in use: the signals kept are those that carry over;
- cross-validated by leaving one set out (fit on the others, predict the one left out: each set is another
  corpus, so its figures say how the confidence carries over to pages it was not fitted on) and by
  five folds over the pooled questions;
- printed as a reliability table (predicted confidence against the share of right answers) and as the
  threshold curve (abstention on unanswerable questions, false abstention on answerable ones);
- with ``--write``, fitted on all the fitting sets and saved to retrieval/calibration.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.knowledge import (  # noqa: E402
    KnowledgeSet,
    answered_right,
    build_index,
    demo_set,
    dev_set,
    heldout3_set,
    heldout_set,
    print_reliability,
)
from core.language import Language  # noqa: E402
from core.pii import mask  # noqa: E402
from retrieval.analysis import NorwegianAnalyzer  # noqa: E402
from retrieval.answering.pipeline import MIN_CONFIDENT_SCORE, Answerer, rewrite  # noqa: E402
from retrieval.confidence import CALIBRATION, FEATURES, Calibration  # noqa: E402
from retrieval.model import AudienceScope  # noqa: E402

MODEL_FEATURES = ("evidence", "score")  # chosen with the comparison this script prints (see retrieval.confidence)
CANDIDATES = [
    ("evidence",),
    MODEL_FEATURES,
    ("known", "score"),
    ("evidence", "score", "rarest"),
    ("evidence", "score", "title"),
    ("evidence", "score", "margin"),
    ("evidence", "score", "known"),
    ("evidence", "score", "rarest", "title"),
    ("evidence", "score", "title", "margin"),
    ("evidence", "score", "title", "known"),
    ("evidence", "title"),
    ("evidence", "score", "known", "rarest", "title", "margin"),
    ("evidence", "ticket"),
    ("evidence", "words"),
    ("evidence", "unknown"),
    ("evidence", "margin"),
    ("evidence", "score", "ticket", "unknown"),
    FEATURES,
]
C = 1.0  # L2 strength of the logistic regression (sklearn's default): a few signals, a few hundred questions
THRESHOLDS = [round(0.20 + 0.05 * step, 2) for step in range(13)]
# The threshold is the one with the most abstention on unanswerable questions whose pooled cross-validated
# false abstention stays within this: three quarters of the 0.10 target, the margin for a corpus never seen
# (the curve's sum is flat from 0.45 to 0.80, so "most abstention plus answered" picks noise).
MAX_FALSE_ABSTENTION = 0.075


@dataclass
class Sample:
    set_name: str
    question_id: str
    answerable: bool
    right: bool  # answerable and an expected document cited
    signals: dict[str, float]


async def samples(knowledge: KnowledgeSet) -> list[Sample]:
    found: list[Sample] = []
    with tempfile.TemporaryDirectory(prefix="rakel-calibrate-") as folder:
        async with knowledge.sources() as sources:
            index, _ = await build_index(Path(folder) / "index.db", NorwegianAnalyzer(), sources)
        answerer = Answerer(index)
        for q in knowledge.questions:
            scope = AudienceScope(q.municipality)
            answer = await answerer.answer(q.question, scope, Language(q.language))
            hits = await answerer.search(mask(rewrite(q.question, ())), scope)
            if not hits or hits[0].signals is None or not answer.text:
                signals = dict.fromkeys(FEATURES, 0.0)  # nothing found: never right
            else:
                signals = dict(hits[0].signals)
            found.append(Sample(knowledge.name, q.id, q.answerable, answered_right(q, answer), signals))
        index.close()
    return found


def matrix(chosen: list[Sample], features: Sequence[str] = MODEL_FEATURES) -> tuple[np.ndarray, np.ndarray]:
    return np.array([[s.signals[name] for name in features] for s in chosen]), np.array([s.right for s in chosen])


def fit(chosen: list[Sample], features: Sequence[str] = MODEL_FEATURES) -> Calibration:
    x, y = matrix(chosen, features)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=1000).fit((x - mean) / scale, y)
    return Calibration(
        tuple(features),
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in model.coef_[0]),
        float(model.intercept_[0]),
    )


def predict(calibration: Calibration, chosen: list[Sample]) -> list[float]:
    return [calibration.probability(s.signals) for s in chosen]


def pairs(chosen: list[Sample], predicted: list[float]) -> list[tuple[float, bool]]:
    return [(p, s.right) for p, s in zip(predicted, chosen, strict=True)]


def print_curve(title: str, chosen: list[Sample], predicted: list[float]) -> None:
    unanswerable = [p for p, s in zip(predicted, chosen, strict=True) if not s.answerable]
    answerable = [p for p, s in zip(predicted, chosen, strict=True) if s.answerable]
    print(f"\n{title}\n{'threshold':>10}{'abstention':>12}{'false abst.':>13}{'sum':>7}")
    for threshold in THRESHOLDS:
        abstained = sum(p < threshold for p in unanswerable) / (len(unanswerable) or 1)
        false = sum(p < threshold for p in answerable) / (len(answerable) or 1)
        mark = "  <- in use" if abs(threshold - MIN_CONFIDENT_SCORE) < 1e-9 else ""
        print(f"{threshold:>10.2f}{abstained:>12.3f}{false:>13.3f}{abstained + 1 - false:>7.3f}{mark}")


def rates(chosen: list[Sample], predicted: list[float], threshold: float) -> tuple[float, float]:
    """(abstention on unanswerable, false abstention on answerable) at this threshold."""
    unanswerable = [p < threshold for p, s in zip(predicted, chosen, strict=True) if not s.answerable]
    answerable = [p < threshold for p, s in zip(predicted, chosen, strict=True) if s.answerable]
    return sum(unanswerable) / (len(unanswerable) or 1), sum(answerable) / (len(answerable) or 1)


def compare(sets: dict[str, list[Sample]]) -> None:
    """Each candidate set of signals, fitted on the other sets and judged on the one left out (threshold in use)."""
    print(
        f"\nsignals compared at threshold {MIN_CONFIDENT_SCORE}, each set predicted by a model fitted on the "
        "other sets (abstention / false abstention; sum = abstention + answered share, over all):"
    )
    print(f"{'signals':<44}" + "".join(f"{name:>14}" for name in sets) + f"{'sum':>8}")
    for features in CANDIDATES:
        cells = []
        total = 0.0
        for name, chosen in sets.items():
            rest = [s for other, samples_ in sets.items() if other != name for s in samples_]
            abstained, false = rates(chosen, predict(fit(rest, features), chosen), MIN_CONFIDENT_SCORE)
            cells.append(f"{abstained:>8.2f}/{false:.3f}")
            total += abstained + 1 - false
        print(f"{'+'.join(features):<44}{''.join(cells)}{total:>8.3f}")


def cross_validated(pooled: list[Sample]) -> list[float]:
    x, y = matrix(pooled)
    predicted = [0.0] * len(pooled)
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(x, y):
        calibration = fit([pooled[i] for i in train])
        for i in test:
            predicted[i] = calibration.probability(pooled[i].signals)
    return predicted


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"save the model fitted on every set to {CALIBRATION}")
    args = parser.parse_args()
    sets = {make().name: await samples(make()) for make in (demo_set, dev_set, heldout_set, heldout3_set)}
    pooled = [s for chosen in sets.values() for s in chosen]
    compare(sets)
    for name, chosen in sets.items():
        rest = [s for other, samples_ in sets.items() if other != name for s in samples_]
        predicted = predict(fit(rest), chosen)
        print_reliability(
            f"reliability, {name} predicted by a model fitted on the other sets:", pairs(chosen, predicted)
        )
        print_curve(f"threshold curve, {name} (left out of the fit):", chosen, predicted)
    predicted = cross_validated(pooled)
    print_reliability("reliability, all fitting sets pooled, five-fold cross-validated:", pairs(pooled, predicted))
    print_curve("threshold curve, all fitting sets pooled, five-fold cross-validated:", pooled, predicted)
    within = [t for t in THRESHOLDS if rates(pooled, predicted, t)[1] <= MAX_FALSE_ABSTENTION + 1e-9]
    rule = f"most abstention, false abstention <= {MAX_FALSE_ABSTENTION}"
    print(f"threshold by the rule ({rule}): {max(within, default=0.5)}")
    calibration = fit(pooled)
    print("\nmodel fitted on every fitting set (standardised weights):")
    for name, weight in zip(calibration.features, calibration.weights, strict=True):
        print(f"  {name:<10}{weight:>8.3f}")
    print(f"  {'bias':<10}{calibration.bias:>8.3f}")
    if args.write:
        CALIBRATION.write_text(json.dumps(calibration.to_json(), indent=2) + "\n", encoding="utf-8")
        print(f"written to {CALIBRATION.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
