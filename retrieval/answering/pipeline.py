"""The answering pipeline: rewrite → mask → search → extract or ground → cite (see the package doc).

``Answerer.answer`` runs the steps in order. When ``confident`` is False the evidence was weak: the
knowledge skill says it found no sure answer and offers a ticket or a human; ``text`` then holds the
best passage as a suggestion (empty when nothing matched at all). No LLM is asked in that case, and
an LLM that fails or finds that its sources do not answer falls back to, or is judged like, the same.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from core.language import Language
from core.messages import Citation
from core.pii import MaskedText, mask
from core.ports import Llm, LlmError
from core.settings import DEFAULT_LINK_DOMAINS
from retrieval.answering.extractive import extractive_answer
from retrieval.answering.followup import ConversationTurn, search_query
from retrieval.answering.grounded import cited_reply, grounded_messages, says_no_answer
from retrieval.answering.links import mark_outside_links
from retrieval.model import AudienceScope, SearchHit, SearchIndex

log = logging.getLogger(__name__)

# The confidence below which Rakel says it found no sure answer. The confidence of the best hit is the
# calibrated probability that it answers the question (retrieval.confidence: the hit's evidence, its best
# sentence, the share of the question's words it holds, its margin over other documents, ...); a
# backend that cannot tell gives the hit's evidence (how much of the question it covers, 0..1) or its
# score instead, and may pass its own ``min_score``. Read from the cross-validated curve of
# ``bench/calibrate.py`` (demo, dev, heldout and heldout3 pooled, five folds): the most abstention on
# unanswerable questions with false abstention within 0.075 (its MAX_FALSE_ABSTENTION): 0.55 gives 0.850
# and 0.075 there, 0.50 gave 0.822 and 0.055; a set kept clean is never used to choose it.
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
    confidence: float = 0.0  # the best hit's confidence (or evidence, or score), judged against ``min_score``
    document_ids: list[str] = field(default_factory=list)  # the documents cited, in the order of ``citations``


class Answerer:
    def __init__(
        self,
        index: SearchIndex,
        llm: Llm | None = None,
        *,
        embedder: Llm | None = None,
        min_score: float = MIN_CONFIDENT_SCORE,
        allowed_domains: Sequence[str] = DEFAULT_LINK_DOMAINS,
    ) -> None:
        self.index = index
        self.llm = llm
        self.embedder = embedder
        self.min_score = min_score
        self.allowed_domains = tuple(allowed_domains)

    async def answer(
        self,
        question: str,
        scope: AudienceScope,
        language: Language = Language.BOKMAAL,
        history: Sequence[ConversationTurn] = (),
    ) -> Answer:
        # the mask step (core.pii), after the rewrite that reads sign-offs and names: what leaves this
        # method for the index or the LLM is MaskedText
        query = mask(rewrite(question, history))
        hits = await self.search(query, scope)
        extracted = self.extract(hits, language, query)
        if self.llm is None or not extracted.confident:
            return self.marked(extracted, language)
        grounded = await self.ground(self.llm, mask(question), history, hits, language, extracted)
        return self.marked(grounded, language)

    # --- the steps -------------------------------------------------------------------------------
    async def search(self, query: str, scope: AudienceScope) -> list[SearchHit]:
        """The hits an answer is built from, within the audiences the user may read."""
        vector = await self._embedding(query)
        return await self.index.search(query, scope, top=SEARCH_TOP, vector=vector)

    def extract(self, hits: list[SearchHit], language: Language, query: str = "") -> Answer:
        """The answer without an LLM: the best passages for the query quoted and cited, judged by the
        best hit's confidence."""
        if not hits:
            return Answer(text="", confident=False)
        confidence = judged_confidence(hits[0])
        text, cited = extractive_answer(hits, language, query)
        confident = bool(text) and confidence >= self.min_score
        return Answer(text, list(cited.values()), confident, confidence=confidence, document_ids=list(cited))

    async def ground(
        self,
        llm: Llm,
        question: MaskedText,
        history: Sequence[ConversationTurn],
        hits: list[SearchHit],
        language: Language,
        extracted: Answer,
    ) -> Answer:
        """The LLM's short answer from numbered sources, with its [n] cited; the extract when it fails."""
        best = hits[0].score
        sources = [hit for hit in hits if hit.score >= LLM_SOURCE_RATIO * best][:MAX_LLM_SOURCES]
        try:
            reply = await llm.chat(grounded_messages(question, history, sources, language), max_tokens=LLM_MAX_TOKENS)
        except LlmError as error:
            log.warning("LLM answer failed, answering extractively: %s", error)
            return extracted
        if not reply.text.strip():
            log.warning("LLM gave an empty answer, answering extractively")
            return extracted
        if says_no_answer(reply.text):
            return Answer(
                extracted.text, extracted.citations, confidence=extracted.confidence, document_ids=extracted.document_ids
            )
        text, cited = cited_reply(reply.text, sources, language)
        return Answer(text, list(cited.values()), True, True, extracted.confidence, list(cited))

    def marked(self, answer: Answer, language: Language) -> Answer:
        """The last touch of the cite step: a link outside the allow-list is marked, in the text and
        in the citations' snippets, whichever path wrote them."""
        return replace(
            answer,
            text=mark_outside_links(answer.text, self.allowed_domains, language),
            citations=[
                replace(c, snippet=mark_outside_links(c.snippet, self.allowed_domains, language))
                for c in answer.citations
            ],
        )

    async def _embedding(self, query: str) -> list[float] | None:
        if self.embedder is None:
            return None
        try:
            return (await self.embedder.embed([query]))[0]
        except LlmError as error:
            log.warning("query embedding failed, searching without vectors: %s", error)
            return None


def judged_confidence(hit: SearchHit) -> float:
    """What the threshold judges: the hit's calibrated confidence, else its evidence, else its score."""
    if hit.confidence is not None:
        return hit.confidence
    return hit.score if hit.evidence is None else hit.evidence


def rewrite(question: str, history: Sequence[ConversationTurn]) -> str:
    """Step 1: what to search for (chatter out; a follow-up led by the previous question)."""
    return search_query(question, history)
