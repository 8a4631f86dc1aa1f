"""Replies go straight to the Bot Connector as JSON: addressed like botbuilder addresses them, with the
bot's token, and retried on 429/5xx (honouring Retry-After) before the turn gives up."""

from __future__ import annotations

import pytest

from tests.harness import KARI, text_of


async def test_a_reply_is_addressed_to_the_user_in_reply_to_their_message(harness):
    activity = harness.channel.activity(KARI, "message", text="hei")
    await harness.channel.post(activity)
    [reply] = harness.connector.replies(KARI.conversation_id)
    assert reply["replyToId"] == activity["id"]
    assert reply["recipient"]["id"] == KARI.member.id and reply["from"]["id"] == activity["recipient"]["id"]
    assert reply["conversation"]["id"] == KARI.conversation_id and reply["channelId"] == "msteams"
    assert reply["inputHint"] == "acceptingInput"
    assert harness.connector.authorizations == [""]  # local mode: no app id, no token


async def test_a_throttled_reply_is_retried_after_retry_after(harness):
    harness.connector.fail_next(429, count=2, retry_after=0)
    [reply] = await harness.channel.say(KARI, "hei")
    assert "Hei, jeg er Rakel" in text_of(reply)


async def test_a_connector_outage_ends_in_the_turn_error_handler_not_a_crash(harness, caplog):
    harness.connector.fail_next(503, count=4, retry_after=0)  # every attempt at the reply fails
    result = await harness.channel.post(harness.channel.activity(KARI, "message", text="hei"))
    assert result.status == 200
    assert "turn failed" in caplog.text
    [apology] = harness.connector.replies(KARI.conversation_id)  # once the connector is back
    assert "noe gikk galt" in apology["text"]
    async with harness.channel.session.get(f"{harness.endpoint}/healthz") as response:
        assert response.status == 200


@pytest.mark.parametrize("status", [400, 403, 404])
async def test_a_refusal_is_not_retried(harness, status):
    harness.connector.fail_next(status, count=1)
    await harness.channel.post(harness.channel.activity(KARI, "message", text="hei"))
    # the refused reply is not repeated; the error handler's own message is what arrives
    [only] = harness.connector.replies(KARI.conversation_id)
    assert "noe gikk galt" in only["text"]


async def test_the_stored_conversation_reference_is_what_botbuilder_would_store(harness):
    from botbuilder.core import TurnContext
    from botbuilder.schema import Activity

    activity = harness.channel.activity(KARI, "message", text="hei", locale="nb-NO")
    await harness.channel.post(activity)
    stored = await harness.runtime.store.references.get(KARI.member.aad_object_id)
    expected = TurnContext.get_conversation_reference(Activity().deserialize(activity)).serialize()
    assert stored.reference == expected
