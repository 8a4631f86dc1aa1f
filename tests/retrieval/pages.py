"""Small hand-written pages for the retrieval tests (the demo corpus is for the benchmark)."""

from __future__ import annotations

from pathlib import Path

from retrieval.chunking import chunk_document
from retrieval.local_index import LocalIndex
from retrieval.model import AUDIENCE_ALL, SourceDocument

PRINTER_QUEUE = """# Skriverkøen henger

Står utskriften fast og ingenting kommer ut, henger skriverkøen.

## Tømme køen

1. Åpne **Innstillinger** og velg **Skrivere og skannere**.
2. Velg skriveren og trykk **Åpne utskriftskø**.
3. Høyreklikk dokumentene og velg **Avbryt**.
4. Start PC-en på nytt.
"""

CHANGE_PASSWORD = """# Bytte passord

Passordet gjelder for PC, e-post og Teams. Du får varsel 14 dager før det går ut.

## Bytte passord på PC

1. Sørg for at PC-en er koblet til kommunens nett, på jobb eller via VPN hjemmefra.
2. Trykk **Ctrl+Alt+Del**.
3. Velg **Endre et passord**.
4. Skriv det gamle passordet, og deretter det nye passordet to ganger.
5. Trykk Enter. Lås PC-en og logg inn igjen med det nye passordet.

Det kan ta opptil 15 minutter før det nye passordet virker i Teams, Outlook og på mobilen.
Hvis Outlook spør etter passord, skriver du inn det nye.

## Bytte passord på mobil

Er du ikke på kommunens nett, går du til **mysignins.microsoft.com** i nettleseren på mobilen
og velger **Passord**. Skriv inn det nye passordet i Outlook-appen etterpå.
"""

VPN = """# Koble til VPN hjemmefra

Med VPN kommer du til fagsystemene hjemmefra. Start FortiClient og logg inn med jobbkontoen.
"""


def page(
    document_id: str, title: str, body: str, *, audience: str = AUDIENCE_ALL, source: str = "local"
) -> SourceDocument:
    return SourceDocument(
        id=document_id,
        source=source,
        url=f"https://intranett.example/{document_id}",
        title=title,
        body=body,
        audience=audience,
        version=str(hash(body)),
    )


def write_page(folder: Path, name: str, *, id: str, title: str, body: str, audience: str = "all") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\nid: {id}\ntitle: {title}\nurl: https://intranett.example/{id}\n"
        f"source: kompetanseportalen\naudience: {audience}\nupdated: 2026-02-06\n---\n{body}",
        encoding="utf-8",
    )
    return path


async def index_of(path: Path, *documents: SourceDocument) -> LocalIndex:
    """A local index holding these documents, chunked as ingest would (close it after use)."""
    index = LocalIndex(path)
    for document in documents:
        await index.upsert(document, chunk_document(document))
    return index
