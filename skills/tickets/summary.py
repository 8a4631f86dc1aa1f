"""The LLM summary of a ticket: subject, summary, category and priority through one function call.

Everything sent is masked (names, phone numbers, e-mail addresses, identity numbers). Any failure -
an error, a timeout, a missing or malformed call - returns None, and the embedded prefill stands.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from core.language import Language
from core.pii import mask
from core.ports import Llm
from skills.tickets.classify import CATEGORIES, PRIORITIES
from skills.tickets.cleaning import MAX_SUBJECT_CHARS, has_words, shorten

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (Path(__file__).with_name("prompts") / "summary.md").read_text(encoding="utf-8")
MAX_INPUT_CHARS = 6000
MAX_SUMMARY_CHARS = 2000
LANGUAGE_NAMES = {Language.BOKMAAL: "Norwegian bokmål", Language.NYNORSK: "Norwegian nynorsk",
                  Language.ENGLISH: "English"}
TOOL = {
    "type": "function",
    "function": {
        "name": "ticket_draft",
        "description": "The draft of a service desk ticket, from the conversation.",
        "parameters": {
            "type": "object",
            "properties": {
                "subject": {"type": "string", "description": "One short line naming the problem."},
                "summary": {"type": "string", "description": "Two to four sentences for the service desk."},
                "category": {"type": "string", "enum": list(CATEGORIES)},
                "priority": {"type": "string", "enum": list(PRIORITIES)},
            },
            "required": ["subject", "summary", "category", "priority"],
            "additionalProperties": False,
        },
    },
}


@dataclass(frozen=True)
class Summary:
    subject: str
    summary: str
    category: str
    priority: str


def _data(text: str) -> str:
    """Text that cannot close the conversation block."""
    return text.replace("<", "‹").replace(">", "›")


class TicketSummarizer:
    def __init__(self, llm: Llm, timeout: float) -> None:
        self._llm = llm
        self._timeout = timeout

    async def summarize(
        self, problem: str, tried: tuple[str, ...], language: Language, *, timeout: float | None = None
    ) -> Summary | None:
        seconds = min(timeout or self._timeout, self._timeout)
        lines = [f"Employee: {problem}"] + [f"Rakel: {answer}" for answer in tried]
        conversation = _data(mask("\n".join(lines))[:MAX_INPUT_CHARS])
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"<conversation>\n{conversation}\n</conversation>\n"
                                        f"Language: {LANGUAGE_NAMES[language]}"},
        ]
        try:
            reply = await asyncio.wait_for(
                self._llm.chat(
                    messages,
                    tools=[TOOL],
                    tool_choice={"type": "function", "function": {"name": "ticket_draft"}},
                    max_tokens=500,
                    timeout=seconds,
                ),
                seconds,
            )
            arguments = next(call.arguments for call in reply.tool_calls if call.name == "ticket_draft")
            return _checked(arguments)
        except Exception as error:  # noqa: BLE001 - any LLM failure: the embedded prefill is used
            log.warning("ticket summary by LLM failed; using the embedded prefill", extra={"error": repr(error)})
            return None


def _checked(arguments: dict) -> Summary:
    subject, summary = str(arguments.get("subject") or "").strip(), str(arguments.get("summary") or "").strip()
    category, priority = arguments.get("category"), arguments.get("priority")
    if not has_words(subject) or not has_words(summary) or category not in CATEGORIES or priority not in PRIORITIES:
        raise ValueError("the ticket_draft call is incomplete or out of range")
    return Summary(shorten(subject, MAX_SUBJECT_CHARS), shorten(summary, MAX_SUMMARY_CHARS), category, priority)
