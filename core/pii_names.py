"""Finding people's names in Norwegian text, for core.pii.

Three ways, from most to least certain: names we are given (a ticket's requester and agents);
names after a signature cue ("Hilsen Kari", "Mvh Ola Nordmann"); and capitalized words led by a
common given name ("Hun heter Berit Sunde-Hoem"). Norwegian capitalizes names, not nouns, so two
capitalized words in a row that are neither a name we know nor a product or place are a warning
sign: they make the result ``unsure`` rather than being masked or let through silently.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

GIVEN_NAMES = frozenset(
    line.strip().casefold()
    for line in (Path(__file__).with_name("given_names.txt")).read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
# Given names that are also everyday words: masked only with a capital letter and, when found on
# their own (not given to us), only as part of a longer name ("Per Hansen", not "Per dag").
EVERYDAY_WORD_NAMES = frozenset(
    """per dag liv bo mai are tone kai even jan rune stein storm frank odd finn tom tor hans line rose
    iris nora siri august ane inga inge tale vilje bror gro stig gard edel else lene klara dina kim
    mali victoria""".split()
)
# Capitalized words that sign or name something other than a person: teams, products, places.
NOT_PEOPLE = frozenset("""kundeservice ror-ikt rakel it it-avdelingen it-tjenesten servicedesk service support
    brukerstøtte helpdesk drift team teamet avdeling avdelingen seksjon kommune kommunen rådhuset
    molde aukra hustadvika rauma vestnes eide fræna elnesvågen åndalsnes romsdal møre gjemnes
    sunndal kristiansund ålesund norge oslo bergen trondheim
    microsoft windows office teams outlook onedrive sharepoint intune azure entra exchange word excel
    powerpoint onenote forms planner copilot edge viva defender authenticator google chrome apple
    iphone ipad mac macbook android samsung adobe acrobat reader jabra logitech cisco anyconnect
    citrix vmware fortinet forticlient zoom skype lync visma flyt enterprise helseplattformen
    hyperspace epic dips gerica profil cosdoc acos public elements websak feide skooler edword
    vigilo itslearning idweb kompetanseportalen servicetorget firmaportal company portal hp canon
    ricoh konica minolta kyocera xerox lenovo dell thinkpad latitude elitebook surface direct update
    store norsk helsenett helsecert altinn bankid buypass nav ks digdir eduroam global
    innstillinger enheter postmottak servicekontoret telia telenor ice phonero mobilt bedriftsnett
    caps lock smart connect home pro plus premium business basic standard online cloud desktop remote
    access manager center centre hub app apps drive mail password reset self multi factor wifi
    bluetooth print printer scan scanner""".split())
# After a signature cue these are not a name either (function words and greetings).
NOT_A_NAME_AFTER_CUE = NOT_PEOPLE | frozenset(
    """oss meg alle dere deg hele en ei et din di deres vår våre fra til og
    our the to from you all everyone""".split()
)
FILLER_AFTER_CUE = frozenset({"fra", "til"})

_LETTERS_UPPER = "A-ZÆØÅÉÖÄÜ"
_LETTERS_LOWER = "a-zæøåéèöäüß'’"
_CAPITALIZED = rf"[{_LETTERS_UPPER}][{_LETTERS_LOWER}]+(?:-[{_LETTERS_UPPER}][{_LETTERS_LOWER}]+)*"
NAME_WORD_RE = re.compile(_CAPITALIZED)
CAPITALIZED_RUN_RE = re.compile(rf"(?<![\w-]){_CAPITALIZED}(?:[ \t]+{_CAPITALIZED})*(?![\w-])")
SENTENCE_START_BEFORE = ".!?:;\n\r«\"'(•*#>-–"
SIGNATURE_RE = re.compile(
    r"""\b(?:med\s+vennlig\s+hilsen|vennlig\s+hilsen|med\s+venleg\s+helsing|venleg\s+helsing|
         beste\s+hilsen|hilsen|helsing|mvh|vh|best\s+regards|kind\s+regards)
        \b[ \t]*[,:.!-]?[ \t]*(?:\r?\n[ \t]*){0,3}
        (?P<rest>[^\r\n]*)""",
    re.IGNORECASE | re.VERBOSE,
)
TOKEN_RE = re.compile(r"\S+")


def signed_names(text: str) -> tuple[set[str], bool]:
    """Names after signature cues, and whether a cue was followed by something we cannot classify."""
    names: set[str] = set()
    unsure = False
    for match in SIGNATURE_RE.finditer(text):
        tokens = [token.strip(",.;:!()") for token in TOKEN_RE.findall(match.group("rest"))]
        while tokens and tokens[0].lower() in FILLER_AFTER_CUE:
            tokens.pop(0)
        tokens = [token for token in tokens if token]
        if not tokens or tokens[0].startswith("["):  # nothing after the cue, or already masked
            continue
        first = tokens[0]
        if first.lower() in NOT_A_NAME_AFTER_CUE or "kommune" in first.lower():
            continue
        if not NAME_WORD_RE.fullmatch(first):
            unsure = True  # "mvh kn", "hilsen k.n.", "Mvh ØLK"
            if first.isalpha() and first.islower():
                names.add(first)
            continue
        signed = []
        for token in tokens[:3]:
            if not NAME_WORD_RE.fullmatch(token) or token.lower() in NOT_A_NAME_AFTER_CUE:
                break
            signed.append(token)
        names.add(" ".join(signed))
    return names, unsure


def mentioned_names(text: str) -> tuple[set[str], bool]:
    """Capitalized words led by a given name ("Berit Sunde-Hoem"), and whether unknown capitalized
    pairs (perhaps a name we do not know) were seen."""
    names: set[str] = set()
    unsure = False
    for run in CAPITALIZED_RUN_RE.finditer(text):
        words = run.group().split()
        if _at_sentence_start(text, run.start()) and words[0].casefold() not in GIVEN_NAMES:
            words = words[1:]
        if not words:
            continue
        if words[0].casefold() in GIVEN_NAMES:
            name = [words[0]]
            for word in words[1:]:
                if word.casefold() in NOT_PEOPLE:
                    break
                name.append(word)
            if len(name) > 1 or words[0].casefold() not in EVERYDAY_WORD_NAMES:
                names.add(" ".join(name))
        elif len(words) >= 2 and not any(word.casefold() in NOT_PEOPLE for word in words[:2]):
            unsure = True
    return names, unsure


def is_everyday_word(word: str) -> bool:
    """A lower-case "per", "dag", "liv" is a word, not Per, Dag or Liv."""
    return word.casefold().removesuffix("s") in EVERYDAY_WORD_NAMES and not word[0].isupper()


def clean(names: set[str] | list[str] | tuple[str, ...]) -> set[str]:
    return {" ".join(name.split()) for name in names if name and name.strip()}


@lru_cache(maxsize=512)
def names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for the full names and each of their parts, longest first, as whole words
    (case-insensitive, with a genitive -s: "Karis PC")."""
    variants: set[str] = set()
    for name in names:
        variants.update(part for part in (name, *name.split()) if _letters(part) >= 2)
    if not variants:
        return None
    alternatives = "|".join(
        r"\s+".join(re.escape(word) for word in variant.split())
        for variant in sorted(variants, key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w-])(?:{alternatives})s?(?![\w-])", re.IGNORECASE)


def _at_sentence_start(text: str, position: int) -> bool:
    before = text[:position].rstrip(" \t")
    return not before or before[-1] in SENTENCE_START_BEFORE


def _letters(word: str) -> int:
    return sum(char.isalpha() for char in word)
