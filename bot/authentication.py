"""Bot Framework authentication from settings, with connector clients built once per service URL.

botbuilder builds a new ConnectorClient (and two msrest retry policies, ~3 ms each) for every turn
that replies, and a new UserTokenClient (one more policy) for every turn at all
(../shared/notes/turn-overhead.md). ``CachingAuthentication`` wraps the real authentication, hands
out connector factories that share one client per (service URL, audience), and keeps one user token
client per bot app id.
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConfiguration,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    BotFrameworkAuthenticationFactory,
    ClaimsIdentity,
    ConnectorFactory,
    JwtTokenValidation,
    MicrosoftAppCredentials,
    PasswordServiceClientCredentialFactory,
)

from core.settings import Settings

BOT_FRAMEWORK_SCOPE = "https://api.botframework.com"


class _CachingConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, clients: dict[tuple[str, str | None], ConnectorClient]) -> None:
        self._inner = inner
        self._clients = clients

    async def create(self, service_url: str, audience: str = None) -> ConnectorClient:  # noqa: RUF013 - base signature
        key = (service_url, audience)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = await self._inner.create(service_url, audience)
            # msrest re-validates every outgoing activity against the schema (~0.7 ms for a card); our
            # activities are built from typed models, so the connector's own check is redundant.
            client.conversations._serialize.client_side_validation = False
        return client


class CachingAuthentication(BotFrameworkAuthentication):
    """Delegates everything to botbuilder; only caches the connector clients it creates."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._clients: dict[tuple[str, str | None], ConnectorClient] = {}
        self._user_token_clients: dict[str, Any] = {}

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _CachingConnectorFactory(result.connector_factory, self._clients)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _CachingConnectorFactory(self._inner.create_connector_factory(claims_identity), self._clients)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> Any:
        app_id = JwtTokenValidation.get_app_id_from_claims(claims_identity.claims) or ""
        client = self._user_token_clients.get(app_id)
        if client is None:
            client = self._user_token_clients[app_id] = await self._inner.create_user_token_client(claims_identity)
        return client

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)


def outbound_credentials(settings: Settings) -> MicrosoftAppCredentials | None:
    """The bot's own token for the Bot Connector, as botbuilder's credential factory makes it for the public
    cloud; None in local mode (no app id: requests go without a token)."""
    if not settings.app_id:
        return None
    return MicrosoftAppCredentials(settings.app_id, settings.app_password.get_secret_value(),
                                   channel_auth_tenant=settings.app_tenant_id or None, oauth_scope=BOT_FRAMEWORK_SCOPE)


def build_authentication(settings: Settings) -> CachingAuthentication:
    """Real Bot Framework JWT validation; the OpenID metadata URL and issuer come from settings."""
    credentials = PasswordServiceClientCredentialFactory(
        app_id=settings.app_id or None,
        password=settings.app_password.get_secret_value() or None,
        tenant_id=settings.app_tenant_id or None,
    )
    tenant = settings.app_tenant_id or "botframework.com"
    inner = BotFrameworkAuthenticationFactory.create(
        validate_authority=True,
        to_channel_from_bot_login_url=f"https://login.microsoftonline.com/{tenant}",
        to_channel_from_bot_oauth_scope=BOT_FRAMEWORK_SCOPE,
        to_bot_from_channel_token_issuer=settings.token_issuer,
        oauth_url=AuthenticationConstants.OAUTH_URL,
        to_bot_from_channel_open_id_metadata_url=settings.openid_metadata_url,
        to_bot_from_emulator_open_id_metadata_url=AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
        caller_id=CallerIdConstants.public_azure_channel,
        credential_factory=credentials,
        auth_configuration=AuthenticationConfiguration(),
    )
    return CachingAuthentication(inner)
