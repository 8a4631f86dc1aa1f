"""Content gaps: the masked questions Rakel could not answer, or whose answer got a thumbs down,
grouped into topics with TF-IDF over Norwegian stems (the index's own analyzer) and k-means.

The number of topics is the one with the best silhouette (cosine) among a few candidates. A topic
asked by fewer than ``MIN_GROUP_USERS`` distinct users is left out (only counted), so no example
question can point at one person.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from analytics.definitions import MIN_GROUP_USERS
from analytics.events import QuestionText
from retrieval.analysis import NorwegianAnalyzer

MAX_TOPICS = 25
MAX_SILHOUETTE_SAMPLE = 1500
LSA_DIMENSIONS = 60
EXAMPLES = 3
LABEL_TERMS = 3
EXAMPLE_CHARS = 160
SEED = 13


@dataclass(frozen=True)
class Topic:
    label: str  # the topic's most telling words
    questions: int
    users: int
    unanswered: int
    disliked: int
    examples: tuple[str, ...]  # masked, from different users


@dataclass(frozen=True)
class Gaps:
    topics: list[Topic]  # largest first
    hidden_topics: int  # topics under MIN_GROUP_USERS users
    hidden_questions: int


def find_gaps(texts: Sequence[QuestionText], analyzer: NorwegianAnalyzer | None = None) -> Gaps:
    questions = [text for text in texts if text.kind in ("unanswered", "disliked")]
    analyzer = analyzer or NorwegianAnalyzer()
    if len({q.user_key for q in questions}) < MIN_GROUP_USERS:
        return Gaps([], 1 if questions else 0, len(questions))
    vectorizer = TfidfVectorizer(analyzer=analyzer.index_terms, sublinear_tf=True, min_df=1)
    unique = sorted({q.text for q in questions})
    try:
        matrix = vectorizer.fit_transform(unique)
    except ValueError:  # nothing but stop words
        return Gaps([], 1, len(questions))
    with threadpool_limits(1):  # many tiny k-means fits: OpenMP threads cost more than they give here
        labels = _cluster(matrix)
    label_of = dict(zip(unique, labels, strict=True))
    terms = np.array(vectorizer.get_feature_names_out())
    surface = _surface_forms(unique, analyzer)
    topics, hidden_topics, hidden_questions = [], 0, 0
    for cluster in sorted(set(labels)):
        members = [q for q in questions if label_of[q.text] == cluster]
        users = len({q.user_key for q in members})
        if users < MIN_GROUP_USERS:
            hidden_topics, hidden_questions = hidden_topics + 1, hidden_questions + len(members)
            continue
        rows = [index for index, text in enumerate(unique) if labels[index] == cluster]
        centroid = np.asarray(matrix[rows].mean(axis=0)).ravel()
        top = [surface.get(terms[index], terms[index]) for index in np.argsort(-centroid)[:LABEL_TERMS]
               if centroid[index] > 0]
        topics.append(Topic(
            label=", ".join(top), questions=len(members), users=users,
            unanswered=sum(q.kind == "unanswered" for q in members),
            disliked=sum(q.kind == "disliked" for q in members),
            examples=_examples(members, matrix, rows, unique, centroid),
        ))
    topics.sort(key=lambda topic: (-topic.questions, topic.label))
    return Gaps(topics, hidden_topics, hidden_questions)


def _cluster(matrix) -> list[int]:  # noqa: ANN001 - a scipy sparse matrix
    """k-means with the k of the best silhouette (cosine). Many questions are first reduced to
    LSA_DIMENSIONS (truncated SVD, normalised) and k is chosen on a sample, which keeps it fast."""
    count = matrix.shape[0]
    if count < 3:
        return [0] * count
    if min(matrix.shape) > LSA_DIMENSIONS:
        matrix = normalize(TruncatedSVD(LSA_DIMENSIONS, random_state=SEED).fit_transform(matrix))
    sample = matrix
    if count > MAX_SILHOUETTE_SAMPLE:
        sample = matrix[np.random.default_rng(SEED).choice(count, MAX_SILHOUETTE_SAMPLE, replace=False)]
    starts = 4
    best_k, best_score = 0, -1.0
    for k in _candidates(sample.shape[0]):
        labels = KMeans(n_clusters=k, n_init=starts, random_state=SEED).fit_predict(sample)
        if len(set(labels)) < 2:
            continue
        score = silhouette_score(sample, labels, metric="cosine")
        if score > best_score:
            best_k, best_score = k, score
    if not best_k:
        return [0] * count
    return [int(label) for label in KMeans(n_clusters=best_k, n_init=starts, random_state=SEED).fit_predict(matrix)]


def _candidates(count: int) -> list[int]:
    """Topic counts to try: a topic needs several questions, so at most a third of them."""
    top = max(2, min(MAX_TOPICS, count // 3))
    small = list(range(2, min(top, 10) + 1))
    return sorted(set(small + list(range(12, top + 1, 3))))


def _surface_forms(texts: Sequence[str], analyzer: NorwegianAnalyzer) -> dict[str, str]:
    """The word most often written for each stem, so labels read as words ("skriver", not "skriv")."""
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        for word in analyzer.words(text):
            forms.setdefault(analyzer.stem(word), Counter())[word] += 1
    return {stem: counts.most_common(1)[0][0] for stem, counts in forms.items()}


def _examples(members: list[QuestionText], matrix, rows: list[int], unique: list[str], centroid) -> tuple[str, ...]:  # noqa: ANN001
    """The questions nearest the topic's centre, each from a different user."""
    closeness = {unique[row]: float(matrix[row].dot(centroid).sum()) for row in rows}
    chosen: list[str] = []
    seen_users: set[str] = set()
    for question in sorted(members, key=lambda q: (-closeness[q.text], q.text)):
        if question.user_key in seen_users or question.text in chosen:
            continue
        seen_users.add(question.user_key)
        chosen.append(question.text)
        if len(chosen) == EXAMPLES:
            break
    return tuple(_shorten(text) for text in chosen)


def _shorten(text: str) -> str:
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1].rstrip() + "…"
