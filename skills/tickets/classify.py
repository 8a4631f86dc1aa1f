"""The embedded ticket classifier: a category and a priority suggestion from the user's words, no LLM.

Keyword rules over word stems and compounds (``\\w*passord\\w*`` finds "passordet" and
"nettpassord"), in bokmål, nynorsk and English. Each category scores the weights of its rules that
match; the highest score wins, and on a tie the more specific category (security before e-mail,
password before access) does. Critical is only suggested when many users or a whole service are
down, as Kundeservice defines it; being blocked from work is high; "no hurry" is low.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CATEGORIES = (
    "access", "password", "email", "pc", "software", "printing", "remote_access", "phone", "advice", "security",
)
PRIORITIES = ("low", "normal", "high", "critical")
UNKNOWN = ""  # no category: Kundeservice picks one

# (category, weight, pattern). Order breaks ties: the earlier category is the more specific one.
_RULES: tuple[tuple[str, float, str], ...] = (
    ("security", 3, r"phishing|fisking|svindel\w*|svindl\w*|\w*virus\w*|skadevare|malware|ransomware|hack\w*"
                    r"|datainnbrudd|innbrudd|mistenk\w*|suspicious|spam|sikkerhetshendelse|security|kompromittert"
                    r"|compromised"),
    ("security", 2, r"(klikk|trykk|åpn)\w* på (en |ei |et |ein |eit )?(lenke|lenkje|link|vedlegg)|falsk\w*"),
    ("password", 3, r"\w*passord\w*|password\w*|passwd"),
    ("password", 2, r"låst\w*|utestengt|locked|lock(ed)? out|tilbakestill\w*|nullstill\w*|reset\w*|glemt|glømt"
                    r"|forgot\w*|utløpt\w*|expired|pin-?kode\w*"),
    ("remote_access", 3, r"vpn\w*|fjerntilgang\w*|fjernskrivebord\w*|citrix\w*|rdp|always ?on|forticlient"),
    ("remote_access", 2, r"hjemmekontor\w*|heimekontor\w*|hjemmefra|heimanfrå|remote\w*|(work|working) from home"),
    ("printing", 3, r"\w*(?<!be)skriver(en|e|ne|køen?)|printer\w*|print\w*|utskrift\w*|skrive ut|skriv ut"
                    r"|papirstopp|toner\w*|blekk\w*|follow ?me|kopimaskin\w*|skann\w*|scann\w*"),
    ("printing", 1, r"(min|den|vår|ny|felles)e? skriver"),
    ("phone", 2, r"\w*telefon\w*|mobil\w*|iphone|android|sim-?kort\w*|sim|sentralbord\w*|talepost\w*|voicemail"
                 r"|phone|smartphone"),
    ("access", 2, r"tilgang\w*|\w+tilgang(en|ar|er)?|pålogg\w*|innlogg\w*|logg(e|er|a|et)? (meg |seg )?(inn|på)"
                  r"|login|log(ged)? in|sign(ed)? in|rettighet\w*|idweb|feide|mfa|tofaktor\w*|to-faktor\w*"
                  r"|authenticator|bankid|brukerkonto\w*|brukarkonto\w*|ny(tt)? (ansatt|tilsett|bruker|brukar)"
                  r"|fellesmappe\w*|fellesområde\w*|delt mappe|access|permission\w*"),
    ("email", 2, r"e-?post\w*|\w*mail\w*|outlook|teams\w*|onedrive|sharepoint|m365|microsoft 365|office ?365"
                 r"|kalender\w*|innboks\w*|postkasse\w*|distribusjonsliste\w*|møteinnkalling\w*|inbox|calendar"),
    ("email", 1, r"word|excel|powerpoint"),
    ("software", 2, r"program\w*|app|appen|apper|appar|applikasjon\w*|install\w*|oppdater\w*|lisens\w*|visma\w*"
                    r"|helseplattformen|public ?360|skooler|edword|adobe|acrobat|pdf|nettleser\w*|chrome|firefox"
                    r"|software|update\w*|license\w*|gerica|cosdoc|fagsystem\w*|journalsystem\w*"),
    ("pc", 2, r"pc|pc-\w+|pcen|datamaskin\w*|laptop\w*|bærbar\w*|berbar\w*|maskin(en|a)|skjerm(en|ar|er|ane|ene)?"
              r"|tastatur\w*|mus|musa|musen|dokking\w*|docking\w*|dock|lader(en)?|batteri\w*|intune|blåskjerm"
              r"|headset\w*|hodetelefon\w*|webkamera\w*|computer|screen|keyboard|mouse|monitor"),
    ("pc", 1, r"start(er|ar)? ikke|startar ikkje|treg\w*|slow"),
    ("advice", 2, r"råd|rådgiv\w*|rådgjev\w*|anbefal\w*|tilrå\w*|innkjøp\w*|kjøpe|anskaff\w*|veiledning|rettleiing"
                  r"|opplæring|kurs|advice|recommend\w*|purchase"),
    ("advice", 1, r"(hvilken|hvilket|hvilke|kva for) .{1,40} (bør|skal|burde)|beste måte|best way"),
)
_COMPILED = tuple((category, weight, re.compile(rf"\b(?:{pattern})\b")) for category, weight, pattern in _RULES)
_ORDER = {category: index for index, (category, _, _) in enumerate(_RULES)}

# Contact details are not the problem ("ring meg på mobil 912 34 567" is not about a phone).
_CONTACT = re.compile(
    r"\b(ring|nå|kontakt|send sms til)( meg)?( gjerne)? på( min)? (telefon|tlf|mobil)\w*[^.,;\n]*"
    r"|\b(telefon|tlf|mobil)(nummer|nr)?\.?:? *(\+?\d[\d ]{6,})"
    r"|\b(call|text) me( on| at)?[^.,;\n]*"
)

_MANY = re.compile(
    r"\b(alle|samtlige) (ansatte|brukere|brukarar|tilsette|kollegaer|kolleger|kollegaene|på|pa|hos|vi|oss|sammen)\b"
    r"|\bhei?le (avdeling\w*|kommunen|skolen|skulen|sykehjemmet|sjukeheimen|kontoret|etasjen|bygget|bygningen|huset"
    r"|seksjonen|enheten|eininga|barnehagen|teamet|organisasjonen|rådhuset|helsehuset|nettverket|nettet|tenesta"
    r"|tjenesten|ror-ikt|molde|aukra|hustadvika|rauma|vestnes)\b"
    r"|\bingen (av oss|på|i|får|fær|kan|har|ansatte|brukere|tilsette)\b"
    r"|\b(flere|fleire|mange) (brukere|brukarar|ansatte|tilsette|kollegaer|kolleger|personer|personar|av oss"
    r"|avdelinger|avdelingar|skoler|skular|steder|stader)\b"
    r"|\bfor alle\b|\b(everyone|everybody|nobody|no one|all users|all staff|whole (office|department|school|building))\b"
)
_BROKEN = re.compile(
    r"\b(nede|ute av drift|virker ikke|verkar ikkje|fungerer ikke|fungerer ikkje|får ikke|får ikkje|kan ikke"
    r"|kan ikkje|kommer ikke|kjem ikkje|brudd|borte|stoppet|stoppa|krasjet|krasja|down|outage|not working"
    r"|cannot|can't|can not|unavailable|failing|mangler|manglar|uten|utan|offline)\b"
    r"|\bingen\b.{0,40}\b(får|fær|kan|kommer|kjem|har)\b"
)
_SERVICE_DOWN = re.compile(
    r"\b(helseplattformen|visma|teams|outlook|e-?posten|eposten|nettet|nettverket|internett|wifi|wi-fi|trådløst"
    r"|serveren|telefonien|sentralbordet|citrix|vpn|fagsystemet|journalsystemet|gerica|profil|cosdoc|skooler"
    r"|feide)\b.{0,40}\b(er|var|har vært|har vore|ligger|ligg|is|went)( helt)? (nede|ute av drift|borte|down)\b"
    r"|\b(nettverks|strøm|internett|linje|straum)brudd\b|\boutage\b"
)
_HIGH = re.compile(
    r"\b(haster|hastar|akutt|kritisk|snarest|straks|umiddelbart|urgent|asap|immediately|pasient\w*|beboer\w*"
    r"|bebuar\w*|kan ikke jobbe|kan ikkje jobbe|får ikke jobbet|får ikkje jobba|får ikke gjort jobben"
    r"|cannot work|can't work|låst ute|utestengt|stengt ute|locked out|kommer ikke inn|kjem ikkje inn"
    r"|får ikke logget inn|får ikkje logga inn|starter ikke|startar ikkje|won't start|will not start"
    r"|(er|ble|vart|is) (blitt |vorte )?(låst|sperret|sperra)( ute)?)\b"
)
_LOW = re.compile(
    r"\b(ikke (så |så veldig )?viktig|ikkje (så )?viktig|haster ikke|hastar ikkje|ingen hast|når dere har tid"
    r"|når de har tid|lav prioritet|låg prioritet|ønske|ønskjer|forslag|lurer på|lurte på|no rush|not urgent"
    r"|low priority|whenever)\b"
)
_INCIDENT = re.compile(r"\b(klikk|trykk|åpn|oppga|ga|gav|skrev inn|clicked|opened|entered)\w*\b")


@dataclass(frozen=True)
class Classification:
    category: str  # one of CATEGORIES, or UNKNOWN
    priority: str  # one of PRIORITIES


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def category_of(text: str) -> str:
    text = _CONTACT.sub(" ", normalize(text))
    scores: dict[str, float] = {}
    for category, weight, pattern in _COMPILED:
        if pattern.search(text):
            scores[category] = scores.get(category, 0.0) + weight
    if not scores:
        return UNKNOWN
    return min(scores, key=lambda category: (-scores[category], _ORDER[category]))


def priority_of(text: str, category: str) -> str:
    text = normalize(text)
    if _SERVICE_DOWN.search(text) or (_MANY.search(text) and _BROKEN.search(text)):
        return "critical"
    relaxed = _LOW.sub(" ", text)  # "haster ikke" is not "haster"
    if _HIGH.search(relaxed) or (category == "security" and _INCIDENT.search(text)):
        return "high"
    if _LOW.search(text) or category == "advice":
        return "low"
    return "normal"


def classify(text: str) -> Classification:
    category = category_of(text)
    return Classification(category, priority_of(text, category))
