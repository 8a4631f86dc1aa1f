"""The held-out knowledge sets hold together as data: bench/data/check_heldout.py finds no error in them,
and it does find a must_mention that is not in the expected page or an expected id that does not exist."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "bench" / "data"
spec = importlib.util.spec_from_file_location("check_heldout", DATA / "check_heldout.py")
assert spec and spec.loader
check_heldout = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_heldout)


@pytest.mark.parametrize("name", ["heldout", "heldout3", "heldout4", "heldout5"])
def test_the_set_has_no_data_errors(name: str) -> None:
    assert check_heldout.check(DATA / name) == []


@pytest.mark.parametrize(("name", "min_pages"), [("heldout3", 45), ("heldout4", 42), ("heldout5", 42)])
def test_a_held_out_set_is_the_size_it_should_be(name: str, min_pages: int) -> None:
    text = (DATA / name / "questions.jsonl").read_text(encoding="utf-8")
    questions = [json.loads(line) for line in text.splitlines()]
    pages = list((DATA / name / "corpus").rglob("*.md"))
    tickets = json.loads((DATA / name / "pureservice" / "tickets.json").read_text(encoding="utf-8"))["tickets"]
    assert len(pages) >= min_pages and len(tickets) >= 22 and len(questions) >= 160
    assert sum(q["kind"] == "ticket" for q in questions) >= 22
    assert sum(not q["expected"] for q in questions) >= 32
    assert sum(q["kind"] == "wrong_municipality" for q in questions) >= 5
    assert {q["municipality"] for q in questions if q["kind"] == "municipality"} == check_heldout.MUNICIPALITIES


@pytest.mark.parametrize("name", ["heldout4", "heldout5"])
def test_a_held_out_set_has_every_language_and_local_answers(name: str) -> None:
    text = (DATA / name / "questions.jsonl").read_text(encoding="utf-8")
    questions = [json.loads(line) for line in text.splitlines()]
    assert sum(q["language"] == "en" for q in questions) >= 35
    assert sum(q["language"] == "nn" for q in questions) >= 30
    intranet = [path.stem for path in (DATA / name / "corpus" / "intranett").glob("*.md")]
    topics = {stem.split("-", 1)[1] for stem in intranet}
    assert len(intranet) >= 15 and len(topics) >= 3
    for topic in topics:
        assert {f"{m}-{topic}" for m in check_heldout.MUNICIPALITIES} <= set(intranet), topic
    tickets = json.loads((DATA / name / "pureservice" / "tickets.json").read_text(encoding="utf-8"))["tickets"]
    assert sum(bool(t["local_to"]) for t in tickets) >= 5


def test_a_broken_set_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "heldout3"
    shutil.copytree(DATA / "heldout3", broken)
    lines = (broken / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    first, second = json.loads(lines[0]), json.loads(lines[1])
    first["must_mention"] = ["a string no page has"]
    second["expected"] = ["no-such-page"]
    rewritten = [json.dumps(first), json.dumps(second), *lines[2:]]
    (broken / "questions.jsonl").write_text("\n".join(rewritten), encoding="utf-8")

    errors = check_heldout.check(broken)

    assert any("'a string no page has' not found" in error for error in errors)
    assert any("'no-such-page' does not exist" in error for error in errors)


def test_heldout5_has_near_topic_unanswerables_and_no_id_of_another_set() -> None:
    questions = [json.loads(line) for line in (DATA / "heldout5" / "questions.jsonl").read_text("utf-8").splitlines()]
    assert sum(q["kind"] == "unanswerable" for q in questions) >= 34
    assert len(questions) >= 200 and sum(bool(q["expected"]) for q in questions) >= 160
    pages = {path.stem for path in (DATA / "heldout5" / "corpus").rglob("*.md")}
    folders = [DATA / name / "corpus" for name in ("heldout", "heldout3", "heldout4")]
    older = {path.stem for folder in folders for path in folder.rglob("*.md")}
    assert not pages & older
