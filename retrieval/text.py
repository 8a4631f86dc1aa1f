"""Page text as Markdown: HTML cleaned to headings, paragraphs and lists; Markdown split into sections.

Everything downstream (chunking, the extractive answer, the LLM prompt) works on Markdown, so the
structure that matters for IT guides survives: headings give context, numbered steps stay numbered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from retrieval.model import SourceDocument

_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "form", "button", "svg", "iframe")
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_BLOCKS = ("html", "body", "p", "div", "section", "article", "main", "blockquote", "pre", "figure", "dl")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_ATX_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS_MARKS = ("*", "_", "`")


@dataclass(frozen=True)
class Section:
    heading_path: tuple[str, ...]  # headings above this text, outermost first (the H1 included)
    text: str  # Markdown without the heading line


def document_markdown(document: SourceDocument) -> str:
    if document.body_format == "html":
        return html_to_markdown(document.body)
    return document.body.replace("\r\n", "\n")


def html_to_markdown(html: str) -> str:
    """Readable Markdown from an HTML page or SharePoint web part: headings, paragraphs, lists, tables."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    blocks: list[str] = []
    _emit_blocks(soup, blocks)
    text = "\n\n".join(block for block in blocks if block.strip())
    return _BLANK_LINES.sub("\n\n", text).strip()


def _emit_blocks(node: Tag, blocks: list[str]) -> None:
    """Walk the tree, turning block elements into Markdown blocks and gathering inline text between them."""
    inline: list[str] = []

    def flush() -> None:
        text = _SPACES.sub(" ", "".join(inline)).strip()
        if text:
            blocks.append(text)
        inline.clear()

    for child in node.children:
        if isinstance(child, Comment):  # kept as a Markdown comment: retrieval.injection screens and drops it
            inline.append(f"<!--{child}-->")
            continue
        if isinstance(child, NavigableString):
            inline.append(str(child).replace("\n", " "))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name in _HEADINGS:
            flush()
            blocks.append(f"{'#' * _HEADINGS[name]} {_inline_text(child)}")
        elif name in ("ul", "ol"):
            flush()
            blocks.append(_list_markdown(child, depth=0))
        elif name == "table":
            flush()
            blocks.append(_table_markdown(child))
        elif name == "br":
            inline.append("\n")
        elif name in _BLOCKS or _has_blocks(child):
            flush()
            _emit_blocks(child, blocks)
        else:
            inline.append(_inline_text(child, keep_spaces=True))
    flush()


def _has_blocks(tag: Tag) -> bool:
    return tag.find(list(_HEADINGS) + ["p", "div", "ul", "ol", "table"]) is not None


def _inline_text(tag: Tag, keep_spaces: bool = False) -> str:
    text = tag.get_text(" " if not keep_spaces else "")
    if tag.name in ("strong", "b") and text.strip():
        return f"**{text.strip()}**"
    text = _SPACES.sub(" ", text.replace("\n", " "))
    return text if keep_spaces else text.strip()


def _list_markdown(tag: Tag, depth: int) -> str:
    lines = []
    ordered = tag.name == "ol"
    for number, item in enumerate(tag.find_all("li", recursive=False), start=1):
        nested = [child for child in item.find_all(("ul", "ol"), recursive=False)]
        for child in nested:
            child.extract()
        marker = f"{number}." if ordered else "-"
        text = _SPACES.sub(" ", item.get_text(" ")).strip()
        lines.append(f"{'   ' * depth}{marker} {text}")
        lines.extend(_list_markdown(child, depth + 1) for child in nested)
    return "\n".join(lines)


def _table_markdown(tag: Tag) -> str:
    rows = []
    for row in tag.find_all("tr"):
        cells = [_SPACES.sub(" ", cell.get_text(" ")).strip() for cell in row.find_all(("th", "td"))]
        if any(cells):
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def split_sections(markdown: str) -> list[Section]:
    """Sections of a Markdown text at its ATX headings (fenced code is never taken for a heading)."""
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    lines: list[str] = []
    in_fence = False

    def close() -> None:
        text = "\n".join(lines).strip()
        if text:
            sections.append(Section(tuple(title for _, title in path), text))
        lines.clear()

    for line in markdown.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _ATX_HEADING.match(line)
        if heading is None:
            lines.append(line)
            continue
        close()
        level = len(heading.group(1))
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, plain_text(heading.group(2))))
    close()
    return sections


def plain_text(markdown: str) -> str:
    """Markdown without link targets and emphasis marks (for snippets and for the analyser)."""
    text = _LINK.sub(r"\1", markdown) if "](" in markdown else markdown
    if not any(mark in text for mark in _EMPHASIS_MARKS):
        return text  # nothing to take away (most chunks: ingest speed)
    previous = None
    while previous != text:
        previous, text = text, _EMPHASIS.sub(r"\2", text)
    return text
