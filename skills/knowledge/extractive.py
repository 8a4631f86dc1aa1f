"""The answer without an LLM: the best passage(s) quoted as they stand (steps kept), with title and link."""

from __future__ import annotations

from core.language import Language
from core.messages import Citation
from retrieval.model import SearchHit
from skills.knowledge.answer_texts import ALSO_IN, FOUND_IN, READ_MORE
from skills.knowledge.sources import citation, source_title, source_url

MAX_PASSAGES = 2
SAME_PAGE_RATIO = 0.5  # another section of the same page is quoted when it scores this share of the best
OTHER_PAGE_RATIO = 0.8  # a section of another page only when it scores this share
MAX_CITATIONS = 3
RELATED_RATIO = 0.75  # further documents scoring this share of the best are listed as sources too


def extractive_answer(hits: list[SearchHit], language: Language) -> tuple[str, list[Citation]]:
    """Markdown quoting the passages, and the citations: quoted documents first, then close runners-up."""
    if not hits:
        return "", []
    passages = choose_passages(hits)
    blocks: list[str] = []
    for position, hit in enumerate(passages):
        title = source_title(hit.chunk, language)
        same_document = position > 0 and hit.chunk.document_id == passages[0].chunk.document_id
        if position == 0:
            blocks.append(FOUND_IN(language, title=title))
        elif not same_document:
            blocks.append(ALSO_IN(language, title=title))
        if hit.chunk.heading_path:
            blocks.append(f"**{hit.chunk.heading_path[-1]}**")
        blocks.append(hit.chunk.text.strip())
    linked = {}
    for hit in passages:
        if (url := source_url(hit.chunk)) and url not in linked:
            linked[url] = READ_MORE(language, title=source_title(hit.chunk, language), url=url)
    blocks.extend(linked.values())
    return "\n\n".join(blocks), citations_for(passages, hits, language)


def choose_passages(hits: list[SearchHit]) -> list[SearchHit]:
    """The best section, and further sections that score close to it: a section of the same page
    more readily (a guide's steps often continue in the next section) than one of another page."""
    best = hits[0]
    chosen = [best]
    for hit in hits[1:]:
        if len(chosen) >= MAX_PASSAGES:
            break
        same_page = hit.chunk.document_id == best.chunk.document_id
        if hit.score >= (SAME_PAGE_RATIO if same_page else OTHER_PAGE_RATIO) * best.score:
            chosen.append(hit)
    return chosen


def citations_for(passages: list[SearchHit], hits: list[SearchHit], language: Language) -> list[Citation]:
    best = hits[0].score
    documents: dict[str, Citation] = {}
    for hit in [*passages, *(hit for hit in hits if hit.score >= RELATED_RATIO * best)]:
        if hit.chunk.document_id not in documents and len(documents) < MAX_CITATIONS:
            documents[hit.chunk.document_id] = citation(hit.chunk, language)
    return list(documents.values())
