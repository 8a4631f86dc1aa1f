"""Content gaps: unanswered and thumbed-down questions grouped into topics; small topics left out."""

from __future__ import annotations

from analytics.events import QuestionText
from analytics.gaps import find_gaps

PRINTER = ["Skriveren på kontoret skriver ikke ut", "Hvorfor henger skriveren i køen?",
           "skriveren sier papirstopp hele tiden", "Får ikke skrevet ut på skriveren i 2. etasje",
           "Skriveren skriver bare blanke ark", "kan ikke finne skriveren når jeg skal skrive ut"]
VPN = ["VPN kobler ikke til hjemmefra", "Får feilmelding når jeg starter VPN", "VPN er treg på hjemmekontor",
       "Hvordan kobler jeg til VPN på mobilen?", "VPN-tilkoblingen faller ut etter lunsj", "VPN virker ikke i dag"]
PAYSLIP = ["Hvor finner jeg lønnsslippen i Visma?", "Lønnsslippen min vises ikke i Visma",
           "Visma lønnsslipp mangler for oktober", "Får ikke åpnet lønnsslipp i Visma", "lønnsslipp visma feil"]
COFFEE = ["Kaffemaskinen i kantina er tom", "Hvem fyller kaffemaskinen?"]


def texts(questions: list[str], prefix: str, kind: str = "unanswered") -> list[QuestionText]:
    return [QuestionText(at=float(index), user_key=f"{prefix}{index}", municipality="molde", kind=kind, text=text)
            for index, text in enumerate(questions)]


def test_questions_are_grouped_into_topics_and_small_topics_are_left_out():
    gaps = find_gaps(texts(PRINTER, "p") + texts(VPN, "v", "disliked") + texts(PAYSLIP, "l") + texts(COFFEE, "c"))
    summary = sorted((topic.questions, topic.users, topic.unanswered, topic.disliked) for topic in gaps.topics)
    assert summary == [(5, 5, 5, 0), (6, 6, 0, 6), (6, 6, 6, 0)]
    assert (gaps.hidden_topics, gaps.hidden_questions) == (1, 2)
    labels = {topic.label.split(", ")[0] for topic in gaps.topics}
    assert labels == {"skriveren", "vpn", "lønnsslippen"} or {"vpn"} <= labels
    for topic in gaps.topics:
        assert 1 <= len(topic.examples) <= 3
        assert all(example in PRINTER + VPN + PAYSLIP for example in topic.examples)
        assert "kaffemaskinen" not in topic.label


def test_the_same_user_asking_many_times_is_still_one_user():
    one_user = [QuestionText(float(i), "same", "molde", "unanswered", text) for i, text in enumerate(PRINTER * 3)]
    gaps = find_gaps(one_user)
    assert gaps.topics == [] and gaps.hidden_questions == 18


def test_nothing_to_group():
    assert find_gaps([]).topics == []
