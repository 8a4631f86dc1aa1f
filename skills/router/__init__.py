"""Intent routing: the embedded router (no LLM) and the LLM router that falls back to it."""

from dataclasses import dataclass
from typing import Protocol

from core.language import Language
from skills.intents import Intent


@dataclass(frozen=True)
class Classification:
    intent: Intent
    confidence: float
    router: str  # "embedded" | "llm"


class Router(Protocol):
    async def classify(self, text: str, language: Language) -> Classification: ...
