"""The demo index, built once per test session, and a bot harness that answers from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.ingest import ensure_demo_index
from core.settings import Settings
from tests.conftest import make_settings
from tests.harness import start_harness


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import asyncio

    data_dir = tmp_path_factory.mktemp("demo-index")
    settings = Settings(_env_file=None, env="test", data_dir=data_dir)  # type: ignore[call-arg]
    asyncio.run(ensure_demo_index(settings))
    return settings.local_index_path


@pytest.fixture
def knowledge_settings(tmp_path: Path, demo_index: Path) -> Settings:
    return make_settings(tmp_path, index_path=demo_index)


@pytest.fixture
async def bot(knowledge_settings: Settings):
    harness = await start_harness(knowledge_settings)
    yield harness
    await harness.close()
