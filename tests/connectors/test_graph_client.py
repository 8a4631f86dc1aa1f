"""Contract: the Graph client pages, backs off when throttled and renews a stale token."""

from __future__ import annotations

import pytest

from connectors.graph.client import GraphClient, GraphError, build_graph_client
from core.settings import Settings
from tests.connectors.conftest import RecordedSleeps
from tests.fakes.graph import FakeGraph
from tests.fakes.identity import FakeIdentity

HOST = "rorikt.sharepoint.com"


async def test_requests_carry_the_app_token(
    graph_client: GraphClient, fake_graph: FakeGraph, fake_identity: FakeIdentity
) -> None:
    site = fake_graph.add_site(HOST, "/sites/kompetanseportalen")

    found = await graph_client.get_json(f"sites/{HOST}:/sites/kompetanseportalen")

    assert found["id"] == site.id
    [request] = fake_graph.requests_to("/sites/")
    assert request.headers["authorization"] == f"Bearer {fake_identity.issued[0]}"


async def test_paged_follows_next_links_to_the_last_page(
    graph_client: GraphClient, fake_graph: FakeGraph
) -> None:
    site = fake_graph.add_site(HOST, "/sites/kompetanseportalen")
    for n in range(5):
        site.add_page(f"side-{n}.aspx", f"Side {n}", [f"<p>{n}</p>"])

    pages = [
        page
        async for page in graph_client.paged(
            f"sites/{site.id}/pages/microsoft.graph.sitePage", {"$select": "id,title"}
        )
    ]

    assert [page["title"] for page in pages] == [f"Side {n}" for n in range(5)]
    requests = fake_graph.requests_to("/pages/")
    assert len(requests) == 3  # pages of two
    assert all(r.query["$select"] == "id,title" for r in requests)
    assert requests[2].query["$skiptoken"] == "page+4="  # the encoded token survived


async def test_throttling_waits_as_long_as_retry_after_says(
    graph_client: GraphClient, fake_graph: FakeGraph, sleeps: RecordedSleeps
) -> None:
    fake_graph.add_site(HOST, "/sites/intranett-molde")
    fake_graph.throttle(1, retry_after="7")
    fake_graph.throttle(1, retry_after="3", status=503)

    found = await graph_client.get_json(f"sites/{HOST}:/sites/intranett-molde")

    assert found["webUrl"] == f"https://{HOST}/sites/intranett-molde"
    assert sleeps.delays == [7.0, 3.0]
    assert len(fake_graph.requests_to("/sites/")) == 3


async def test_persistent_throttling_gives_up_with_a_graph_error(
    graph_client: GraphClient, fake_graph: FakeGraph, sleeps: RecordedSleeps
) -> None:
    fake_graph.throttle(10, retry_after="1")

    with pytest.raises(GraphError) as raised:
        await graph_client.get_json("sites/root")

    assert raised.value.status == 429
    assert len(sleeps.delays) == 4  # five attempts in all


async def test_an_expired_token_is_renewed_once_and_the_request_repeated(
    graph_client: GraphClient, fake_graph: FakeGraph, fake_identity: FakeIdentity
) -> None:
    fake_graph.add_site(HOST, "/sites/kompetanseportalen")
    await graph_client.get_json(f"sites/{HOST}:/sites/kompetanseportalen")
    fake_identity.expire_all()

    await graph_client.get_json(f"sites/{HOST}:/sites/kompetanseportalen")

    assert len(fake_identity.token_requests) == 2
    tokens = [r.headers["authorization"] for r in fake_graph.requests_to("/sites/")]
    assert tokens == [f"Bearer {fake_identity.issued[0]}"] * 2 + [f"Bearer {fake_identity.issued[1]}"]


async def test_a_missing_resource_fails_at_once_with_graphs_code(
    graph_client: GraphClient, fake_graph: FakeGraph, sleeps: RecordedSleeps
) -> None:
    with pytest.raises(GraphError, match="404 itemNotFound") as raised:
        await graph_client.get_json(f"sites/{HOST}:/sites/finnes-ikke")

    assert raised.value.code == "itemNotFound"
    assert sleeps.delays == []


async def test_the_token_is_never_sent_to_another_host(graph_client: GraphClient) -> None:
    with pytest.raises(GraphError, match="refusing"):
        await graph_client.get_json("https://evil.example/v1.0/users")


def test_no_app_registration_means_no_graph_client(graph_settings: Settings) -> None:
    assert build_graph_client(graph_settings) is not None
    assert build_graph_client(graph_settings.model_copy(update={"graph_client_id": ""})) is None
