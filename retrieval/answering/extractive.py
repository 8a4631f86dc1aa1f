"""The answer without an LLM: the best passage(s) quoted as they stand (steps kept), with title and link.

A resolved ticket is quoted by its solution under a line that says it is an earlier case ("En lignende
sak er løst tidligere, «Skriveren skriver tomme ark». Slik ble den løst:"), and never linked.
"""

from __future__ import annotations

import re

from core.language import Language
from core.messages import Citation
from retrieval.answering.cite import citation, is_ticket, page_title, quote, source_title, source_url
from retrieval.answering.passages import passage_score, question_forms
from retrieval.answering.texts import ALSO_IN, ALSO_IN_CASE, FOUND_IN, FOUND_IN_CASE, READ_MORE
from retrieval.model import Chunk, SearchHit

MAX_PASSAGES = 2
SAME_PAGE_RATIO = 0.5  # another section of the same page is quoted when it scores this share of the best
OTHER_PAGE_RATIO = 0.8  # a section of another page only when it scores this share
MAX_CITATIONS = 3
RELATED_RATIO = 0.75  # further documents scoring this share of the best are listed as sources too
# A best section without numbered steps (a page's introduction) is followed by the page's section
# with steps when that scores this share of the best: people asking "hvordan" want the steps.
STEPS_RATIO = 0.3
# Within the best page, a section scoring this share of the best is re-scored by its best sentence
# (retrieval.answering.passages), and the one that holds most of the question is quoted first.
RESCORE_RATIO = 0.3
_STEP = re.compile(r"^\s*\d+[.)]\s", re.MULTILINE)


def extractive_answer(hits: list[SearchHit], language: Language, question: str = "") -> tuple[str, dict[str, Citation]]:
    """Markdown quoting the passages, and the citations by document id: quoted documents first, then
    close runners-up."""
    if not hits:
        return "", {}
    passages = choose_passages(hits, question)
    if not passages:
        return "", citations_for(passages, hits, language)
    blocks: list[str] = []
    for position, hit in enumerate(passages):
        chunk = hit.chunk
        same_document = position > 0 and chunk.document_id == passages[0].chunk.document_id
        if not same_document:
            blocks.append(_lead(chunk, first=position == 0, language=language))
        if chunk.heading_path and not is_ticket(chunk):
            blocks.append(f"**{chunk.heading_path[-1]}**")
        blocks.append(quote(chunk))
    linked = {}
    for hit in passages:
        if (url := source_url(hit.chunk)) and url not in linked:
            linked[url] = READ_MORE(language, title=source_title(hit.chunk, language), url=url)
    blocks.extend(linked.values())
    return "\n\n".join(blocks), citations_for(passages, hits, language)


def _lead(chunk: Chunk, *, first: bool, language: Language) -> str:
    if is_ticket(chunk):
        return (FOUND_IN_CASE if first else ALSO_IN_CASE)(language, title=page_title(chunk))
    return (FOUND_IN if first else ALSO_IN)(language, title=source_title(chunk, language))


def choose_passages(hits: list[SearchHit], question: str = "") -> list[SearchHit]:
    """The best section, and the runner-up that clears its bar by the widest margin: a section of the
    same page needs ``SAME_PAGE_RATIO`` of the best score (a guide's steps often continue in the next
    section), one of another page ``OTHER_PAGE_RATIO``. A best section without numbered steps is
    followed by its page's section with steps first (``STEPS_RATIO``). A piece of a ticket without its
    solution has nothing to quote and is passed over. With the question, the best page's sections
    scoring ``RESCORE_RATIO`` of the best are re-scored by their best sentence, and the winner comes
    first (the page stays the index's choice)."""
    quotable = [hit for hit in hits if quote(hit.chunk)]
    if not quotable:
        return []
    top = quotable[0]
    best = best_section(quotable, question) if question else top
    others = [hit for hit in quotable if hit is not best]

    def same_page(hit: SearchHit) -> bool:
        return hit.chunk.document_id == best.chunk.document_id

    def clearance(hit: SearchHit) -> float:
        return hit.score / ((SAME_PAGE_RATIO if same_page(hit) else OTHER_PAGE_RATIO) * top.score)

    runners_up = sorted((hit for hit in others if clearance(hit) >= 1.0), key=clearance, reverse=True)
    if not has_steps(best.chunk.text):
        steps = [
            hit
            for hit in others
            if same_page(hit) and has_steps(hit.chunk.text) and hit.score >= STEPS_RATIO * top.score
        ]
        runners_up = [*steps[:1], *runners_up]
    return [best, *runners_up[: MAX_PASSAGES - 1]]


def best_section(quotable: list[SearchHit], question: str) -> SearchHit:
    """The section of the best hit's page whose best sentence holds most of the question (ties: the
    index's order)."""
    top = quotable[0]
    forms = question_forms(question)
    candidates = [
        hit
        for hit in quotable
        if hit.chunk.document_id == top.chunk.document_id and hit.score >= RESCORE_RATIO * top.score
    ]
    if not forms or len(candidates) < 2:
        return top
    return max(candidates, key=lambda hit: passage_score(question, forms, hit.chunk))


def has_steps(markdown: str) -> bool:
    return bool(_STEP.search(markdown))


def citations_for(passages: list[SearchHit], hits: list[SearchHit], language: Language) -> dict[str, Citation]:
    best = hits[0].score
    documents: dict[str, Citation] = {}
    for hit in [*passages, *(hit for hit in hits if hit.score >= RELATED_RATIO * best and quote(hit.chunk))]:
        if hit.chunk.document_id not in documents and len(documents) < MAX_CITATIONS:
            documents[hit.chunk.document_id] = citation(hit.chunk, language)
    return documents
