"""`rakel report --month 2026-11` on the hand-counted event set: every figure in the CSV files (the
same figures the HTML shows), the files written, the charts embedded, nothing that identifies a person."""

from __future__ import annotations

import asyncio
import csv
from datetime import date, datetime
from pathlib import Path

import pytest

from analytics.events import QuestionText
from cli.main import main as rakel
from store.pc.models import NewTarget
from store.store import open_store
from tests.analytics.handcounted import BASE, OSLO, A, B, hand_counted_events
from tests.analytics.test_gaps import COFFEE, PAYSLIP, PRINTER, VPN
from tests.conftest import make_settings

COMMENTS = ["Rakel er rask", "Fint svar om VPN", "Savner svar om Visma", "Bra", "Ring meg på [telefon]"]


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.reader(handle, delimiter=";"))


async def seed(settings) -> None:
    store = await open_store(settings.database_target)
    try:
        await store.analytics.add(hand_counted_events(), gap_texts() + [
            QuestionText(BASE.timestamp(), f"c{index}", "molde", "comment", text) for index, text in enumerate(COMMENTS)])
        campaign = await store.pc.campaigns.create("pc-2026-11", "campaign", date(2026, 11, 2), 6,
                                                   datetime(2026, 11, 2, 8, tzinfo=OSLO).timestamp())
        people = [(f"m{i}", "molde") for i in range(6)] + [(f"a{i}", "aukra") for i in range(2)]
        await store.pc.targets.add(campaign.id, [
            NewTarget(key, key, f"{key}@x.no", key, place, "", "", "", "", []) for key, place in people], 0.0)
        for key, _ in people[:6]:
            await store.pc.targets.mark_sent(campaign.id, key, key, f"conv-{key}", f"act-{key}", 1.0)
        for key in ("m0", "m1", "m2"):
            await store.pc.targets.respond(campaign.id, key, "ordered", 2.0)
        await store.pc.targets.respond(campaign.id, "m3", "not_mine", 2.0)
    finally:
        await store.close()


def gap_texts() -> list[QuestionText]:
    texts = []
    for prefix, kind, questions in (("p", "unanswered", PRINTER), ("v", "disliked", VPN), ("l", "unanswered", PAYSLIP),
                                    ("k", "unanswered", COFFEE)):
        texts += [QuestionText(BASE.timestamp() + index, f"{prefix}{index}", "molde", kind, question)
                  for index, question in enumerate(questions)]
    return texts


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    tmp_path = tmp_path_factory.mktemp("report")
    asyncio.run(seed(make_settings(tmp_path)))
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, value in (("RAKEL_ENV", "test"), ("RAKEL_DATA_DIR", str(tmp_path))):
            monkeypatch.setenv(name, value)
        assert rakel(["report", "--month", "2026-11"]) == 0
    return tmp_path / "reports" / "2026-11"


def test_every_figure_of_the_report(report_dir):
    assert read(report_dir / "nokkeltall.csv") == [
        ["Nøkkeltall", "Verdi"], ["Samtaler", "19"], ["Aktive brukere", "16"],
        ["Løst uten Kundeservice (deflection)", "72,7\u00a0%"], ["Eskaleringsrate", "36,8\u00a0%"],
        ["Avbrutte samtaler", "10,5\u00a0%"], ["Fornøydhet (CSAT)", "66,7\u00a0%"],
        ["Saker opprettet av Rakel", "6"], ["Overført til Kundeservice", "1"],
    ]
    rates = read(report_dir / "selvbetjening.csv")
    assert rates[1:] == [
        ["Molde", "8", "6", "6", "3", "0,5", "3", "0,375", "1", "0,125"],
        ["Rauma", "6", "5", "4", "4", "1,0", "1", "0,16666666666666666", "1", "0,16666666666666666"],
        ["Totalt", "19", "16", "11", "8", "0,7272727272727273", "7", "0,3684210526315789", "2", "0,10526315789473684"],
    ]
    trend = {row[0]: row[1:] for row in read(report_dir / "samtaler-per-maaned.csv")}
    header = trend.pop("Måned")
    assert len(trend) == 13 and list(trend)[0] == "november 2025" and list(trend)[-1] == "november 2026"
    november = dict(zip(header, trend["november 2026"], strict=True))
    assert november == {"Aukra samtaler": "", "Aukra brukere": "", "Molde samtaler": "8", "Molde brukere": "6",
                        "Rauma samtaler": "6", "Rauma brukere": "5", "Vestnes samtaler": "", "Vestnes brukere": "",
                        "Totalt samtaler": "19", "Totalt brukere": "16"}
    assert set(trend["oktober 2026"]) == {""}  # one user in October: too few to show
    assert read(report_dir / "saker.csv")[1:] == [["Utskrift", "5", "5"]]
    assert read(report_dir / "kilder.csv")[1:] == [[A, "6", "6"], [B, "5", "5"]]
    assert read(report_dir / "pc-rullering.csv")[1:] == [
        ["pc-2026-11", "Molde", "6", "6", "3", "0", "0", "2", "1"],
        ["pc-2026-11", "Totalt", "8", "6", "3", "0", "0", "2", "1"],
    ]


def test_handoffs_and_feedback_need_five_users_and_gaps_are_grouped(report_dir):
    assert read(report_dir / "overforinger.csv")[1:] == []  # two users asked for a person: too few to show
    gaps = read(report_dir / "innholdshull.csv")
    assert sorted((row[1], row[2], row[3], row[4]) for row in gaps[1:]) == [
        ("5", "5", "5", "0"), ("6", "6", "0", "6"), ("6", "6", "6", "0")]
    html = (report_dir / "rapport.html").read_text(encoding="utf-8")
    assert "Kaffemaskinen" not in html and "kaffemaskinen" not in html  # a topic of two users stays out
    assert "Rakel er rask" in html and "Ring meg på [telefon]" in html  # five people commented
    for personal in ("key-m1", "m1@x.no", "@x.no"):
        assert personal not in html


def test_the_html_is_one_self_contained_file_with_the_charts(report_dir):
    html = (report_dir / "rapport.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == len(list(report_dir.glob("*.png"))) >= 5
    assert "http://" not in html.replace(A, "").replace(B, "") and "<script" not in html
    assert "Rakel – rapport for november 2026" in html and 'lang="nb"' in html


def test_a_month_without_events_still_writes_a_report(tmp_path, monkeypatch):
    monkeypatch.setenv("RAKEL_ENV", "test")
    monkeypatch.setenv("RAKEL_DATA_DIR", str(tmp_path))
    assert rakel(["report", "--month", "2026-03"]) == 0
    html = (tmp_path / "reports" / "2026-03" / "rapport.html").read_text(encoding="utf-8")
    assert "færre enn 5 brukere" in html


def test_a_bad_month_is_refused(capsys):
    with pytest.raises(SystemExit):
        rakel(["report", "--month", "2026-13"])
    assert "ugyldig måned" in capsys.readouterr().err


def test_rakel_report_still_writes_the_pc_campaign_report(report_dir):
    campaign_files = {path.name for path in report_dir.parent.glob("pc-2026-11-*")}
    assert campaign_files == {"pc-2026-11-kommuner.csv", "pc-2026-11-kommuner.png", "pc-2026-11-ikke-svart.csv"}
