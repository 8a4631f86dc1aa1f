"""A page's personal data (a citizen's fødselsnummer, a private number and the name beside it) is
masked before the page is indexed, and the ingest summary says so; a service's number stays."""

from __future__ import annotations

from pathlib import Path

from retrieval.ingest import Ingestor
from retrieval.local_index import LocalIndex
from retrieval.model import AudienceScope
from retrieval.sources.local_folder import LocalFolderSource
from tests.retrieval.pages import write_page

PAGE = """# Digital post til innbyggere

Står forsendelsen som «Feilet», er adressen ofte feil. (Eksempel: brevet til Arne Vik, fødselsnummer
15038510190, feilet fordi adressen var endret.)

Trenger du hjelp i helgen, kan du ringe Kari Bakken privat på 913 50 226 eller skrive til
kari.bakken81@gmail.com.

Ring Kundeservice på 71 11 11 11, eller send e-post til postmottak@molde.kommune.no.
"""


async def test_personal_data_on_a_page_never_reaches_the_index(tmp_path: Path) -> None:
    write_page(tmp_path / "corpus", "kp/post.md", id="kp-post", title="Digital post", body=PAGE)
    index = LocalIndex(tmp_path / "index.db")
    try:
        summary = await Ingestor(index, [LocalFolderSource(tmp_path / "corpus")]).run()
        query = "digital post feilet forsendelse hjelp helgen kundeservice"
        hits = await index.search(query, AudienceScope("molde"), top=10)
    finally:
        index.close()

    text = "\n".join(hit.chunk.text for hit in hits)
    for personal in ("15038510190", "913 50 226", "kari.bakken81@gmail.com", "Arne Vik", "Kari Bakken"):
        assert personal not in text
    assert "71 11 11 11" in text and "postmottak@molde.kommune.no" in text
    ((document_id, reason),) = summary.flagged
    assert document_id == "kp-post" and reason.startswith("personal data masked:")
    assert "fødselsnummer" in reason and "telefon" in reason and "e-post" in reason
