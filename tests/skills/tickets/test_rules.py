"""The embedded rules behind a draft: category, priority, the problem in a request, subject, cleaning,
and the outbox's retry schedule."""

from __future__ import annotations

import pytest

from core.language import Language
from core.ports import TicketDeskError
from skills.tickets.classify import classify
from skills.tickets.cleaning import MAX_TEXT_CHARS, clean, has_words, shorten
from skills.tickets.outbox import RetrySchedule, reason_code
from skills.tickets.prefill import earlier_problem, problem_in, subject_for
from skills.tickets.texts import CUT_MARK, DRAFT_INTRO
from store.history import TurnRecord
from tests.skills.routing import embedded_router


@pytest.mark.parametrize(
    ("text", "category", "priority"),
    [
        ("Skriveren på 2. etasje skriver ikke ut", "printing", "normal"),
        ("Nettverksskriveren er tom for toner", "printing", "normal"),
        ("Jeg har glemt passordet mitt", "password", "normal"),
        ("Kontoen min er låst", "password", "high"),
        ("Jeg får ikke logget inn i Visma", "access", "high"),
        ("Jeg trenger tilgang til fellesmappen for økonomi", "access", "normal"),
        ("Outlook viser ikke e-posten min", "email", "normal"),
        ("Jeg skriver en e-post, men den blir ikke sendt", "email", "normal"),
        ("PC-en min starter ikke", "pc", "high"),
        ("Det haster ikke, men skjermen flimrer", "pc", "low"),
        ("Kan dere installere Adobe Acrobat?", "software", "normal"),
        ("VPN virker ikke på hjemmekontor", "remote_access", "normal"),
        ("Mobilen min finner ikke SIM-kortet", "phone", "normal"),
        ("Ring meg på mobil 91234567, Excel krasjer", "email", "normal"),  # a phone number is not the problem
        ("Jeg fikk en mistenkelig e-post og klikket på lenken", "security", "high"),
        ("Hvilken skjerm bør vi kjøpe til møterommet?", "advice", "low"),
        ("Teams er nede for alle på avdelingen", "email", "critical"),
        ("Helseplattformen er nede", "software", "critical"),
        ("Ingen på sykehjemmet får logget inn", "access", "critical"),
        ("Hele kommunen mangler nett", "", "critical"),
        ("My laptop will not start", "pc", "high"),
        ("I clicked a phishing link", "security", "high"),
        ("Мій принтер не працює", "", "normal"),
        ("😡😡😡", "", "normal"),
    ],
)
def test_category_and_priority(text, category, priority):
    assert (classify(text).category, classify(text).priority) == (category, priority)


def test_one_user_who_cannot_print_is_not_critical_but_a_whole_service_down_is():
    assert classify("Skriveren min virker ikke").priority == "normal"
    assert classify("Skriverne virker ikke for alle ansatte").priority == "critical"


@pytest.mark.parametrize(
    ("message", "problem", "fault"),
    [
        ("lag en sak", "", False),
        ("Lag en sak takk", "", False),
        ("kan du sende dette til Kundeservice", "", False),
        ("eg treng å lage ei sak", "", False),
        ("please create a ticket", "", False),
        ("meld feil om skriveren", "skriveren", True),
        ("lag en sak om at jeg ikke får logget inn i Visma", "jeg ikke får logget inn i Visma", False),
        ("Skriveren er tom, kan du lage en sak?", "Skriveren er tom", False),
        ("Hei Rakel, kan du lage en sak til Kundeservice om at Outlook krasjer?", "Outlook krasjer?", False),
        ("create a ticket: my laptop will not start", "my laptop will not start", False),
        ("Ny sak: PC-en er treg", "PC-en er treg", False),
        ("lag en sak 😡😡", "", False),
    ],
)
def test_the_problem_is_what_is_left_of_the_request(message, problem, fault):
    assert (problem_in(message).text, problem_in(message).is_fault) == (problem, fault)


def test_the_subject_is_the_first_sentence():
    assert subject_for("Skriveren på 2. etasje skriver ikke ut. Den blinker.") == "Skriveren på 2. etasje skriver ikke ut"
    assert subject_for("skriveren", is_fault=True) == "Feil med skriveren"
    assert subject_for("😡") == "Henvendelse via Rakel"
    assert len(subject_for("ord " * 100)) <= 80


def test_the_earlier_problem_is_what_the_user_said_since_the_last_ticket():
    history = [
        TurnRecord("user", "Musa virker ikke"),
        TurnRecord("assistant", "Prøv å bytte batteri."),
        TurnRecord("user", "lag en sak"),
        TurnRecord("assistant", DRAFT_INTRO(Language.BOKMAAL)),
        TurnRecord("user", "hei"),
        TurnRecord("assistant", "Hei! Hva kan jeg hjelpe med?"),
        TurnRecord("user", "Teams krasjer når jeg deler skjerm"),
        TurnRecord("assistant", "Oppdater Teams [1].\n\nKilder: [1]"),
    ]
    problem, tried = earlier_problem(history, embedded_router())
    assert problem == "Teams krasjer når jeg deler skjerm"
    assert tried == ("Oppdater Teams.",)
    assert earlier_problem(history[:4], embedded_router()) == ("", ())


def test_cleaning_masks_identity_numbers_keeps_phone_numbers_and_cuts_long_text():
    cleaned = clean("Gjelder 01019012345, ring 912 34 567")
    assert cleaned.text == "Gjelder [fødselsnummer], ring 912 34 567" and cleaned.fnr_removed
    assert not clean("Saksnummer 12345678901 er feil").fnr_removed  # not a valid fødselsnummer, and a case number
    long = clean("ord " * 5000)
    assert long.cut and len(long.text) <= MAX_TEXT_CHARS and long.text.endswith(CUT_MARK)
    assert not clean("kort").cut
    assert shorten("en to tre fire", 9) == "en to…"
    assert has_words("Мій") and not has_words("😡 ?!")


def test_the_retry_schedule_doubles_up_to_the_maximum_and_honours_retry_after():
    schedule = RetrySchedule(10, 60, jitter=0)
    assert [schedule.delay(n) for n in range(1, 6)] == [10, 20, 40, 60, 60]
    assert schedule.delay(1, retry_after=30) == 30
    jittered = RetrySchedule(10, 60)
    assert all(8 <= jittered.delay(1) <= 12 for _ in range(50))


def test_refusals_are_explained_by_their_kind():
    assert reason_code(TicketDeskError("422", retryable=False, status=422)) == "refused"
    assert reason_code(TicketDeskError("401", retryable=False, status=401)) == "access"
    assert reason_code(TicketDeskError("no requester", retryable=False)) == "setup"
    assert reason_code(TicketDeskError("418", retryable=False, status=418)) == "other"
