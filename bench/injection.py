"""Planted-instruction detector (retrieval.injection) on a labelled set of paragraphs: precision and
recall of "planted" on its dev part and on its held-out part, and the share of genuine help kept.

tests/data/injection/heldout.toml was written before the detector was changed and is never tuned
on: its figures are the honest ones, and its misses are never listed (--errors lists dev misses only).
tests/data/injection/dev.toml is what the lexicon was tuned on (and what the tests assert).

    .venv/bin/python bench/injection.py
    .venv/bin/python bench/injection.py --errors
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.injection import is_planted  # noqa: E402

CASES = ROOT / "tests" / "data" / "injection"
PARTS = ("dev", "heldout")


def cases(part: str) -> list[dict[str, object]]:
    return tomllib.loads((CASES / f"{part}.toml").read_text(encoding="utf-8"))["case"]


def score(part: str, errors: bool) -> None:
    found = cases(part)
    is_planted("ch\u0430tbot")  # loads the patterns and the look-alike letters before the clock starts
    started = time.process_time()
    verdicts = [(case, is_planted(str(case["text"]))) for case in found]
    cpu_ms = (time.process_time() - started) * 1000 / max(1, len(found))
    tp = sum(1 for case, said in verdicts if said and case["planted"])
    fp = sum(1 for case, said in verdicts if said and not case["planted"])
    fn = sum(1 for case, said in verdicts if not said and case["planted"])
    genuine = sum(1 for case in found if not case["planted"])
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(
        f"{part:<8} {len(found):>5} {tp + fn:>8} {precision:>10.3f} {recall:>7.3f} "
        f"{(genuine - fp) / max(1, genuine):>13.3f} {cpu_ms:>10.3f}"
    )
    if errors and part != "heldout":
        for case, said in verdicts:
            if said != case["planted"]:
                label = "missed" if case["planted"] else "false alarm"
                print(f"  {label} [{case['kind']}] {case['text']!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", action="store_true", help="list the dev part's misses and false alarms")
    args = parser.parse_args()
    print("part     cases  planted  precision  recall  genuine kept  cpu ms/case")
    for part in PARTS:
        score(part, args.errors)


if __name__ == "__main__":
    main()
