"""A solved ticket whose fix is local (a network, printer, room or group of one municipality) is shown
only inside that municipality, on both index backends; a general fix stays for everyone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from connectors.pureservice import PureserviceClient, PureserviceTicketDesk
from retrieval.answering.pipeline import Answerer
from retrieval.azure_index import AzureSearchIndex
from retrieval.chunking import chunk_document
from retrieval.ingest import Ingestor
from retrieval.local_index import LocalIndex
from retrieval.locality import local_municipality
from retrieval.model import AudienceScope, SourceDocument
from retrieval.sources.pureservice import PureserviceTicketSource
from tests.fakes.azure_search import FakeAzureSearch
from tests.fakes.pureservice import FakePureservice
from tests.fakes.tls import LocalTls

GUEST_NETWORK = "Hva heter gjestenettet på sykehjemmet?"


@pytest.mark.parametrize(
    ("solution", "requester", "expected"),
    [
        ("Besøkende på Aukra sykehjem bruker gjestenettet Aukra-Besok.", "molde", "aukra"),  # the place decides
        ("Gjestenettet heter VES-GJEST-2; koden står i resepsjonen.", "vestnes", "vestnes"),
        ("Skriveren står i rom 214 og er lagt til igjen.", "rauma", "rauma"),
        ("Skriveren er lagt til igjen; den heter HUS-P7.", None, ""),  # local, but where is unknown
        ("Slå av Num Lock med Fn + NumLk.", "molde", None),
        ("Koblet USB-C-kabelen rett i PC-en, ikke i dokken, og ringte [telefon].", "aukra", None),
        ("ROR-IKT flytter innholdet til SharePoint.", "aukra", None),
    ],
)
def test_a_fix_is_local_when_it_names_a_place_or_a_local_identifier(
    solution: str, requester: str | None, expected: str | None
) -> None:
    assert local_municipality(solution, requester) == expected


def add_tickets(fake: FakePureservice) -> None:
    aukra = fake.add_user("Solveig", "Hoel", "solveig.hoel@aukra.kommune.no")
    molde = fake.add_user("Are", "Lyngstad", "are.lyngstad@molde.kommune.no")
    fake.add_ticket(
        "Gjestenett for besøkende på sykehjemmet",
        aukra,
        status="Løst",
        id=5001,
        description="<p>Pårørende spør etter trådløst nett på sykehjemmet. Hva heter gjestenettet?</p>",
        solution="<p>Gjestenettet på sykehjemmet heter <b>AUK-Besok</b>. Passordet henger på vaktrommet.</p>",
    )
    fake.add_ticket(
        "Tastaturet skriver tall",
        molde,
        status="Løst",
        id=5002,
        description="<p>Det kommer tall når jeg skriver bokstaver.</p>",
        solution="<p>Num Lock var på. Slått av med Fn + NumLk.</p>",
    )


@pytest.fixture
async def scoped_documents(fake_pureservice: FakePureservice) -> list[SourceDocument]:
    """The tickets as the real Pureservice adapter and ticket source make them."""
    add_tickets(fake_pureservice)
    async with PureserviceClient(fake_pureservice.url, fake_pureservice.api_key, requests_per_minute=60_000) as client:
        source = PureserviceTicketSource(PureserviceTicketDesk(client))
        return [document async for document in source.documents()]


async def test_a_local_fix_inherits_its_requesters_municipality(scoped_documents: list[SourceDocument]) -> None:
    audiences = {document.id: document.audience for document in scoped_documents}

    assert audiences == {"pureservice:5001": "aukra", "pureservice:5002": "all"}


@pytest.fixture
async def local_index(tmp_path: Path, fake_pureservice: FakePureservice) -> AsyncIterator[LocalIndex]:
    add_tickets(fake_pureservice)
    index = LocalIndex(tmp_path / "index.db")
    async with PureserviceClient(fake_pureservice.url, fake_pureservice.api_key, requests_per_minute=60_000) as client:
        await Ingestor(index, [PureserviceTicketSource(PureserviceTicketDesk(client))]).run()
    yield index
    index.close()


async def test_local_index_shows_a_local_fix_only_inside_its_municipality(local_index: LocalIndex) -> None:
    answerer = Answerer(local_index)

    inside = await answerer.answer(GUEST_NETWORK, AudienceScope("aukra"))
    outside = [await answerer.answer(GUEST_NETWORK, AudienceScope(m)) for m in ("molde", "rauma", None)]
    general = await answerer.answer("tastaturet skriver tall", AudienceScope("vestnes"))

    assert inside.confident and "AUK-Besok" in inside.text
    for answer in outside:  # neither as an answer nor as "the closest I found"
        assert "AUK-Besok" not in answer.text and "pureservice:5001" not in answer.document_ids
    assert general.confident and "Fn + NumLk" in general.text


@pytest.fixture
async def azure_index(local_tls: LocalTls) -> AsyncIterator[AzureSearchIndex]:
    async with FakeAzureSearch(local_tls, api_key="key") as fake:
        index = AzureSearchIndex(
            endpoint=fake.endpoint, index_name="rakel-knowledge", api_key="key", connection_verify=str(local_tls.cert_file)
        )
        yield index
        await index.close()


async def test_azure_index_shows_a_local_fix_only_inside_its_municipality(
    azure_index: AzureSearchIndex, scoped_documents: list[SourceDocument]
) -> None:
    for document in scoped_documents:
        await azure_index.upsert(document, chunk_document(document))

    inside = await azure_index.search("gjestenettet sykehjemmet", AudienceScope("aukra"), top=10)
    outside = await azure_index.search("gjestenettet sykehjemmet", AudienceScope("molde"), top=10)

    assert "pureservice:5001" in {hit.chunk.document_id for hit in inside}
    assert "pureservice:5001" not in {hit.chunk.document_id for hit in outside}
