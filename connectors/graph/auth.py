"""App-only tokens for Microsoft Graph from msal (client credentials).

msal is synchronous, so every call runs in a worker thread. msal caches the token until shortly
before it expires; when Graph still answers 401 (token revoked or expired early), the client calls
``invalidate`` with the rejected token and the next ``token()`` asks Entra ID for a new one.
"""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from urllib.parse import urlsplit

import msal
import requests
from msal.authority import WELL_KNOWN_AUTHORITY_HOSTS

from core.settings import Settings

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
TIMEOUT_SECONDS = 30.0


class GraphAuthError(Exception):
    """No token: wrong tenant, client id or secret, or the identity provider is unreachable."""


class GraphTokenProvider:
    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        authority_host: str = "https://login.microsoftonline.com",
        ca_file: Path | None = None,
    ) -> None:
        self._authority = f"{authority_host.rstrip('/')}/{tenant_id}"
        self._client_id = client_id
        self._client_secret = client_secret
        self._ca_file = ca_file
        self._app: msal.ConfidentialClientApplication | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphTokenProvider:
        return cls(
            tenant_id=settings.graph_tenant_id,
            client_id=settings.graph_client_id,
            client_secret=settings.graph_client_secret.get_secret_value(),
            authority_host=settings.graph_authority_host,
            ca_file=settings.graph_ca_file,
        )

    async def token(self) -> str:
        """A valid access token (from msal's cache while it lasts)."""
        async with self._lock:
            return await asyncio.to_thread(self._acquire)

    async def invalidate(self, token: str) -> None:
        """Forget a token Graph rejected, so the next ``token()`` fetches a fresh one."""
        async with self._lock:
            if self._app is None:
                return
            cache = self._app.token_cache
            for item in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
                if item.get("secret") == token:
                    cache.remove_at(item)

    async def close(self) -> None:
        if self._app is not None:
            self._app.http_client.close()

    def _acquire(self) -> str:
        try:
            result = self._application().acquire_token_for_client(scopes=[GRAPH_SCOPE])
        except (ValueError, requests.RequestException) as error:
            raise GraphAuthError(f"no token from {self._authority}: {error}") from error
        if "access_token" not in result:
            raise GraphAuthError(
                f"token request to {self._authority} failed: "
                f"{result.get('error', 'unknown_error')}: {result.get('error_description', '')}"
            )
        return result["access_token"]

    def _application(self) -> msal.ConfidentialClientApplication:
        if self._app is None:
            self._app = msal.ConfidentialClientApplication(
                self._client_id,
                client_credential=self._client_secret,
                authority=self._authority,
                http_client=self._http_client(),
                timeout=TIMEOUT_SECONDS,
                # msal would ask login.microsoftonline.com about any other host first
                instance_discovery=None if self._is_microsoft_host() else False,
            )
        return self._app

    def _is_microsoft_host(self) -> bool:
        return urlsplit(self._authority).hostname in WELL_KNOWN_AUTHORITY_HOSTS

    def _http_client(self) -> requests.Session | None:
        if self._ca_file is None:
            return None  # msal's own session and the system trust store
        session = requests.Session()
        session.verify = str(self._ca_file)
        # requests lets REQUESTS_CA_BUNDLE override a session's own verify unless trust_env is off
        session.trust_env = False
        # msal applies its timeout only to the session it makes itself; requests has no session-wide one
        session.request = functools.partial(session.request, timeout=TIMEOUT_SECONDS)  # type: ignore[method-assign]
        return session
