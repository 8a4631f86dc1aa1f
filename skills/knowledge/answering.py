"""Answer an IT question from the index: search within the user's audiences, judge the evidence, then
quote the best passages (no LLM) or let the LLM write a short grounded answer with citations.

The knowledge skill calls ``Answerer.answer``. When ``confident`` is False the evidence was weak:
the skill says it found no sure answer and offers a ticket or a human; ``text`` then holds the best
passage as a suggestion (empty when nothing matched at all). No LLM is asked in that case, and an
LLM that fails or finds that its sources do not answer falls back to, or is judged like, the same.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.language import Language
from core.messages import Citation
from core.ports import Llm, LlmError
from retrieval.model import AudienceScope, SearchHit, SearchIndex
from skills.knowledge.extractive import extractive_answer
from skills.knowledge.followup import ConversationTurn, search_query
from skills.knowledge.grounded import cited_reply, grounded_messages, masked, says_no_answer

log = logging.getLogger(__name__)

# The best hit's score below which Rakel says it found no sure answer. LocalIndex scores are
# BM25 over the question's total idf, softened by the share of the question the chunk covers
# (see retrieval.scoring), so a fixed threshold means "covers enough of the question".
# Calibrated with bench/knowledge.py on bench/data/knowledge_questions.jsonl (108 answerable,
# 20 unanswerable): 0.55 maximises abstention accuracy on the unanswerable questions plus the
# answered share of the answerable ones (1.00 + 0.78 in the sweep the benchmark prints; 0.50
# gives 0.85 + 0.84, 0.60 gives 1.00 + 0.75). Other backends have other score scales and pass
# their own ``min_score``.
MIN_CONFIDENT_SCORE = 0.55
SEARCH_TOP = 6
MAX_LLM_SOURCES = 4
LLM_SOURCE_RATIO = 0.5  # sources for the LLM: hits scoring at least this share of the best
LLM_MAX_TOKENS = 500


@dataclass
class Answer:
    text: str  # Markdown; citation markers [n] refer to ``citations`` (LLM answers)
    citations: list[Citation] = field(default_factory=list)
    confident: bool = False
    ai_generated: bool = False
    top_score: float = 0.0


class Answerer:
    def __init__(
        self,
        index: SearchIndex,
        llm: Llm | None = None,
        *,
        embedder: Llm | None = None,
        min_score: float = MIN_CONFIDENT_SCORE,
    ) -> None:
        self.index = index
        self.llm = llm
        self.embedder = embedder
        self.min_score = min_score

    async def answer(
        self,
        question: str,
        scope: AudienceScope,
        language: Language = Language.BOKMAAL,
        history: Sequence[ConversationTurn] = (),
    ) -> Answer:
        hits = await self.search(question, scope, history)
        if not hits:
            return Answer(text="", confident=False)
        top_score = hits[0].score
        text, citations = extractive_answer(hits, language)
        extractive = Answer(text, citations, confident=top_score >= self.min_score, top_score=top_score)
        if self.llm is None or not extractive.confident:
            return extractive
        return await self._generate(self.llm, question, history, hits, language, extractive)

    async def search(
        self, question: str, scope: AudienceScope, history: Sequence[ConversationTurn] = ()
    ) -> list[SearchHit]:
        """The hits the answer is built from; the query carries the subject of a follow-up along."""
        query = masked(search_query(question, history))
        vector = await self._embedding(query)
        return await self.index.search(query, scope, top=SEARCH_TOP, vector=vector)

    async def _embedding(self, query: str) -> list[float] | None:
        if self.embedder is None:
            return None
        try:
            return (await self.embedder.embed([query]))[0]
        except LlmError as error:
            log.warning("query embedding failed, searching without vectors: %s", error)
            return None

    async def _generate(
        self,
        llm: Llm,
        question: str,
        history: Sequence[ConversationTurn],
        hits: list[SearchHit],
        language: Language,
        extractive: Answer,
    ) -> Answer:
        best = hits[0].score
        sources = [hit for hit in hits if hit.score >= LLM_SOURCE_RATIO * best][:MAX_LLM_SOURCES]
        try:
            reply = await llm.chat(grounded_messages(question, history, sources, language), max_tokens=LLM_MAX_TOKENS)
        except LlmError as error:
            log.warning("LLM answer failed, answering extractively: %s", error)
            return extractive
        if not reply.text.strip():
            log.warning("LLM gave an empty answer, answering extractively")
            return extractive
        if says_no_answer(reply.text):
            return Answer(extractive.text, extractive.citations, confident=False, top_score=best)
        text, citations = cited_reply(reply.text, sources, language)
        return Answer(text, citations, confident=True, ai_generated=True, top_score=best)
