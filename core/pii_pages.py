"""Mask personal data in published pages (intranet, Kompetanseportalen) before they are indexed.

A ticket is masked whole (``core.pii.mask_personal_data``): everything in it is about people. A page
is written for everyone and names services on purpose, so masking it whole would take the answer
away ("send e-post til utlan@rauma.kommune.no", "ring Kundeservice på 71 11 11 11"). What a page
must never carry into the index, the logs or an LLM prompt is a person's own data, pasted in as an
example or left by mistake:

- fødselsnummer and D-numbers, always (``core.pii.mask_identity_numbers``);
- a person's e-mail address: one at a free mail service (gmail.com, hotmail.com, …), or one whose
  local part is a name ("kari.bakken81@", "lise.talstad@", "kari@"); a service mailbox ("utlan@",
  "webredaksjonen@") and a placeholder ("fornavn.etternavn@", "navn@virksomhet.no") stay;
- a phone number, unless the words just before it name a service ("Kundeservice", "sentralbord",
  "vakttelefon", "servicetorget"): a private number beside a name is masked, and so is a mobile
  number with a service named before it when a person is named before the service in the same
  sentence or right after the number ("Ring Kari Bakken i Kundeservice på 913 50 226",
  "Vakttelefon 908 12 345 (Kari Bakken)"); a landline there stays the service's;
- the names of people near one of those ("brevet til Arne Vik, fødselsnummer …"), wherever they
  appear on the page: the person the data belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from core import pii, pii_names

FREE_MAIL = frozenset(
    """gmail.com googlemail.com hotmail.com hotmail.no outlook.com outlook.no live.com live.no msn.com
    yahoo.com yahoo.no icloud.com me.com mac.com online.no frisurf.no start.no proton.me protonmail.com
    aol.com gmx.com gmx.net mail.com yandex.com""".split()
)
PLACEHOLDER_PARTS = frozenset(
    """fornavn etternavn navn brukernavn bruker ansatt firstname lastname name user username
    ola nordmann kari example eksempel""".split()
)
PLACEHOLDER_DOMAIN_RE = re.compile(r"(?:^|\.)(?:example|eksempel|kommunen|virksomhet|domene|domain)\.", re.IGNORECASE)
SERVICE_BEFORE_RE = re.compile(
    r"\b(?:kundeservice\w*|servicetorg\w*|servicekontor\w*|sentralbord\w*|vakt\w*|support|brukerstøtte|"
    r"helpdesk|service ?desk|ror-ikt|it-\w+|sekretariat\w*|resepsjon\w*|ekspedisjon\w*|legevakt\w*|"
    r"servicesenter\w*|postmottak\w*|kontoret|avdelingen|kommunen|skolen|barnehagen|nav|politi\w*|"
    r"brannvesen\w*|nødnummer\w*|hotline|switchboard|reception|service centre|customer service)\b"
    r"(?:[^.!?\n]|(?<=\d)\.){0,30}$",  # up to the number, in the same sentence ("1. etasje" is not an end)
    re.IGNORECASE,
)
PRIVATE_RE = re.compile(
    r"\b(?:privat\w*|personlig\w*|hjemme\w*|heime\w*|private|personal|home|mobilen (?:min|hans|hennar|hennes))\b", re.I
)
_EIGHT_DIGITS = re.compile(r"\d(?:[ .\u00a0-]?\d){7}")  # what any phone or identity number holds
OWNER_CHARS = 80  # how far from masked data a name is taken for its owner
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")
_ATTACHED = re.compile(r"\s*[(,:–—-]\s*")  # what joins a name to the number just before it
MASKS = (pii.FNR_TOKEN, pii.PHONE_TOKEN, pii.EMAIL_TOKEN)


def mask_page(text: str) -> pii.MaskResult:
    """The page with identity numbers, personal e-mail addresses, private phone numbers and the names
    beside them masked."""
    if "@" not in text and not _EIGHT_DIGITS.search(text):
        return pii.MaskResult(text=text, counts={}, uncertain=False)  # nothing to mask (ingest speed)
    identity = pii.mask_identity_numbers(text)
    counts = dict(identity.counts)

    def count(kind: str) -> None:
        counts[kind] = counts.get(kind, 0) + 1

    def replace_email(match: re.Match[str]) -> str:
        if not is_personal_email(match.group(0)):
            return match.group(0)
        count(pii.EMAIL)
        return pii.EMAIL_TOKEN

    def replace_phone(match: re.Match[str]) -> str:
        if not pii.is_phone(match) or _a_services_number(match):
            return match.group(0)
        count(pii.PHONE)
        return pii.PHONE_TOKEN

    masked = pii.PHONE_RE.sub(replace_phone, pii.EMAIL_RE.sub(replace_email, identity.text))
    if counts:
        masked = _mask_owners(masked, count)
    return pii.MaskResult(text=masked, counts=counts, uncertain=identity.uncertain)


def _a_services_number(match: re.Match[str]) -> bool:
    """A service is named just before the number, and no person or private line after that name; nor,
    for a mobile number, a person named before the service in the same sentence ("Ring Kari Bakken i
    Kundeservice på 913 50 226") or right after the number ("908 12 345 (Kari Bakken)"). A landline
    with a person beside it stays the service's ("Kari i Kundeservice svarer på 71 11 14 00")."""
    before = match.string[max(0, match.start() - 60) : match.start()]
    service = SERVICE_BEFORE_RE.search(before)
    if service is None:
        return False
    between = before[service.start() :]
    if PRIVATE_RE.search(between) or pii_names.mentioned_names(between)[0]:
        return False
    return not (_mobile(match) and (_person_before(match, service.start()) or _person_after(match)))


def _mobile(match: re.Match[str]) -> bool:
    """A Norwegian mobile number (eight digits starting with 4 or 9): what a person's own number is."""
    return re.sub(r"\D", "", match.group("number"))[0] in "49"


def _person_before(match: re.Match[str], service: int) -> bool:
    """A person named in the sentence before the service's name (``service`` counts from 60 before)."""
    start = max(0, match.start() - 60)
    sentence = _SENTENCE_END.split(match.string[max(0, start - OWNER_CHARS) : start + service])[-1]
    return bool(pii_names.mentioned_names(sentence)[0])


def _person_after(match: re.Match[str]) -> bool:
    """A person named right after the number: "908 12 345 (Kari Bakken)", "917 44 120 – Solveig Hoel"."""
    attached = _ATTACHED.match(match.string, match.end())
    if attached is None:
        return False
    rest = match.string[attached.end() : attached.end() + 40]
    return any(rest.startswith(name) for name in pii_names.mentioned_names(rest)[0])


def is_personal_email(address: str) -> bool:
    """A person's own address, not a service mailbox or a placeholder."""
    local, _, domain = address.lower().rpartition("@")
    if PLACEHOLDER_DOMAIN_RE.search(domain + "."):
        return False
    parts = [part for part in re.split(r"[._+-]+", local) if part]
    if parts and all(re.sub(r"\d+", "", part) in PLACEHOLDER_PARTS for part in parts):
        return False
    if domain in FREE_MAIL:
        return True
    named = [re.sub(r"\d+", "", part) for part in parts]
    return len(parts) > 1 or any(part in pii_names.GIVEN_NAMES for part in named) or bool(re.search(r"\d", local))


def _mask_owners(text: str, count: Callable[[str], None]) -> str:
    """The names near a masked identity number, phone number or e-mail address (within its paragraph),
    masked wherever they appear on the page: the person the data belongs to."""
    names: set[str] = set()
    for token in re.finditer("|".join(re.escape(mask) for mask in MASKS), text):
        paragraph_start = text.rfind("\n\n", 0, token.start()) + 1
        paragraph_end = text.find("\n\n", token.end())
        paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
        near = text[max(paragraph_start, token.start() - OWNER_CHARS) : min(paragraph_end, token.end() + OWNER_CHARS)]
        names |= pii_names.mentioned_names(near)[0] | pii_names.signed_names(near)[0]
    pattern = pii_names.names_pattern(tuple(sorted(pii_names.clean(names))))
    if pattern is None:
        return text

    def replace(name: re.Match[str]) -> str:
        count(pii.NAME)
        return pii.NAME_TOKEN

    return pattern.sub(replace, text)
