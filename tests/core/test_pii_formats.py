"""Personal data in many formats is masked, and the numbers of IT work (tickets, dates, error codes,
IP addresses, versions, rooms, postcodes) are not: tests/data/pii_cases.toml, for tickets and
messages (core.pii.mask) and for published pages (core.pii_pages.mask_page)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from core.pii import mask
from core.pii_pages import mask_page

CASES = tomllib.loads((Path(__file__).resolve().parents[1] / "data" / "pii_cases.toml").read_text(encoding="utf-8"))
_DATA = re.compile(r"[\w.+-]+@[\w.-]+|\d[\d .()+-]{6,}\d")


def personal_part(sentence: str) -> str:
    """The number or address in a labelled sentence."""
    match = _DATA.search(sentence)
    assert match, sentence
    return match.group(0)


@pytest.mark.parametrize("sentence", CASES["personal"])
def test_personal_data_is_masked_in_messages_and_pages(sentence: str) -> None:
    data = personal_part(sentence)
    digits = re.sub(r"\D", "", data)
    for masked in (mask(sentence), mask_page(sentence).text):
        assert data not in masked
        assert "[" in masked
        if "@" not in data:
            assert digits[-8:] not in re.sub(r"\D", "", masked)


@pytest.mark.parametrize(("sentence", "name"), CASES["owners"])
def test_a_name_beside_private_data_on_a_page_is_masked_with_it(sentence: str, name: str) -> None:
    masked = mask_page(sentence)
    assert name not in masked.text and "[navn]" in masked.text
    assert personal_part(sentence) not in masked.text


@pytest.mark.parametrize("sentence", CASES["keep"])
def test_numbers_that_are_not_personal_are_kept(sentence: str) -> None:
    assert mask(sentence) == sentence
    assert mask_page(sentence).text == sentence


@pytest.mark.parametrize("sentence", CASES["page_keep"])
def test_a_page_keeps_a_services_number_and_mailbox(sentence: str) -> None:
    assert mask_page(sentence).text == sentence


def test_a_page_with_nothing_personal_reports_nothing() -> None:
    assert mask_page("Start PC-en på nytt og logg inn igjen.").counts == {}
