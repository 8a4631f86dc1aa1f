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
from store.pc.models import NewOrder, NewTarget
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
        await seed_campaigns(store)
    finally:
        await store.close()


# The PC campaigns, counted by hand (state as the report is made; a person belongs to the month their card came):
# October (pc-2026-10, Molde m0-m5): 6 got the card, m0-m3 ordered, m0-m2 approved (m3 rejected), tickets for m0, m1;
#   m4 "not my PC", m5 no answer.
# November (pc-2026-11): Molde p0-p6 (7): p0-p4 ordered, p0-p3 approved, tickets p0, p1 (created) and p2 (queued);
#   Rauma r0-r4 (5): r0, r1 ordered, r0 approved with a ticket; Aukra a0, a1 (2, too few to show): a0 ordered and
#   approved; Vestnes v0: the card never arrived (not counted). An on-demand order in Molde is not a campaign.
# November totals: 14 got the card, 8 ordered, 6 approved, 4 tickets, 0 rejected, 0 not mine, 6 no answer (p5, p6,
#   r2-r4, a1).
CAMPAIGN_PEOPLE = {
    "pc-2026-10": (datetime(2026, 10, 5, 9, tzinfo=OSLO), [(f"m{i}", "molde") for i in range(6)],
                   {"m0": ("approved", "created"), "m1": ("approved", "created"), "m2": ("approved", ""),
                    "m3": ("rejected", ""), "m4": "not_mine"}),
    "pc-2026-11": (datetime(2026, 11, 3, 9, tzinfo=OSLO),
                   [(f"p{i}", "molde") for i in range(7)] + [(f"r{i}", "rauma") for i in range(5)]
                   + [("a0", "aukra"), ("a1", "aukra")],
                   {"p0": ("approved", "created"), "p1": ("approved", "created"), "p2": ("approved", "queued"),
                    "p3": ("approved", ""), "p4": ("", ""), "r0": ("approved", "created"), "r1": ("", ""),
                    "a0": ("approved", "")}),
}


async def seed_campaigns(store) -> None:
    for campaign_id, (sent, people, answers) in CAMPAIGN_PEOPLE.items():
        campaign = await store.pc.campaigns.create(campaign_id, "campaign", sent.date(), 6, sent.timestamp() - 86400)
        targets = [NewTarget(key, key, f"{key}@x.no", key, place, "", "", "", "", []) for key, place in people]
        if campaign_id == "pc-2026-11":
            targets.append(NewTarget("v0", "v0", "v0@x.no", "v0", "vestnes", "", "", "", "", []))
        await store.pc.targets.add(campaign.id, targets, 0.0)
        for key, place in people:
            await store.pc.targets.mark_sent(campaign.id, key, key, f"conv-{key}", f"act-{key}", sent.timestamp())
            answer = answers.get(key)
            if answer == "not_mine":
                await store.pc.targets.respond(campaign.id, key, "not_mine", sent.timestamp() + 60)
            elif answer is not None:
                await store.pc.targets.respond(campaign.id, key, "ordered", sent.timestamp() + 60)
                await order(store, campaign.id, key, place, answer, sent.timestamp() + 60)
    at = CAMPAIGN_PEOPLE["pc-2026-11"][0].timestamp()
    await store.pc.campaigns.create("ondemand", "ondemand", date(2026, 1, 1), 6, 0.0)
    await store.pc.targets.add("ondemand", [NewTarget("o0", "o0", "o0@x.no", "o0", "molde", "", "", "", "", [])], 0.0)
    await store.pc.targets.mark_sent("ondemand", "o0", "o0", "conv-o0", "act-o0", at)
    await order(store, "ondemand", "o0", "molde", ("approved", "created"), at)


async def order(store, campaign_id: str, key: str, place: str, answer: tuple[str, str], at: float) -> None:
    state, ticket = answer
    made, _ = await store.pc.orders.create(NewOrder(f"{campaign_id}:{key}", campaign_id, key, key, f"{key}@x.no", key,
                                                    place, "", [], "boss", "boss@x.no", "Boss", "leader", "boss"), at)
    if state:
        assert await store.pc.approvals.decide(made.id, state, "boss", "Boss", "", at + 60)
    if ticket:
        await store.pc.orders.tickets.record((made.id,), ticket, "PS-1" if ticket == "created" else "")


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
    # one category under 5 users beside the total: showing Utskrift would give it away as total minus Utskrift
    assert read(report_dir / "saker.csv")[1:] == []
    assert read(report_dir / "kilder.csv")[1:] == [[A, "6", "6"], [B, "5", "5"]]
    assert read(report_dir / "pc-rullering.csv") == [
        ["Kommune", "Fikk kort", "Bestilte", "Godkjent", "Byttesak meldt", "Avslått", "Ikke min PC", "Ikke svart",
         "Andel som bestilte"],
        ["Molde", "7", "5", "4", "3", "0", "0", "2", "0,7142857142857143"],  # Rauma (5) hidden beside Aukra (2)
        ["Totalt", "14", "8", "6", "4", "0", "0", "6", "0,5714285714285714"],
    ]
    pc_months = {(row[0], row[1]): row[2:9] for row in read(report_dir / "pc-rullering-per-maaned.csv")[1:]}
    assert pc_months == {("oktober 2026", "Molde"): ["6", "4", "3", "2", "1", "1", "1"],
                         ("oktober 2026", "Totalt"): ["6", "4", "3", "2", "1", "1", "1"],
                         ("november 2026", "Molde"): ["7", "5", "4", "3", "0", "0", "2"],
                         ("november 2026", "Totalt"): ["14", "8", "6", "4", "0", "0", "6"]}


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
