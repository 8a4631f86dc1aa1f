"""Just enough Bicep reading for tests (no Bicep compiler installs here): parameters, modules and the
keys of object literals, respecting nesting and quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_PARAM = re.compile(r"^param\s+(\w+)\s+(\w+)(\s*=.*)?$", re.MULTILINE)
_MODULE = re.compile(r"^module\s+(\w+)\s+'([^']+)'\s*=\s*\{", re.MULTILINE)
_OPEN, _CLOSE = "{[(", "}])"


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    has_default: bool


@dataclass(frozen=True)
class Module:
    symbol: str
    path: Path
    params: dict[str, str]  # name -> the expression passed


def strip_comments(text: str) -> str:
    """Drop ``// ...`` comments (not inside quoted strings such as URLs)."""
    lines = []
    for line in text.splitlines():
        quoted = False
        for index, char in enumerate(line):
            if char == "'":
                quoted = not quoted
            elif not quoted and line.startswith("//", index):
                line = line[:index]
                break
        lines.append(line.rstrip())
    return "\n".join(lines)


def params(text: str) -> dict[str, Param]:
    return {m[1]: Param(m[1], m[2], bool(m[3])) for m in _PARAM.finditer(text)}


def block_at(text: str, start: int) -> str:
    """The text of the bracketed block opening at ``start``, without its brackets."""
    depth, quoted = 0, False
    for index in range(start, len(text)):
        char = text[index]
        if char == "'":
            quoted = not quoted
        elif not quoted and char in _OPEN:
            depth += 1
        elif not quoted and char in _CLOSE:
            depth -= 1
            if depth == 0:
                return text[start + 1 : index]
    raise ValueError("unbalanced brackets")


def object_entries(body: str) -> dict[str, str]:
    """Top-level ``key: value`` pairs of an object literal's body (one per line or comma-separated)."""
    entries: dict[str, str] = {}
    depth, quoted, current = 0, False, ""
    for char in body + "\n":
        if char == "'":
            quoted = not quoted
        elif not quoted and char in _OPEN:
            depth += 1
        elif not quoted and char in _CLOSE:
            depth -= 1
        if depth == 0 and not quoted and char in ",\n":
            key, sep, value = current.partition(":")
            if sep and re.fullmatch(r"\s*'?[\w-]+'?\s*", key):
                entries[key.strip().strip("'")] = value.strip()
            current = ""
        else:
            current += char
    return entries


def modules(text: str, folder: Path) -> list[Module]:
    found = []
    for match in _MODULE.finditer(text):
        body = block_at(text, match.end() - 1)
        params_at = re.search(r"\bparams:\s*\{", body)
        passed = object_entries(block_at(body, params_at.end() - 1)) if params_at else {}
        found.append(Module(match[1], folder / match[2], passed))
    return found


def used_outside_declaration(text: str, name: str) -> bool:
    return len(re.findall(rf"(?<![\w.']){name}\b", text)) > 1


def array_of_objects(text: str, variable: str) -> list[dict[str, str]]:
    """The object literals of ``var <variable> = [ {...} {...} ]``."""
    match = re.search(rf"^var {variable}\s*=\s*\[", text, re.MULTILINE)
    assert match, f"var {variable} not found"
    body = block_at(text, match.end() - 1)
    objects, index = [], 0
    while (index := body.find("{", index)) != -1:
        inner = block_at(body, index)
        objects.append(object_entries(inner))
        index += len(inner) + 2
    return objects
