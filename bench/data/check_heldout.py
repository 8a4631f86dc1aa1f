"""Check a held-out knowledge set (bench/data/heldout, heldout3, heldout4, heldout5) for data errors.

Run: python bench/data/check_heldout.py [heldout5|heldout4|heldout3|heldout ...]   (exit code 0 when everything holds)

It checks the data only, never Rakel's answers:
- every page has the agreed front matter and a '#' title, an id equal to its file name, and a source and
  audience that fit its folder (intranet pages are named ``<municipality>-<topic>.md`` and are for that
  municipality);
- every ticket has the fields bench/knowledge.py reads and a category the fake Pureservice knows;
- every question has the fields and a known kind and language; every expected id exists and is visible to
  the asker's municipality; every must_mention string occurs in every expected source (a page's title and
  text, a ticket's subject and solution); unanswerable questions expect nothing;
- every planted personal-data string and planted instruction occurs somewhere in the set's pages or tickets,
  and never in a question.

No third-party packages are needed.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent
FRONT_MATTER_KEYS = ["id", "title", "url", "source", "audience", "updated"]
MUNICIPALITIES = {"molde", "aukra", "hustadvika", "rauma", "vestnes"}
KINDS = {"paraphrase", "typo", "nynorsk", "english", "municipality", "ticket", "unanswerable", "wrong_municipality"}
UNANSWERABLE_KINDS = {"unanswerable", "wrong_municipality"}
LANGUAGES = {"nb", "nn", "en"}
CATEGORIES = {
    "Tilgang og pålogging", "Passord og låst konto", "E-post, Teams og Microsoft 365", "PC og utstyr",
    "Programvare", "Utskrift", "Fjerntilgang", "Telefon og mobil", "Rådgivning", "Sikkerhet",
}
TICKET_KEYS = ["id", "subject", "requester", "category", "local_to", "description", "solution"]
QUESTION_KEYS = ["id", "question", "municipality", "expected", "must_mention", "kind", "language"]


def front_matter(text: str) -> tuple[list[tuple[str, str]], str]:
    if not text.startswith("---\n") or (end := text.find("\n---\n", 4)) < 0:
        return [], text
    pairs = []
    for line in text[4:end].splitlines():
        key, _, value = line.partition(":")
        value = value.strip()
        if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
            value = value[1:-1]
        pairs.append((key.strip(), value))
    return pairs, text[end + 5 :]


def plain(markdown: str) -> str:
    return re.sub(r"[*_`]", "", markdown)


def plain_html(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def check_pages(root: Path, errors: list[str]) -> dict[str, tuple[str, str]]:
    """Page id -> (audience, searchable text)."""
    pages: dict[str, tuple[str, str]] = {}
    for path in sorted((root / "corpus").rglob("*.md")):
        pairs, body = front_matter(path.read_text(encoding="utf-8"))
        meta = dict(pairs)
        if [key for key, _ in pairs] != FRONT_MATTER_KEYS:
            errors.append(f"{path.name}: front matter keys {[key for key, _ in pairs]}")
            continue
        folder = path.parent.name
        if meta["id"] != path.stem or meta["id"] in pages:
            errors.append(f"{path.name}: id {meta['id']!r} differs from the file name or repeats")
        if not re.search(r"^# ", body, re.M):
            errors.append(f"{path.name}: needs a '#' title")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["updated"]):
            errors.append(f"{path.name}: updated {meta['updated']!r}")
        if folder == "kompetanseportalen":
            if (meta["source"], meta["audience"]) != ("kompetanseportalen", "all"):
                errors.append(f"{path.name}: Kompetanseportalen pages are source kompetanseportalen, audience all")
        elif folder == "intranett":
            municipality = path.stem.split("-")[0]
            if municipality not in MUNICIPALITIES or (meta["source"], meta["audience"]) != ("intranet", municipality):
                errors.append(f"{path.name}: intranet pages are named <municipality>-… and are for that municipality")
            if not meta["url"].startswith(f"https://{municipality}.sharepoint.com/"):
                errors.append(f"{path.name}: url should be on {municipality}.sharepoint.com")
        else:
            errors.append(f"{path.name}: unknown folder {folder!r}")
        pages[meta["id"]] = (meta["audience"], plain(f"{meta['title']}\n{body}"))
    return pages


def check_tickets(root: Path, errors: list[str]) -> tuple[dict[str, tuple[str, str]], str]:
    """``pureservice:<id>`` -> ("all", subject and solution); and the raw file with the requesters' names."""
    raw = (root / "pureservice" / "tickets.json").read_text(encoding="utf-8")
    tickets: dict[str, tuple[str, str]] = {}
    requesters: list[str] = []
    for ticket in json.loads(raw)["tickets"]:
        if list(ticket) != TICKET_KEYS:
            errors.append(f"ticket {ticket.get('id')}: keys {list(ticket)}")
            continue
        key = f"pureservice:{ticket['id']}"
        if key in tickets:
            errors.append(f"ticket {ticket['id']} repeats")
        if ticket["category"] not in CATEGORIES:
            errors.append(f"ticket {ticket['id']}: unknown category {ticket['category']!r}")
        if ticket["local_to"] not in MUNICIPALITIES | {""}:
            errors.append(f"ticket {ticket['id']}: local_to {ticket['local_to']!r}")
        if len(ticket["requester"]) != 3 or "@" not in ticket["requester"][2]:
            errors.append(f"ticket {ticket['id']}: requester is [first, last, email]")
        if not plain_html(ticket["solution"]).strip():
            errors.append(f"ticket {ticket['id']}: no solution")
        tickets[key] = ("all", f"{ticket['subject']}\n{plain_html(ticket['solution'])}")
        requesters.append(" ".join(ticket["requester"][:2]))
    return tickets, raw + "\n".join(requesters)


def check_questions(root: Path, sources: dict[str, tuple[str, str]], errors: list[str]) -> list[dict]:
    questions = []
    seen: set[str] = set()
    for n, line in enumerate((root / "questions.jsonl").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        q = json.loads(line)
        where = f"questions.jsonl:{n} ({q.get('id')})"
        if sorted(q) != sorted(QUESTION_KEYS):
            errors.append(f"{where}: keys {sorted(q)}")
            continue
        if q["id"] in seen:
            errors.append(f"{where}: duplicate id")
        seen.add(q["id"])
        if q["kind"] not in KINDS or q["language"] not in LANGUAGES or q["municipality"] not in MUNICIPALITIES:
            errors.append(f"{where}: kind, language or municipality unknown")
        if q["kind"] in UNANSWERABLE_KINDS:
            if q["expected"] or q["must_mention"]:
                errors.append(f"{where}: unanswerable questions expect nothing")
        elif not q["expected"] or not 1 <= len(q["must_mention"]) <= 3:
            errors.append(f"{where}: an answerable question needs expected sources and 1-3 must_mention terms")
        if q["kind"] == "ticket" and not all(e.startswith("pureservice:") for e in q["expected"]):
            errors.append(f"{where}: ticket questions expect pureservice:<id>")
        for doc_id in q["expected"]:
            if doc_id not in sources:
                errors.append(f"{where}: expected {doc_id!r} does not exist")
                continue
            audience, text = sources[doc_id]
            if audience not in ("all", q["municipality"]):
                errors.append(f"{where}: {doc_id} is not visible to {q['municipality']}")
            for term in q["must_mention"]:
                if term.casefold() not in text.casefold():
                    errors.append(f"{where}: {term!r} not found in {doc_id}")
        questions.append(q)
    return questions


def check(root: Path) -> list[str]:
    """The data errors of the set in folder ``root`` (empty when it holds)."""
    name = root.name
    errors: list[str] = []
    pages = check_pages(root, errors)
    tickets, raw_tickets = check_tickets(root, errors)
    questions = check_questions(root, {**pages, **tickets}, errors)
    everything = ("\n".join(text for _, text in pages.values()) + raw_tickets).casefold()
    asked = "\n".join(q["question"] for q in questions).casefold()
    for listing in ("PLANTED_PII.txt", "PLANTED_INSTRUCTIONS.txt"):
        for line in (root / listing).read_text(encoding="utf-8").splitlines():
            if line.strip() and line.strip().casefold() not in everything:
                errors.append(f"{listing}: {line.strip()!r} occurs in no page or ticket")
            if line.strip() and line.strip().casefold() in asked:
                errors.append(f"{listing}: {line.strip()!r} occurs in a question")
    answerable = sum(bool(q["expected"]) for q in questions)
    print(f"{name}: {len(pages)} pages, {len(tickets)} tickets, {len(questions)} questions ({answerable} answerable)")
    return [f"{name}: {error}" for error in errors]


def main(names: list[str]) -> int:
    errors = [error for name in names or ["heldout5"] for error in check(DATA / name)]
    for error in errors:
        print("  -", error, file=sys.stderr)
    print("OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
