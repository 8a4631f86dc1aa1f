"""Intent routing: the embedded router (no LLM) and the LLM router that falls back to it."""

from dataclasses import dataclass
from typing import Protocol

from core.language import Language
from core.pii import MaskedText


@dataclass(frozen=True)
class Classification:
    intent: str  # an intent name a skill declared
    confidence: float
    router: str  # "embedded" | "llm"
    alternative: str = ""  # the runner-up intent
    ambiguous: bool = False  # too unsure or too close to the runner-up: ask instead of guessing


class Router(Protocol):
    async def classify(self, text: MaskedText, language: Language) -> Classification:
        """The intent of a message, given masked (an LLM router sends it out of the process)."""
