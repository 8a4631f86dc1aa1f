"""A link outside RAKEL_LINK_ALLOWED_DOMAINS is marked in every answer, extractive or from the LLM."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.language import Language
from core.ports import LlmReply
from core.settings import DEFAULT_LINK_DOMAINS
from retrieval.answering.links import mark_outside_links
from retrieval.answering.pipeline import Answerer
from retrieval.chunking import chunk_document
from retrieval.local_index import LocalIndex
from retrieval.model import AudienceScope
from tests.retrieval.pages import page

WARNING = "⚠️ (lenke utenfor kommunen og ROR-IKT – vær varsom)"
BIG_FILES = """# Sende store filer

Vedlegg kan være på høyst 25 MB. Større filer deler du fra OneDrive: se **onedrive.com**.

Ikke bruk gratis tjenester som www.wetransfer.com eller [Filedrop](https://filedrop.example.net/send) til jobbfiler.
"""


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        ("Gå til https://evil.example.com/login nå.", "Gå til https://evil.example.com/login " + WARNING + " nå."),
        ("Se [her](https://evil.example.net/x).", "Se [her](https://evil.example.net/x) " + WARNING + "."),
        ("som www.wetransfer.com gjør", "som www.wetransfer.com " + WARNING + " gjør"),
    ],
)
def test_a_link_outside_the_allow_list_is_marked(text: str, marked: str) -> None:
    assert mark_outside_links(text, DEFAULT_LINK_DOMAINS, Language.BOKMAAL) == marked


@pytest.mark.parametrize(
    "text",
    [
        "[Bytte passord](https://rorikt.sharepoint.com/sites/kompetanseportalen/SitePages/Passord.aspx)",
        "Gå til **mysignins.microsoft.com** eller aka.ms/sspr.",
        "Bestill på https://molde.kommune.no/skjema eller i rorikt.pureservice.com.",
        "Skriv til utlan@rauma.kommune.no eller navn@virksomhet.no.",
        "Versjon 2.5.1 av fil.pdf",
    ],
)
def test_links_on_the_allow_list_and_e_mail_addresses_are_left_alone(text: str) -> None:
    assert mark_outside_links(text, DEFAULT_LINK_DOMAINS, Language.BOKMAAL) == text


def test_the_allow_list_is_a_setting_and_subdomains_count() -> None:
    text = "Se https://docs.example.org/a og https://wiki.intern.example.org."

    assert mark_outside_links(text, ["example.org"], Language.ENGLISH) == text
    assert "⚠️ (link outside" in mark_outside_links(text, ["other.org"], Language.ENGLISH)


class LinkingLlm:
    async def chat(self, messages: list[dict[str, str]], **options: Any) -> LlmReply:
        return LlmReply(text="Bruk OneDrive [1], eller last opp på https://files.example.com [1].")

    async def embed(self, texts: list[str]) -> list[list[float]]:
        return [[1.0] for _ in texts]


async def test_answers_mark_outside_links_with_and_without_an_llm(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "index.db")
    document = page("kp-store-filer", "Sende store filer", BIG_FILES)
    await index.upsert(document, chunk_document(document))
    scope = AudienceScope("molde")
    try:
        extractive = await Answerer(index).answer("Hvordan sender jeg store filer?", scope)
        grounded = await Answerer(index, LinkingLlm()).answer("Hvordan sender jeg store filer?", scope)
    finally:
        index.close()

    assert extractive.confident
    assert f"www.wetransfer.com {WARNING}" in extractive.text
    assert f"(https://filedrop.example.net/send) {WARNING}" in extractive.text
    assert "**onedrive.com**" in extractive.text and f"onedrive.com {WARNING}" not in extractive.text
    assert grounded.ai_generated and f"https://files.example.com {WARNING}" in grounded.text
