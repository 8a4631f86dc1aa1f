"""Fake telemetry back ends: an OTLP/HTTP collector (protobuf ``/v1/traces`` and ``/v1/metrics``) and
Application Insights' ingestion endpoint (``/v2.1/track``, JSON envelopes, possibly gzipped)."""

from __future__ import annotations

import gzip
import json
from typing import Any

from aiohttp import web
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from tests.fakes.server import FakeServer


class FakeOtlpCollector(FakeServer):
    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/traces", self._traces)
        app.router.add_post("/v1/metrics", self._metrics)

    def span_names(self) -> list[str]:
        names = []
        for request in self.requests_to("/v1/traces"):
            export = ExportTraceServiceRequest.FromString(_body(request.body, request.headers))
            names += [span.name for rs in export.resource_spans for ss in rs.scope_spans for span in ss.spans]
        return names

    def metric_names(self) -> list[str]:
        names = []
        for request in self.requests_to("/v1/metrics"):
            export = ExportMetricsServiceRequest.FromString(_body(request.body, request.headers))
            names += [m.name for rm in export.resource_metrics for sm in rm.scope_metrics for m in sm.metrics]
        return names

    async def _traces(self, request: web.Request) -> web.Response:
        return _protobuf(ExportTraceServiceResponse())

    async def _metrics(self, request: web.Request) -> web.Response:
        return _protobuf(ExportMetricsServiceResponse())


class FakeAppInsights(FakeServer):
    INSTRUMENTATION_KEY = "11111111-2222-3333-4444-555555555555"

    @property
    def connection_string(self) -> str:
        return f"InstrumentationKey={self.INSTRUMENTATION_KEY};IngestionEndpoint={self.base_url}/"

    def envelopes(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for request in self.requests_to("/v2.1/track"):
            body = json.loads(_body(request.body, request.headers))
            found += body if isinstance(body, list) else [body]
        return found

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v2.1/track", self._track)

    async def _track(self, request: web.Request) -> web.Response:
        body = json.loads(_body(await request.read(), {k.lower(): v for k, v in request.headers.items()}))
        items = body if isinstance(body, list) else [body]
        bad = [item for item in items if item.get("iKey") != self.INSTRUMENTATION_KEY or "data" not in item]
        if bad:
            return web.json_response({"itemsReceived": len(items), "itemsAccepted": 0, "errors": []}, status=400)
        return web.json_response({"itemsReceived": len(items), "itemsAccepted": len(items), "errors": []})


def _body(raw: bytes, headers: dict[str, str]) -> bytes:
    return gzip.decompress(raw) if headers.get("content-encoding") == "gzip" else raw


def _protobuf(message: Any) -> web.Response:
    return web.Response(body=message.SerializeToString(), content_type="application/x-protobuf")
