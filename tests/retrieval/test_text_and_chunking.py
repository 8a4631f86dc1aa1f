from __future__ import annotations

from retrieval.chunking import MAX_CHUNK_CHARS, chunk_document, split_text
from retrieval.text import html_to_markdown, split_sections
from tests.retrieval.pages import CHANGE_PASSWORD, PRINTER_QUEUE, page

SHAREPOINT_HTML = """
<html><head><title>x</title><script>alert('x')</script></head><body>
<nav><a href="/">Hjem</a> | <a href="/om">Om oss</a></nav>
<h1>Legge til skriver</h1>
<p>Slik legger du til en <strong>follow-me-skriver</strong>.</p>
<h2>På PC</h2>
<ol><li>Åpne <b>Innstillinger</b>.</li><li>Velg skriver:<ul><li>HK-FollowMe</li><li>SK-FollowMe</li></ul></li></ol>
<table><tr><th>Sted</th><th>Skriver</th></tr><tr><td>Rådhuset</td><td>HK-FollowMe</td></tr></table>
<footer>© Kommunen</footer>
</body></html>
"""


def test_html_keeps_headings_lists_and_tables_and_drops_chrome() -> None:
    markdown = html_to_markdown(SHAREPOINT_HTML)

    assert "# Legge til skriver" in markdown
    assert "## På PC" in markdown
    assert "1. Åpne **Innstillinger** ." in markdown or "1. Åpne Innstillinger ." in markdown
    assert "2. Velg skriver:" in markdown
    assert "   - HK-FollowMe" in markdown  # the nested list stays nested under its step
    assert "| Rådhuset | HK-FollowMe |" in markdown
    assert "**follow-me-skriver**" in markdown
    for chrome in ("alert", "Om oss", "© Kommunen"):
        assert chrome not in markdown


def test_sections_carry_their_heading_path() -> None:
    sections = split_sections(
        "# A\n\nintro\n\n## B\n\ntext b\n\n### C\n\ntext c\n\n## D\n\n```\n# not a heading\n```\n"
    )

    assert [(s.heading_path, s.text.split("\n")[0]) for s in sections] == [
        (("A",), "intro"),
        (("A", "B"), "text b"),
        (("A", "B", "C"), "text c"),
        (("A", "D"), "```"),
    ]


def test_chunks_are_sections_with_title_and_heading_path() -> None:
    chunks = chunk_document(page("kp-passord", "Bytte passord", CHANGE_PASSWORD))

    assert {chunk.title for chunk in chunks} == {"Bytte passord"}
    # the short introduction is joined with the first section, whose heading stays as a bold line
    assert [chunk.heading_path for chunk in chunks] == [[], ["Bytte passord på mobil"]]
    assert all(chunk.id == f"kp-passord#{n}" for n, chunk in enumerate(chunks))
    pc_chunk = chunks[0]
    assert pc_chunk.text.startswith("Passordet gjelder") and "**Bytte passord på PC**" in pc_chunk.text
    # the numbered steps survive whole and in order
    assert "2. Trykk **Ctrl+Alt+Del**.\n3. Velg **Endre et passord**.\n4. Skriv" in pc_chunk.text
    mobile = next(chunk for chunk in chunks if "mysignins" in chunk.text)
    assert mobile.heading_path == ["Bytte passord på mobil"]
    assert "Ctrl+Alt+Del" not in mobile.text


def test_a_short_introduction_is_joined_with_the_next_section() -> None:
    chunks = chunk_document(page("kp-ko", "Skriverkøen henger", PRINTER_QUEUE))

    assert len(chunks) == 1
    assert chunks[0].heading_path == []
    assert "henger skriverkøen" in chunks[0].text
    assert "**Tømme køen**" in chunks[0].text  # the joined section keeps its heading as a bold line
    assert "4. Start PC-en på nytt." in chunks[0].text


def test_a_long_section_is_split_on_paragraph_boundaries() -> None:
    paragraphs = [f"Avsnitt {n}. " + "Dette er en lang forklaring om utskrift. " * 12 for n in range(8)]
    body = "# Lang side\n\n## Mye tekst\n\n" + "\n\n".join(paragraphs)
    chunks = chunk_document(page("lang", "Lang side", body))

    assert len(chunks) > 1
    assert all(len(chunk.text) <= MAX_CHUNK_CHARS for chunk in chunks)
    assert all(chunk.heading_path == ["Mye tekst"] for chunk in chunks)
    for chunk in chunks:  # no paragraph is cut in the middle
        assert chunk.text.startswith("Avsnitt ")
    assert "".join(chunk.text for chunk in chunks).count("Avsnitt ") == 8


def test_an_overlong_paragraph_is_split_between_sentences() -> None:
    text = " ".join(f"Setning nummer {n} handler om skrivere." for n in range(200))
    pieces = split_text(text, 300)

    assert all(len(piece) <= 300 for piece in pieces)
    assert all(piece.endswith(".") for piece in pieces)
