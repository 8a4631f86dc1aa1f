"""The intent model: a linear classifier over character and word n-grams, trained with scikit-learn
from the skills' labelled examples.

Character n-grams inside words let typos, dialect spellings and Norwegian endings share features
("pc-en", "pcen", "pc'n"; "sakk", "saka"); word unigrams and bigrams carry negation and order
("ikke lag", "vil ikke"). A linear SVM (liblinear: a fraction of a second to train) scores each intent, with
class weights balanced so the many knowledge examples do not pull short requests into knowledge;
a softmax with one temperature, fitted on cross-validated scores of the training set, turns the
scores into calibrated probabilities.

Training imports scikit-learn (about a second) and runs once per set of examples: the fitted weights
are saved as plain arrays (``.npz``, no pickle) under a name that is the digest of the examples, and
scoring a message needs only numpy and the same ``features`` function that training used. A server with
a cache folder trains in a child interpreter (``python -m skills.router.model``), so scikit-learn and SciPy
(~100 MB) never stay in the serving process.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from skills.intents import Example

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[a-z0-9æøåéèüäö]+")
_APOSTROPHE = re.compile(r"(?<=\w)['’´`](?=\w)")  # "pc'n" is one word
CHAR_NGRAMS = (2, 5)
FORMAT = 2  # bump when the features, the classifier or the saved arrays change


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return _APOSTROPHE.sub("", text)


def features(text: str) -> list[str]:
    """The n-grams of one message (the same function for training and scoring)."""
    words = _TOKEN.findall(normalize(text))
    grams = [f"w:{word}" for word in words]
    grams += [f"b:{first} {second}" for first, second in pairwise(words)]
    low, high = CHAR_NGRAMS
    for word in words:
        padded = f" {word} "
        for size in range(low, high + 1):
            grams += [padded[start:start + size] for start in range(len(padded) - size + 1)]
    return grams


def digest(examples: Sequence[Example], regularization: float) -> str:
    payload = json.dumps([FORMAT, regularization, CHAR_NGRAMS, sorted((e.intent, e.text) for e in examples)])
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class IntentModel:
    intents: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray  # (features,)
    weights: np.ndarray  # (features, intents), already divided by the temperature
    bias: np.ndarray  # (intents,)

    def probabilities(self, text: str) -> np.ndarray:
        """Calibrated probabilities of every intent (in ``intents`` order)."""
        counts = Counter(self.vocabulary[gram] for gram in features(text) if gram in self.vocabulary)
        if not counts:
            return _softmax(self.bias)
        columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[columns]
        values /= np.linalg.norm(values)
        return _softmax(values @ self.weights[columns] + self.bias)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        grams = [""] * len(self.vocabulary)
        for gram, column in self.vocabulary.items():
            grams[column] = gram
        partial = path.with_suffix(".partial.npz")
        np.savez_compressed(partial, intents=np.array(self.intents), grams=np.array(grams), idf=self.idf,
                            weights=self.weights, bias=self.bias)
        partial.replace(path)

    @classmethod
    def load(cls, path: Path) -> IntentModel:
        with np.load(path, allow_pickle=False) as saved:
            grams = [str(gram) for gram in saved["grams"]]
            return cls(tuple(str(name) for name in saved["intents"]), {gram: i for i, gram in enumerate(grams)},
                       saved["idf"], saved["weights"], saved["bias"])


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max())
    return shifted / shifted.sum()


def train(examples: Sequence[Example], regularization: float = 2.0) -> IntentModel:
    """Fit the vectorizer and the classifier, then a temperature on 5-fold cross-validated logits."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.svm import LinearSVC

    texts = [example.text for example in examples]
    labels = [example.intent for example in examples]
    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True)
    matrix = vectorizer.fit_transform(texts)
    classifier = LinearSVC(C=regularization, class_weight="balanced")  # a small intent counts as much as knowledge
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    logits = cross_val_predict(classifier, matrix, labels, cv=folds, method="decision_function")
    classifier.fit(matrix, labels)
    intents = tuple(str(name) for name in classifier.classes_)
    temperature = _temperature(logits, np.array([intents.index(label) for label in labels]))
    log.info("trained the intent model", extra={"examples": len(texts), "temperature": round(temperature, 2)})
    return IntentModel(intents, {str(gram): int(i) for gram, i in vectorizer.vocabulary_.items()},
                       vectorizer.idf_.astype(np.float64), classifier.coef_.T / temperature,
                       classifier.intercept_ / temperature)


def _temperature(logits: np.ndarray, truth: np.ndarray) -> float:
    """The temperature that minimises the log loss of held-out-fold logits (a 1-D search)."""

    def loss(temperature: float) -> float:
        scaled = logits / temperature
        scaled -= scaled.max(axis=1, keepdims=True)
        log_probabilities = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        return float(-log_probabilities[np.arange(len(truth)), truth].mean())

    candidates = [math.exp(step / 20) for step in range(-40, 61)]  # 0.14 … 20
    return min(candidates, key=loss)


_loaded: dict[str, IntentModel] = {}


def trained(examples: Sequence[Example], cache_dir: Path | None, regularization: float = 2.0) -> IntentModel:
    """The model for these examples: from this process, from the cache folder, or trained now (and saved)."""
    key = digest(examples, regularization)
    if key in _loaded:
        return _loaded[key]
    path = cache_dir / f"intent-model-{key}.npz" if cache_dir else None
    model = None
    if path is not None and path.exists():
        try:
            model = IntentModel.load(path)
        except (OSError, ValueError, KeyError):
            log.warning("the cached intent model is unreadable; training again", exc_info=True)
    if model is None and path is not None:
        model = _trained_apart(examples, regularization, path)
    if model is None:
        model = train(examples, regularization)
        if path is not None:
            try:
                model.save(path)
            except OSError:
                log.warning("could not cache the intent model", exc_info=True)
    _loaded[key] = model
    return model


def _trained_apart(examples: Sequence[Example], regularization: float, path: Path) -> IntentModel | None:
    """Trained by a child interpreter that saves the model to path; None (train here) if that fails."""
    request = {"regularization": regularization, "examples": [[e.text, e.intent, e.language] for e in examples]}
    root = str(Path(__file__).resolve().parents[2])  # the folder that holds the skills package
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH"))))}
    try:
        subprocess.run([sys.executable, "-m", "skills.router.model", str(path)], input=json.dumps(request),
                       text=True, env=env, capture_output=True, check=True)
        model = IntentModel.load(path)
    except (OSError, ValueError, KeyError, subprocess.CalledProcessError):
        log.warning("training the intent model in a child process failed; training here", exc_info=True)
        return None
    log.info("trained the intent model in a child process", extra={"examples": len(examples)})
    return model


if __name__ == "__main__":  # python -m skills.router.model PATH, the request as JSON on stdin (_trained_apart)
    given = json.load(sys.stdin)
    train([Example(*example) for example in given["examples"]], given["regularization"]).save(Path(sys.argv[1]))
