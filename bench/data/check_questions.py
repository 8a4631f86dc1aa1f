"""Check the labelled knowledge questions against the demo corpus and the demo tickets.

Run: python bench/data/check_questions.py   (exit code 0 when everything holds)

What it checks
- every Markdown page under demo/corpus has exactly the agreed front matter keys, a unique id,
  a source and audience that fit its folder, and (Kompetanseportalen) 150-500 words;
- demo/pureservice/resolved_tickets.json has the Pureservice envelope, and every planted personal
  data string in PLANTED_PII.txt occurs in it but never in the corpus or the questions;
- every question parses, has a unique id and valid fields; every expected id exists (a page id or
  ``pureservice:<ticket id>`` of a resolved/closed ticket) and is visible to the asking user's
  municipality; every must_mention term occurs (case-insensitive) in every expected source;
  unanswerable questions (kind unanswerable, or a verbose one without expected sources) expect nothing.

No third-party packages are needed.
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "demo" / "corpus"
TICKETS = ROOT / "demo" / "pureservice" / "resolved_tickets.json"
PLANTED = ROOT / "demo" / "pureservice" / "PLANTED_PII.txt"
QUESTIONS = ROOT / "bench" / "data" / "knowledge_questions.jsonl"

FRONT_MATTER_KEYS = ["id", "title", "url", "source", "audience", "updated"]
MUNICIPALITIES = {"molde", "aukra", "hustadvika", "rauma", "vestnes"}
AUDIENCES = MUNICIPALITIES | {"all", "ror-ikt"}
KINDS = {"paraphrase", "typo", "nynorsk", "english", "municipality", "unanswerable", "ticket", "staff", "verbose"}
# A "verbose" question is chatty (greetings, context, thanks, a signature) and may be answerable or
# not; every other kind is answerable except "unanswerable".
MAY_BE_UNANSWERABLE = {"unanswerable", "verbose"}
LANGUAGES = {"nb", "nn", "en"}
RESOLVED_STATUS_NAMES = {"Løst", "Lukket"}
ID_RE = re.compile(r"^[a-z0-9-]+$")
QID_RE = re.compile(r"^q\d{3,}$")

errors: list[str] = []


def fail(message: str) -> None:
    errors.append(message)


def parse_front_matter(text: str, path: Path) -> tuple[dict[str, str], list[str], str]:
    """A small parser for the flat ``key: value`` front matter the corpus uses."""
    if not text.startswith("---\n"):
        fail(f"{path}: no front matter")
        return {}, [], text
    end = text.find("\n---\n", 4)
    if end < 0:
        fail(f"{path}: front matter not closed")
        return {}, [], text
    meta: dict[str, str] = {}
    order: list[str] = []
    for line in text[4:end].splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            fail(f"{path}: bad front matter line {line!r}")
            continue
        value = value.strip()
        if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) >= 2:
            value = value[1:-1]
        else:
            value = re.sub(r"\s+#.*$", "", value)
        meta[key.strip()] = value
        order.append(key.strip())
    return meta, order, text[end + 5 :]


def plain_markdown(body: str) -> str:
    return re.sub(r"[*_`]", "", body)


def plain_html(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment or ""))


def load_corpus() -> dict[str, dict]:
    docs: dict[str, dict] = {}
    for path in sorted(CORPUS.rglob("*.md")):
        meta, order, body = parse_front_matter(path.read_text(encoding="utf-8"), path)
        if order != FRONT_MATTER_KEYS:
            fail(f"{path}: front matter keys {order}, expected {FRONT_MATTER_KEYS}")
            continue
        doc_id = meta["id"]
        if not ID_RE.match(doc_id):
            fail(f"{path}: id {doc_id!r} is not [a-z0-9-]")
        if doc_id != path.stem:
            fail(f"{path}: id {doc_id!r} differs from the file name")
        if doc_id in docs:
            fail(f"{path}: duplicate id {doc_id!r}")
        if meta["audience"] not in AUDIENCES:
            fail(f"{path}: audience {meta['audience']!r}")
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", meta["updated"]):
            fail(f"{path}: updated {meta['updated']!r} is not YYYY-MM-DD")
        if not meta["url"].startswith("https://"):
            fail(f"{path}: url {meta['url']!r}")
        if not re.search(r"^# ", body, re.M) or not re.search(r"^## ", body, re.M):
            fail(f"{path}: needs a '#' title and '##' sections")
        folder = path.relative_to(CORPUS).parts[0]
        expected_source = {"kompetanseportalen": "kompetanseportalen", "intranett": "intranet", "ror-ikt": "ror-ikt"}.get(folder)
        if meta["source"] != expected_source:
            fail(f"{path}: source {meta['source']!r}, expected {expected_source!r}")
        if folder == "kompetanseportalen":
            if meta["audience"] != "all":
                fail(f"{path}: Kompetanseportalen pages are for all")
            words = len(re.findall(r"\w+", body))
            if not 150 <= words <= 500:
                fail(f"{path}: {words} words, expected 150-500")
        elif folder == "intranett":
            municipality = path.relative_to(CORPUS).parts[1]
            if meta["audience"] != municipality:
                fail(f"{path}: audience {meta['audience']!r}, expected {municipality!r}")
            if f"https://{municipality}.sharepoint.com/" not in meta["url"]:
                fail(f"{path}: url should be on {municipality}.sharepoint.com")
        elif folder == "ror-ikt" and meta["audience"] != "ror-ikt":
            fail(f"{path}: ROR-IKT pages are for ror-ikt")
        text = f"{meta['title']}\n{body}"
        docs[doc_id] = {"audience": meta["audience"], "texts": [text, plain_markdown(text)], "path": path}
    return docs


def load_tickets() -> tuple[dict[str, dict], str]:
    raw = TICKETS.read_text(encoding="utf-8")
    data = json.loads(raw)
    linked = data.get("linked", {})
    for key in ("users", "emailaddresses", "statuses", "categories", "communications"):
        if key not in linked:
            fail(f"{TICKETS}: linked.{key} missing")
    statuses = {s["id"]: s for s in linked.get("statuses", [])}
    users = {u["id"] for u in linked.get("users", [])}
    emails = {e["id"]: e for e in linked.get("emailaddresses", [])}
    for user in linked.get("users", []):
        if user.get("emailAddressId") not in emails:
            fail(f"{TICKETS}: user {user['id']} has an unknown emailAddressId")
    categories = {c["id"] for c in linked.get("categories", [])}
    resolved: dict[str, dict] = {}
    ids = set()
    n_open = 0
    for ticket in data["tickets"]:
        for key in ("id", "requestNumber", "subject", "description", "solution", "statusId", "userId",
                    "category1Id", "created", "modified", "isMarkedForDeletion", "links"):
            if key not in ticket:
                fail(f"{TICKETS}: ticket {ticket.get('id')} lacks {key}")
        if ticket["id"] in ids:
            fail(f"{TICKETS}: duplicate ticket id {ticket['id']}")
        ids.add(ticket["id"])
        status = statuses.get(ticket["statusId"])
        if status is None:
            fail(f"{TICKETS}: ticket {ticket['id']} has unknown status {ticket['statusId']}")
            continue
        if ticket["userId"] not in users or ticket["links"]["user"]["id"] != ticket["userId"]:
            fail(f"{TICKETS}: ticket {ticket['id']} user link broken")
        if ticket["links"]["status"]["id"] != ticket["statusId"]:
            fail(f"{TICKETS}: ticket {ticket['id']} status link differs from statusId")
        if ticket["category1Id"] not in categories:
            fail(f"{TICKETS}: ticket {ticket['id']} has unknown category")
        finished = status["coreStatus"] >= 50 and not ticket["isMarkedForDeletion"]
        if finished != (status["name"] in RESOLVED_STATUS_NAMES):
            fail(f"{TICKETS}: status {status} is inconsistent")
        if finished:
            if not plain_html(ticket["solution"]).strip():
                fail(f"{TICKETS}: resolved ticket {ticket['id']} has no solution")
            # the answer part: subject and solution (the description is the user's own text)
            text = f"{ticket['subject']}\n{plain_html(ticket['solution'])}"
            resolved[f"pureservice:{ticket['id']}"] = {"audience": "all", "texts": [text], "path": TICKETS}
        else:
            n_open += 1
    for comm in linked.get("communications", []):
        if comm["ticketId"] not in ids:
            fail(f"{TICKETS}: communication {comm['id']} points to unknown ticket")
    if len(resolved) < 45:
        fail(f"{TICKETS}: only {len(resolved)} resolved/closed tickets")
    if not 4 <= n_open <= 6:
        fail(f"{TICKETS}: {n_open} open tickets, expected 4-6")
    print(f"tickets: {len(resolved)} resolved/closed, {n_open} open, {len(linked.get('communications', []))} communications")
    return resolved, raw


def check_questions(sources: dict[str, dict]) -> list[dict]:
    questions = []
    seen = set()
    for n, line in enumerate(QUESTIONS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as exc:
            fail(f"{QUESTIONS}:{n}: {exc}")
            continue
        where = f"{QUESTIONS.name}:{n} ({q.get('id')})"
        keys = ["id", "question", "municipality", "expected", "must_mention", "kind", "language"]
        if sorted(q) != sorted(keys):
            fail(f"{where}: keys {sorted(q)}")
            continue
        if not QID_RE.match(q["id"]) or q["id"] in seen:
            fail(f"{where}: bad or duplicate id")
        seen.add(q["id"])
        if q["kind"] not in KINDS:
            fail(f"{where}: kind {q['kind']!r}")
        if q["language"] not in LANGUAGES:
            fail(f"{where}: language {q['language']!r}")
        if q["municipality"] not in MUNICIPALITIES | {"ror-ikt"}:
            fail(f"{where}: municipality {q['municipality']!r}")
        if not isinstance(q["question"], str) or not q["question"].strip():
            fail(f"{where}: empty question")
        if q["kind"] == "unanswerable" or (q["kind"] in MAY_BE_UNANSWERABLE and not q["expected"]):
            if q["expected"] or q["must_mention"]:
                fail(f"{where}: unanswerable questions expect nothing")
        else:
            if not q["expected"]:
                fail(f"{where}: answerable question without expected sources")
            if not 1 <= len(q["must_mention"]) <= 3:
                fail(f"{where}: must_mention needs 1-3 terms")
        if q["kind"] == "staff" and q["municipality"] != "ror-ikt":
            fail(f"{where}: staff questions are asked by ror-ikt users")
        if q["kind"] == "ticket" and not all(e.startswith("pureservice:") for e in q["expected"]):
            fail(f"{where}: ticket questions expect pureservice:<id>")
        for doc_id in q["expected"]:
            doc = sources.get(doc_id)
            if doc is None:
                fail(f"{where}: expected {doc_id!r} does not exist (or is not a resolved ticket)")
                continue
            if doc["audience"] not in ("all", q["municipality"]):
                fail(f"{where}: {doc_id} (audience {doc['audience']}) is not visible to {q['municipality']}")
            for term in q["must_mention"]:
                if not any(term.lower() in text.lower() for text in doc["texts"]):
                    fail(f"{where}: {term!r} not found in {doc_id}")
        questions.append(q)
    return questions


def main() -> int:
    docs = load_corpus()
    tickets, raw_tickets = load_tickets()
    sources = {**docs, **tickets}
    by_source = Counter(str(d["path"].relative_to(CORPUS).parent) for d in docs.values())
    print("corpus:", ", ".join(f"{k}: {v}" for k, v in sorted(by_source.items())), f"(total {len(docs)})")

    planted = [p for p in PLANTED.read_text(encoding="utf-8").splitlines() if p.strip()]
    corpus_text = "\n".join(d["texts"][0] for d in docs.values()).lower()
    question_text = QUESTIONS.read_text(encoding="utf-8").lower()
    for p in planted:
        if p not in raw_tickets:
            fail(f"{PLANTED.name}: {p!r} is not in the tickets")
        if p.lower() in corpus_text:
            fail(f"{PLANTED.name}: {p!r} occurs in the corpus")
        if p.lower() in question_text:
            fail(f"{PLANTED.name}: {p!r} occurs in the questions")
    print(f"planted personal data strings: {len(planted)}")

    questions = check_questions(sources)
    print(f"questions: {len(questions)};", ", ".join(f"{k}: {v}" for k, v in Counter(q["kind"] for q in questions).most_common()))

    if errors:
        print(f"\n{len(errors)} problem(s):", file=sys.stderr)
        for e in errors:
            print("  -", e, file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
