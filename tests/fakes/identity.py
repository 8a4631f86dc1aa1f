"""A fake Microsoft Entra ID for the client-credentials flow that msal runs (over TLS, as msal insists).

It serves tenant discovery (``/{tenant}/v2.0/.well-known/openid-configuration``) and the v2 token
endpoint, checks the form fields a real token request carries, and issues opaque tokens that the
Graph fake accepts until ``expire_all()`` makes them stale (as an expired token would be).
"""

from __future__ import annotations

import itertools

from aiohttp import web

from tests.fakes.server import FakeServer
from tests.fakes.tls import LocalTls

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class FakeIdentity(FakeServer):
    def __init__(
        self, tls: LocalTls, *, tenant_id: str, client_id: str, client_secret: str
    ) -> None:
        super().__init__(tls)
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.issued: list[str] = []
        self._expired: set[str] = set()
        self._serial = itertools.count(1)

    @property
    def token_requests(self) -> list:
        return self.requests_to("/oauth2/v2.0/token", "POST")

    def is_valid(self, token: str) -> bool:
        return token in self.issued and token not in self._expired

    def expire_all(self) -> None:
        self._expired.update(self.issued)

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._discovery)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)

    async def _discovery(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        if tenant != self.tenant_id:
            return web.json_response({"error": "invalid_tenant"}, status=400)
        base = f"{self.base_url}/{tenant}"
        return web.json_response(
            {
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "AADSTS70003: grant type")
        if form.get("scope") != GRAPH_SCOPE:
            return _oauth_error(400, "invalid_scope", "AADSTS70011: The provided scope is invalid.")
        if form.get("client_id") != self.client_id:
            return _oauth_error(400, "unauthorized_client", "AADSTS700016: Application not found.")
        if form.get("client_secret") != self.client_secret:
            return _oauth_error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
        token = f"graph-token-{next(self._serial)}"
        self.issued.append(token)
        return web.json_response(
            {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token}
        )


def _oauth_error(status: int, error: str, description: str) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status)
