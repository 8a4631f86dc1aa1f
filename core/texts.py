"""User-facing text in the three written languages; bokmål is the fallback."""

from __future__ import annotations

from dataclasses import dataclass

from core.language import Language


@dataclass(frozen=True)
class Localized:
    nb: str
    nn: str = ""
    en: str = ""

    def __call__(self, language: Language, **values: object) -> str:
        text = {Language.NYNORSK: self.nn, Language.ENGLISH: self.en}.get(language) or self.nb
        return text.format(**values) if values else text
