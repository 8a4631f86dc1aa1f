"""The HTTP surface: bad requests get 4xx (never a 500 with a stack trace), health, readiness, metrics."""

from __future__ import annotations

import json

import pytest

from tests.harness import KARI


async def raw_post(harness, body: bytes, content_type: str = "application/json"):
    async with harness.channel.session.post(
        harness.channel.endpoint, data=body, headers={"Content-Type": content_type}
    ) as response:
        return response.status, await response.text()


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'"hei"', b"{}", b'{"type": ""}', b'{"type": "message"}', b"\xff\xfe"],
    ids=["broken-json", "array", "string", "empty-object", "empty-type", "no-conversation", "not-utf8"],
)
async def test_a_body_that_is_not_an_activity_is_a_400(harness, body):
    status, text = await raw_post(harness, body)
    assert status == 400
    assert "Traceback" not in text


async def test_an_activity_with_wrong_field_types_is_a_400_not_a_500(harness):
    activity = harness.channel.activity(KARI, "message", text="hei")
    activity["conversation"] = "not-an-object"
    status, text = await raw_post(harness, json.dumps(activity).encode())
    assert status == 400


async def test_a_body_over_one_mebibyte_is_a_413(harness):
    activity = harness.channel.activity(KARI, "message", text="x" * (1024 * 1024 + 10))
    status, _ = await raw_post(harness, json.dumps(activity).encode())
    assert status == 413


async def test_a_body_that_is_not_json_by_content_type_is_refused(harness):
    status, _ = await raw_post(harness, b"text=hei", content_type="application/x-www-form-urlencoded")
    assert status == 415


async def test_healthz_says_alive(harness):
    async with harness.channel.session.get(f"{harness.endpoint}/healthz") as response:
        assert response.status == 200
        assert (await response.json())["status"] == "alive"


async def test_readyz_reports_each_dependency(harness):
    async with harness.channel.session.get(f"{harness.endpoint}/readyz") as response:
        assert response.status == 200
        assert (await response.json()) == {"ready": True, "checks": {"database": "ok"}}


async def test_readyz_is_503_when_the_database_is_gone(harness):
    await harness.runtime.store.db.close()
    async with harness.channel.session.get(f"{harness.endpoint}/readyz") as response:
        assert response.status == 503
        body = await response.json()
        assert body["ready"] is False and body["checks"]["database"].startswith("failed")


async def test_metrics_count_turns_by_intent_and_time_them(harness):
    await harness.channel.say(KARI, "hei")
    async with harness.channel.session.get(f"{harness.endpoint}/metrics") as response:
        text = await response.text()
    assert 'rakel_turns_total{intent="greeting"} 1.0' in text
    assert 'rakel_turn_seconds_count{type="message"} 1.0' in text
    assert 'rakel_http_requests_total{status="200"} 1.0' in text


async def test_a_failing_turn_answers_with_a_reference_and_logs_it(harness, caplog, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(harness.runtime.store.dialogs, "active", broken)
    [reply] = await harness.channel.say(KARI, "hei")
    assert "noe gikk galt" in reply["text"]
    reference = reply["text"].rsplit("Referanse: ", 1)[1].rstrip(")")
    assert any(getattr(record, "reference", None) == reference for record in caplog.records)
    assert "the database fell over" in caplog.text  # in the log, not in Teams
    assert "fell over" not in reply["text"]
    # and the process is still serving
    async with harness.channel.session.get(f"{harness.endpoint}/healthz") as response:
        assert response.status == 200


async def test_a_failing_card_action_still_gets_a_200_invoke_response(harness, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(harness.runtime.store.answers, "get", broken)
    result = await harness.channel.click(KARI, "answer_feedback", {"reaction": "like"}, reply_to_id="bot-1")
    assert result.status == 200
    assert "Referanse" in result.body["value"]
