"""A local stand-in for the Bot Framework token service: OpenID metadata, a JWKS, and signed tokens.

It runs in a thread on purpose: botbuilder fetches the metadata with blocking ``requests`` calls from
inside the event loop, so a server on the same loop could never answer.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY_ID = "rakel-test-key"
ISSUER = "https://api.botframework.test"


def new_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class BotTokenService:
    key: rsa.RSAPrivateKey = field(default_factory=new_private_key)
    issuer: str = ISSUER
    _server: ThreadingHTTPServer | None = None

    @property
    def metadata_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1/.well-known/openidconfiguration"

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": KEY_ID, "use": "sig", "endorsements": ["msteams"]}]}

    def token(self, *, audience: str, service_url: str, issuer: str | None = None, expires_in: int = 3600,
              key: rsa.RSAPrivateKey | None = None) -> str:
        now = int(time.time())
        claims = {"iss": issuer or self.issuer, "aud": audience, "serviceurl": service_url,
                  "nbf": now - 60, "iat": now - 60, "exp": now + expires_in}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": KEY_ID})

    def start(self) -> None:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if self.path.endswith("openidconfiguration"):
                    body = {"issuer": service.issuer, "jwks_uri": service.metadata_url.replace(
                        "/v1/.well-known/openidconfiguration", "/v1/.well-known/keys")}
                elif self.path.endswith("/keys"):
                    body = service.jwks()
                else:
                    self.send_error(404)
                    return
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
