"""`podman-compose up` of infra/compose.yaml really serves turns through nginx and survives one instance
stopping (infra/compose/check.py --offline). Slow (builds images, starts five containers), so it runs
only with RAKEL_COMPOSE_TEST=1; CI time does not grow."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from infra.container.build import ROOT

pytestmark = [
    pytest.mark.container,
    pytest.mark.skipif(os.environ.get("RAKEL_COMPOSE_TEST") != "1", reason="set RAKEL_COMPOSE_TEST=1 to run compose up"),
    pytest.mark.skipif(shutil.which("podman") is None, reason="podman is not installed"),
]


def test_compose_up_answers_turns_through_nginx_with_one_instance_stopped():
    result = subprocess.run([sys.executable, str(ROOT / "infra" / "compose" / "check.py"), "--offline"],
                            capture_output=True, text=True, timeout=1500)
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    assert "with rakel-1 stopped: 6 of 6 turns answered" in result.stdout
    assert "compose check passed" in result.stdout
