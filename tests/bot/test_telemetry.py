"""OpenTelemetry: with an OTLP endpoint or an Application Insights connection string configured, every
request is a server span and a duration point, exported when the app stops; /metrics stays."""

from __future__ import annotations

import pytest

from tests.conftest import make_settings
from tests.fakes.telemetry import FakeAppInsights, FakeOtlpCollector
from tests.harness import KARI, start_harness


async def test_turns_are_exported_as_spans_and_metrics_over_otlp(tmp_path):
    async with FakeOtlpCollector() as collector:
        harness = await start_harness(make_settings(tmp_path, otlp_endpoint=collector.base_url))
        await harness.channel.say(KARI, "hjelp")
        async with harness.channel.session.get(f"{harness.endpoint}/metrics") as response:
            assert response.status == 200 and "rakel_" in await response.text()
        await harness.close()  # the app's cleanup flushes the exporters
    assert "POST /api/messages" in collector.span_names()
    assert "GET /metrics" in collector.span_names()
    assert "http.server.request.duration" in collector.metric_names()


async def test_turns_are_exported_to_application_insights(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL", "true")  # no calls home from the exporter
    monkeypatch.setenv("APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED", "true")
    monkeypatch.setenv("APPLICATIONINSIGHTS_SDKSTATS_DISABLED", "true")
    async with FakeAppInsights() as insights:
        harness = await start_harness(make_settings(tmp_path, applicationinsights_connection_string=insights.connection_string))
        await harness.channel.say(KARI, "hjelp")
        await harness.close()
    envelopes = insights.envelopes()
    requests = [e for e in envelopes if e["data"]["baseType"] == "RequestData"]
    assert any(e["data"]["baseData"]["name"] == "POST /api/messages" for e in requests)
    assert any(e["data"]["baseType"] == "MetricData" for e in envelopes)


def test_nothing_is_exported_unless_configured(tmp_path):
    from bot.telemetry import build_telemetry

    assert build_telemetry(make_settings(tmp_path)) is None
