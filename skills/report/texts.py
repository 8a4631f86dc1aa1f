"""What the report skill says (ROR-IKT staff read bokmål)."""

from core.texts import Localized

WORKING = Localized(nb="Jeg lager rapporten for {period} …", nn="Eg lagar rapporten for {period} …",
                    en="Making the report for {period} …")
TITLE = Localized(nb="Rakel – rapport for {period}", nn="Rakel – rapport for {period}", en="Rakel – report for {period}")
OPEN = Localized(nb="Åpne hele rapporten", nn="Opne heile rapporten", en="Open the full report")
LINK_NOTE = Localized(
    nb="Lenken virker i {hours} timer. Rapporten ligger også i {folder} på serveren (HTML, PNG og CSV).",
    nn="Lenka verkar i {hours} timar. Rapporten ligg òg i {folder} på serveren (HTML, PNG og CSV).",
    en="The link works for {hours} hours. The report is also in {folder} on the server (HTML, PNG and CSV).",
)
TOO_FEW = Localized(nb="Perioden har færre enn 5 brukere, så jeg viser ingen nøkkeltall.",
                    nn="Perioden har færre enn 5 brukarar, så eg viser ingen nøkkeltal.",
                    en="The period has fewer than 5 users, so no key figures are shown.")
BAD_MONTH = Localized(
    nb="Jeg forstod ikke hvilken måned du mener. Skriv «rapport», «rapport 2026-11» eller «rapport november».",
    nn="Eg forstod ikkje kva månad du meiner. Skriv «rapport», «rapport 2026-11» eller «rapport november».",
    en="I did not understand which month. Write “rapport”, “rapport 2026-11” or “rapport november”.",
)
FAILED = Localized(nb="Beklager, jeg fikk ikke laget rapporten nå. Prøv igjen om litt.",
                   nn="Orsak, eg fekk ikkje laga rapporten no. Prøv igjen om litt.",
                   en="Sorry, I could not make the report just now. Please try again shortly.")
THIS_MONTH_WORDS = frozenset({"nå", "no", "denne", "denne måneden", "denne månaden", "this month", "i dag"})
