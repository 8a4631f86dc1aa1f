"""Entra ID tokens of the service's managed identity (``azure-identity``), for the Azure services that
accept them instead of keys: Azure OpenAI, Azure AI Search and Azure Database for PostgreSQL.

With ``RAKEL_AZURE_CLIENT_ID`` set (the client id of a user-assigned managed identity), an adapter
configured without a key or password asks this credential for a token. In Azure Container Apps and
App Service the credential reads ``IDENTITY_ENDPOINT`` and ``IDENTITY_HEADER`` from the environment;
tests point those at a local fake token endpoint. Tokens are cached and renewed by the credential.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from urllib.parse import urlparse

from azure.identity.aio import ManagedIdentityCredential

from core.settings import Settings

OPENAI_SCOPE = "https://cognitiveservices.azure.com/.default"
SEARCH_SCOPE = "https://search.azure.com/.default"
POSTGRES_SCOPE = "https://ossrdbms-aad.database.windows.net/.default"

TokenProvider = Callable[[], Awaitable[str]]


class ManagedIdentity:
    """One managed identity credential, shared by every adapter that needs a token; close it once."""

    def __init__(self, client_id: str) -> None:
        self._credential = ManagedIdentityCredential(client_id=client_id)

    @property
    def credential(self) -> ManagedIdentityCredential:
        """For SDKs that take an ``AsyncTokenCredential`` themselves (Azure AI Search)."""
        return self._credential

    def token_provider(self, scope: str) -> TokenProvider:
        """An async callable returning a bearer token for ``scope`` (the openai and asyncpg shape)."""

        async def token() -> str:
            return (await self._credential.get_token(scope)).token

        return token

    async def close(self) -> None:
        await self._credential.close()


def managed_identity(settings: Settings) -> ManagedIdentity | None:
    return ManagedIdentity(settings.azure_client_id) if settings.azure_client_id else None


def database_identity(settings: Settings) -> ManagedIdentity | None:
    """For PostgreSQL: the managed identity when ``RAKEL_DATABASE_URL`` names a user but no password."""
    url = urlparse(settings.database_target)
    if url.scheme in ("postgresql", "postgres") and not url.password and settings.azure_client_id:
        return ManagedIdentity(settings.azure_client_id)
    return None


def database_password(settings: Settings, resources: AsyncExitStack) -> TokenProvider | None:
    """The PostgreSQL password provider (tokens) for ``open_store``, or None to use the URL as it is."""
    identity = database_identity(settings)
    if identity is None:
        return None
    resources.push_async_callback(identity.close)
    return identity.token_provider(POSTGRES_SCOPE)
