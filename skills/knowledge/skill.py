"""The knowledge skill: answer IT questions from the index with clickable sources, say honestly when
there is no sure answer (and offer a ticket or a human), and take thumbs up/down on every answer."""

from __future__ import annotations

import logging
import re
from typing import Any

from analytics.events import Outcome
from core import cards
from core.language import Language
from core.messages import ActionResult, CardAction, Reply
from core.pii import MaskedText, mask
from retrieval.answering.pipeline import Answer, Answerer
from retrieval.model import AudienceScope
from skills.intents import load_intents
from skills.knowledge import skill_texts as texts
from skills.registry import Skill, card_action
from skills.turn import Turn
from store.answers import AnswerRepository, GivenAnswer
from store.feedback import FeedbackEntry, FeedbackRepository
from store.history import HistoryRepository

log = logging.getLogger(__name__)

FEEDBACK_VERB = "answer_feedback"  # Teams' own thumbs up/down (see bot/activities.py)
TICKET_VERB = "tickets.start"  # owned by the tickets skill
HANDOFF_VERB = "handoff.start"  # owned by the handoff skill
DISLIKES_BEFORE_HANDOFF = 2
_MARKER = re.compile(r"\[\d+\]")


def escape_hatches(language: Language, question: str, answer: str = "") -> list[dict[str, Any]]:
    """The two ways on when Rakel cannot help: a ticket, or a person at Kundeservice."""
    return [
        cards.execute(texts.CREATE_TICKET(language), TICKET_VERB, {"question": question, "answer": answer[:2000]}),
        cards.execute(texts.TALK_TO_HUMAN(language), HANDOFF_VERB, {"question": question}),
    ]


def with_source_markers(answer: Answer, language: Language) -> str:
    """Teams shows citations only where the text refers to them as [n]."""
    if not answer.citations or _MARKER.search(answer.text):
        return answer.text
    markers = " ".join(f"[{position}]" for position in range(1, len(answer.citations) + 1))
    return f"{answer.text}\n\n{texts.SOURCES(language)} {markers}"


class KnowledgeSkill(Skill):
    name = "knowledge"
    intents = load_intents(__file__)

    def __init__(
        self, answerer: Answerer, history: HistoryRepository, answers: AnswerRepository, feedback: FeedbackRepository,
    ) -> None:
        self._answerer = answerer
        self._history = history
        self._answers = answers
        self._feedback = feedback

    async def on_message(self, turn: Turn, intent: str) -> None:
        question = turn.incoming.text
        history = await self._history.recent(turn.conversation_id)
        try:
            answer = await self._answerer.answer(
                question, AudienceScope(turn.user.municipality), turn.language, history
            )
        except Exception:  # noqa: BLE001 - a broken index must not leave the user without a way on
            log.exception("knowledge search failed")
            turn.note(Outcome.ERROR)
            await turn.send(
                Reply(
                    card=cards.card(
                        [cards.paragraph(texts.SEARCH_DOWN(turn.language))], escape_hatches(turn.language, question)
                    )
                )
            )
            return
        if answer.confident:
            await self._send_answer(turn, question, answer)
        else:
            await self._send_unsure(turn, question, answer)

    async def _send_answer(self, turn: Turn, question: str, answer: Answer) -> None:
        reply = Reply(
            text=with_source_markers(answer, turn.language),
            citations=answer.citations,
            ai_generated=answer.ai_generated,
            feedback=True,
        )
        activity_id = await turn.send(reply)
        turn.note(Outcome.ANSWERED, sources=tuple(c.url or c.title for c in answer.citations))
        await self._answers.save(
            GivenAnswer(
                activity_id=activity_id,
                conversation_id=turn.conversation_id,
                user_id=turn.user.id,
                question=turn.incoming.masked,
                answer=mask(answer.text),
                sources=[c.url or c.title for c in answer.citations],
            )
        )

    async def _send_unsure(self, turn: Turn, question: str, answer: Answer) -> None:
        turn.note(Outcome.ABSTAINED, question=turn.incoming.masked)
        body = [cards.paragraph(texts.NOT_SURE(turn.language))]
        if answer.text:
            body.append(cards.paragraph(texts.CLOSEST(turn.language), subtle=True))
        body.append(cards.paragraph(texts.WAYS_ON(turn.language)))
        await turn.send(Reply(card=cards.card(body, escape_hatches(turn.language, question, answer.text))))
        if answer.text:
            await turn.send(Reply(text=with_source_markers(answer, turn.language), citations=answer.citations))

    @card_action(FEEDBACK_VERB)
    async def on_thumbs(self, turn: Turn, action: CardAction) -> ActionResult:
        """A thumbs up or down (Teams' feedback loop) on one of Rakel's answers."""
        liked = action.data.get("reaction") == "like"
        comment = MaskedText(mask(str(action.data.get("comment") or ""))[:2000])
        given = await self._answers.get(action.card_activity_id or "")
        feedback = self._feedback
        await feedback.add(
            FeedbackEntry(
                id=f"{action.card_activity_id}:{turn.user.id}",
                user_id=turn.user.id,
                conversation_id=turn.conversation_id,
                kind="answer",
                rating=1 if liked else -1,
                question=given.question if given else "",
                answer=given.answer if given else "",
                sources=given.sources if given else [],
                comment=comment,
            )
        )
        turn.note(Outcome.FEEDBACK_UP if liked else Outcome.FEEDBACK_DOWN, comment=comment,
                  sources=tuple(given.sources) if given else (), question=given.question if given else "")
        if liked:
            return ActionResult()
        question = given.question if given else ""
        dislikes = await feedback.count_ratings(turn.conversation_id, -1)
        text = texts.SORRY_AGAIN if dislikes >= DISLIKES_BEFORE_HANDOFF else texts.SORRY
        hatches = escape_hatches(turn.language, question, given.answer if given else "")
        if dislikes >= DISLIKES_BEFORE_HANDOFF:
            hatches.reverse()  # a person first, after repeated misses
        await turn.send(Reply(card=cards.card([cards.paragraph(text(turn.language))], hatches)))
        return ActionResult()
