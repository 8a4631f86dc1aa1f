"""A fake managed identity token endpoint, as Azure Container Apps and App Service offer it to the
container (``IDENTITY_ENDPOINT`` and ``IDENTITY_HEADER`` in the environment; ``azure-identity``'s
``ManagedIdentityCredential`` calls it). It checks the request shape the real endpoint requires and
hands out one token per resource (``token_for``)."""

from __future__ import annotations

import time

from aiohttp import web

from tests.fakes.server import FakeServer

API_VERSION = "2019-08-01"


class FakeManagedIdentity(FakeServer):
    def __init__(self, *, client_id: str, secret: str = "identity-header-secret") -> None:
        super().__init__()
        self.client_id = client_id
        self.secret = secret

    @staticmethod
    def token_for(resource: str) -> str:
        return f"entra-token-for-{resource.rstrip('/').rsplit('/', 1)[-1]}"

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/msi/token"

    def resources_asked(self) -> list[str]:
        return [request.query.get("resource", "") for request in self.requests_to("/msi/token")]

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/msi/token", self._token)

    async def _token(self, request: web.Request) -> web.Response:
        if request.headers.get("X-IDENTITY-HEADER") != self.secret:
            return web.json_response({"error": "invalid_request", "error_description": "bad header"}, status=401)
        if request.query.get("api-version") != API_VERSION or not request.query.get("resource"):
            return web.json_response({"error": "invalid_request"}, status=400)
        if request.query.get("client_id") != self.client_id:
            return web.json_response({"error": "invalid_request", "error_description": "unknown identity"}, status=400)
        resource = request.query["resource"]
        return web.json_response({
            "access_token": self.token_for(resource),
            "expires_on": str(int(time.time()) + 3600),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": self.client_id,
        })
