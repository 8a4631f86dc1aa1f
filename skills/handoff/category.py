"""The suggested ticket category of a handoff: the tickets skill's classifier and names, so a chat and
a ticket about the same problem get the same category."""

from __future__ import annotations

import re

from core.language import Language
from core.pii import EMAIL_TOKEN, FNR_TOKEN, NAME_TOKEN, PHONE_TOKEN
from skills.tickets.classify import category_of, priority_of
from skills.tickets.texts import CATEGORY_NAMES, UNKNOWN_CATEGORY

# What masking left in the text says nothing about the problem ("[telefon]" is not about phones).
_MASKED = re.compile("|".join(re.escape(token) for token in (FNR_TOKEN, PHONE_TOKEN, EMAIL_TOKEN, NAME_TOKEN)))


def suggest_category(masked_text: str) -> str:
    """A category key, or "" when nothing points anywhere (Kundeservice picks)."""
    return category_of(_MASKED.sub(" ", masked_text))


def suggest_priority(masked_text: str, category: str) -> str:
    return priority_of(_MASKED.sub(" ", masked_text), category)


def category_label(key: str) -> str:
    """The category's name for Kundeservice (bokmål)."""
    return (CATEGORY_NAMES.get(key) or UNKNOWN_CATEGORY)(Language.BOKMAAL)
