"""Which municipality a solved ticket's fix holds for: a local one (a network, printer, room, group or
phone number of one place) is shown only inside that municipality; a general fix stays for everyone.

A fix is local when its text (problem and solution, masked) names

- a place of a municipality (``lexicon/places.txt``: "Åndalsnes helsesenter", "Helland skole"), which
  then decides the municipality; or
- a local identifier without naming the place: a device, network or group code ("VES-HELLAND-P2",
  "RK-Gjest", "MK-INFO-01": capitals, a hyphen, and a capital or digit after it, generic technical
  acronyms such as USB-C or PC-en excepted) or a room number ("rom 112"). It then holds for the
  requester's municipality. A phone number alone does not make a fix local: most are Kundeservice's.

Otherwise the fix is general ("Slå av Num Lock med Fn + NumLk").
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

LEXICON = Path(__file__).with_name("lexicon") / "places.txt"
GENERIC_ACRONYMS = frozenset(
    "ROR USB HDMI PC PCS VPN MFA SMS SIM IT OS PDF MS BIOS DNS IP SSD CD DVD TV KI AI ID NAV HR LED "
    "WIFI WLAN LAN GPS CPU RAM UEFI TPM SSO QR URL HTML CSV XML API SOC IOS MAC".split()
)
_CODE = re.compile(r"\b([A-ZÆØÅ]{2,5})((?:-[A-Za-zÆØÅæøå0-9]+)+)\b")
_ROOM = re.compile(r"\b(rom|romnummer|rommet|room)\s+\d{1,4}[a-z]?\b", re.IGNORECASE)


def local_municipality(text: str, requester_municipality: str | None) -> str | None:
    """The municipality this fix holds for, or None when it is general.

    A fix that is local but whose place and requester are both unknown gives None as well; the
    caller decides what such a ticket may be (see ``retrieval.sources.tickets``)."""
    named = [municipality for municipality, pattern in _places().items() if pattern.search(text)]
    if named:
        return requester_municipality if requester_municipality in named else named[0]
    if has_local_identifier(text):
        return requester_municipality or ""
    return None


def has_local_identifier(text: str) -> bool:
    if _ROOM.search(text):
        return True
    for match in _CODE.finditer(text):
        prefix, rest = match.groups()
        if prefix not in GENERIC_ACRONYMS and re.search(r"[A-ZÆØÅ0-9]", rest):
            return True
    return False


@cache
def _places() -> dict[str, re.Pattern[str]]:
    places: dict[str, re.Pattern[str]] = {}
    for line in LEXICON.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        municipality, _, names = line.partition(":")
        alternatives = "|".join(re.escape(name.strip()) for name in names.split(",") if name.strip())
        places[municipality.strip()] = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w])")
    return places
