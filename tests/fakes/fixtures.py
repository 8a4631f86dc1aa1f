"""pytest fixtures that start the fake identity provider and the fake Graph (both over TLS).

Registered as a plugin in tests/conftest.py, so every test can ask for them by name.
``graph_settings`` points every Graph setting at the fakes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.settings import Settings, load_settings
from tests.fakes.graph import FakeGraph
from tests.fakes.identity import FakeIdentity
from tests.fakes.tls import LocalTls, make_local_tls

TENANT_ID = "6c1f1c1e-0b8a-4c8e-9b1e-2f3a4b5c6d7e"
CLIENT_ID = "3f2a1b0c-aaaa-bbbb-cccc-111122223333"
CLIENT_SECRET = "hemmelig~verdi"


@pytest.fixture
def local_tls(tmp_path: Path) -> LocalTls:
    return make_local_tls(tmp_path)


@pytest.fixture
async def fake_identity(local_tls: LocalTls) -> AsyncIterator[FakeIdentity]:
    async with FakeIdentity(
        local_tls, tenant_id=TENANT_ID, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    ) as fake:
        yield fake


@pytest.fixture
async def fake_graph(fake_identity: FakeIdentity) -> AsyncIterator[FakeGraph]:
    async with FakeGraph(fake_identity) as fake:
        yield fake


@pytest.fixture
def graph_settings(
    fake_identity: FakeIdentity, fake_graph: FakeGraph, local_tls: LocalTls
) -> Settings:
    return load_settings(
        graph_authority_host=fake_identity.base_url,
        graph_base_url=fake_graph.graph_url,
        graph_tenant_id=TENANT_ID,
        graph_client_id=CLIENT_ID,
        graph_client_secret=CLIENT_SECRET,
        graph_ca_file=local_tls.cert_file,
    )
