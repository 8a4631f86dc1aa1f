"""Between our plain text and the HTML that Pureservice keeps in descriptions, solutions and notes."""

from __future__ import annotations

import html
import re

from bs4 import BeautifulSoup

BLOCK_TAGS = ["p", "div", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table"]


def text_to_html(text: str) -> str:
    """Escaped HTML: blank lines make paragraphs, single newlines ``<br>``."""
    paragraphs = [part.strip("\n") for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return "".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)


def html_to_text(markup: str | None) -> str:
    """Readable text: one line per block or ``<br>``, list items as "- ", at most one blank line in a row."""
    if not markup:
        return ""
    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for item in soup.find_all("li"):
        item.insert_before("\n- ")
    for block in soup.find_all(BLOCK_TAGS):
        block.insert_before("\n")
        block.insert_after("\n")
    lines = [" ".join(line.split()) for line in soup.get_text().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
