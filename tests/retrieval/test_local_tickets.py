from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT
from retrieval.ingest import Ingestor
from retrieval.local_index import LocalIndex
from retrieval.model import AudienceScope
from retrieval.sources.local_tickets import LocalTicketSource

REQUESTER = {"id": 501, "firstName": "Solveig", "lastName": "Brattset", "fullName": "Solveig Brattset"}
AGENT = {"id": 502, "firstName": "Eirik", "lastName": "Tangen", "fullName": "Eirik Tangen"}
PLANTED = ["Solveig", "Brattset", "Eirik Tangen", "solveig.brattset@molde.kommune.no", "91234567", "16119408176"]


def ticket(ticket_id: int, status: int, subject: str, description: str, solution: str) -> dict:
    return {
        "id": ticket_id,
        "requestNumber": 20000 + ticket_id,
        "subject": subject,
        "description": description,
        "solution": solution,
        "statusId": status,
        "userId": 501,
        "assignedAgentId": 502,
        "modified": "2026-01-05T19:11:00.000Z",
        "links": {"user": {"id": 501, "type": "user"}, "status": {"id": status, "type": "status"}},
    }


EXPORT = {
    "tickets": [
        ticket(
            1,
            7,
            "Skriveren på legevakta skriver ikke ut",
            "<p>Hei, skriveren står med feil. Ring meg på 91234567 eller skriv til "
            "solveig.brattset@molde.kommune.no. Fnr 16119408176.</p><p>Hilsen Solveig Brattset</p>",
            "<p>Eirik Tangen tømte utskriftskøen og startet skriveren på nytt.</p>",
        ),
        ticket(2, 8, "Outlook krasjer", "<p>Outlook lukker seg.</p>", "<p>Reparerte Office fra Innstillinger.</p>"),
        ticket(3, 1, "Åpen sak om VPN", "<p>VPN virker ikke.</p>", ""),
        ticket(4, 7, "Ny mus", "<p>Musa er ødelagt.</p><p>Mvh ølk</p>", "<p>Ny mus sendt.</p>"),
        ticket(5, 8, "Uten løsning", "<p>Noe rart.</p>", ""),
    ],
    "linked": {
        "users": [REQUESTER, AGENT],
        "statuses": [
            {"id": 1, "name": "Ny", "coreStatus": 10},
            {"id": 7, "name": "Løst", "coreStatus": 50},
            {"id": 8, "name": "Lukket", "coreStatus": 60},
        ],
    },
}


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "resolved_tickets.json"
    path.write_text(json.dumps(EXPORT, ensure_ascii=False), encoding="utf-8")
    return path


async def test_only_finished_tickets_become_masked_documents(export: Path) -> None:
    source = LocalTicketSource(export)
    documents = {document.id: document async for document in source.documents()}

    assert set(documents) == {"pureservice:1", "pureservice:2"}
    first = documents["pureservice:1"]
    assert first.source == "pureservice" and first.title == "Skriveren på legevakta skriver ikke ut"
    assert "tømte utskriftskøen" in first.body and "Løsning" in first.body
    for planted in PLANTED:
        assert planted not in first.body
    assert dict(source.skipped) == {"pureservice:4": source.skipped[0][1], "pureservice:5": "no solution"}
    assert "uncertain" in dict(source.skipped)["pureservice:4"]


async def test_no_planted_personal_data_reaches_the_index(export: Path, tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "index.db")
    summary = await Ingestor(index, [LocalTicketSource(export)]).run()

    assert summary.added == 2 and {document_id for document_id, _ in summary.skipped} == {
        "pureservice:4",
        "pureservice:5",
    }
    stored = " ".join(row[0] for row in index._conn.execute("SELECT text || ' ' || terms FROM chunks"))
    for planted in PLANTED:
        assert planted.lower() not in stored.lower()
    hits = await index.search("skriveren skriver ikke ut", AudienceScope("molde"))
    assert hits[0].chunk.document_id == "pureservice:1"
    index.close()


DEMO_EXPORT = PROJECT_ROOT / "demo" / "pureservice" / "resolved_tickets.json"
DEMO_PLANTED = PROJECT_ROOT / "demo" / "pureservice" / "PLANTED_PII.txt"


@pytest.mark.skipif(not DEMO_PLANTED.exists(), reason="the demo ticket export is not there")
async def test_the_demo_export_leaks_none_of_its_planted_personal_data(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "index.db")
    summary = await Ingestor(index, [LocalTicketSource(DEMO_EXPORT)]).run()

    assert summary.added > 0
    stored = "\n".join(
        f"{text}\n{title}"
        for text, title in index._conn.execute(
            "SELECT c.text, d.title FROM chunks c JOIN documents d ON d.id = c.document_id"
        )
    ).casefold()
    planted = [line.strip() for line in DEMO_PLANTED.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [line for line in planted if line.casefold() in stored] == []
    index.close()
