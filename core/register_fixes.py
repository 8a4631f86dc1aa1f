"""What the asset owner should do about each kind of register problem (``InventoryProblem.code``), in
Norwegian: the "forslag" column of the problem list ``rakel campaign plan`` writes."""

from __future__ import annotations

FIXES: dict[str, str] = {
    "bad_date": "Skriv innkjøpsdatoen som dd.mm.åååå (for eksempel 14.02.2019).",
    "missing_date": "Fyll inn innkjøpsdatoen (dd.mm.åååå).",
    "future_date": "Rett innkjøpsdatoen: den kan ikke være etter i dag.",
    "missing_serial": "Fyll inn serienummeret (står under PC-en eller i BIOS).",
    "missing_user": "Fyll inn brukerens e-post/UPN, eller sett status «Lager»/«Kassert» hvis PC-en ikke er i bruk.",
    "invalid_user": "Skriv brukeren som e-postadresse/UPN (fornavn.etternavn@kommune.no).",
    "unknown_user": "Rett e-posten/UPN-en, eller sett status «Innlevert» hvis brukeren har sluttet.",
    "user_left": "Hent inn PC-en og sett status «Innlevert», eller før den på ny bruker.",
    "duplicate_serial": "Finn ut hvem som har PC-en, og la serienummeret stå på én rad; slett eller rett de andre.",
    "duplicate_row": "Slett den doble raden.",
    "unknown_municipality": "Sett kommunen til Molde, Aukra, Hustadvika, Rauma eller Vestnes.",
    "unknown_status": "Bruk en kjent status: I bruk, Bestilt, Godkjent, Kassert eller Innlevert.",
    "short_row": "Raden har for få felt (skilletegn mangler): fyll inn de tomme kolonnene.",
    "long_row": "Raden har flere felt enn overskriften (et ekstra skilletegn i en verdi?): fjern det ekstra skilletegnet.",
    "not_in_register": "Legg PC-en inn i maskinregisteret med serienummer og innkjøpsdato.",
    "missing_manager": "Fyll inn nærmeste leder (e-post/UPN) i registeret eller i Entra ID.",
    "unknown_manager": "Rett lederens e-post/UPN i registeret eller i Entra ID.",
    "manager_left": "Sett ny leder i registeret eller i Entra ID.",
    "manager_unreachable": "Fyll inn lederens Entra-id, eller koble Rakel til Microsoft Graph.",
    "missing_user_id": "Fyll inn Bruker-ID (Entra-objekt-id), eller koble Rakel til Microsoft Graph (RAKEL_GRAPH_*).",
    "no_fallback_approver": "Sett RAKEL_PC_FALLBACK_APPROVERS for kommunen.",
}


def suggested_fix(code: str) -> str:
    return FIXES.get(code, "Rett raden i maskinregisteret.")
