"""The report's Norwegian words: titles, labels and number formats (the board reads bokmål)."""

from __future__ import annotations

from datetime import date

MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
          "november", "desember")
MUNICIPALITIES = {"molde": "Molde", "aukra": "Aukra", "hustadvika": "Hustadvika", "rauma": "Rauma",
                  "vestnes": "Vestnes", "ror-ikt": "ROR-IKT", "": "Ukjent", "totalt": "Totalt"}
SUPPRESSED = "–"  # a cell with fewer than five users
TITLE = "Rakel – rapport for {period}"
SUPPRESSION_NOTE = ("Grupper med færre enn {min} brukere vises ikke (markert med «–»), så ingen tall kan peke ut "
                    "én person.")
TOO_FEW_USERS = "Perioden har færre enn {min} brukere, så ingen nøkkeltall vises."
HIDDEN_GROUPS = "{count} gruppe(r) med færre enn {min} brukere er holdt tilbake."

KEY_FIGURES = (
    ("conversations", "Samtaler"),
    ("users", "Aktive brukere"),
    ("deflection", "Løst uten Kundeservice (deflection)"),
    ("escalation", "Eskaleringsrate"),
    ("abandonment", "Avbrutte samtaler"),
    ("csat", "Fornøydhet (CSAT)"),
    ("tickets", "Saker opprettet av Rakel"),
    ("handoffs", "Overført til Kundeservice"),
)
RATE_COLUMNS = (
    ("municipality", "Kommune"), ("conversations", "Samtaler"), ("users", "Brukere"),
    ("knowledge", "Kunnskapssamtaler"), ("self_solved", "Selvløst"), ("deflection", "Deflection"),
    ("escalated", "Eskalert"), ("escalation", "Eskaleringsrate"), ("abandoned", "Avbrutt"),
    ("abandonment", "Avbruddsrate"),
)
HANDOFF_ROWS = (
    ("opened", "Forespørsler i åpningstiden"),
    ("taken", "Tatt av Kundeservice"),
    ("taken_share", "Andel tatt"),
    ("claim_median_minutes", "Ventetid til tatt, median (min)"),
    ("claim_p90_minutes", "Ventetid til tatt, 90-persentil (min)"),
    ("ended", "Samtaler avsluttet"),
    ("chat_median_minutes", "Samtalelengde, median (min)"),
    ("closed_hours", "Ønsket et menneske utenfor åpningstid"),
)
FEEDBACK_ROWS = (
    ("answers", "Svar med kilder"),
    ("rated_answers", "Svar som fikk tommel"),
    ("rating_rate", "Andel svar med tommel"),
    ("up", "Tommel opp (svar og chat)"),
    ("down", "Tommel ned (svar og chat)"),
    ("csat", "CSAT (opp ÷ alle tomler)"),
)
PC_STEPS = (("messaged", "Fikk kort"), ("ordered", "Bestilte"), ("approved", "Godkjent"),
            ("ticket_filed", "Byttesak meldt"))
PC_COLUMNS = (("municipality", "Kommune"), *PC_STEPS, ("rejected", "Avslått"), ("not_mine", "Ikke min PC"),
              ("no_answer", "Ikke svart"), ("ordered_share", "Andel som bestilte"))

DEFINITIONS = (
    ("Samtale", "En brukers meldinger og klikk uten opphold på over 30 minutter. Telles i måneden og kommunen "
                "der den begynte."),
    ("Aktive brukere", "Ulike brukere med minst én melding eller ett klikk."),
    ("Kunnskapssamtale", "En samtale der Rakel svarte, ikke fant et sikkert svar, eller spurte tilbake."),
    ("Selvløst", "Rakel svarte med kilder, og samme bruker fikk ingen sak, ingen overføring og ga ingen tommel ned "
                 "fra det første svaret til {hours} timer etter samtalen (et svar uten vurdering regnes som løst, "
                 "slik Moveworks gjør)."),
    ("Deflection", "Selvløste samtaler ÷ kunnskapssamtaler (ServiceNows definisjon)."),
    ("Eskaleringsrate", "Samtaler der brukeren fikk en sak opprettet eller ble satt over til Kundeservice "
                        "÷ alle samtaler."),
    ("Avbrutte samtaler", "Samtaler som sluttet uten svar eller vei videre (ikke sikkert svar, oppfølgingsspørsmål "
                          "eller feil) ÷ alle samtaler."),
    ("Ventetid", "Fra brukeren ba om et menneske til en i Kundeservice tok saken."),
    ("CSAT", "Tommel opp ÷ alle tomler, på svar og på chatter med Kundeservice."),
    ("Innholdshull", "Spørsmål Rakel ikke fant svar på, eller der svaret fikk tommel ned, gruppert i temaer "
                     "(TF-IDF over norske ordstammer og k-means). Spørsmålene er maskert (navn, fødselsnummer, "
                     "telefon og e-post fjernet) og slettes etter {text_days} dager."),
)


def month_name(key: int) -> str:
    return f"{MONTHS[key % 100 - 1]} {key // 100}"


def short_month(key: int) -> str:
    return f"{MONTHS[key % 100 - 1][:3]} {str(key // 100)[2:]}"


def period_name(first: date, last: date) -> str:
    if (first.year, first.month) == (last.year, last.month):
        return month_name(first.year * 100 + first.month)
    return f"{month_name(first.year * 100 + first.month)} – {month_name(last.year * 100 + last.month)}"


def municipality(key: str) -> str:
    return MUNICIPALITIES.get(key, key.capitalize())


def number(value: float | int | None, decimals: int = 0) -> str:
    """Norwegian style: a space between thousands and a decimal comma; None is "–"."""
    if value is None:
        return SUPPRESSED
    text = f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",")
    return text.replace(" ", "\u00a0")


def percent(value: float | None) -> str:
    return SUPPRESSED if value is None else f"{number(100 * value, 1)}\u00a0%"
