"""Adaptive Cards as terminal text: text blocks, facts, inputs, and numbered buttons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Button:
    title: str
    kind: str  # "say" | "execute" | "url"
    value: Any  # text to say, (verb, data) to execute, or the URL


@dataclass
class CardInput:
    id: str
    label: str
    value: str
    choices: list[tuple[str, str]] = field(default_factory=list)  # (title, value)


@dataclass
class RenderedCard:
    lines: list[str]
    buttons: list[Button]
    inputs: list[CardInput]


def _button(action: dict[str, Any]) -> Button | None:
    kind, title = action.get("type"), action.get("title", "")
    if kind == "Action.Execute":
        return Button(title, "execute", (action.get("verb", ""), action.get("data") or {}))
    if kind == "Action.Submit":
        data = action.get("data") or {}
        teams = data.get("msteams") or {}
        if teams.get("type") == "imBack":
            return Button(title, "say", teams.get("value", title))
        return Button(title, "execute", (data.get("verb", ""), data))
    if kind == "Action.OpenUrl":
        return Button(title, "url", action.get("url", ""))
    return None


def render_card(card: dict[str, Any]) -> RenderedCard:
    rendered = RenderedCard([], [], [])

    def walk(element: dict[str, Any]) -> None:
        kind = element.get("type")
        if kind == "TextBlock":
            rendered.lines.append(element.get("text", ""))
        elif kind == "FactSet":
            rendered.lines.extend(f"  {fact['title']}: {fact['value']}" for fact in element.get("facts", []))
        elif kind in ("Input.Text", "Input.ChoiceSet"):
            choices = [(choice["title"], choice["value"]) for choice in element.get("choices", [])]
            label = element.get("label") or element.get("placeholder") or element["id"]
            rendered.inputs.append(CardInput(element["id"], label, element.get("value", ""), choices))
            rendered.lines.append(f"  [{label}] {element.get('value', '')}")
        elif kind == "ActionSet":
            rendered.buttons.extend(filter(None, map(_button, element.get("actions", []))))
        for child in element.get("items", []) or []:
            walk(child)
        for column in element.get("columns", []) or []:
            for child in column.get("items", []):
                walk(child)

    for element in card.get("body", []):
        walk(element)
    rendered.buttons.extend(filter(None, map(_button, card.get("actions", []))))
    return rendered
