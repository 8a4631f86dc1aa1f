"""Scale benchmark: ingest 10,000 generated pages into the local index, then time queries.

Run: .venv/bin/python bench/ingest_scale.py [--pages N] [--queries N]

Pages are Markdown files with front matter, written to a temporary folder and read through
LocalFolderSource, so the whole ingest path is timed (read, chunk, analyse, write). Their words are
drawn from the demo corpus, so term frequencies look like real guides; audiences are spread over
all employees, the five municipalities and ROR-IKT. Queries are phrases taken from random pages,
some with a typo, asked by users of random municipalities. Targets: ingest < 15 s, p95 < 10 ms.
Wall time and this process's CPU time are both printed: on a shared machine the wall time also
counts what other processes do.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from retrieval.ingest import Ingestor  # noqa: E402
from retrieval.local_index import LocalIndex  # noqa: E402
from retrieval.model import AudienceScope  # noqa: E402
from retrieval.sources.local_folder import LocalFolderSource  # noqa: E402

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


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(20260301)
    words = corpus_words()

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
        started = time.perf_counter()
        again = await Ingestor(index, [source]).run()
        rerun_seconds = time.perf_counter() - started

        asked = queries(rng, words, args.queries)
        await index.search(asked[0], AudienceScope("molde"))  # loads the vocabulary once
        timings, cpu_timings = [], []
        for query in asked:
            scope = AudienceScope(rng.choice([*MUNICIPALITIES, "ror-ikt", None]))
            started, cpu = time.perf_counter(), time.process_time()
            await index.search(query, scope, top=5)
            timings.append((time.perf_counter() - started) * 1000)
            cpu_timings.append((time.process_time() - cpu) * 1000)
        chunks = index._conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        size_mb = (Path(folder) / "index.db").stat().st_size / 1e6
        index.close()

    p50, p95 = percentile(timings, 0.50), percentile(timings, 0.95)
    cpu_p50, cpu_p95 = percentile(cpu_timings, 0.50), percentile(cpu_timings, 0.95)
    print(f"pages: {summary.added} added ({chunks} chunks, index {size_mb:.0f} MB), skipped {len(summary.skipped)}")
    print(f"ingest: {ingest_seconds:.1f} s wall, {ingest_cpu:.1f} s CPU  (target < {TARGET_INGEST_SECONDS} s)")
    print(
        f"re-run with nothing changed: {rerun_seconds:.1f} s, {again.unchanged} unchanged, "
        f"{again.added + again.updated + again.removed} written"
    )
    print(
        f"retrieval over {len(timings)} queries: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(timings):.1f} ms wall; CPU p50 {cpu_p50:.1f} ms, p95 {cpu_p95:.1f} ms  (target p95 < {TARGET_P95_MS} ms)"
    )
    met = ingest_seconds < TARGET_INGEST_SECONDS and p95 < TARGET_P95_MS
    print(f"targets: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
