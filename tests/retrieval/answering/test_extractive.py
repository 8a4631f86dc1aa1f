"""Which passages the answer without an LLM quotes, and how (pure logic, no index)."""

from __future__ import annotations

from core.language import Language
from retrieval.answering.extractive import choose_passages, extractive_answer
from retrieval.model import Chunk, SearchHit

INTRO = "Skal du på ferie, bør du sette på en fraværsmelding."
STEPS = "1. Velg **Fil** → **Automatiske svar**.\n2. Velg **Send automatiske svar**.\n3. Trykk **OK**."


def hit(chunk_id: str, score: float, text: str, *, heading: str = "", source: str = "local") -> SearchHit:
    document_id = chunk_id.split("#")[0]
    chunk = Chunk(
        id=chunk_id,
        document_id=document_id,
        source=source,
        url="" if source == "pureservice" else f"https://intranett.example/{document_id}",
        title=document_id.title(),
        heading_path=[heading] if heading else [],
        text=text,
        audience="all",
    )
    return SearchHit(chunk=chunk, score=score)


def ids(hits: list[SearchHit]) -> list[str]:
    return [found.chunk.id for found in hits]


def test_an_introduction_is_followed_by_the_section_of_its_page_with_the_steps() -> None:
    hits = [
        hit("fravær#0", 1.0, INTRO),
        hit("signatur#1", 0.9, "En signatur settes under Fil → Alternativer."),
        hit("fravær#1", 0.35, STEPS, heading="Sette fraværsmelding på PC"),
    ]

    assert ids(choose_passages(hits)) == ["fravær#0", "fravær#1"]
    text, _ = extractive_answer(hits, Language.BOKMAAL)
    assert "**Sette fraværsmelding på PC**\n\n1. Velg **Fil**" in text


def test_a_section_of_the_same_page_is_preferred_to_a_close_runner_up_of_another() -> None:
    hits = [
        hit("dokk#1", 1.0, STEPS, heading="Skjermene viser ikke noe"),
        hit("pureservice:9#0", 0.85, "Skjermen blinker.\n\n**Løsning**\n\nByttet kabel.", source="pureservice"),
        hit("dokk#0", 0.8, "Slå av strømmen til dokken i ti sekunder."),
    ]

    assert ids(choose_passages(hits)) == ["dokk#1", "dokk#0"]


def test_a_runner_up_of_another_page_is_quoted_when_it_clears_its_bar_better() -> None:
    hits = [
        hit("hjemme#0", 1.0, STEPS),
        hit("vpn#1", 0.95, "Start FortiClient og logg inn."),
        hit("hjemme#1", 0.55, "Privat PC: bruk office.com."),
    ]

    assert ids(choose_passages(hits)) == ["hjemme#0", "vpn#1"]


def test_a_piece_of_a_ticket_without_its_solution_is_passed_over() -> None:
    hits = [
        hit("pureservice:7#0", 1.0, "**Problem**\n\nSkriveren henger, hilsen [navn].", source="pureservice"),
        hit("skriver#0", 0.7, STEPS),
    ]

    text, citations = extractive_answer(hits, Language.BOKMAAL)
    assert ids(choose_passages(hits)) == ["skriver#0"]
    assert "Skriveren henger" not in text and text.startswith("Dette fant jeg i **Skriver**:")
    assert [citation.title for citation in citations.values()] == ["Skriver"]  # nothing of the ticket to show
