"""Scale benchmark: ingest 10,000 generated pages into the local index, then time queries.

Run: .venv/bin/python bench/ingest_scale.py [--pages N] [--queries N] [--stages]

Pages are Markdown files with front matter, written to a temporary folder and read through
LocalFolderSource, so the whole ingest path is timed (read, chunk, analyse, write). Their words are
drawn from the demo corpus, so term frequencies look like real guides; audiences are spread over
all employees, the five municipalities and ROR-IKT. Queries are phrases taken from random pages,
some with a typo, asked by users of random municipalities. Targets: ingest < 15 s, p95 < 10 ms.
Wall time and this process's CPU time are both printed, with the load average: on a shared machine
the wall time also counts what other processes do. ``--stages`` adds a second pass over the pages that
times reading, screening (planted text and personal data, as ingest does), chunking and analysis alone
(CPU); the rest of the ingest is writing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from retrieval.chunking import chunk_document  # noqa: E402
from retrieval.ingest import Ingestor, screened  # noqa: E402
from retrieval.local_index import LocalIndex  # noqa: E402
from retrieval.model import AudienceScope, IngestSummary  # noqa: E402
from retrieval.sources.local_folder import LocalFolderSource  # noqa: E402
from retrieval.text import plain_text  # noqa: E402

CORPUS = ROOT / "demo" / "corpus"
MUNICIPALITIES = ["molde", "aukra", "hustadvika", "rauma", "vestnes"]
AUDIENCES = ["all"] * 5 + MUNICIPALITIES + ["ror-ikt"]
TARGET_INGEST_SECONDS = 15
TARGET_P95_MS = 10


def corpus_words() -> list[str]:
    words: list[str] = []
    for path in CORPUS.rglob("*.md"):
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        words.extend(re.findall(r"[A-Za-zÆØÅæøå][a-zæøå-]+", body))
    return words or ["passord", "skriver", "tilgang", "e-post", "mobil", "konto"]


def sentence(rng: random.Random, words: list[str], length: int) -> str:
    text = " ".join(rng.choice(words) for _ in range(length))
    return text[:1].upper() + text[1:] + "."


def page(rng: random.Random, words: list[str], number: int) -> str:
    title = sentence(rng, words, 4).rstrip(".")
    lines = [
        "---",
        f"id: gen-{number:05d}",
        f"title: {title}",
        f"url: https://example.invalid/gen/{number}",
        f"audience: {rng.choice(AUDIENCES)}",
        "updated: 2026-01-01",
        "---",
        f"# {title}",
        "",
        " ".join(sentence(rng, words, rng.randint(8, 16)) for _ in range(3)),
    ]
    for _ in range(rng.randint(3, 5)):
        lines += ["", f"## {sentence(rng, words, 3).rstrip('.')}", ""]
        lines.append(" ".join(sentence(rng, words, rng.randint(8, 16)) for _ in range(rng.randint(2, 5))))
        lines.append("")
        lines += [f"{step}. {sentence(rng, words, rng.randint(5, 10))}" for step in range(1, rng.randint(3, 7))]
    return "\n".join(lines) + "\n"


def with_typo(rng: random.Random, phrase: str) -> str:
    words = phrase.split()
    position = rng.randrange(len(words))
    word = words[position]
    if len(word) > 5:
        cut = rng.randrange(1, len(word) - 1)
        words[position] = word[:cut] + word[cut + 1 :]
    return " ".join(words)


def queries(rng: random.Random, words: list[str], count: int) -> list[str]:
    asked = []
    for _ in range(count):
        phrase = " ".join(rng.choice(words) for _ in range(rng.randint(2, 6)))
        asked.append(with_typo(rng, phrase) if rng.random() < 0.3 else phrase)
    return asked


async def stage_times(source: LocalFolderSource, index: LocalIndex) -> dict[str, float]:
    """CPU seconds of each stage of the ingest but writing, in a pass of their own over the pages."""
    spent = dict.fromkeys(("read", "screen", "chunk", "analyse"), 0.0)
    analyzer = index.analyzer
    documents = source.documents()
    while True:
        cpu = time.process_time()
        document = await anext(documents, None)
        spent["read"] += time.process_time() - cpu
        if document is None:
            return spent
        cpu = time.process_time()
        document = screened(document, IngestSummary())
        spent["screen"] += time.process_time() - cpu
        cpu = time.process_time()
        chunks = chunk_document(document)
        spent["chunk"] += time.process_time() - cpu
        cpu = time.process_time()
        analyzer.index_terms(document.title)
        for chunk in chunks:
            analyzer.index_terms(" ".join(chunk.heading_path))
            analyzer.index_terms(plain_text(chunk.text))
        spent["analyse"] += time.process_time() - cpu


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg()) + f" ({os.cpu_count()} cores)"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--stages", action="store_true", help="time reading, screening, chunking and analysis alone")
    args = parser.parse_args()
    rng = random.Random(20260301)
    words = corpus_words()
    load_before = load()

    with tempfile.TemporaryDirectory(prefix="rakel-scale-") as folder:
        pages = Path(folder) / "pages"
        pages.mkdir()
        for number in range(args.pages):
            (pages / f"gen-{number:05d}.md").write_text(page(rng, words, number), encoding="utf-8")
        index = LocalIndex(Path(folder) / "index.db")
        source = LocalFolderSource(pages)

        started, cpu = time.perf_counter(), time.process_time()
        summary = await Ingestor(index, [source]).run()
        ingest_seconds, ingest_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        again = await Ingestor(index, [source]).run()
        rerun_seconds, rerun_cpu = time.perf_counter() - started, time.process_time() - cpu

        asked = queries(rng, words, args.queries)
        await index.search(asked[0], AudienceScope("molde"))  # loads the vocabulary once
        timings, cpu_timings = [], []
        for query in asked:
            scope = AudienceScope(rng.choice([*MUNICIPALITIES, "ror-ikt", None]))
            started, cpu = time.perf_counter(), time.process_time()
            await index.search(query, scope, top=5)
            timings.append((time.perf_counter() - started) * 1000)
            cpu_timings.append((time.process_time() - cpu) * 1000)
        stages = await stage_times(source, index) if args.stages else None
        chunks = index._conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        size_mb = (Path(folder) / "index.db").stat().st_size / 1e6
        index.close()

    p50, p95 = percentile(timings, 0.50), percentile(timings, 0.95)
    cpu_p50, cpu_p95 = percentile(cpu_timings, 0.50), percentile(cpu_timings, 0.95)
    print(f"load average before: {load_before}; after: {load()}")
    print(f"pages: {summary.added} added ({chunks} chunks, index {size_mb:.0f} MB), skipped {len(summary.skipped)}")
    print(f"ingest: {ingest_seconds:.1f} s wall, {ingest_cpu:.1f} s CPU  (target < {TARGET_INGEST_SECONDS} s)")
    if stages is not None:
        rest = ingest_cpu - sum(stages.values())
        shown = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in stages.items())
        print(f"  CPU by stage (timed alone): {shown}; writing and the rest {rest:.1f} s")
    print(
        f"re-run with nothing changed: {rerun_seconds:.1f} s wall, {rerun_cpu:.1f} s CPU, {again.unchanged} unchanged, "
        f"{again.added + again.updated + again.removed} written"
    )
    print(
        f"retrieval over {len(timings)} queries: wall p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(timings):.1f} ms; "
        f"CPU p50 {cpu_p50:.1f} ms, p95 {cpu_p95:.1f} ms  (target p95 < {TARGET_P95_MS} ms)"
    )
    met = ingest_seconds < TARGET_INGEST_SECONDS and p95 < TARGET_P95_MS
    print(f"targets (wall): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
