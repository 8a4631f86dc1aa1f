"""The calibrated confidence of the local index's best hit (retrieval.confidence)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from retrieval.answering.pipeline import MIN_CONFIDENT_SCORE, judged_confidence
from retrieval.confidence import CALIBRATION, FEATURES, Calibration, calibration, reranker_confidence
from retrieval.local_index import LocalIndex
from retrieval.model import AudienceScope, Chunk, SearchHit
from tests.retrieval.pages import CHANGE_PASSWORD, PRINTER_QUEUE, VPN, index_of, page

MOLDE = AudienceScope("molde")


@pytest.fixture
async def index(tmp_path: Path) -> AsyncIterator[LocalIndex]:
    index = await index_of(
        tmp_path / "index.db",
        page("kp-passord", "Bytte passord", CHANGE_PASSWORD),
        page("kp-ko", "Skriverkøen henger", PRINTER_QUEUE),
        page("kp-vpn", "VPN", VPN),
    )
    yield index
    index.close()


def test_the_shipped_model_is_read_and_grows_with_evidence_and_score() -> None:
    model = calibration()
    assert set(model.features) <= set(FEATURES) and model.features
    signals = dict.fromkeys(FEATURES, 0.5)
    low = model.probability({**signals, "evidence": 0.1, "score": 0.1})
    middle = model.probability(signals)
    high = model.probability({**signals, "evidence": 1.0, "score": 1.0})
    assert 0.0 < low < middle < high < 1.0
    # a question nothing matches is never confident; one fully covered by a strong hit is
    assert model.probability(dict.fromkeys(FEATURES, 0.0)) < MIN_CONFIDENT_SCORE
    assert model.probability({**signals, "evidence": 1.0, "score": 1.0}) >= MIN_CONFIDENT_SCORE


def test_a_model_round_trips_and_refuses_signals_it_does_not_know(tmp_path: Path) -> None:
    model = Calibration(("evidence",), (0.5,), (0.2,), (2.0,), -0.5)
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(model.to_json()), encoding="utf-8")
    assert calibration(path) == model
    assert model.probability({"evidence": 0.5}) == pytest.approx(1 / (1 + 2.718281828 ** 0.5), rel=1e-6)
    with pytest.raises(ValueError, match="unknown features"):
        Calibration.from_json({**model.to_json(), "features": ["shoe size"]})
    assert CALIBRATION.is_file()


async def test_the_best_hit_carries_its_signals_and_confidence(index: LocalIndex) -> None:
    answered = (await index.search("Hvordan bytter jeg passord på PC?", MOLDE))[0]
    off_topic = (await index.search("Når går ferja til Aukra i morgen?", MOLDE))

    assert answered.signals is not None and set(answered.signals) == set(FEATURES)
    assert answered.signals["evidence"] == answered.evidence
    assert answered.signals["words"] == pytest.approx(1.0)  # "bytter", "passord", "pc"
    assert answered.confidence is not None and answered.confidence >= MIN_CONFIDENT_SCORE
    # only the best hit is judged
    assert all(hit.confidence is None for hit in (await index.search("passord", MOLDE))[1:])
    assert not off_topic or (off_topic[0].confidence or 0.0) < MIN_CONFIDENT_SCORE


async def test_a_question_half_about_something_else_is_less_sure(index: LocalIndex) -> None:
    plain = (await index.search("Skriverkøen henger", MOLDE))[0]
    half = (await index.search("Skriverkøen henger på 3D-printeren med harpiks og filament", MOLDE))[0]

    assert plain.chunk.document_id == half.chunk.document_id == "kp-ko"
    assert half.signals is not None and half.signals["unknown"] > 0
    assert plain.confidence is not None and half.confidence is not None
    assert half.confidence < plain.confidence


def test_the_threshold_judges_confidence_then_evidence_then_score() -> None:
    chunk = Chunk("a#0", "a", "local", "", "A", [], "text", "all")
    assert judged_confidence(SearchHit(chunk, score=3.0, evidence=0.2, confidence=0.9)) == 0.9
    assert judged_confidence(SearchHit(chunk, score=3.0, evidence=0.2)) == 0.2
    assert judged_confidence(SearchHit(chunk, score=3.0)) == 3.0


def test_azure_reranker_scores_map_to_a_confidence_on_the_documented_scale() -> None:
    # 2 is "relevant" on the semantic ranker's 0-4 scale: the threshold sits there
    assert reranker_confidence(2.0) == pytest.approx(MIN_CONFIDENT_SCORE)
    assert reranker_confidence(1.0) < 0.2 < 0.8 < reranker_confidence(3.0)
    assert reranker_confidence(0.5) < reranker_confidence(1.5) < reranker_confidence(2.5) < reranker_confidence(3.5)


async def test_the_signals_of_key_words_known_words_and_the_title(index: LocalIndex) -> None:
    on_topic = (await index.search("Hvordan bytter jeg passord?", MOLDE))[0]
    # "FortiClient" is only in the VPN page's body; "skanning" and "blekkpatron" are in no page
    body_only = (await index.search("FortiClient skanning", MOLDE))[0]
    unknown = (await index.search("bytte passord blekkpatron", MOLDE))[0]

    assert on_topic.signals is not None and body_only.signals is not None and unknown.signals is not None
    assert on_topic.signals["title"] == pytest.approx(1.0)  # "Bytte passord" holds every word
    assert body_only.signals["title"] < 0.5 < on_topic.signals["title"]
    # a word the index never saw counts neither way in ``known``, and against the hit in ``words``
    assert unknown.signals["known"] == pytest.approx(1.0)
    assert unknown.signals["words"] < 1.0
    # the question's most specific known words: all on the page it asks about
    assert on_topic.signals["rarest"] == pytest.approx(1.0)


async def test_a_page_without_the_question_s_key_word_lacks_the_rarest_signal(tmp_path: Path) -> None:
    index = await index_of(
        tmp_path / "index.db",
        page("kp-skjerm", "Skjerm på kontoret", "Koble skjermen til dokkingstasjonen på kontoret."),
        page("kp-mus", "Mus og tastatur", "Bytt batteri i musa. Tastaturet kobles til med USB."),
        page("kp-kontor", "Kontoret", "Kontoret er åpent hverdager. Skjermen i resepsjonen viser køen."),
    )
    try:
        hit = (await index.search("Får jeg batteri til skjermen på kontoret?", MOLDE))[0]
    finally:
        index.close()
    assert hit.signals is not None and hit.chunk.document_id != "kp-mus"
    # "batteri" is only on the mouse page: the best hit holds the question's common words, not its
    # most specific one
    assert hit.signals["rarest"] == pytest.approx(0.5)
    assert hit.signals["known"] == pytest.approx(2 / 3)
