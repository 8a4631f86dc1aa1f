"""Fixtures for the Graph contract tests: the fakes, and a client whose back-off sleeps are recorded."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from connectors.graph.auth import GraphTokenProvider
from connectors.graph.client import GraphClient
from core.settings import Settings


class RecordedSleeps:
    """Stands in for asyncio.sleep: remembers each delay instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> RecordedSleeps:
    return RecordedSleeps()


@pytest.fixture
async def graph_client(graph_settings: Settings, sleeps: RecordedSleeps) -> AsyncIterator[GraphClient]:
    async with GraphClient(
        GraphTokenProvider.from_settings(graph_settings),
        base_url=graph_settings.graph_base_url,
        ca_file=graph_settings.graph_ca_file,
        sleep=sleeps,
    ) as client:
        yield client
