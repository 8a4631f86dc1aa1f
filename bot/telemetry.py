"""OpenTelemetry traces and metrics for operators, exported when configured: to Application Insights
(``RAKEL_APPLICATIONINSIGHTS_CONNECTION_STRING``, the Azure Monitor exporter) and/or an OTLP/HTTP
collector (``RAKEL_OTLP_ENDPOINT``). Every HTTP request becomes a server span and a point in the
``http.server.request.duration`` histogram; ``/metrics`` (Prometheus text) stays as it is.

The providers are the app's own, not the process-wide globals, so two apps in one test process do
not share them; ``tracer``/``meter`` give further code a place to add spans and instruments.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from core.settings import Settings

if TYPE_CHECKING:  # the SDK is imported only when telemetry is configured (build_telemetry)
    from opentelemetry.metrics import Meter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Tracer

METRIC_INTERVAL_MS = 60_000
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Telemetry:
    tracer: Tracer
    meter: Meter
    _tracer_provider: TracerProvider
    _meter_provider: MeterProvider

    def __post_init__(self) -> None:
        from opentelemetry.trace import SpanKind, Status, StatusCode

        self._server, self._error = SpanKind.SERVER, Status(StatusCode.ERROR)
        self._duration = self.meter.create_histogram(
            "http.server.request.duration", unit="s", description="Duration of HTTP server requests"
        )

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        route = request.match_info.route.resource.canonical if request.match_info.route.resource else request.path
        started = time.perf_counter()
        with self.tracer.start_as_current_span(f"{request.method} {route}", kind=self._server) as span:
            span.set_attribute("http.request.method", request.method)
            span.set_attribute("http.route", route)
            status = 500
            try:
                response = await handler(request)
                status = response.status
                return response
            except web.HTTPException as error:
                status = error.status
                raise
            finally:
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(self._error)
                self._duration.record(time.perf_counter() - started, {
                    "http.request.method": request.method, "http.route": route, "http.response.status_code": status,
                })

    def shutdown(self) -> None:
        """Flush what is buffered and stop the exporters (at the end of the app's life)."""
        self._tracer_provider.shutdown()
        self._meter_provider.shutdown()


def build_telemetry(settings: Settings) -> Telemetry | None:
    """The exporters the settings ask for, or None when none is configured."""
    connection_string = settings.applicationinsights_connection_string.get_secret_value()
    if not (connection_string or settings.otlp_endpoint):
        return None
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create({
        "service.name": settings.otel_service_name,
        "service.instance.id": f"{socket.gethostname()}-{os.getpid()}",
    })
    tracer_provider = TracerProvider(resource=resource, shutdown_on_exit=False)  # the app shuts it down
    readers: list[MetricReader] = []
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        base = settings.otlp_endpoint.rstrip("/")
        tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{base}/v1/traces")))
        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=f"{base}/v1/metrics"),
                                                     export_interval_millis=METRIC_INTERVAL_MS))
    if connection_string:
        from azure.monitor.opentelemetry.exporter import AzureMonitorMetricExporter, AzureMonitorTraceExporter

        options = {"connection_string": connection_string, "disable_offline_storage": True}
        tracer_provider.add_span_processor(BatchSpanProcessor(AzureMonitorTraceExporter(**options)))
        readers.append(PeriodicExportingMetricReader(AzureMonitorMetricExporter(**options),
                                                     export_interval_millis=METRIC_INTERVAL_MS))
    meter_provider = MeterProvider(resource=resource, metric_readers=readers, shutdown_on_exit=False)
    return Telemetry(tracer_provider.get_tracer("rakel"), meter_provider.get_meter("rakel"),
                     tracer_provider, meter_provider)
