"""Resolved Pureservice tickets become masked knowledge documents; unsafe or unfinished ones never do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.pureservice import PureserviceClient, PureserviceTicketDesk
from core.ports import ResolvedTicket
from retrieval.sources.pureservice import PureserviceTicketSource
from retrieval.sources.tickets import TicketSkipped, ticket_document
from tests.fakes.pureservice import FakePureservice


@pytest.fixture
async def source(fake_pureservice: FakePureservice) -> AsyncIterator[PureserviceTicketSource]:
    async with PureserviceClient(
        fake_pureservice.url, fake_pureservice.api_key, requests_per_minute=60_000
    ) as client:
        yield PureserviceTicketSource(PureserviceTicketDesk(client))


@pytest.fixture
def kari(fake_pureservice: FakePureservice) -> dict:
    return fake_pureservice.add_user("Kari", "Nordmann", "kari.nordmann@molde.kommune.no")


@pytest.fixture
def agnes(fake_pureservice: FakePureservice) -> dict:
    return next(u for u in fake_pureservice.rows["user"].values() if u["firstName"] == "Agnes")


async def documents(source: PureserviceTicketSource) -> list:
    return [document async for document in source.documents()]


async def test_a_resolved_ticket_becomes_a_masked_document(fake_pureservice, source, kari, agnes):
    ticket = fake_pureservice.add_ticket(
        "Kari Nordmann får ikke logget på Visma",
        kari,
        status="Løst",
        description=(
            "<p>Hei, jeg (fnr 15058543206) får «feil passord» i Visma.</p>"
            "<p>Ring meg på 912 34 567 eller kari.nordmann@molde.kommune.no.</p><p>Mvh Kari</p>"
        ),
        solution="<p>Agnes låste opp kontoen i IDweb. Be brukeren vente 15 minutter.</p>",
        assignedAgentId=agnes["id"],
        category1Id=fake_pureservice.id_of("category", "Passord og låst konto"),
    )

    (document,) = await documents(source)

    assert document.id == f"pureservice:{ticket['id']}"
    assert document.source == "pureservice"
    assert document.title == "[navn] får ikke logget på Visma"
    assert document.body == (
        "# [navn] får ikke logget på Visma\n\n"
        "Kategori: Passord og låst konto\n\n"
        "## Problem\n\n"
        "Hei, jeg (fnr [fødselsnummer]) får «feil passord» i Visma.\n\n"
        "Ring meg på [telefon] eller [e-post].\n\n"
        "Mvh [navn]\n\n"
        "## Løsning\n\n"
        "[navn] låste opp kontoen i IDweb. Be brukeren vente 15 minutter.\n"
    )
    assert document.url == ""  # someone else's case is never linked
    assert document.audience == "all"
    assert document.version
    assert source.skipped == []


async def test_tickets_whose_masking_is_unsure_are_skipped_with_a_reason(fake_pureservice, source, kari):
    fine = fake_pureservice.add_ticket(
        "Teams", kari, status="Løst", description="Teams henger", solution="Tøm cachen"
    )
    unsure = fake_pureservice.add_ticket(
        "Helseplattformen",
        kari,
        status="Lukket",
        description="Pasient 01019012345 vises ikke",
        solution="Meldt videre",
    )
    signed = fake_pureservice.add_ticket(
        "Skriver", kari, status="Løst", description="Virker ikke. mvh ølk", solution="Ny toner"
    )

    docs = await documents(source)

    assert [d.id for d in docs] == [f"pureservice:{fine['id']}"]
    assert source.skipped == [
        (f"pureservice:{unsure['id']}", "uncertain personal data in problem"),
        (f"pureservice:{signed['id']}", "uncertain personal data in problem"),
    ]
    assert all("01019012345" not in d.body for d in docs)


async def test_tickets_without_a_solution_are_skipped(fake_pureservice, source, kari):
    ticket = fake_pureservice.add_ticket("Tomt", kari, status="Lukket", description="Duplikat")
    assert await documents(source) == []
    assert source.skipped == [(f"pureservice:{ticket['id']}", "no solution")]


async def test_open_tickets_are_never_indexed(fake_pureservice, source, kari):
    for status in ("Ny", "Under arbeid", "Venter - sluttbruker"):
        fake_pureservice.add_ticket(f"Åpen: {status}", kari, status=status, solution="Foreløpig svar")
    closed = fake_pureservice.add_ticket("Lukket", kari, status="Lukket", solution="Ferdig")

    assert [d.id for d in await documents(source)] == [f"pureservice:{closed['id']}"]


async def test_the_version_changes_with_the_content_only(fake_pureservice, source, kari):
    ticket = fake_pureservice.add_ticket(
        "VPN", kari, status="Løst", description="VPN faller ut", solution="Oppdater klienten"
    )
    (first,) = await documents(source)
    (again,) = await documents(source)
    ticket["solution"] = "Installer FortiClient 7.2"
    (changed,) = await documents(source)

    assert first.version == again.version != changed.version


def test_the_shared_conversion_masks_names_it_is_given():
    ticket = ResolvedTicket(
        id="7",
        number="24007",
        subject="Ole Hansen mangler tilgang",
        problem="Ole trenger tilgang til Public 360.",
        solution="Hansen fikk tilgang via IDweb.",
        category="",
        resolved=datetime(2026, 1, 2, tzinfo=UTC),
        url="https://x/agent/app#/ticket/24007",
    )
    document = ticket_document(ticket, ["Ole Hansen"], source="local-tickets", audience="ror-ikt")

    assert document.id == "local-tickets:7"
    assert document.title == "[navn] mangler tilgang"
    assert "Ole" not in document.body and "Hansen" not in document.body
    assert (document.audience, document.updated) == ("ror-ikt", ticket.resolved)


def test_the_shared_conversion_refuses_unsure_text():
    ticket = ResolvedTicket(
        id="8",
        number="8",
        subject="Sak",
        problem="Kode 12345678903",
        solution="Ok",
        category="",
        resolved=datetime(2026, 1, 2, tzinfo=UTC),
        url="",
    )
    with pytest.raises(TicketSkipped, match="uncertain personal data in problem"):
        ticket_document(ticket)


async def test_the_demo_export_served_by_the_fake_leaks_none_of_its_planted_personal_data(
    fake_pureservice, source
):
    demo = Path(__file__).resolve().parents[2] / "demo" / "pureservice"
    fake_pureservice.load_export(demo / "resolved_tickets.json")
    planted = [
        line.strip()
        for line in (demo / "PLANTED_PII.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    docs = await documents(source)

    assert len(docs) + len(source.skipped) == len(
        [
            t
            for t in fake_pureservice.tickets
            if fake_pureservice.rows["status"][t["statusId"]]["coreStatus"] >= 50
        ]
    )
    assert len(docs) >= 40
    leaks = [
        (value, doc.id)
        for doc in docs
        for value in planted
        if value.casefold() in (doc.title + doc.body).casefold()
    ]
    assert leaks == []
