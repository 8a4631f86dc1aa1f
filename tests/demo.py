"""pytest fixtures for the demo knowledge (registered in tests/conftest.py): the demo corpus and ticket
export indexed once per test session, and settings that answer from that index."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cli.ingest import ensure_demo_index
from core.settings import Settings
from tests.conftest import make_settings


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    settings = Settings(_env_file=None, env="test", data_dir=tmp_path_factory.mktemp("demo-index"))  # type: ignore[call-arg]
    asyncio.run(ensure_demo_index(settings))
    return settings.local_index_path


@pytest.fixture
def knowledge_settings(tmp_path: Path, demo_index: Path) -> Settings:
    return make_settings(tmp_path, index_path=demo_index)
