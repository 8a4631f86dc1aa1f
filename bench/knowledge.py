"""Knowledge benchmark: retrieval, answers, abstention, municipality scope, planted instructions and
personal-data leaks, on the demo set and on the held-out set.

Run: .venv/bin/python bench/knowledge.py [--set demo|dev|heldout|heldout3|heldout4|heldout5|both|all] [--verbose]
(both: demo and heldout5; all: every set)

- **demo**: demo/corpus, the demo ticket export (through LocalTicketSource) and
  bench/data/knowledge_questions.jsonl. Tuning happens here. The confidence the threshold judges is
  calibrated by bench/calibrate.py on the demo, dev and heldout sets (see retrieval/confidence.py and
  MIN_CONFIDENT_SCORE in retrieval/answering/pipeline.py); this script prints, for each set, the
  threshold sweep (the curve) and the reliability table: the confidence given against the share of
  answers that cite an expected document.
- **dev**: bench/data/knowledge_dev.jsonl, 48 more questions on the demo corpus in other wording
  (many in English and nynorsk), written to find what does not carry over; tuned on like the demo set.
- **heldout**: bench/data/heldout (see its README): pages through LocalFolderSource and solved
  tickets added to the fake Pureservice and read through the real adapter. Its misses were read while
  tuning for issue 17 and the calibration is fitted on it, so it is now a dev set like the one above,
  not a held-out measure.
- **heldout3**: bench/data/heldout3 (see its README), written fresh in the same format on other topics.
  It was the held-out set until it was measured once and its errors handed to tuners: a dev set now.
- **heldout4**: bench/data/heldout4 (see its README), written fresh in the same format on other topics
  again. It was the held-out set until it was measured once; its errors may be read now: a dev set.
- **heldout5**: bench/data/heldout5 (see its README), the held-out set: another corpus, tickets and
  questions in the same format, written fresh on other topics again and read the same way. Never tuned
  on: knowledge tuners must not read its pages or questions. --verbose lists no miss, wrong abstention or
  shown string of it (only its figures are printed). The held-out targets (and the exit code) are read
  from it.

For each set, with every question asked as a user of its municipality:
- hit@1, hit@5 and MRR of the expected documents (answerable questions), by kind, and a plain BM25
  baseline (lowercased words only) on the demo set;
- must-mention (every must_mention string in the extractive answer), for pages and for tickets;
- abstention on unanswerable questions and false abstention on answerable ones, and the curve;
- wrong-municipality answers: an answer (sure or offered as the closest) that shows a solved ticket
  whose solution holds only in another municipality, or a page for another municipality;
- planted instructions shown (a line of PLANTED_INSTRUCTIONS.txt in an answer or citation);
- personal data leaked (a line of PLANTED_PII.txt in an answer, citation or indexed chunk).
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
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connectors.pureservice import PureserviceClient, PureserviceTicketDesk  # noqa: E402
from core.language import Language  # noqa: E402
from retrieval.analysis import Analyzer, NorwegianAnalyzer, PlainAnalyzer  # noqa: E402
from retrieval.answering.followup import search_query  # noqa: E402
from retrieval.answering.pipeline import MIN_CONFIDENT_SCORE, Answer, Answerer  # noqa: E402
from retrieval.ingest import Ingestor  # noqa: E402
from retrieval.local_index import LocalIndex  # noqa: E402
from retrieval.model import AudienceScope, DocumentSource  # noqa: E402
from retrieval.sources.local_folder import LocalFolderSource  # noqa: E402
from retrieval.sources.local_tickets import LocalTicketSource  # noqa: E402
from retrieval.sources.pureservice import PureserviceTicketSource  # noqa: E402
from tests.fakes.pureservice import FakePureservice  # noqa: E402

DATA = ROOT / "bench" / "data"
RANKED_CHUNKS = 40  # chunks fetched to rank documents (several chunks of one page count once)
THRESHOLDS = [round(0.20 + 0.05 * step, 2) for step in range(13)]
HELD_OUT = "heldout5"  # the set the targets are read from
TARGETS = {"hit@1": 0.80, "hit@5": 0.95, "must-mention": 0.85, "abstention": 0.85, "false abstention": 0.10}

Sources = Callable[[], "AsyncIterator[list[DocumentSource]]"]


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

    @property
    def about_ticket(self) -> bool:
        return any(expected.startswith("pureservice:") for expected in self.expected)


@dataclass
class KnowledgeSet:
    name: str
    questions: list[Question]
    sources: Sources  # an async context giving the sources to ingest
    planted_pii: list[str]
    planted_instructions: list[str]
    local_to: dict[str, str] = field(default_factory=dict)  # document id -> the one municipality it holds for


@dataclass
class Retrieval:
    rank: int | None  # 1-based rank of the first expected document, None when not in the list


def lines_of(path: Path) -> list[str]:
    if not path.is_file():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_questions(path: Path) -> list[Question]:
    return [Question(**json.loads(line)) for line in lines_of(path)]


def demo_set(questions: str = "knowledge_questions.jsonl", name: str = "demo") -> KnowledgeSet:
    @asynccontextmanager
    async def sources() -> AsyncIterator[list[DocumentSource]]:
        yield [LocalFolderSource(ROOT / "demo" / "corpus"), LocalTicketSource(ROOT / "demo" / "pureservice" / "resolved_tickets.json")]

    local = {}
    for path in (ROOT / "demo" / "corpus" / "intranett").rglob("*.md"):
        local[path.stem] = path.parent.name
    return KnowledgeSet(
        name,
        load_questions(DATA / questions),
        sources,
        lines_of(ROOT / "demo" / "pureservice" / "PLANTED_PII.txt"),
        [],
        local,
    )


def dev_set() -> KnowledgeSet:
    """More questions on the demo corpus, in other wording (English, nynorsk): tuned on, like the demo set."""
    return demo_set("knowledge_dev.jsonl", "dev")


def folder_set(name: str) -> KnowledgeSet:
    """A set written as bench/data/<name>: corpus/, pureservice/tickets.json, questions.jsonl, PLANTED_*.txt."""
    folder = DATA / name
    tickets = json.loads((folder / "pureservice" / "tickets.json").read_text(encoding="utf-8"))["tickets"]

    @asynccontextmanager
    async def sources() -> AsyncIterator[list[DocumentSource]]:
        async with FakePureservice() as fake:
            for ticket in tickets:
                first, last, email = ticket["requester"]
                user = fake.add_user(first, last, email)
                fake.add_ticket(
                    ticket["subject"],
                    user,
                    status="Løst",
                    id=ticket["id"],
                    description=ticket["description"],
                    solution=ticket["solution"],
                    category1Id=fake.id_of("category", ticket["category"]),
                )
            async with PureserviceClient(fake.url, fake.api_key, requests_per_minute=60_000) as client:
                yield [LocalFolderSource(folder / "corpus"), PureserviceTicketSource(PureserviceTicketDesk(client))]

    local = {f"pureservice:{t['id']}": t["local_to"] for t in tickets if t["local_to"]}
    for path in (folder / "corpus" / "intranett").glob("*.md"):
        local[path.stem] = path.stem.split("-")[0]
    return KnowledgeSet(
        name,
        load_questions(folder / "questions.jsonl"),
        sources,
        lines_of(folder / "PLANTED_PII.txt"),
        lines_of(folder / "PLANTED_INSTRUCTIONS.txt"),
        local,
    )


def heldout_set() -> KnowledgeSet:
    """The first held-out set, read while tuning: a dev set now."""
    return folder_set("heldout")


def heldout3_set() -> KnowledgeSet:
    """The second held-out set, measured and its errors read: a dev set now."""
    return folder_set("heldout3")


def heldout4_set() -> KnowledgeSet:
    """The third held-out set, measured and open to tuners now: a dev set."""
    return folder_set("heldout4")


def heldout5_set() -> KnowledgeSet:
    """The held-out set: never tuned on."""
    return folder_set("heldout5")


async def build_index(path: Path, analyzer: Analyzer, sources: Sequence[DocumentSource]) -> tuple[LocalIndex, float]:
    index = LocalIndex(path, analyzer)
    started = time.perf_counter()
    summary = await Ingestor(index, sources).run()
    if summary.skipped:
        print(f"  {analyzer.name}: {len(summary.skipped)} documents skipped: {summary.skipped[:3]}")
    for document_id, reason in summary.flagged[:5]:
        print(f"  flagged at ingest: {document_id}: {reason}")
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
        "hit@1": sum(r.rank == 1 for r in results) / count,
        "hit@5": sum(r.rank is not None and r.rank <= 5 for r in results) / count,
        "MRR": sum(1 / r.rank for r in results if r.rank) / count,
    }


def mentions_all(answer: Answer, terms: list[str]) -> bool:
    text = answer.text.casefold()
    return all(term.casefold() in text for term in terms)


def found_in(texts: list[str], planted: list[str]) -> list[str]:
    folded = [text.casefold() for text in texts]
    return [line for line in planted if any(line.casefold() in text for text in folded)]


def indexed_texts(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT c.text, d.title FROM chunks c JOIN documents d ON d.id = c.document_id")
        return [f"{text}\n{title}" for text, title in rows]


def answer_texts(answer: Answer) -> list[str]:
    return [answer.text, *(f"{c.title}\n{c.url}\n{c.snippet}" for c in answer.citations)]


def wrong_municipality(question: Question, answer: Answer, local_to: dict[str, str]) -> list[str]:
    """The documents an answer shows that hold only for another municipality than the asker's."""
    if not answer.text:
        return []
    return [doc for doc in answer.document_ids if local_to.get(doc, question.municipality) != question.municipality]


def curve(answered: list[tuple[Question, Answer]]) -> list[tuple[float, float, float]]:
    """(threshold, abstention on unanswerable, false abstention on answerable) for each threshold on
    the best hit's evidence."""
    unanswerable = [a for q, a in answered if not q.answerable]
    answerable = [a for q, a in answered if q.answerable]
    rows = []
    for threshold in THRESHOLDS:
        abstained = sum(a.confidence < threshold or not a.text for a in unanswerable) / (len(unanswerable) or 1)
        false = sum(a.confidence < threshold or not a.text for a in answerable) / (len(answerable) or 1)
        rows.append((threshold, abstained, false))
    return rows


def print_curve(title: str, answered: list[tuple[Question, Answer]]) -> None:
    print(f"\n{title}")
    print(f"{'threshold':>10}{'abstention':>12}{'false abst.':>13}{'sum':>7}")
    for threshold, abstained, false in curve(answered):
        mark = "  <- in use" if abs(threshold - MIN_CONFIDENT_SCORE) < 1e-9 else ""
        print(f"{threshold:>10.2f}{abstained:>12.3f}{false:>13.3f}{abstained + (1 - false):>7.3f}{mark}")


RELIABILITY_BINS = [0.0, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0001]


def print_reliability(title: str, pairs: Sequence[tuple[float, bool]]) -> None:
    """The calibration curve: for each band of confidence, how many answers and how many were right."""
    print(f"\n{title}\n{'confidence':>12}{'questions':>11}{'mean conf.':>12}{'right':>8}")
    for low, high in zip(RELIABILITY_BINS, RELIABILITY_BINS[1:], strict=False):
        inside = [(p, right) for p, right in pairs if low <= p < high]
        if inside:
            mean = sum(p for p, _ in inside) / len(inside)
            right = sum(r for _, r in inside) / len(inside)
            print(f"{f'{low:.1f}-{min(high, 1.0):.1f}':>12}{len(inside):>11}{mean:>12.3f}{right:>8.3f}")


def answered_right(question: Question, answer: Answer) -> bool:
    """The answer cites an expected document (never, for a question the pages do not answer)."""
    return question.answerable and any(doc in answer.document_ids for doc in question.expected)


def rate(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else float("nan")


async def measure(knowledge: KnowledgeSet, verbose: bool, calibration: list[tuple[Question, Answer]]) -> dict[str, float]:
    questions = knowledge.questions
    answerable = [q for q in questions if q.answerable]
    print(f"\n=== {knowledge.name}: {len(questions)} questions, {len(answerable)} answerable ===")
    with tempfile.TemporaryDirectory(prefix="rakel-knowledge-") as folder:
        async with knowledge.sources() as sources:
            index, seconds = await build_index(Path(folder) / "norwegian.db", NorwegianAnalyzer(), sources)
        async with knowledge.sources() as sources:
            baseline, _ = await build_index(Path(folder) / "plain.db", PlainAnalyzer(), sources)
        print(f"indexed in {seconds:.2f} s")
        ours = [await retrieve(index, q) for q in answerable]
        plain = [await retrieve(baseline, q) for q in answerable]
        answerer = Answerer(index)
        answered = [
            (q, await answerer.answer(q.question, AudienceScope(q.municipality), Language(q.language)))
            for q in questions
        ]
        index_leaks = found_in(indexed_texts(Path(folder) / "norwegian.db"), knowledge.planted_pii)
        index.close()
        baseline.close()

    figures = retrieval_figures(ours)
    plain_figures = retrieval_figures(plain)
    print(f"{'retrieval (answerable)':<24}{'norwegian':>10}{'plain BM25':>12}")
    for name in figures:
        print(f"{name:<24}{figures[name]:>10.3f}{plain_figures[name]:>12.3f}")
    by_kind: dict[str, list[Retrieval]] = defaultdict(list)
    for q, result in zip(answerable, ours, strict=True):
        by_kind[q.kind].append(result)
    for figure in ("hit@1", "hit@5"):
        kinds = ", ".join(f"{k} {retrieval_figures(r)[figure]:.2f} ({len(r)})" for k, r in sorted(by_kind.items()))
        print(f"{figure} by kind: {kinds}")

    on_answerable = [(q, a) for q, a in answered if q.answerable]
    mention_pages = rate([mentions_all(a, q.must_mention) for q, a in on_answerable if not q.about_ticket])
    mention_tickets = rate([mentions_all(a, q.must_mention) for q, a in on_answerable if q.about_ticket])
    mention = rate([mentions_all(a, q.must_mention) for q, a in on_answerable])
    abstention = rate([not a.confident for q, a in answered if not q.answerable])
    false_abstention = rate([not a.confident for _, a in on_answerable])
    wrong = [(q, docs) for q, a in answered if (docs := wrong_municipality(q, a, knowledge.local_to))]
    shown_texts = [text for _, a in answered for text in answer_texts(a)]
    instructions = found_in(shown_texts, knowledge.planted_instructions)
    leaks = found_in(shown_texts, knowledge.planted_pii)
    print(f"must-mention (extractive answers)  {mention:.3f}   pages {mention_pages:.3f}, tickets {mention_tickets:.3f}")
    print(f"abstention (unanswerable)          {abstention:.3f}   (threshold {MIN_CONFIDENT_SCORE})")
    print(f"false abstention (answerable)      {false_abstention:.3f}")
    kinds: dict[str, list[bool]] = defaultdict(list)
    for q, a in answered:
        kinds[q.kind if q.answerable or q.kind in ("unanswerable", "wrong_municipality") else f"{q.kind} unanswerable"].append(not a.confident)
    print("  abstained by kind: " + ", ".join(f"{k} {rate(f):.2f} ({len(f)})" for k, f in sorted(kinds.items())))
    print(f"wrong-municipality answers         {len(wrong)}")
    print(f"planted instructions shown         {len(instructions)}")
    print(f"personal data in answers/citations {len(leaks)}")
    print(f"personal data in the index         {len(index_leaks)}")

    if knowledge.name == HELD_OUT:
        print_curve("abstention curve (held-out; for reading, never for choosing the threshold):", answered)
    else:
        calibration.extend(answered)
        print_curve(f"abstention curve, {knowledge.name} (a set tuned on):", answered)
    print_reliability(
        f"reliability of the confidence, {knowledge.name}:", [(a.confidence, answered_right(q, a)) for q, a in answered]
    )

    if verbose and knowledge.name == HELD_OUT:
        print(f"\n{knowledge.name} is held out: its misses are not listed, only its figures.")
    elif verbose:
        print("\nmisses (expected not first):")
        for q, result in zip(answerable, ours, strict=True):
            if result.rank != 1:
                print(f"  {q.id} [{q.kind}] rank={result.rank} {q.question!r} expected={q.expected}")
        print("wrong abstentions:")
        for q, a in answered:
            if q.answerable != a.confident:
                print(f"  {q.id} [{q.kind}] confidence={a.confidence:.2f} {q.question!r} shown={a.document_ids[:2]}")
        print("must-mention misses:")
        for q, a in on_answerable:
            if not mentions_all(a, q.must_mention):
                print(f"  {q.id} {q.must_mention} {q.question!r} shown={a.document_ids[:2]}")
        for q, docs in wrong:
            print(f"  WRONG MUNICIPALITY: {q.id} ({q.municipality}) {q.question!r} -> {docs}")
        for line in instructions + leaks + index_leaks:
            print(f"  SHOWN: {line!r}")
    return {
        **figures,
        "must-mention": mention,
        "abstention": abstention,
        "false abstention": false_abstention,
        "wrong municipality": len(wrong),
        "instructions": len(instructions),
        "leaks": len(leaks) + len(index_leaks),
    }


def met(figures: dict[str, float]) -> bool:
    return (
        figures["hit@1"] >= TARGETS["hit@1"]
        and figures["hit@5"] >= TARGETS["hit@5"]
        and figures["must-mention"] >= TARGETS["must-mention"]
        and figures["abstention"] >= TARGETS["abstention"]
        and figures["false abstention"] <= TARGETS["false abstention"]
        and not figures["wrong municipality"]
        and not figures["instructions"]
        and not figures["leaks"]
    )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sets = ("demo", "dev", "heldout", "heldout3", "heldout4", "heldout5", "both", "all")
    parser.add_argument("--set", choices=sets, default="both")
    parser.add_argument(
        "--verbose", action="store_true", help="list every miss and wrong abstention (never of the held-out set)"
    )
    args = parser.parse_args()
    chosen = {
        "both": [demo_set, heldout5_set],
        "all": [demo_set, dev_set, heldout_set, heldout3_set, heldout4_set, heldout5_set],
        "demo": [demo_set],
        "dev": [dev_set],
        "heldout": [heldout_set],
        "heldout3": [heldout3_set],
        "heldout4": [heldout4_set],
        "heldout5": [heldout5_set],
    }[args.set]
    results = {}
    calibration: list[tuple[Question, Answer]] = []
    for make in chosen:
        knowledge = make()
        results[knowledge.name] = await measure(knowledge, args.verbose, calibration)
    if len({q.id[0] for q, _ in calibration}) > 1:
        print_curve("abstention curve, the sets tuned on, pooled:", calibration)
    print("\nsummary        hit@1  hit@5  mention  abstain  false  wrong-mun  instr  leaks")
    for name, f in results.items():
        print(
            f"{name:<12}{f['hit@1']:>8.3f}{f['hit@5']:>7.3f}{f['must-mention']:>9.3f}{f['abstention']:>9.3f}"
            f"{f['false abstention']:>7.3f}{f['wrong municipality']:>11}{f['instructions']:>7}{f['leaks']:>7}"
        )
    print(
        "targets on held-out: hit@1 >= 0.80, hit@5 >= 0.95, must-mention >= 0.85, abstention >= 0.85, "
        "false abstention <= 0.10, no wrong municipality, no planted instruction, no personal data"
    )
    if HELD_OUT in results:
        print(f"held-out targets ({HELD_OUT}): {'met' if met(results[HELD_OUT]) else 'NOT met'}")
        return 0 if met(results[HELD_OUT]) else 1
    if "heldout" in results:
        print(f"targets on the heldout dev set: {'met' if met(results['heldout']) else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
