from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from retrieval.analysis import (
    COMPOUND_WEIGHT,
    MAX_COMPOUND_EXPANSIONS,
    SYNONYM_WEIGHT,
    NorwegianAnalyzer,
    PlainAnalyzer,
    Vocabulary,
)


@pytest.fixture(scope="module")
def analyzer() -> NorwegianAnalyzer:
    return NorwegianAnalyzer()


def vocabulary_of(analyzer: NorwegianAnalyzer, *texts: str) -> Vocabulary:
    return Vocabulary(Counter(term for text in texts for term in set(analyzer.index_terms(text))))


def terms_for(analyzer: NorwegianAnalyzer, query: str, vocabulary: Vocabulary) -> dict[str, float]:
    merged: dict[str, float] = {}
    for group in analyzer.query_groups(query, vocabulary):
        for term, weight in group.terms.items():
            merged[term] = max(weight, merged.get(term, 0.0))
    return merged


def test_inflections_share_one_stem(analyzer: NorwegianAnalyzer) -> None:
    assert len({analyzer.stem(w) for w in ("skriver", "skriveren", "skrivere", "skriverne", "skrivar")}) == 1
    assert len({analyzer.stem(w) for w in ("passord", "passordet", "passordene")}) == 1
    assert analyzer.stem("mobilen") == analyzer.stem("mobil")


def test_lowercase_stop_words_and_hyphens(analyzer: NorwegianAnalyzer) -> None:
    assert analyzer.words("Hvordan får jeg E-post på PC-en?") == ["epost", "pc"]
    assert analyzer.words("korleis set eg opp Microsoft-konto") == ["set", "microsoft", "konto"]
    assert analyzer.words("How do I reset my password") == ["reset", "password"]


def test_a_compound_in_the_query_finds_its_parts(analyzer: NorwegianAnalyzer) -> None:
    vocabulary = vocabulary_of(analyzer, "Skriveren står i kø", "Bytte passord på PC")
    terms = terms_for(analyzer, "skriverkøen", vocabulary)

    assert analyzer.stem("skriver") in terms and analyzer.stem("kø") in terms
    assert terms[analyzer.stem("skriver")] < 1.0  # a part counts less than the word itself

    terms = terms_for(analyzer, "passordbytte", vocabulary)
    assert {analyzer.stem("passord"), analyzer.stem("bytte")} <= set(terms)


def test_a_word_in_the_query_finds_indexed_compounds(analyzer: NorwegianAnalyzer) -> None:
    vocabulary = vocabulary_of(analyzer, "Skriverkøen henger", "Passordbytte hver 180. dag", "passord kø")

    assert analyzer.stem("skriverkø") in terms_for(analyzer, "skriver", vocabulary)
    assert analyzer.stem("passordbytte") in terms_for(analyzer, "passord", vocabulary)
    assert analyzer.stem("skriverkø") in terms_for(analyzer, "kø", vocabulary)


def test_a_common_word_is_not_split_into_rarer_words(analyzer: NorwegianAnalyzer) -> None:
    texts = ["passord"] * 20 + ["pass ord"]
    vocabulary = vocabulary_of(analyzer, *texts)

    assert set(terms_for(analyzer, "passord", vocabulary)) == {"passord", "password", "passwd"}


def test_typos_are_matched_to_known_words(analyzer: NorwegianAnalyzer) -> None:
    vocabulary = vocabulary_of(analyzer, "Glemt passord", "Synkronisering i OneDrive", "Fraværsmelding i Outlook")

    assert analyzer.stem("passord") in terms_for(analyzer, "passrod", vocabulary)
    assert analyzer.stem("onedrive") in terms_for(analyzer, "onedrvie", vocabulary)
    assert analyzer.stem("outlook") in terms_for(analyzer, "outlok", vocabulary)
    # short words are not guessed at: "brød" must not become "rød"
    assert terms_for(analyzer, "brød", vocabulary_of(analyzer, "rød lampe")) == {"brød": 1.0}


def test_english_and_nynorsk_words_reach_bokmaal_pages(analyzer: NorwegianAnalyzer) -> None:
    vocabulary = vocabulary_of(analyzer, "Bytte passord", "Skriveren virker ikke", "Kontoen er låst", "Glemt passord")

    assert analyzer.stem("passord") in terms_for(analyzer, "password", vocabulary)
    assert analyzer.stem("skriver") in terms_for(analyzer, "printer", vocabulary)
    assert analyzer.stem("låst") in terms_for(analyzer, "locked", vocabulary)
    assert analyzer.stem("glemt") in terms_for(analyzer, "gløymt", vocabulary)
    assert analyzer.stem("skriver") in terms_for(analyzer, "skrivaren", vocabulary)


def test_the_plain_analyzer_only_lowercases() -> None:
    plain = PlainAnalyzer()
    assert plain.index_terms("Skriverkøen HENGER, og PC-en") == ["skriverkøen", "henger", "og", "pc", "en"]
    groups = plain.query_groups("Skriveren", Vocabulary({"skriver": 3}))
    assert [group.terms for group in groups] == [{"skriveren": 1.0}]


def test_a_phrase_in_the_question_stands_for_its_synonym_group(analyzer: NorwegianAnalyzer) -> None:
    vocabulary = vocabulary_of(analyzer, "Glemt passord", "Fraværsmelding i Outlook")

    assert analyzer.query_words("jeg husker ikke passordet mitt") == ["glemt", "passordet"]
    assert analyzer.query_words("I can't remember my password") == ["glemt", "password"]
    assert analyzer.stem("fraværsmelding") in terms_for(analyzer, "out-of-office i Outlook", vocabulary)
    # a phrase only counts whole: "husker" alone is not "glemt"
    assert analyzer.query_words("husker du passordet?") == ["husker", "passordet"]


def test_unknown_words_are_corrected_by_ending_typo_or_swapped_letters(analyzer: NorwegianAnalyzer) -> None:
    vocabulary = vocabulary_of(
        analyzer, "PC skriver", "Fellespostkasse i Outlook", "VPN hjemmefra", "Fraværsmelding og fravær"
    )

    assert analyzer.stem("pc") in terms_for(analyzer, "pcen", vocabulary)  # PC-en without the hyphen
    assert analyzer.stem("skriver") in terms_for(analyzer, "skrivern", vocabulary)  # typo in an ending
    assert analyzer.stem("fellespostkasse") in terms_for(analyzer, "fellespostkase", vocabulary)
    assert analyzer.stem("fravær") in terms_for(analyzer, "fravers", vocabulary)
    assert analyzer.stem("vpn") in terms_for(analyzer, "vnp", vocabulary)
    # a word the index has never seen stays unknown: nothing is made up for it
    assert terms_for(analyzer, "harpiks", vocabulary) == {"harpiks": 1.0}


def test_expansions_do_not_depend_on_the_order_of_a_set(analyzer: NorwegianAnalyzer) -> None:
    tails = ("bytte", "regel", "krav", "feil", "hjelp", "kode", "app", "liste", "system")  # known compound parts
    words = [f"passord{tail}" for tail in tails]
    vocabulary = vocabulary_of(analyzer, "passord", *words)
    group = analyzer.query_groups("passord", vocabulary)[0]

    compounds = [term for term, weight in group.terms.items() if weight == COMPOUND_WEIGHT]
    # nine equally frequent compounds, eight taken: always the same eight, in a fixed order
    assert compounds == sorted(analyzer.stem(word) for word in words)[:MAX_COMPOUND_EXPANSIONS]


def test_english_words_of_the_glossary_search_their_bokmaal_translations(analyzer: NorwegianAnalyzer) -> None:
    vocabulary = vocabulary_of(
        analyzer, "Lage en undersøkelse i Forms", "Hurtigtaster i Windows", "Booke møterom", "Slettet epost"
    )

    assert analyzer.stem("undersøkelse") in terms_for(analyzer, "How do I make a survey?", vocabulary)
    assert analyzer.stem("hurtigtaster") in terms_for(analyzer, "keyboard shortcuts", vocabulary)
    # regular English forms find the entry: "emails", "deleted"
    assert analyzer.translations("emails") == analyzer.translations("email") != ()
    assert analyzer.stem("slettet") in terms_for(analyzer, "I deleted an email", vocabulary)
    # a phrase of the glossary is one query word: "meeting room" is "møterom", not a meeting and a room
    assert analyzer.query_words("book a meeting room") == ["book", "meeting room"]
    assert analyzer.stem("møterom") in terms_for(analyzer, "book a meeting room", vocabulary)


def test_the_glossary_reads_one_way_and_knows_nynorsk(analyzer: NorwegianAnalyzer) -> None:
    vocabulary = vocabulary_of(analyzer, "Få tilbake en slettet fil", "Endre navn på mappa")

    # a bokmål word is not widened to English: the glossary only translates into bokmål
    assert analyzer.translations("undersøkelse") == ()
    assert analyzer.translations("skjerm") == ()
    assert analyzer.stem("tilbake") in terms_for(analyzer, "korleis får eg fila attende?", vocabulary)
    assert analyzer.stem("navn") in terms_for(analyzer, "endre namn", vocabulary)


def test_a_glossary_translation_must_be_one_word(tmp_path: Path, analyzer: NorwegianAnalyzer) -> None:
    glossary = tmp_path / "glossary.txt"
    glossary.write_text("share screen = dele skjerm\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not one word"):
        analyzer._load_glossaries([glossary])


def test_past_forms_of_strong_verbs_find_the_infinitive(analyzer: NorwegianAnalyzer) -> None:
    vocabulary = vocabulary_of(analyzer, "Når PC-en fryser", "Filen forsvinner fra skrivebordet")

    assert analyzer.stem("fryser") in terms_for(analyzer, "PC-en frøs i morges", vocabulary)
    assert analyzer.stem("forsvinner") in terms_for(analyzer, "fila forsvann", vocabulary)
    assert analyzer.translations("fryser") == ()  # a present form needs no entry: it shares the stem


def test_an_inflected_nynorsk_word_finds_its_entry_by_stem(tmp_path: Path, analyzer: NorwegianAnalyzer) -> None:
    # "eigarar" and "oppgåvene" are not listed as written: their stems find "eigar" and "oppgåve"
    assert analyzer.translations("eigarar") == (analyzer.stem("eier"),)
    assert analyzer.translations("oppgåvene") == (analyzer.stem("oppgave"),)
    # a word that is no inflection is not taken for one that shares its stem: "kjenne att" is not "attende"
    assert analyzer.stem("attende") == "att"
    assert analyzer.translations("att") == ()
    # a stem two entries share is ambiguous: only the words as written count
    glossary = tmp_path / "nynorsk.txt"
    glossary.write_text("eige = egen\neigar = eier\n", encoding="utf-8")
    _, by_stem, _ = analyzer._load_glossaries([glossary])
    assert analyzer.stem("eigarar") not in by_stem


def test_english_forms_without_their_ending_and_no_norwegian_homographs(analyzer: NorwegianAnalyzer) -> None:
    assert analyzer.translations("copies") == analyzer.translations("copy") != ()
    assert analyzer.translations("stopped") == analyzer.translations("stop") != ()  # a doubled consonant undone
    assert analyzer.translations("attendees") == analyzer.translations("attendee") != ()
    # English words that are also Norwegian words of another meaning are no glossary entries:
    # a Norwegian question holding them must not be widened ("post" is mail, "sort" black, "tall" a number)
    for word in ("post", "sort", "plan", "tall", "fire", "side", "time", "gift", "rent", "bad", "far"):
        assert analyzer.translations(word) == (), word


def test_english_filler_is_no_query_word(analyzer: NorwegianAnalyzer) -> None:
    # words that carry no topic are not looked for, so the pages need not hold them to answer
    assert analyzer.query_words("Hi, my screen suddenly stays black today. Any idea? Thanks") == ["screen", "black"]
    # and none of them is a Norwegian word a Norwegian question needs
    question = "Kan jeg betale per faktura via nettbanken?"
    assert analyzer.query_words(question) == ["betale", "per", "faktura", "via", "nettbanken"]


def test_two_english_words_find_the_norwegian_compound_of_their_translations(analyzer: NorwegianAnalyzer) -> None:
    vocabulary = vocabulary_of(analyzer, "Utskriftskøen er full", "Ring kundesenteret")
    compound = analyzer.stem("utskriftskø")

    print_, queue = analyzer.query_groups("the print queue", vocabulary)
    assert print_.terms[compound] == queue.terms[compound] == SYNONYM_WEIGHT  # utskrift + s + kø
    # one translated word is enough: "customer" is "kunde", "senter" is itself
    customer, centre = analyzer.query_groups("customer senter", vocabulary)
    assert analyzer.stem("kundesenter") in customer.terms and analyzer.stem("kundesenter") in centre.terms
    # a Norwegian pair is left as written: no word of it is translated ("møterom" only as a compound
    # holding "møte", at the weaker weight of such expansions)
    vocabulary = vocabulary_of(analyzer, "Møterommet er ledig", "Ring kundesenteret")
    meeting, room = analyzer.query_groups("møte rom", vocabulary)
    assert meeting.terms.get(analyzer.stem("møterom"), 0.0) < SYNONYM_WEIGHT
    assert room.terms.get(analyzer.stem("møterom"), 0.0) < SYNONYM_WEIGHT
