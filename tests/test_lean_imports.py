"""The serve path stays lean: importing the composition root and the HTTP server loads none of the heavy
libraries that only the monthly report, router training or configured telemetry need (issue 3: RSS)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "sklearn", "matplotlib", "scipy", "opentelemetry")


def loaded_after(module: str) -> list[str]:
    """The heavy top-level packages a fresh interpreter has in sys.modules after importing module."""
    code = (f"import json, sys; import {module}; "
            f"print(json.dumps(sorted({{name.split('.')[0] for name in sys.modules}} & set({list(HEAVY)!r}))))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", ["app", "bot.server"])
def test_the_serve_path_imports_no_heavy_library(module: str) -> None:
    assert loaded_after(module) == []


def test_the_report_still_loads_them_when_imported() -> None:
    # the check sees the libraries when they are there: the monthly report does need pandas and matplotlib
    assert {"pandas", "matplotlib", "sklearn"} <= set(loaded_after("analytics.monthly"))


TRAIN_WITH_CACHE = """
import json, sys
from pathlib import Path
from skills.intents import Example
from skills.router.model import trained
words = {"greeting": ["hei", "hallo", "god morgen", "heisann", "hei du", "morn"],
         "password": ["glemt passord", "nytt passord", "passordet virker ikke", "bytte passord", "låst passord",
                      "passord utløpt"],
         "thanks": ["takk", "tusen takk", "takk skal du ha", "takk for hjelpa", "mange takk", "takker"]}
examples = [Example(text, intent, "nb") for intent, texts in words.items() for text in texts]
model = trained(examples, Path(sys.argv[1]))
print(json.dumps([model.intents[int(model.probabilities("hei hei").argmax())],
                  "sklearn" in sys.modules, "scipy" in sys.modules]))
"""


def test_a_server_with_a_cache_folder_trains_the_router_in_a_child_process(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", TRAIN_WITH_CACHE, str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["greeting", False, False]
    assert len(list(tmp_path.glob("intent-model-*.npz"))) == 1
