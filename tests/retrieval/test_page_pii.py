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


async def test_a_title_is_masked_with_its_page(tmp_path: Path) -> None:
    """The title is shown in every citation: a number in it is masked, and so is the name of the person
    whose data the body carries."""
    body = "Brevet til Arne Vik, fødselsnummer 15038510190, feilet fordi adressen var endret."
    write_page(tmp_path / "corpus", "kp/a.md", id="kp-a", title="Feilet brev til Arne Vik", body=body)
    title = "Ring Kari Bakken på 913 50 226"
    write_page(tmp_path / "corpus", "kp/b.md", id="kp-b", title=title, body="Vakt i helgen.")
    index = LocalIndex(tmp_path / "index.db")
    try:
        await Ingestor(index, [LocalFolderSource(tmp_path / "corpus")]).run()
        hits = await index.search("feilet brev vakt helgen ring", AudienceScope("molde"), top=10)
    finally:
        index.close()

    titles = {hit.chunk.document_id: hit.chunk.title for hit in hits}
    assert set(titles) == {"kp-a", "kp-b"}
    assert titles["kp-a"].startswith("Feilet brev til") and "Arne Vik" not in titles["kp-a"]
    assert "913 50 226" not in titles["kp-b"] and "Kari Bakken" not in titles["kp-b"]
