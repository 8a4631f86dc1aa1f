"""The routers tests use: built from every intent the skills declare (as the registry does)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from skills.intents import IntentSpec, discover
from skills.router.embedded import EmbeddedRouter

SKILLS = Path(__file__).resolve().parents[2] / "skills"


@cache
def declared_intents() -> tuple[IntentSpec, ...]:
    return discover(SKILLS)


@cache
def embedded_router() -> EmbeddedRouter:
    return EmbeddedRouter(declared_intents())
