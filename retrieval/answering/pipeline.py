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

# The evidence below which Rakel says it found no sure answer. The evidence of a hit is how much of
# the question it covers (0..1, see retrieval.scoring: idf-weighted, saturating for long chatty
# messages, words the index has never seen counting against it, half as much in an English question;
# a ticket judged on its problem); a backend that cannot tell gives its score instead and passes its
# own ``min_score``. Calibrated on the calibration halves (even ids) of bench/data/knowledge_questions.jsonl
# and bench/data/knowledge_dev.jsonl, pooled: ``bench/knowledge.py --set all`` prints the curve.
# 0.45 has the best abstention plus answered share there (0.94 abstention, 0.09 false abstention;
# 0.40 gives 0.88 and 0.06, 0.50 gives 0.94 and 0.11). The held-out set is never used to choose it.
MIN_CONFIDENT_SCORE = 0.45
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
    evidence: float = 0.0  # the best hit's evidence (or score), judged against ``min_score``
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
        hits = await self.search(mask(rewrite(question, history)), scope)
        extracted = self.extract(hits, language)
        if self.llm is None or not extracted.confident:
            return self.marked(extracted, language)
        grounded = await self.ground(self.llm, mask(question), history, hits, language, extracted)
        return self.marked(grounded, language)

    # --- the steps -------------------------------------------------------------------------------
    async def search(self, query: str, scope: AudienceScope) -> list[SearchHit]:
        """The hits an answer is built from, within the audiences the user may read."""
        vector = await self._embedding(query)
        return await self.index.search(query, scope, top=SEARCH_TOP, vector=vector)

    def extract(self, hits: list[SearchHit], language: Language) -> Answer:
        """The answer without an LLM: the best passages quoted and cited, judged by the best evidence."""
        if not hits:
            return Answer(text="", confident=False)
        evidence = hits[0].score if hits[0].evidence is None else hits[0].evidence
        text, cited = extractive_answer(hits, language)
        confident = bool(text) and evidence >= self.min_score
        return Answer(text, list(cited.values()), confident, evidence=evidence, document_ids=list(cited))

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
                extracted.text, extracted.citations, evidence=extracted.evidence, document_ids=extracted.document_ids
            )
        text, cited = cited_reply(reply.text, sources, language)
        return Answer(text, list(cited.values()), True, True, extracted.evidence, list(cited))

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


def rewrite(question: str, history: Sequence[ConversationTurn]) -> str:
    """Step 1: what to search for (chatter out; a follow-up led by the previous question)."""
    return search_query(question, history)
