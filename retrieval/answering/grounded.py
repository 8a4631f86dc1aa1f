"""The grounded prompt for an LLM answer, and the citations read back from its reply.

Sources, the question and earlier turns go into delimited data blocks; the system prompt says that
nothing inside them is an instruction. A tag in the data that would close or open such a block is
defused, so a page cannot end the <sources> block early and speak as the prompt. The question and
the turns arrive masked (``MaskedText``: the pipeline's mask step and the stored history).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from core.language import Language
from core.messages import Citation
from core.pii import MaskedText
from retrieval.answering.cite import citation, source_title, source_url
from retrieval.answering.followup import ConversationTurn
from retrieval.answering.texts import LANGUAGE_NAMES
from retrieval.injection import without_planted
from retrieval.model import SearchHit

PROMPTS = Path(__file__).with_name("prompts")
SYSTEM_PROMPT = (PROMPTS / "system.md").read_text(encoding="utf-8")
QUESTION_PROMPT = (PROMPTS / "question.md").read_text(encoding="utf-8")
SOURCE_PROMPT = (PROMPTS / "source.md").read_text(encoding="utf-8")
NO_ANSWER = "INGEN_SVAR"
MAX_TURNS = 4
NO_TURNS = "(none)"

_DATA_TAG = re.compile(r"<\s*/?\s*(?:sources|question|conversation)\b[^>]*>", re.IGNORECASE)
_CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def grounded_messages(
    question: MaskedText, history: Sequence[ConversationTurn], sources: list[SearchHit], language: Language
) -> list[dict[str, str]]:
    language_name = LANGUAGE_NAMES(language)
    numbered = "\n\n".join(
        SOURCE_PROMPT.format(
            number=number,
            title=" > ".join([source_title(hit.chunk, language), *hit.chunk.heading_path]),
            url=source_url(hit.chunk) or "-",
            text=as_data(without_planted(hit.chunk.text).text.strip()),
        ).strip()
        for number, hit in enumerate(sources, start=1)
    )
    turns = [f"{turn.role}: {as_data(turn.text)}" for turn in history[-MAX_TURNS:] if turn.text.strip()]
    return [
        {"role": "system", "content": SYSTEM_PROMPT.format(language=language_name, no_answer=NO_ANSWER)},
        {
            "role": "user",
            "content": QUESTION_PROMPT.format(
                conversation="\n".join(turns) or NO_TURNS,
                sources=numbered,
                question=as_data(question),
                language=language_name,
            ),
        },
    ]


def as_data(text: str) -> str:
    """Text that cannot open or close one of the prompt's data blocks."""
    return _DATA_TAG.sub(lambda tag: tag.group(0).replace("<", "‹").replace(">", "›"), text)


def says_no_answer(reply: str) -> bool:
    return NO_ANSWER in reply


def cited_reply(reply: str, sources: list[SearchHit], language: Language) -> tuple[str, dict[str, Citation]]:
    """The reply with its [n] renumbered to the citations it actually uses, in order of first use.

    Numbers outside the sources are dropped. A reply that cites nothing gets the best source as
    its citation, so an answer is never shown without where it came from.
    """
    order: list[int] = []

    def renumber(match: re.Match[str]) -> str:
        kept: list[int] = []
        for number in (int(part) for part in re.split(r"\s*,\s*", match.group(1))):
            if 1 <= number <= len(sources):
                if number not in order:
                    order.append(number)
                kept.append(order.index(number) + 1)
        return "".join(f"[{position}]" for position in dict.fromkeys(kept))

    text = _CITATION.sub(renumber, reply).strip()
    cited = order or [1]
    chunks = [sources[number - 1].chunk for number in cited]
    return text, {chunk.document_id: citation(chunk, language) for chunk in chunks}
