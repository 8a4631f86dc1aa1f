"""Adaptive Cards 1.5 built as plain data, and validated against a JSON schema in tests.

Buttons that change state are ``Action.Execute`` (universal actions) so the card updates in place;
buttons that just say something for the user are ``Action.Submit`` with a Teams ``imBack``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

Card = dict[str, Any]
SCHEMA_PATH = Path(__file__).parent / "schemas" / "adaptive-card.schema.json"


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None, **extra: Any) -> Card:
    result: Card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body,
    }
    if actions:
        result["actions"] = actions
    result.update(extra)
    return result


def heading(text: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "size": "Medium", "weight": "Bolder", "wrap": True}


def paragraph(text: str, *, subtle: bool = False) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "TextBlock", "text": text, "wrap": True}
    if subtle:
        block["isSubtle"] = True
    return block


def facts(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    return {"type": "FactSet", "facts": [{"title": title, "value": value} for title, value in pairs]}


def execute(title: str, verb: str, data: dict[str, Any] | None = None, *, style: str | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "Action.Execute", "title": title, "verb": verb, "data": data or {}}
    if style:
        action["style"] = style
    return action


def say(title: str, text: str | None = None) -> dict[str, Any]:
    """A button that sends ``text`` as if the user typed it (Teams imBack)."""
    return {"type": "Action.Submit", "title": title, "data": {"msteams": {"type": "imBack", "value": text or title}}}


def open_url(title: str, url: str) -> dict[str, Any]:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_card(value: Card) -> None:
    """Raise ``jsonschema.ValidationError`` when the card is not a valid Adaptive Card 1.5."""
    _validator().validate(value)
