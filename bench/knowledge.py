"""Knowledge benchmark: retrieval quality, answers, abstention and personal-data leaks on the demo corpus.

Run: .venv/bin/python bench/knowledge.py [--questions FILE] [--verbose]

Builds two throw-away local indexes of demo/corpus and the demo ticket export, one with the
Norwegian analysis (stemming, compounds, synonyms, typos) and one plain BM25 baseline (lowercased
words only), then asks every labelled question as a user of its municipality and prints:

- recall@1, recall@5 and MRR of the expected documents (answerable questions), for both indexes
  and their ratio, plus recall@1 and recall@5 per kind of question (each index is asked what the
  answerer would search: the question without its greetings, thanks and signature);
- the must-mention rate of the extractive answers (every must_mention string in the answer text);
- abstention accuracy on unanswerable questions and false abstentions on answerable ones (also per
  kind: "verbose" questions are chatty, answerable or not), and a sweep of the threshold on the best
  hit's evidence (how MIN_CONFIDENT_SCORE was calibrated);
- leaks: planted personal data (lines of demo/pureservice/PLANTED_PII.txt) found in any answer,
  citation or indexed chunk.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.language import Language  # noqa: E402
from retrieval.analysis import Analyzer, NorwegianAnalyzer, PlainAnalyzer  # noqa: E402
from retrieval.answering.followup import search_query  # noqa: E402
from retrieval.answering.pipeline import MIN_CONFIDENT_SCORE, Answer, Answerer  # noqa: E402
from retrieval.ingest import Ingestor  # noqa: E402
from retrieval.local_index import LocalIndex  # noqa: E402
from retrieval.model import AudienceScope  # noqa: E402
from retrieval.sources.local_folder import LocalFolderSource  # noqa: E402
from retrieval.sources.local_tickets import LocalTicketSource  # noqa: E402

CORPUS = ROOT / "demo" / "corpus"
TICKETS = ROOT / "demo" / "pureservice" / "resolved_tickets.json"
PLANTED = ROOT / "demo" / "pureservice" / "PLANTED_PII.txt"
QUESTIONS = ROOT / "bench" / "data" / "knowledge_questions.jsonl"
RANKED_CHUNKS = 40  # chunks fetched to rank documents (several chunks of one page count once)
THRESHOLDS = [round(0.20 + 0.05 * step, 2) for step in range(13)]
TARGETS = {"recall@5": 0.90, "abstention": 0.80}


@dataclass
class Question:
    id: str
    question: str
    municipality: str
    expected: list[str]
    must_mention: list[str]
    kind: str
    language: str

    @property
    def answerable(self) -> bool:
        return bool(self.expected)


@dataclass
class Retrieval:
    rank: int | None  # 1-based rank of the first expected document, None when not in the list


async def build_index(path: Path, analyzer: Analyzer) -> tuple[LocalIndex, float]:
    index = LocalIndex(path, analyzer)
    started = time.perf_counter()
    summary = await Ingestor(index, [LocalFolderSource(CORPUS), LocalTicketSource(TICKETS)]).run()
    if summary.skipped:
        print(f"  {analyzer.name}: {len(summary.skipped)} documents skipped: {summary.skipped[:5]}")
    return index, time.perf_counter() - started


async def retrieve(index: LocalIndex, question: Question) -> Retrieval:
    """Rank documents for the query the answerer would search (the question without its chatter)."""
    query = search_query(question.question, ())
    hits = await index.search(query, AudienceScope(question.municipality), top=RANKED_CHUNKS)
    documents = list(dict.fromkeys(hit.chunk.document_id for hit in hits))
    ranks = [documents.index(expected) + 1 for expected in question.expected if expected in documents]
    return Retrieval(min(ranks) if ranks else None)


def retrieval_figures(results: list[Retrieval]) -> dict[str, float]:
    count = len(results) or 1
    return {
        "recall@1": sum(r.rank == 1 for r in results) / count,
        "recall@5": sum(r.rank is not None and r.rank <= 5 for r in results) / count,
        "MRR": sum(1 / r.rank for r in results if r.rank) / count,
    }


def mentions_all(answer: Answer, terms: list[str]) -> bool:
    text = answer.text.casefold()
    return all(term.casefold() in text for term in terms)


def leaks_in(texts: list[str], planted: list[str]) -> list[str]:
    folded = [text.casefold() for text in texts]
    return [line for line in planted if any(line.casefold() in text for text in folded)]


def indexed_texts(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT c.text, d.title FROM chunks c JOIN documents d ON d.id = c.document_id")
        return [f"{text}\n{title}" for text, title in rows]


def answer_texts(answer: Answer) -> list[str]:
    return [answer.text, *(f"{c.title}\n{c.url}\n{c.snippet}" for c in answer.citations)]


def load_questions(path: Path) -> list[Question]:
    return [Question(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def sweep(answered: list[tuple[Question, Answer]]) -> list[tuple[float, float, float]]:
    """(threshold, abstention accuracy, false abstention rate) for each candidate threshold on the
    best hit's evidence."""
    unanswerable = [a for q, a in answered if not q.answerable]
    answerable = [a for q, a in answered if q.answerable]
    rows = []
    for threshold in THRESHOLDS:
        abstained = sum(a.evidence < threshold for a in unanswerable) / (len(unanswerable) or 1)
        false = sum(a.evidence < threshold for a in answerable) / (len(answerable) or 1)
        rows.append((threshold, abstained, false))
    return rows


def abstention_by_kind(answered: list[tuple[Question, Answer]]) -> list[tuple[str, float, int]]:
    """(kind, rate, count): false abstentions on the answerable questions of each kind, and right
    abstentions on the unanswerable ones (shown as "<kind> unanswerable")."""
    groups: dict[str, list[bool]] = defaultdict(list)
    for q, a in answered:
        if q.answerable:
            groups[q.kind].append(not a.confident)
        else:
            groups[q.kind if q.kind == "unanswerable" else f"{q.kind} unanswerable"].append(not a.confident)
    return [(kind, sum(flags) / len(flags), len(flags)) for kind, flags in sorted(groups.items())]


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--verbose", action="store_true", help="list every miss and wrong abstention")
    args = parser.parse_args()
    questions = load_questions(args.questions)
    planted = [line.strip() for line in PLANTED.read_text(encoding="utf-8").splitlines() if line.strip()]
    answerable = [q for q in questions if q.answerable]
    unanswerable = [q for q in questions if not q.answerable]
    print(f"{len(questions)} questions: {len(answerable)} answerable, {len(unanswerable)} unanswerable")

    with tempfile.TemporaryDirectory(prefix="rakel-knowledge-") as folder:
        norwegian, seconds = await build_index(Path(folder) / "norwegian.db", NorwegianAnalyzer())
        baseline, _ = await build_index(Path(folder) / "plain.db", PlainAnalyzer())
        print(f"indexed the demo corpus and tickets in {seconds:.2f} s")

        ours = [await retrieve(norwegian, q) for q in answerable]
        plain = [await retrieve(baseline, q) for q in answerable]
        answerer = Answerer(norwegian)
        answered = [
            (q, await answerer.answer(q.question, AudienceScope(q.municipality), Language(q.language)))
            for q in questions
        ]
        index_leaks = leaks_in(indexed_texts(Path(folder) / "norwegian.db"), planted)
        norwegian.close()
        baseline.close()

    ours_figures, plain_figures = retrieval_figures(ours), retrieval_figures(plain)
    print(f"\n{'retrieval (answerable)':<24}{'norwegian':>10}{'plain BM25':>12}{'ratio':>8}")
    for name in ours_figures:
        ratio = ours_figures[name] / plain_figures[name] if plain_figures[name] else float("inf")
        print(f"{name:<24}{ours_figures[name]:>10.3f}{plain_figures[name]:>12.3f}{ratio:>8.2f}")

    by_kind: dict[str, list[Retrieval]] = defaultdict(list)
    for q, result in zip(answerable, ours, strict=True):
        by_kind[q.kind].append(result)
    for figure in ("recall@1", "recall@5"):
        print(
            f"\n{figure} by kind: "
            + ", ".join(
                f"{kind} {retrieval_figures(results)[figure]:.2f} ({len(results)})"
                for kind, results in sorted(by_kind.items())
            ),
            end="",
        )
    print()

    answers_for_answerable = [(q, a) for q, a in answered if q.answerable]
    mention_rate = sum(mentions_all(a, q.must_mention) for q, a in answers_for_answerable) / len(answers_for_answerable)
    abstention = sum(not a.confident for q, a in answered if not q.answerable) / (len(unanswerable) or 1)
    false_abstention = sum(not a.confident for _, a in answers_for_answerable) / len(answers_for_answerable)
    answer_leaks = leaks_in([text for _, a in answered for text in answer_texts(a)], planted)
    print(f"\nmust-mention rate (extractive answers)     {mention_rate:.3f}")
    print(f"abstention accuracy (unanswerable)         {abstention:.3f}   (threshold {MIN_CONFIDENT_SCORE})")
    print(f"false abstention rate (answerable)         {false_abstention:.3f}")
    print(
        "  by kind: " + ", ".join(f"{kind} {rate:.2f} ({count})" for kind, rate, count in abstention_by_kind(answered))
    )
    print(f"personal-data leaks in answers/citations   {len(answer_leaks)}")
    print(f"personal-data leaks in the index           {len(index_leaks)}")

    print("\nthreshold sweep (top score below threshold = abstain):")
    print(f"{'threshold':>10}{'abstention':>12}{'false abst.':>13}{'sum':>7}")
    for threshold, abstained, false in sweep(answered):
        print(f"{threshold:>10.2f}{abstained:>12.3f}{false:>13.3f}{abstained + (1 - false):>7.3f}")

    if args.verbose:
        print("\nmisses (expected not in top 5):")
        for q, result in zip(answerable, ours, strict=True):
            if result.rank is None or result.rank > 5:
                print(f"  {q.id} [{q.kind}] rank={result.rank} {q.question!r} expected={q.expected}")
        print("wrong abstentions:")
        for q, a in answered:
            if q.answerable != a.confident:
                print(f"  {q.id} [{q.kind}] evidence={a.evidence:.2f} {q.question!r}")
        print("must-mention misses:")
        for q, a in answers_for_answerable:
            if not mentions_all(a, q.must_mention):
                print(f"  {q.id} {q.must_mention} {q.question!r}")
        for line in answer_leaks + index_leaks:
            print(f"  LEAK: {line!r}")

    met = (
        ours_figures["recall@5"] >= TARGETS["recall@5"]
        and abstention >= TARGETS["abstention"]
        and not answer_leaks
        and not index_leaks
    )
    print(f"\ntargets (recall@5 >= 0.90, abstention >= 0.80, no leaks): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
