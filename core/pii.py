"""Mask personal data before text is logged, indexed or sent to an LLM.

Masks Norwegian national identity numbers (fødselsnummer and D-number), Norwegian phone numbers,
e-mail addresses and people's names (given ones, names after a signature cue such as "Hilsen Kari",
and capitalized words led by a common given name; see core.pii_names). It errs on the side of
masking; ``uncertain`` tells the caller that something looked personal but could not be
classified, so it can drop the text (the ticket indexer does).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import NewType

from stdnum.no import fodselsnummer

from core import pii_names

FNR_TOKEN = "[fødselsnummer]"
PHONE_TOKEN = "[telefon]"
EMAIL_TOKEN = "[e-post]"
NAME_TOKEN = "[navn]"

FNR, PHONE, EMAIL, NAME = "fødselsnummer", "telefon", "e-post", "navn"

MaskedText = NewType("MaskedText", str)
"""Text with fødselsnummer, phone numbers, e-mail addresses and names masked (``mask``): what may be
stored, logged, indexed or sent to an LLM. A message is masked once where it enters
(``core.messages.Incoming.masked``); stores that keep text ask for this type."""


@dataclass(frozen=True)
class MaskResult:
    text: str
    counts: dict[str, int]  # kind -> how many were masked (kinds with none are left out)
    uncertain: bool


EMAIL_RE = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")

# Eleven digits, optionally split after the date part ("010190 12345", "010190.12345").
ELEVEN_DIGITS_RE = re.compile(r"(?<![\w.,])(\d{6})[ .\u00a0-]?(\d{5})(?![\w]|[.,]\d)")

# Eight digits as Norwegians write a phone number (grouped by spaces, hyphens or dots, one kind a number),
# optionally after +47/0047. The lookarounds keep
# it from matching inside longer numbers, IP addresses, decimals and words ("INC91234567").
PHONE_RE = re.compile(
    r"""
    (?<![\w+])(?<!\d[ .,\u00a0-])
    (?P<prefix>(?:\+|00)47[ \u00a0-]?|\(\+?47\)[ \u00a0]?)?
    (?P<number>
        \d{8}
      | \d{3}(?P<sep3>[ \u00a0.-])\d{2}(?P=sep3)\d{3}
      | \d{2}(?P<sep2>[ \u00a0.-])\d{2}(?P=sep2)\d{2}(?P=sep2)\d{2}
      | \d{4}[ \u00a0.-]\d{4}
    )
    (?!\w)(?![ .,\u00a0-]?\d)
    """,
    re.VERBOSE,
)

# Words right before a number that say what it is instead (case, order and invoice numbers, amounts).
NOT_PERSONAL_BEFORE_RE = re.compile(
    r"""(?:
        \b(?:sak|saken|saks(?:nummer|nr)|ticket|inc|ordre(?:nummer|nr)?|faktura(?:nummer|nr)?|
           kunde(?:nummer|nr)|ref(?:eranse)?|serie(?:nummer|nr)|s/n|sn|org(?:anisasjons)?\.?\s*(?:nummer|nr)|
           konto(?:nummer|nr)?|kontonr\.?|bilag|kr|nok|kl|klokka|id|ip(?:-adresse)?|versjon|version|build)
        |[#№]
    )\.?\s*(?:nr\.?|nummer)?\s*[:#.]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
AMOUNT_AFTER_RE = re.compile(r"^\s*(?:,-|kr\b|kroner\b|nok\b|,\d\d\b)", re.IGNORECASE)

FNR_CUE_BEFORE_RE = re.compile(
    r"\b(?:f(?:ødsels|odsels)?\.?\s*nr|fødselsnummer|fodselsnummer|personnummer|pers\.?\s*nr|"
    r"pnr|fnr|d-?nummer|d-?nr|personnr)\.?\s*[:.]?\s*$",
    re.IGNORECASE,
)
PHONE_CUE_BEFORE_RE = re.compile(
    r"\b(?:tlf|telefon(?:nummer)?|tel|mob(?:il)?(?:nummer|nr)?|mobiltelefon|ring|sms)\.?\s*[:.]?\s*$",
    re.IGNORECASE,
)
CONTEXT_CHARS = 30


def mask(text: str) -> MaskedText:
    """The text with personal data masked."""
    return MaskedText(mask_personal_data(text).text)


def mask_personal_data(text: str, known_names: Iterable[str] = ()) -> MaskResult:
    """Mask identity numbers, phone numbers, e-mail addresses and names of people.

    ``known_names`` are people this text is about (a ticket's requester and agents): their full
    names and each part of them are masked wherever they appear as whole words.
    """
    counts: dict[str, int] = {}

    def count(kind: str) -> None:
        counts[kind] = counts.get(kind, 0) + 1

    def replace_email(match: re.Match[str]) -> str:
        count(EMAIL)
        return EMAIL_TOKEN

    identity = mask_identity_numbers(EMAIL_RE.sub(replace_email, text))
    text, uncertain = identity.text, identity.uncertain
    counts.update(identity.counts)

    def replace_phone(match: re.Match[str]) -> str:
        if not is_phone(match):
            return match.group(0)
        count(PHONE)
        return PHONE_TOKEN

    text = PHONE_RE.sub(replace_phone, text)

    signed, unsure_signature = pii_names.signed_names(text)
    mentioned, unsure_mention = pii_names.mentioned_names(text)
    uncertain = uncertain or unsure_signature or unsure_mention
    names_re = pii_names.names_pattern(tuple(sorted(pii_names.clean([*known_names, *signed, *mentioned]))))
    if names_re is not None:

        def replace_name(match: re.Match[str]) -> str:
            if pii_names.is_everyday_word(match.group(0)):
                return match.group(0)
            count(NAME)
            return NAME_TOKEN

        text = names_re.sub(replace_name, text)

    return MaskResult(text=text, counts=counts, uncertain=uncertain)


def mask_identity_numbers(text: str) -> MaskResult:
    """Mask only fødselsnummer and D-numbers: for text a person must still read whole (a ticket keeps
    the phone number and the names the user wrote, but never an identity number)."""
    counts: dict[str, int] = {}
    uncertain = False

    def replace_eleven(match: re.Match[str]) -> str:
        nonlocal uncertain
        verdict = _classify_eleven_digits(match.group(1) + match.group(2), _before(match))
        uncertain = uncertain or verdict.unsure
        if not verdict.mask:
            return match.group(0)
        counts[FNR] = counts.get(FNR, 0) + 1
        return FNR_TOKEN

    return MaskResult(text=ELEVEN_DIGITS_RE.sub(replace_eleven, text), counts=counts, uncertain=uncertain)


class _Verdict(Enum):
    MASK = (True, False)
    MASK_UNSURE = (True, True)  # looks like a mistyped fødselsnummer
    KEEP = (False, False)
    KEEP_UNSURE = (False, True)  # eleven digits we cannot explain

    @property
    def mask(self) -> bool:
        return self.value[0]

    @property
    def unsure(self) -> bool:
        return self.value[1]


def _before(match: re.Match[str]) -> str:
    return match.string[max(0, match.start() - CONTEXT_CHARS) : match.start()]


def _after(match: re.Match[str]) -> str:
    return match.string[match.end() : match.end() + 10]


def _classify_eleven_digits(digits: str, before: str) -> _Verdict:
    """Decide what an eleven-digit run is from its check digits, its date part and the words before it."""
    if _passes_checksums(digits) or FNR_CUE_BEFORE_RE.search(before):
        return _Verdict.MASK
    if NOT_PERSONAL_BEFORE_RE.search(before):
        return _Verdict.KEEP
    if _looks_like_birth_date(digits[:6]):
        return _Verdict.MASK_UNSURE
    return _Verdict.KEEP_UNSURE


def _passes_checksums(digits: str) -> bool:
    """Both mod-11 check digits hold (also for D-, H- and FH-numbers, whose date part is not a date)."""
    return digits[9] == fodselsnummer.calc_check_digit1(digits) and digits[
        10
    ] == fodselsnummer.calc_check_digit2(digits)


def _looks_like_birth_date(ddmmyy: str) -> bool:
    day, month = int(ddmmyy[:2]), int(ddmmyy[2:4])
    if day > 40:  # D-number
        day -= 40
    if month > 40:  # H-number
        month -= 40
    try:
        date(2000, month, day)  # a leap year, so 29 February passes
    except ValueError:
        return False
    return True


def is_phone(match: re.Match[str]) -> bool:
    """Is this eight-digit group a phone number rather than a case number, amount, year pair or date?"""
    before = _before(match)
    number = re.sub(r"\D", "", match.group("number"))
    if match.group("prefix"):
        return True
    if PHONE_CUE_BEFORE_RE.search(before):
        return True
    if NOT_PERSONAL_BEFORE_RE.search(before) or AMOUNT_AFTER_RE.match(_after(match)):
        return False
    if number[0] in "01":  # Norwegian eight-digit numbers start with 2-9
        return False
    if re.fullmatch(r"(?:19|20)\d\d[ \u00a0.-](?:19|20)\d\d", match.group("number")):
        return False  # a span of years, "2023-2024"
    if len(match.group("number")) == 8 and _is_calendar_date(number):
        return False  # 20240115 or 25122023
    return True


def _is_calendar_date(digits: str) -> bool:
    for year, month, day in ((digits[:4], digits[4:6], digits[6:]), (digits[4:], digits[2:4], digits[:2])):
        if year[:2] in ("19", "20"):
            try:
                date(int(year), int(month), int(day))
                return True
            except ValueError:
                continue
    return False
