"""Logs are structured, carry activity and conversation ids, and never hold message text at INFO."""

from __future__ import annotations

import io
import json
import logging

import pytest

from core.logging_setup import configure_logging
from tests.harness import KARI

SECRET_TEXT = "mitt hemmelige spørsmål om skriveren"


@pytest.fixture
def json_logs():
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    yield stream
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


async def test_a_turn_logs_json_with_ids_and_without_the_text(harness, json_logs):
    await harness.channel.say(KARI, f"hei {SECRET_TEXT}")
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines() if line.startswith("{")]
    handled = [line for line in lines if line.get("event") == "activity handled"]
    assert handled and handled[0]["conversation_id"] == KARI.conversation_id and handled[0]["activity_id"]
    assert all(SECRET_TEXT not in json.dumps(line) for line in lines)
