"""Prometheus metrics of the bot (one registry per app, so tests and processes stay separate)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class BotMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.turns = Counter("rakel_turns", "Turns handled, by intent or label", ["intent"], registry=self.registry)
        self.turn_seconds = Histogram(
            "rakel_turn_seconds", "Time to handle one activity", ["type"], buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter("rakel_errors", "Errors, by where they happened", ["where"], registry=self.registry)
        self.outcomes = Counter(
            "rakel_outcomes", "Analytics events, by outcome and municipality (the monthly report's figures, live)",
            ["outcome", "municipality"], registry=self.registry,
        )
        self.requests = Counter(
            "rakel_http_requests", "POST /api/messages by HTTP status", ["status"], registry=self.registry
        )
        self.jobs_running = Gauge(
            "rakel_background_job_running", "1 while this process runs the background job (it holds its lease)",
            ["job"], registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
