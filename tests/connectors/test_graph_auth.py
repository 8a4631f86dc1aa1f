"""Contract: app tokens for Graph come from msal's client-credentials flow against Entra ID."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from connectors.graph.auth import GRAPH_SCOPE, GraphAuthError, GraphTokenProvider
from core.settings import Settings
from tests.fakes.fixtures import CLIENT_ID, CLIENT_SECRET
from tests.fakes.identity import FakeIdentity


@pytest.fixture
async def tokens(graph_settings: Settings) -> AsyncIterator[GraphTokenProvider]:
    provider = GraphTokenProvider.from_settings(graph_settings)
    yield provider
    await provider.close()


async def test_token_request_is_a_client_credentials_grant_for_graph(
    tokens: GraphTokenProvider, graph_settings: Settings, fake_identity: FakeIdentity
) -> None:
    token = await tokens.token()

    assert fake_identity.is_valid(token)
    [request] = fake_identity.token_requests
    form = request.form()
    assert form["grant_type"] == "client_credentials"
    assert form["client_id"] == CLIENT_ID
    assert form["client_secret"] == CLIENT_SECRET
    assert form["scope"] == GRAPH_SCOPE
    assert request.path == f"/{graph_settings.graph_tenant_id}/oauth2/v2.0/token"


async def test_token_is_served_from_the_cache_while_it_lasts(
    tokens: GraphTokenProvider, fake_identity: FakeIdentity
) -> None:
    first, second = await tokens.token(), await tokens.token()

    assert first == second
    assert len(fake_identity.token_requests) == 1


async def test_an_invalidated_token_is_replaced_by_a_new_one(
    tokens: GraphTokenProvider, fake_identity: FakeIdentity
) -> None:
    stale = await tokens.token()

    await tokens.invalidate(stale)
    fresh = await tokens.token()

    assert fresh != stale
    assert len(fake_identity.token_requests) == 2


async def test_a_wrong_secret_fails_with_the_identity_providers_reason(
    graph_settings: Settings,
) -> None:
    settings = graph_settings.model_copy(update={"graph_client_secret": SecretStr("feil")})
    tokens = GraphTokenProvider.from_settings(settings)

    with pytest.raises(GraphAuthError, match="invalid_client: AADSTS7000215"):
        await tokens.token()
    await tokens.close()


async def test_an_unreachable_identity_provider_fails_clearly(graph_settings: Settings) -> None:
    settings = graph_settings.model_copy(update={"graph_authority_host": "https://127.0.0.1:9"})
    tokens = GraphTokenProvider.from_settings(settings)

    with pytest.raises(GraphAuthError, match="127.0.0.1:9"):
        await tokens.token()
    await tokens.close()
