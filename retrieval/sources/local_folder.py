"""The embedded page source: Markdown and HTML files with YAML front matter in a folder tree.

Front matter: ``id``, ``title``, ``url``, ``audience`` (``all``, a municipality key or ``ror-ikt``;
``municipality`` is accepted instead), ``updated``. A page with an audience nobody has is skipped
rather than indexed, since a typo there would otherwise hide or expose a page silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Collection
from datetime import UTC, date, datetime, time
from pathlib import Path

import frontmatter
import yaml
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from core.settings import DEFAULT_MUNICIPALITY_DOMAINS
from retrieval.model import AUDIENCE_ALL, SourceDocument
from retrieval.text import html_to_markdown

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
KNOWN_AUDIENCES = frozenset({AUDIENCE_ALL, *DEFAULT_MUNICIPALITY_DOMAINS.values()})


class LocalFolderSource:
    def __init__(self, root: Path, *, name: str = "local", audiences: Collection[str] = KNOWN_AUDIENCES) -> None:
        self.name = name
        self.root = root
        self.audiences = frozenset(audiences)
        self.skipped: list[tuple[str, str]] = []

    async def documents(self) -> AsyncIterator[SourceDocument]:
        self.skipped = []
        for path in self._files():
            try:
                yield self._read(path)
            except PageSkipped as skip:
                self.skipped.append((self._default_id(path), skip.reason))

    def _files(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())

    def _default_id(self, path: Path) -> str:
        return f"{self.name}:{path.relative_to(self.root).with_suffix('').as_posix()}"

    def _read(self, path: Path) -> SourceDocument:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
            page = frontmatter.loads(text, handler=_handler(text))
        except (UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
            raise PageSkipped(f"unreadable page: {error}") from error
        meta = page.metadata
        audience = str(meta.get("audience") or meta.get("municipality") or AUDIENCE_ALL).strip().lower()
        if audience not in self.audiences:
            raise PageSkipped(f"unknown audience {audience!r}")
        body = page.content.strip()
        if not body:
            raise PageSkipped("empty page")
        return SourceDocument(
            id=str(meta.get("id") or self._default_id(path)),
            source=self.name,
            url=str(meta.get("url") or path.resolve().as_uri()),
            title=str(meta.get("title") or _first_heading(body, SUFFIXES[path.suffix.lower()]) or path.stem),
            body=body,
            body_format=SUFFIXES[path.suffix.lower()],
            audience=audience,
            updated=_as_datetime(meta.get("updated")),
            version=hashlib.sha256(raw).hexdigest()[:16],
        )


class _LibYamlHandler(YAMLHandler):
    """YAML front matter read by libyaml's safe loader (the same documents as PyYAML's, several times faster)."""

    def load(self, fm: str, **kwargs: object) -> object:
        return yaml.load(fm, Loader=yaml.CSafeLoader)


_LIBYAML = _LibYamlHandler() if yaml.__with_libyaml__ else None


def _handler(text: str) -> BaseHandler | None:
    """The front-matter handler python-frontmatter would pick, with libyaml for YAML when it is there."""
    handler = frontmatter.detect_format(text, frontmatter.handlers)
    return _LIBYAML if _LIBYAML is not None and isinstance(handler, YAMLHandler) else handler


class PageSkipped(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _first_heading(body: str, body_format: str) -> str:
    markdown = html_to_markdown(body) if body_format == "html" else body
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def _as_datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time.min, tzinfo=UTC)
    if isinstance(value, str) and value.strip():
        try:
            return _as_datetime(datetime.fromisoformat(value.strip()))
        except ValueError:
            return None
    return None
