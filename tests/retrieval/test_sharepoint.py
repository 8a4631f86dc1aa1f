"""Contract: SharePoint site pages and library files through Graph become SourceDocuments.

The fake Graph speaks the documented v1.0 shapes (sitePage listing, ``$expand=canvasLayout`` with
text web parts, drive delta, ``/content`` redirecting to a download URL) and honours ``$select``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from connectors.graph.auth import GraphTokenProvider
from connectors.graph.client import GraphClient
from core.settings import Settings, SettingsError
from retrieval.model import SourceDocument
from retrieval.sources.sharepoint import (
    SharePointError,
    SharePointPagesSource,
    SharePointSite,
    build_sharepoint_sources,
)
from tests.fakes.graph import FakeGraph, FakeSite

HOST = "rorikt.sharepoint.com"
PORTAL = f"{HOST}:/sites/kompetanseportalen"


async def no_wait(seconds: float) -> None:
    """Throttling tests need not sleep; test_graph_client checks the delays themselves."""


@pytest.fixture
async def graph(graph_settings: Settings) -> AsyncIterator[GraphClient]:
    async with GraphClient(
        GraphTokenProvider.from_settings(graph_settings),
        base_url=graph_settings.graph_base_url,
        ca_file=graph_settings.graph_ca_file,
        sleep=no_wait,
    ) as client:
        yield client


@pytest.fixture
def portal(fake_graph: FakeGraph) -> FakeSite:
    site = fake_graph.add_site(HOST, "/sites/kompetanseportalen")
    site.add_page(
        "Bytte-passord.aspx",
        "Bytte passord",
        ["<h2>Slik bytter du passord</h2><ol><li>Trykk Ctrl+Alt+Del</li>", "<li>Velg Endre passord</li></ol>"],
        last_modified="2025-02-01T09:30:00Z",
    )
    site.add_page("Skriver.aspx", "Skriveren skriver ikke ut", ["<p>Sjekk skriverkøen.</p>"])
    site.add_page("Utkast.aspx", "Halvferdig side", ["<p>Ikke klar</p>"], published=False)
    return site


def portal_source(graph: GraphClient, known: dict[str, str] | None = None) -> SharePointPagesSource:
    async def known_versions(source: str) -> dict[str, str]:
        assert source == "kompetanseportalen"
        return known or {}

    return SharePointPagesSource(
        graph, "kompetanseportalen", [SharePointSite(PORTAL, "all")], known_versions=known_versions
    )


async def collect(source: SharePointPagesSource) -> dict[str, SourceDocument]:
    return {document.title: document async for document in source.documents()}


async def test_published_pages_become_html_documents_with_their_text_web_parts(
    graph: GraphClient, portal: FakeSite
) -> None:
    documents = await collect(portal_source(graph))

    assert set(documents) == {"Bytte passord", "Skriveren skriver ikke ut"}  # not the draft
    page = documents["Bytte passord"]
    assert page.body == (
        "<h2>Slik bytter du passord</h2><ol><li>Trykk Ctrl+Alt+Del</li>\n<li>Velg Endre passord</li></ol>"
    )
    assert "Skjermbilde" not in page.body  # the picture web part is not text
    assert page.body_format == "html"
    assert page.url == f"https://{HOST}/sites/kompetanseportalen/SitePages/Bytte-passord.aspx"
    assert page.source == "kompetanseportalen" and page.audience == "all"
    assert page.version == "2025-02-01T09:30:00Z"
    assert page.updated is not None and page.updated.isoformat() == "2025-02-01T09:30:00+00:00"
    assert page.id.startswith("kompetanseportalen:page:")


async def test_requests_follow_the_documented_graph_shapes(
    graph: GraphClient, portal: FakeSite, fake_graph: FakeGraph
) -> None:
    await collect(portal_source(graph))

    [site_lookup] = fake_graph.requests_to("/v1.0/sites/rorikt.sharepoint.com:")
    assert site_lookup.path == "/v1.0/sites/rorikt.sharepoint.com:/sites/kompetanseportalen"
    listing = fake_graph.requests_to("/pages/microsoft.graph.sitePage")
    assert all(r.path == f"/v1.0/sites/{portal.id}/pages/microsoft.graph.sitePage" for r in listing)
    assert {"webUrl", "lastModifiedDateTime", "title"} <= set(listing[0].query["$select"].split(","))
    fetched = [r for r in fake_graph.requests if r.query.get("$expand") == "canvasLayout"]
    assert len(fetched) == 2  # each published page once, the draft never
    assert all(r.path.endswith("/microsoft.graph.sitePage") for r in fetched)


async def test_every_page_is_listed_across_next_links(graph: GraphClient, fake_graph: FakeGraph) -> None:
    site = fake_graph.add_site(HOST, "/sites/kompetanseportalen")
    for n in range(7):
        site.add_page(f"Artikkel-{n}.aspx", f"Artikkel {n}", [f"<p>Tekst {n}</p>"])

    documents = await collect(portal_source(graph))

    assert len(documents) == 7
    assert len(fake_graph.requests_to("/pages/microsoft.graph.sitePage")) == 4  # pages of two


async def test_an_unchanged_page_is_listed_but_not_fetched_again(
    graph: GraphClient, portal: FakeSite, fake_graph: FakeGraph
) -> None:
    first = await collect(portal_source(graph))
    known = {document.id: document.version for document in first.values()}
    changed = next(page for page in portal.pages.values() if page.title == "Skriveren skriver ikke ut")
    changed.last_modified = "2025-03-01T12:00:00Z"
    changed.text_parts = ["<p>Start skriveren på nytt.</p>"]
    fake_graph.requests.clear()

    second = await collect(portal_source(graph, known))

    assert set(second) == set(first)
    assert second["Bytte passord"].body == ""  # same version: the ingestor skips it
    assert second["Skriveren skriver ikke ut"].body == "<p>Start skriveren på nytt.</p>"
    fetched = [r for r in fake_graph.requests if r.query.get("$expand") == "canvasLayout"]
    assert [r.path.split("/")[-2] for r in fetched] == [changed.id]


async def test_a_page_deleted_at_the_source_disappears_from_the_listing(
    graph: GraphClient, portal: FakeSite
) -> None:
    first = await collect(portal_source(graph))
    gone = portal.pages.pop(next(p.id for p in portal.pages.values() if p.title == "Bytte passord"))

    second = await collect(portal_source(graph))

    assert first["Bytte passord"].id.endswith(gone.id)
    assert set(second) == {"Skriveren skriver ikke ut"}


async def test_throttling_during_a_run_is_waited_out(
    graph: GraphClient, portal: FakeSite, fake_graph: FakeGraph
) -> None:
    fake_graph.throttle(2, retry_after="1")

    documents = await collect(portal_source(graph))

    assert len(documents) == 2


async def test_readable_library_files_are_indexed_with_their_format(
    graph: GraphClient, fake_graph: FakeGraph
) -> None:
    site = fake_graph.add_site(HOST, "/sites/intranett-molde")
    library = site.add_library("Dokumenter")
    site.add_library("Bilder").add_file("logo.txt", "ikke denne", last_modified="2025-01-01T00:00:00Z")
    library.add_file("VPN-rutine.md", "# VPN\n\nKoble til med FortiClient.", last_modified="2025-01-02T00:00:00Z")
    library.add_file("Telefonliste.txt", "Sentralbord: se intranettet", last_modified="2025-01-03T00:00:00Z")
    library.add_file("Gammel rutine.txt", "Skriver på 2. etasje".encode("cp1252"), last_modified="2025-01-04T00:00:00Z")
    library.add_file("Budsjett.xlsx", b"PK\x03\x04", last_modified="2025-01-05T00:00:00Z")
    source = SharePointPagesSource(
        graph, "intranet", [SharePointSite(f"{HOST}:/sites/intranett-molde", "molde", library="dokumenter")]
    )

    documents = await collect(source)

    assert set(documents) == {"VPN-rutine", "Telefonliste", "Gammel rutine"}
    vpn = documents["VPN-rutine"]
    assert (vpn.body_format, vpn.audience, vpn.source) == ("markdown", "molde", "intranet")
    assert vpn.body.startswith("# VPN")
    assert documents["Telefonliste"].body_format == "text"
    assert documents["Gammel rutine"].body == "Skriver på 2. etasje"
    assert all(r.query["$select"] for r in fake_graph.requests_to("/root/delta"))


async def test_a_missing_site_is_a_clear_error(graph: GraphClient, fake_graph: FakeGraph) -> None:
    source = SharePointPagesSource(graph, "intranet", [SharePointSite(f"{HOST}:/sites/finnes-ikke", "aukra")])

    with pytest.raises(SharePointError, match="finnes-ikke"):
        await collect(source)


def test_sites_are_grouped_into_one_source_per_source_name(
    graph_settings: Settings, graph: GraphClient
) -> None:
    settings = graph_settings.model_copy(
        update={
            "sharepoint_sites": [
                {"site": PORTAL, "source": "kompetanseportalen", "audience": "all"},
                {"site": f"{HOST}:/sites/intranett-molde", "source": "intranet", "audience": "molde"},
                {"site": f"{HOST}:/sites/intranett-aukra", "source": "intranet", "audience": "aukra"},
            ]
        }
    )

    sources = build_sharepoint_sources(settings, graph)

    assert [source.name for source in sources] == ["kompetanseportalen", "intranet"]


def test_a_site_without_an_audience_is_refused_at_start_up(
    graph_settings: Settings, graph: GraphClient
) -> None:
    settings = graph_settings.model_copy(
        update={"sharepoint_sites": [{"site": PORTAL, "source": "kompetanseportalen"}]}
    )

    with pytest.raises(SettingsError, match="RAKEL_SHAREPOINT_SITES"):
        build_sharepoint_sources(settings, graph)
