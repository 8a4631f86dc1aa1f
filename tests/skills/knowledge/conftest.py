"""A bot harness that answers from the demo index (tests/demo.py)."""

from __future__ import annotations

import pytest

from core.settings import Settings
from tests.harness import start_harness


@pytest.fixture
async def bot(knowledge_settings: Settings):
    harness = await start_harness(knowledge_settings)
    yield harness
    await harness.close()
