"""Split a document into chunks by section, each carrying the page title and its heading path.

A section of an IT guide ("Bytte passord på mobil") is usually the unit a user needs, so sections
are kept whole. A short section is joined with the next one (a ticket's problem and its solution,
a page's two-line introduction and its first steps), keeping the sub-heading as a bold line. A
section longer than ``MAX_CHUNK_CHARS`` is split, on paragraph boundaries first, then between
lines (list items stay whole), then between sentences.
"""

from __future__ import annotations

import re

from retrieval.model import Chunk, SourceDocument
from retrieval.text import Section, document_markdown, split_sections

MAX_CHUNK_CHARS = 1500  # about 300 words: a whole how-to section, still short enough for a Teams message
MIN_SECTION_CHARS = 400  # shorter sections are joined with the next one
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9«\"*])")


def chunk_document(document: SourceDocument, max_chars: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    chunks: list[Chunk] = []
    title = document.title.strip().casefold()
    sections = [_without_title(section, title) for section in split_sections(document_markdown(document))]
    for section in _join_short(sections, max_chars):
        for text in split_text(section.text, max_chars):
            chunks.append(
                Chunk(
                    id=f"{document.id}#{len(chunks)}",
                    document_id=document.id,
                    source=document.source,
                    url=document.url,
                    title=document.title,
                    heading_path=list(section.heading_path),
                    text=text,
                    audience=document.audience,
                    updated=document.updated,
                )
            )
    return chunks


def _without_title(section: Section, title: str) -> Section:
    """The H1 repeats the title, which every chunk carries anyway."""
    path = section.heading_path
    if path and path[0].casefold() == title:
        return Section(path[1:], section.text)
    return section


def _join_short(sections: list[Section], max_chars: int) -> list[Section]:
    joined: list[Section] = []
    for section in sections:
        previous = joined[-1] if joined else None
        if previous is None or len(previous.text) >= MIN_SECTION_CHARS:
            joined.append(section)
            continue
        common = _common_prefix(previous.heading_path, section.heading_path)
        lead = [f"**{heading}**" for heading in section.heading_path[len(common) :]]
        text = "\n\n".join([previous.text, *lead, section.text])
        if len(text) > max_chars:
            joined.append(section)
        else:
            joined[-1] = Section(common, text)
    return joined


def _common_prefix(left: tuple[str, ...], right: tuple[str, ...]) -> tuple[str, ...]:
    common = []
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        common.append(a)
    return tuple(common)


def split_text(text: str, max_chars: int) -> list[str]:
    """Pieces of at most ``max_chars``, cut at the coarsest boundary that fits."""
    if len(text) <= max_chars:
        return [text]
    for separator, units in (
        ("\n\n", re.split(r"\n\s*\n", text)),
        ("\n", text.split("\n")),
        (" ", _SENTENCE_END.split(text)),
    ):
        if len(units) > 1:
            pieces: list[str] = []
            for unit in _pack(units, separator, max_chars):
                pieces.extend(split_text(unit, max_chars) if len(unit) > max_chars else [unit])
            return pieces
    return [text[start : start + max_chars] for start in range(0, len(text), max_chars)]


def _pack(units: list[str], separator: str, max_chars: int) -> list[str]:
    """Greedily join consecutive units while the result stays within ``max_chars``."""
    packed: list[str] = []
    current = ""
    for unit in (unit.strip() for unit in units):
        if not unit:
            continue
        candidate = f"{current}{separator}{unit}" if current else unit
        if current and len(candidate) > max_chars:
            packed.append(current)
            current = unit
        else:
            current = candidate
    if current:
        packed.append(current)
    return packed
