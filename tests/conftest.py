"""Shared fixtures: isolated settings, the bot harness, and a throwaway PostgreSQL cluster."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT, Settings
from tests.harness import BotHarness, start_harness

# Shared fixtures, found by every test without imports.
pytest_plugins = ["tests.postgres", "tests.demo", "tests.fakes.fixtures", "tests.fakes.pureservice"]


@pytest.fixture(autouse=True)
def _no_rakel_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never inherit RAKEL_* settings (or a .env) from the machine."""
    for name in list(os.environ):
        if name.startswith("RAKEL_"):
            monkeypatch.delenv(name)


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "data_dir": tmp_path,
        "corpus_dir": PROJECT_ROOT / "demo" / "corpus",
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def harness(settings: Settings) -> AsyncIterator[BotHarness]:
    bot = await start_harness(settings)
    yield bot
    await bot.close()
