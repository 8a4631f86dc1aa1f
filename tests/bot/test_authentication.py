"""With RAKEL_APP_ID set, only requests with a valid Bot Framework token get through (real botbuilder
JWT validation against a local OpenID metadata endpoint and a locally generated signing key)."""

from __future__ import annotations

import logging

import pytest
from botframework.connector.auth import MicrosoftAppCredentials

from cli.main import main as rakel
from core.messages import Reply
from core.settings import SettingsError, load_settings
from tests.conftest import make_settings
from tests.fakes.bot_openid import BotTokenService, new_private_key
from tests.harness import KARI, start_harness, text_of

APP_ID = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def token_service():
    service = BotTokenService()
    service.start()
    yield service
    service.stop()


@pytest.fixture
async def secured(tmp_path, token_service, monkeypatch):
    # Outbound replies need a token from Entra ID; this test is about inbound tokens only.
    def outbound_token(self, force_refresh: bool = False) -> str:
        return "outbound-test-token"

    monkeypatch.setattr(MicrosoftAppCredentials, "get_access_token", outbound_token)
    settings = make_settings(
        tmp_path, app_id=APP_ID, app_password="secret", openid_metadata_url=token_service.metadata_url,
        token_issuer=token_service.issuer,
    )
    harness = await start_harness(settings)
    yield harness
    await harness.close()


def message(harness, token: str | None) -> tuple[dict, dict]:
    activity = harness.channel.activity(KARI, "message", text="hei")
    return activity, ({"Authorization": f"Bearer {token}"} if token else {})


async def post(harness, token: str | None) -> int:
    activity, headers = message(harness, token)
    async with harness.channel.session.post(harness.channel.endpoint, json=activity, headers=headers) as response:
        return response.status


async def test_a_valid_token_is_accepted_and_answered(secured, token_service):
    token = token_service.token(audience=APP_ID, service_url=secured.channel.service_url)
    secured.channel.token = token
    [reply] = await secured.channel.say(KARI, "hei")
    assert "Hei, jeg er Rakel" in text_of(reply)
    assert secured.connector.authorizations[-1] == "Bearer outbound-test-token"  # replies carry the bot's token


async def test_messages_rakel_starts_carry_the_bots_token_too(secured, token_service):
    secured.channel.token = token_service.token(audience=APP_ID, service_url=secured.channel.service_url)
    await secured.channel.say(KARI, "hei")  # Rakel keeps Kari's conversation reference
    await secured.runtime.adapters.messenger.send_to_user(KARI.member.aad_object_id, Reply(text="Din PC er gammel."))
    [_, proactive] = secured.connector.replies(KARI.conversation_id)
    assert proactive["text"] == "Din PC er gammel." and proactive["recipient"]["id"] == KARI.member.id
    assert secured.connector.authorizations[-1] == "Bearer outbound-test-token"


async def test_a_request_without_authorization_header_is_refused(secured):
    assert await post(secured, None) == 401


async def test_a_token_signed_with_another_key_is_refused(secured, token_service):
    forged = token_service.token(audience=APP_ID, service_url=secured.channel.service_url, key=new_private_key())
    assert await post(secured, forged) == 401


async def test_a_token_for_another_bot_is_refused(secured, token_service):
    other = token_service.token(audience="99999999-0000-0000-0000-000000000000", service_url=secured.channel.service_url)
    assert await post(secured, other) == 401


async def test_a_token_from_another_issuer_is_refused(secured, token_service):
    wrong = token_service.token(audience=APP_ID, service_url=secured.channel.service_url, issuer="https://evil.example")
    assert await post(secured, wrong) == 401


async def test_an_expired_token_is_refused(secured, token_service):
    # botbuilder allows five minutes of clock skew; this one expired an hour ago.
    expired = token_service.token(audience=APP_ID, service_url=secured.channel.service_url, expires_in=-3600)
    assert await post(secured, expired) == 401


async def test_a_token_for_another_service_url_is_refused(secured, token_service):
    elsewhere = token_service.token(audience=APP_ID, service_url="https://smba.trafficmanager.net/evil/")
    assert await post(secured, elsewhere) == 401


async def test_garbage_in_the_authorization_header_is_refused(secured):
    assert await post(secured, "not-a-jwt") == 401


async def test_an_unserved_tenant_is_refused(tmp_path):
    harness = await start_harness(make_settings(tmp_path, allowed_tenant_ids=["another-tenant"]))
    try:
        assert (await harness.channel.post(harness.channel.activity(KARI, "message", text="hei"))).status == 403
    finally:
        await harness.close()


def test_production_without_an_app_id_refuses_to_start(monkeypatch, capsys):
    monkeypatch.setenv("RAKEL_ENV", "production")
    with pytest.raises(SettingsError, match="RAKEL_APP_ID"):
        load_settings(_env_file=None)
    assert rakel(["serve"]) == 2
    assert "RAKEL_APP_ID must be set" in capsys.readouterr().err


async def test_local_mode_warns_loudly(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        harness = await start_harness(make_settings(tmp_path))
        await harness.close()
    assert "authentication is OFF" in caplog.text
