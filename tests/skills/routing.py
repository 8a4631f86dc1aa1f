"""The routers tests use: built from every intent the skills declare (as the registry does)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from skills.intents import IntentSpec, load_intents
from skills.router.embedded import EmbeddedRouter

SKILLS = Path(__file__).resolve().parents[2] / "skills"


@cache
def declared_intents() -> tuple[IntentSpec, ...]:
    return tuple(spec for path in sorted(SKILLS.rglob("intents.toml")) for spec in load_intents(path))


@cache
def embedded_router() -> EmbeddedRouter:
    return EmbeddedRouter(declared_intents())
