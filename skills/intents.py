"""What a user can want from Rakel. Each skill declares its intents in ``intents.toml`` in its own
folder: a description (for the LLM router), a button label (for "did you mean" questions) and labelled
examples per language. The registry collects them and the router is built from them, so adding a
skill adds its language without a central list to edit.

The file's shape, one table per intent::

    [create_ticket]
    description = "The user asks Rakel to file a ticket with Kundeservice now."
    label = { nb = "Lag en sak", nn = "Lag ei sak", en = "Create a ticket" }
    [create_ticket.examples]
    nb = ["lag en sak", ...]
    nn = [...]
    en = [...]
    dialect = [...]     # Romsdal dialect and spoken forms
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.texts import Localized

KNOWLEDGE = "knowledge"  # the default: an IT question the knowledge skill answers
LANGUAGES = ("nb", "nn", "en", "dialect")  # how examples are labelled ("dialect" = Romsdal, spoken)


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    language: str  # one of LANGUAGES


@dataclass(frozen=True)
class IntentSpec:
    name: str
    description: str
    label: Localized
    examples: tuple[Example, ...] = ()


def parse_examples(table: dict, intent: str, where: str) -> tuple[Example, ...]:
    """The ``examples`` table of one intent: language → list of messages."""
    unknown = set(table) - set(LANGUAGES)
    if unknown:
        raise ValueError(f"{where}: {intent} has examples in unknown languages {sorted(unknown)}")
    return tuple(Example(text, intent, language) for language in LANGUAGES for text in table.get(language, ()))


def load_intents(path: Path | str, *names: str) -> tuple[IntentSpec, ...]:
    """The intents in a skill's ``intents.toml`` (pass the file, or any file in the skill's folder);
    only ``names`` when two skills share a folder."""
    path = Path(path)
    if path.suffix != ".toml":
        path = path.with_name("intents.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if missing := set(names) - set(data):
        raise ValueError(f"{path} declares no intent {sorted(missing)}")
    specs = []
    for name, table in data.items():
        if names and name not in names:
            continue
        try:
            label = Localized(**table["label"])
            specs.append(IntentSpec(name, table["description"], label,
                                    parse_examples(table.get("examples", {}), name, str(path))))
        except (KeyError, TypeError) as error:
            raise ValueError(f"{path}: intent {name!r} is malformed ({error!r})") from error
    return tuple(specs)


def discover(folder: Path) -> tuple[IntentSpec, ...]:
    """Every ``intents.toml`` below a folder (for the benchmark and tests; the service uses the
    registry's, which a test checks are the same)."""
    return tuple(spec for path in sorted(folder.rglob("intents.toml")) for spec in load_intents(path))


# Names used before skills declared their intents (issue 11/14). Metrics, stored turns and the LLM may
# still say them; they mean the intent on the right.
LEGACY_NAMES = {
    "knowledge_question": KNOWLEDGE,
    "talk_to_human": "handoff",
    "ticket_status": "my_tickets",
    "pc_replacement": "pc_order",
    "greeting_help": "greeting",
}


def canonical(name: str) -> str:
    return LEGACY_NAMES.get(name, name)
