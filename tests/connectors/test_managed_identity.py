"""Keyless: with RAKEL_AZURE_CLIENT_ID, Azure OpenAI, Azure AI Search and PostgreSQL are reached with
Entra ID tokens of the managed identity (from a fake Container Apps token endpoint), not keys."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import asyncpg
import pytest

from connectors.azure_identity import OPENAI_SCOPE, POSTGRES_SCOPE, SEARCH_SCOPE, ManagedIdentity, database_password
from connectors.llm import build_llm
from core.settings import load_settings
from retrieval.azure_index import AzureSearchIndex
from store.store import open_store
from tests.fakes.azure_search import FakeAzureSearch
from tests.fakes.fixtures import local_tls  # noqa: F401
from tests.fakes.managed_identity import FakeManagedIdentity
from tests.fakes.openai import FakeOpenAi
from tests.fakes.tls import LocalTls

CLIENT_ID = "0b9c8d7e-1111-2222-3333-444455556666"
QUESTION = [{"role": "user", "content": "Hvordan kobler jeg til VPN?"}]


def _resource(scope: str) -> str:
    return scope.removesuffix("/.default")


@pytest.fixture
async def identity_endpoint(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeManagedIdentity]:
    async with FakeManagedIdentity(client_id=CLIENT_ID) as fake:
        monkeypatch.setenv("IDENTITY_ENDPOINT", fake.endpoint)
        monkeypatch.setenv("IDENTITY_HEADER", fake.secret)
        yield fake


async def test_azure_openai_without_a_key_sends_the_identitys_token(identity_endpoint: FakeManagedIdentity) -> None:
    async with FakeOpenAi(api_key="not-used") as llm_fake:
        llm_fake.bearer_token = identity_endpoint.token_for(_resource(OPENAI_SCOPE))
        llm = build_llm(load_settings(llm_base_url=llm_fake.base_url, llm_api_version=llm_fake.api_version,
                                      llm_api_key="", llm_model="chat", azure_client_id=CLIENT_ID))
        assert llm is not None
        llm_fake.reply_with_text("Åpne Cisco Secure Client.")
        reply = await llm.chat(QUESTION)
        await llm.close()
    assert reply.text == "Åpne Cisco Secure Client."
    [chat] = llm_fake.requests
    assert chat.headers["authorization"] == f"Bearer {llm_fake.bearer_token}" and "api-key" not in chat.headers
    assert identity_endpoint.resources_asked() == [_resource(OPENAI_SCOPE)]


async def test_without_a_key_or_an_identity_the_llm_is_refused_at_start_up() -> None:
    from core.settings import SettingsError

    with pytest.raises(SettingsError, match="RAKEL_AZURE_CLIENT_ID"):
        build_llm(load_settings(llm_base_url="https://oai.example", llm_api_version="2024-10-21", llm_api_key=""))


async def test_azure_ai_search_without_a_key_sends_the_identitys_token(
    identity_endpoint: FakeManagedIdentity, local_tls: LocalTls  # noqa: F811
) -> None:
    async with FakeAzureSearch(local_tls, api_key="not-used") as search_fake:
        search_fake.bearer_token = identity_endpoint.token_for(_resource(SEARCH_SCOPE))
        index = AzureSearchIndex(endpoint=search_fake.endpoint, index_name="rakel-knowledge",
                                 identity=ManagedIdentity(CLIENT_ID), connection_verify=str(local_tls.cert_file))
        await index.ensure_index(8)
        assert await index.versions("kompetanseportalen") == {}
        await index.close()
    assert search_fake.requests and all(
        request.headers.get("authorization") == f"Bearer {search_fake.bearer_token}" and "api-key" not in request.headers
        for request in search_fake.requests
    )
    assert set(identity_endpoint.resources_asked()) == {_resource(SEARCH_SCOPE)}


async def _token_login_role(admin_url: str, role: str, password: str) -> None:
    """A role that must sign in with a password (scram) on the test cluster, whose other users are trusted."""
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'DROP ROLE IF EXISTS "{role}"')
        await connection.execute(f"CREATE ROLE \"{role}\" LOGIN SUPERUSER PASSWORD '{password}'")
        hba = Path(await connection.fetchval("SHOW hba_file"))
        rule = f"host all {role} 127.0.0.1/32 scram-sha-256\n"
        if rule not in hba.read_text():
            hba.write_text(rule + hba.read_text())
        await connection.execute("SELECT pg_reload_conf()")
    finally:
        await connection.close()


@pytest.mark.postgres
async def test_postgresql_signs_in_with_the_identitys_token_as_password(
    identity_endpoint: FakeManagedIdentity, fresh_postgres_url: str
) -> None:
    role = "id-rakel-test"
    await _token_login_role(fresh_postgres_url, role, identity_endpoint.token_for(_resource(POSTGRES_SCOPE)))
    keyless_url = fresh_postgres_url.replace("rakel@", f"{role}@", 1)
    settings = load_settings(database_url=keyless_url, azure_client_id=CLIENT_ID)
    with pytest.raises(asyncpg.InvalidPasswordError):  # the control: without the token it is refused
        await (await asyncpg.connect(keyless_url, password="wrong")).close()
    async with AsyncExitStack() as resources:
        password = database_password(settings, resources)
        assert password is not None
        store = await open_store(settings.database_target, password=password)
        await store.ping()
        await store.close()
    assert _resource(POSTGRES_SCOPE) in identity_endpoint.resources_asked()


def test_a_url_with_a_password_or_no_identity_uses_the_url_as_it_is() -> None:
    with_password = load_settings(database_url="postgresql://rakel:pw@db/rakel", azure_client_id=CLIENT_ID)
    no_identity = load_settings(database_url="postgresql://rakel@db/rakel")
    for settings in (with_password, no_identity, load_settings(azure_client_id=CLIENT_ID)):  # the last: SQLite
        assert database_password(settings, AsyncExitStack()) is None
