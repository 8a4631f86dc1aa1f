"""Skills declare their intents (intents.toml in their folder) and card verbs (@card_action); the
registry builds the tables and refuses a name, intent or verb claimed twice."""

from __future__ import annotations

import pytest

from core.messages import ActionResult, CardAction
from core.texts import Localized
from skills.intents import LANGUAGES, IntentSpec, load_intents
from skills.registry import Skill, SkillRegistry, card_action
from tests.skills.routing import declared_intents

WEATHER = IntentSpec("weather", "Asks about the weather.", Localized(nb="Været"))


class WeatherSkill(Skill):
    name = "weather"
    intents = (WEATHER,)

    @card_action("weather.refresh", "weather.more")
    async def refresh(self, turn, action: CardAction) -> ActionResult:
        return ActionResult(message=f"{self.name}:{action.verb}")


class LouderWeatherSkill(WeatherSkill):
    name = "louder"
    intents = ()

    @card_action("weather.more")
    async def more(self, turn, action: CardAction) -> ActionResult:
        return ActionResult(message="MORE")


async def test_decorated_methods_are_the_card_handlers():
    skill = WeatherSkill()
    assert skill.actions == ("weather.refresh", "weather.more")
    result = await skill.on_action(None, CardAction("weather.more", {}))
    assert result.message == "weather:weather.more"
    louder = await LouderWeatherSkill().on_action(None, CardAction("weather.more", {}))
    assert louder.message == "MORE"


def test_the_registry_builds_the_tables_and_refuses_double_claims():
    registry = SkillRegistry()
    registry.register(WeatherSkill())
    assert registry.for_action("weather.refresh").name == "weather"
    assert registry.spec("weather") is WEATHER
    assert [spec.name for spec in registry.intents] == ["weather"]
    with pytest.raises(ValueError, match="card action"):
        registry.register(LouderWeatherSkill())
    with pytest.raises(ValueError, match="intent weather"):
        registry.register(type("Other", (Skill,), {"name": "other", "intents": (WEATHER,)})())
    assert registry.named("louder") is None  # a refused skill leaves nothing behind


def test_one_class_cannot_give_a_verb_two_handlers():
    with pytest.raises(TypeError, match="two handlers"):
        type("Broken", (Skill,), {"name": "broken", "a": card_action("x")(lambda self, turn, action: None),
                                  "b": card_action("x")(lambda self, turn, action: None)})


def test_every_declared_intent_has_a_description_a_label_and_examples_in_known_languages():
    names = [spec.name for spec in declared_intents()]
    assert len(names) == len(set(names))
    for spec in declared_intents():
        assert spec.description and spec.label.nb and spec.label.nn and spec.label.en, spec.name
        assert spec.examples and {example.language for example in spec.examples} <= set(LANGUAGES), spec.name


def test_a_malformed_intents_file_is_refused(tmp_path):
    path = tmp_path / "intents.toml"
    path.write_text('[x]\ndescription = "d"\nlabel = { nb = "X" }\n[x.examples]\nklingon = ["nuqneH"]\n')
    with pytest.raises(ValueError, match="unknown languages"):
        load_intents(path)
    path.write_text('[x]\nlabel = { nb = "X" }\n')
    with pytest.raises(ValueError, match="malformed"):
        load_intents(path)
    with pytest.raises(ValueError, match="declares no intent"):
        load_intents(path, "y")
