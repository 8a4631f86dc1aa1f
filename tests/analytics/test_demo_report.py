"""The scripted demo month (demo/conversations.py) through the demo bot: every section of the report
has figures, and the «rapport» card comes back for staff."""

from __future__ import annotations

import csv

from demo.conversations import run_demo
from tests.harness import cards_of

SECTIONS = ("nokkeltall", "samtaler-per-maaned", "selvbetjening", "saker", "overforinger", "tilbakemeldinger",
            "innholdshull", "kilder", "pc-rullering", "pc-rullering-per-maaned")


async def test_the_demo_month_fills_every_section(tmp_path):
    files, replies = await run_demo(tmp_path)
    folder = files.html.parent
    for section in SECTIONS:
        with (folder / f"{section}.csv").open(encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle, delimiter=";"))
        assert len(rows) > 1 and any(cell for row in rows[1:] for cell in row[1:]), section
    assert len(files.charts) == 9
    with (folder / "pc-rullering.csv").open(encoding="utf-8-sig") as handle:
        funnel = {row[0]: row[1:5] for row in csv.reader(handle, delimiter=";")}
    assert all(int(count) > 0 for count in funnel["Totalt"]), funnel  # got the card, ordered, approved, ticket
    html = files.html.read_text(encoding="utf-8")
    assert "Kommentarer (maskert" in html and "91234567" not in html and "[telefon]" in html
    for user in ("kari.nordmann", "Kari Nordmann", "@molde.kommune.no"):
        assert user not in html
    [card] = cards_of(replies[-1])
    assert any(action["type"] == "Action.OpenUrl" for action in card["actions"])
