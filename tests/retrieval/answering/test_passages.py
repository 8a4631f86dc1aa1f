"""The sentence-level re-score that picks which section of the best page is quoted first."""

from __future__ import annotations

from core.language import Language
from retrieval.answering.extractive import choose_passages, extractive_answer
from retrieval.answering.passages import passage_score, question_forms
from tests.retrieval.answering.test_extractive import hit, ids

INTRO = "Har du sendt personopplysninger til feil mottaker, er det et avvik, og det må meldes raskt."
DEADLINE = "Kommunen må melde alvorlige avvik til Datatilsynet innen **72 timer**."
SUMMARY = "Personvern er viktig i kommunen. Les mer om personvern og avvik i håndboka."
STEPS = "1. Åpne kvalitetssystemet.\n2. Velg **Nytt avvik** og kategorien personvern.\n3. Send avviket til leder."


def test_a_question_asking_for_a_time_gets_the_section_with_the_number_first() -> None:
    hits = [hit("avvik#0", 1.0, INTRO), hit("avvik#1", 0.4, DEADLINE, heading="Frist"), hit("annet#0", 0.3, SUMMARY)]

    question = "Hvor raskt må et avvik meldes?"
    assert ids(choose_passages(hits, question)) == ["avvik#1", "avvik#0"]
    text, _ = extractive_answer(hits, Language.BOKMAAL, question)
    assert text.index("72 timer") < text.index("meldes raskt")
    assert "**Frist**" in text  # quoted under its heading
    # without the question the index's order stands, and a question that asks for no number keeps it
    assert ids(choose_passages(hits)) == ["avvik#0"]
    assert ids(choose_passages(hits, "Hva er et avvik?"))[0] == "avvik#0"


def test_the_section_whose_sentence_holds_the_question_goes_first_within_the_page() -> None:
    hits = [hit("avvik#0", 1.0, SUMMARY), hit("avvik#1", 0.5, STEPS, heading="Slik melder du"), hit("x#0", 0.9, INTRO)]

    # "personvern" and "avvik" are in one sentence of the summary; "velg", "kategori" and "personvern" in a step
    assert ids(choose_passages(hits, "Hvilken kategori velger jeg for personvern?"))[0] == "avvik#1"
    # the page is still the index's choice: a better sentence on another page does not move it
    assert choose_passages(hits, INTRO)[0].chunk.document_id == "avvik"


def test_a_section_far_below_the_best_is_not_re_scored() -> None:
    hits = [hit("avvik#0", 1.0, INTRO), hit("avvik#1", 0.1, DEADLINE)]
    assert ids(choose_passages(hits, "Hvor raskt må et avvik meldes?")) == ["avvik#0"]


def test_question_words_are_read_in_every_form_the_analyser_knows() -> None:
    forms = question_forms("How soon must a deviation be reported?")
    chunk = hit("avvik#1", 1.0, DEADLINE).chunk
    # "deviation" -> avvik (glossary), "reported" -> melde (glossary), and "how soon" asks for a number
    assert passage_score("How soon must a deviation be reported?", forms, chunk) >= 3.5
    assert passage_score("Which deviation must be reported?", question_forms("Which deviation must be reported?"), chunk) == 2
