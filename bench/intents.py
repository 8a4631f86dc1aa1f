"""The embedded router on the held-out sets: accuracy overall, per intent and per language, the confusion matrix,
requests that fell through to knowledge, how often it asked instead of guessing, and routing time per message.

bench/data/intents_heldout4.toml is the clean held-out set: nothing is trained or tuned on it, and nobody
tuning the router reads its messages or its misrouted ones (--errors lists those for the dev sets only).
intents_heldout.toml, intents_heldout2.toml and intents_heldout3.toml were inspected while tuning (heldout3
after it had been measured once) and are now dev sets: still not trained on, but their figures are optimistic.

    .venv/bin/python bench/intents.py            # every set, one after the other
    .venv/bin/python bench/intents.py --set heldout4
    .venv/bin/python bench/intents.py --set heldout3 --errors
    .venv/bin/python bench/intents.py --cv 5     # cross-validation on the training examples (for tuning)
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from skills.intents import KNOWLEDGE, LANGUAGES, Example, IntentSpec, discover, parse_examples  # noqa: E402
from skills.router.embedded import EmbeddedRouter  # noqa: E402

SETS = ("heldout", "heldout2", "heldout3", "heldout4")
HELD_OUT = {name: ROOT / "bench" / "data" / f"intents_{name}.toml" for name in SETS}
CLEAN = "heldout4"  # nobody tuning the router reads its messages, so its errors are never listed


def held_out(path: Path) -> list[Example]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [example for intent, table in data.items() for example in parse_examples(table, intent, str(path))]


def evaluate(router: EmbeddedRouter, examples: list[Example]) -> list[tuple[Example, str, bool, bool, float]]:
    router.classify_now("hei")  # train or load before timing
    results = []
    for example in examples:
        start = time.perf_counter()
        classification = router.classify_now(example.text)
        elapsed = time.perf_counter() - start
        offered = {classification.intent, classification.alternative}
        results.append((example, classification.intent, classification.ambiguous,
                        classification.ambiguous and example.intent in offered, elapsed))
    return results


def report(results: list[tuple[Example, str, bool, bool, float]], intents: list[str], show_errors: bool) -> None:
    total = len(results)
    correct = sum(example.intent == predicted for example, predicted, *_ in results)
    print(f"messages: {total}")
    print(f"accuracy (top intent): {correct / total:.3f}")
    for key, label in ((lambda e: e.intent, "intent"), (lambda e: e.language, "language")):
        groups: dict[str, list[bool]] = defaultdict(list)
        for example, predicted, *_ in results:
            groups[key(example)].append(example.intent == predicted)
        order = intents if label == "intent" else list(LANGUAGES)
        print(f"accuracy per {label}:")
        for name in order:
            if groups.get(name):
                print(f"  {name:14} {sum(groups[name]) / len(groups[name]):.3f}  (n={len(groups[name])})")
    requests = [(e, p, asked) for e, p, asked, *_ in results if e.intent != KNOWLEDGE]
    fell = sum(p == KNOWLEDGE and not asked for _, p, asked in requests)
    print(f"fell through to knowledge: {fell} of {len(requests)} requests ({fell / len(requests):.1%})")
    asked = [(e, offered) for e, _, ambiguous, offered, _ in results if ambiguous]
    print(f"asked instead of guessing: {len(asked)} of {total} ({len(asked) / total:.1%}); "
          f"the right intent was a button in {sum(offered for _, offered in asked)} of them")
    times = [elapsed * 1000 for *_, elapsed in results]
    print(f"routing time per message: p50 {percentile(times, 0.5):.2f} ms, p95 {percentile(times, 0.95):.2f} ms, "
          f"max {max(times):.2f} ms")
    confusion = Counter((example.intent, predicted) for example, predicted, *_ in results)
    short = {name: name[:6] for name in intents}
    print("confusion (rows: labelled, columns: routed):")
    print(" " * 15 + " ".join(f"{short[name]:>6}" for name in intents))
    for row in intents:
        print(f"  {row:13}" + " ".join(f"{confusion.get((row, column), 0) or '.':>6}" for column in intents))
    if show_errors:
        for example, predicted, ambiguous, *_ in results:
            if example.intent != predicted:
                print(f"  {example.intent:>13} → {predicted:13} {'(asked) ' if ambiguous else ''}{example.text}")


def cross_validate(specs: tuple[IntentSpec, ...], folds: int) -> list[tuple[Example, str, bool, bool, float]]:
    from sklearn.model_selection import StratifiedKFold

    examples = [example for spec in specs for example in spec.examples]
    labels = [example.intent for example in examples]
    results = []
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=1).split(examples, labels):
        keep = {id(examples[i]) for i in train}
        fold = tuple(IntentSpec(s.name, s.description, s.label, tuple(e for e in s.examples if id(e) in keep))
                     for s in specs)
        results += evaluate(EmbeddedRouter(fold), [examples[i] for i in test])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", type=int, default=0, help="cross-validate on the training examples instead")
    parser.add_argument("--set", choices=[*HELD_OUT, "all"], default="all", help="which set")
    parser.add_argument("--errors", action="store_true", help="list every misrouted message")
    args = parser.parse_args()
    specs = discover(ROOT / "skills")
    intents = [spec.name for spec in specs]
    if args.cv:
        print(f"cross-validation on the training examples ({args.cv} folds)")
        report(cross_validate(specs, args.cv), intents, args.errors)
        return
    router = EmbeddedRouter(specs)
    for name, path in HELD_OUT.items():
        if args.set in (name, "all"):
            kind = "clean held-out set" if name == CLEAN else "dev set (inspected while tuning)"
            print(f"{kind} {path.relative_to(ROOT)}; trained on {sum(len(s.examples) for s in specs)} examples")
            report(evaluate(router, held_out(path)), intents, args.errors and name != CLEAN)


if __name__ == "__main__":
    main()
