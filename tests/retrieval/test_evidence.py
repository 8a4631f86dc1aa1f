"""The evidence of a hit (how much of the question it covers) and the guide-before-ticket prior."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from retrieval.answering.pipeline import MIN_CONFIDENT_SCORE
from retrieval.chunking import chunk_document
from retrieval.local_index import LocalIndex
from retrieval.model import AudienceScope, SearchHit
from retrieval.scoring import TICKET_PRIOR
from tests.retrieval.pages import CHANGE_PASSWORD, PRINTER_QUEUE, VPN, index_of, page

MOLDE = AudienceScope("molde")
REPORTS = """# Frister for rapporter

Skal du levere en rapport, og det haster, må den leveres i Public 360 i dag. Rapporten arkiveres
av arkivet etter fristen.
"""
BLANK_PAGES_GUIDE = """# Skriveren skriver ut tomme ark

Kommer arkene ut blanke, er toneren tom eller feil satt i.

## Slik gjør du

1. Åpne frontdekselet på skriveren.
2. Ta ut tonerkassetten og rist den forsiktig.
3. Sett den inn igjen til den klikker på plass, og skriv ut en testside.
"""
BLANK_PAGES_TICKET = """# Skriveren skriver ut tomme ark

## Problem

Skriveren skriver ut tomme ark.

## Løsning

Tonerkassetten var satt feil i. Satt den riktig inn.
"""


@pytest.fixture
async def index(tmp_path: Path) -> AsyncIterator[LocalIndex]:
    index = await index_of(
        tmp_path / "index.db",
        page("kp-passord", "Bytte passord", CHANGE_PASSWORD),
        page("kp-ko", "Skriverkøen henger", PRINTER_QUEUE),
        page("kp-vpn", "VPN", VPN),
        page("kp-rapport", "Frister for rapporter", REPORTS),
    )
    yield index
    index.close()


async def best(index: LocalIndex, question: str) -> SearchHit:
    hits = await index.search(question, MOLDE)
    assert hits, question
    return hits[0]


async def test_a_plain_question_on_its_page_has_full_evidence(index: LocalIndex) -> None:
    hit = await best(index, "Hvordan bytter jeg passord på PC?")

    assert hit.chunk.document_id == "kp-passord"
    assert hit.evidence == pytest.approx(1.0)


async def test_context_sentences_around_the_question_do_not_sink_the_evidence(index: LocalIndex) -> None:
    question = "Jeg må levere en rapport i dag, og det haster. Hvordan bytter jeg passord på PC-en hjemmefra?"
    hits = await index.search(question, MOLDE)

    # the page with the steps covers the question's substance; the context words ("levere en rapport
    # i dag"), known to the index from another page, need not be covered as well
    steps = next(hit for hit in hits if "Ctrl+Alt+Del" in hit.chunk.text)
    assert steps.evidence is not None and steps.evidence >= 0.8


async def test_a_word_no_page_knows_counts_against_the_evidence(index: LocalIndex) -> None:
    known = await best(index, "Hvordan tømmer jeg skriverkøen?")
    unknown = await best(index, "Hvordan fyller jeg harpiks på 3D-skriveren?")

    assert known.evidence is not None and known.evidence >= 0.8
    assert unknown.evidence is not None and unknown.evidence < 0.45
    assert (await best(index, "asdfgh skriver")).evidence < 0.5


async def test_a_guide_comes_before_a_ticket_that_matches_as_well(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "prior.db")
    guide = page("kp-tomme-ark", "Skriveren skriver ut tomme ark", BLANK_PAGES_GUIDE)
    ticket = page("pureservice:1", "Skriveren skriver ut tomme ark", BLANK_PAGES_TICKET, source="pureservice")
    for document in (guide, ticket):
        await index.upsert(document, chunk_document(document))

    hits = await index.search("skriveren skriver ut tomme ark", MOLDE)
    by_document = {hit.chunk.document_id: hit for hit in hits}

    assert hits[0].chunk.document_id == "kp-tomme-ark"
    # the short ticket matches better on its own; the prior is what puts the guide first
    ticket_alone = by_document["pureservice:1"].score / TICKET_PRIOR
    assert ticket_alone > by_document["kp-tomme-ark"].score > by_document["pureservice:1"].score
    # a ticket's evidence is its problem's: sharing words with its fix alone is not the same problem
    fix_words = {hit.chunk.document_id: hit for hit in await index.search("tonerkassetten satt feil", MOLDE)}
    assert fix_words["pureservice:1"].evidence < MIN_CONFIDENT_SCORE
    index.close()


async def test_a_ticket_sharing_one_word_with_the_question_is_no_evidence(tmp_path: Path) -> None:
    ticket = page(
        "pureservice:2",
        "Mistet jobbmobilen på ferja",
        "# Mistet jobbmobilen på ferja\n\n## Problem\n\nJeg mistet jobbmobilen på ferja i morges.\n\n"
        "## Løsning\n\nMobilen ble sperret og slettet i Intune, og SIM-kortet ble sperret.\n",
        source="pureservice",
    )
    index = await index_of(tmp_path / "ferry.db", ticket)
    try:
        (ferry,) = await index.search("Når går ferja?", MOLDE)
        (lost,) = await index.search("Jeg har mistet jobbmobilen min", MOLDE)
    finally:
        index.close()

    assert ferry.chunk.document_id == "pureservice:2" and ferry.evidence == 0.0  # found, but not the same problem
    assert lost.evidence is not None and lost.evidence >= MIN_CONFIDENT_SCORE
