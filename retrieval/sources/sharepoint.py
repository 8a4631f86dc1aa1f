"""SharePoint site pages (and readable library files) through Microsoft Graph.

One source per source name (``kompetanseportalen``, ``intranet``) covering the sites configured for
it in ``RAKEL_SHAREPOINT_SITES``, each with its audience. Every run lists every current page, so the
ingestor can remove pages deleted at the source. The version is SharePoint's
``lastModifiedDateTime``; a page's web parts (or a file's content) are only fetched when that
differs from the version the index already holds, so a run with nothing changed is a few listings.
Documents yielded for unchanged versions therefore have an empty body: the ingestor skips them.

Only pages published at least once are indexed (a draft never published is nobody's answer yet).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from connectors.graph.client import GraphClient, GraphError
from core.settings import Settings, SettingsError
from retrieval.model import SourceDocument

PAGE_FIELDS = "id,name,title,webUrl,lastModifiedDateTime,publishingState"
FILE_FIELDS = "id,name,webUrl,lastModifiedDateTime,size,file,deleted"
READABLE_FILES = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".html": "html", ".htm": "html"}
MAX_FILE_BYTES = 2 * 1024 * 1024

KnownVersions = Callable[[str], Awaitable[dict[str, str]]]  # source name -> {document id: version}


class SharePointError(Exception):
    """A configured site or library does not exist (or the app may not read it)."""


@dataclass(frozen=True)
class SharePointSite:
    site: str  # "<hostname>:/sites/<path>", as Graph addresses a site by path
    audience: str
    library: str = ""  # a document library whose text files are indexed too; empty: pages only


class SharePointPagesSource:
    def __init__(
        self,
        graph: GraphClient,
        name: str,
        sites: Sequence[SharePointSite],
        *,
        known_versions: KnownVersions | None = None,
    ) -> None:
        self.name = name
        self._graph = graph
        self._sites = list(sites)
        self._known_versions = known_versions

    async def documents(self) -> AsyncIterator[SourceDocument]:
        known = await self._known_versions(self.name) if self._known_versions else {}
        for site in self._sites:
            site_id = await self._site_id(site)
            async for document in self._pages(site, site_id, known):
                yield document
            if site.library:
                async for document in self._files(site, site_id, known):
                    yield document

    async def _site_id(self, site: SharePointSite) -> str:
        try:
            found = await self._graph.get_json(f"sites/{site.site}", {"$select": "id"})
        except GraphError as error:
            if error.status == 404:
                raise SharePointError(f"SharePoint site {site.site!r} not found") from error
            raise
        return found["id"]

    async def _pages(
        self, site: SharePointSite, site_id: str, known: dict[str, str]
    ) -> AsyncIterator[SourceDocument]:
        listing = self._graph.paged(
            f"sites/{site_id}/pages/microsoft.graph.sitePage", {"$select": PAGE_FIELDS}
        )
        async for page in listing:
            if not _ever_published(page):
                continue
            document = SourceDocument(
                id=f"{self.name}:page:{page['id']}",
                source=self.name,
                url=page["webUrl"],
                title=page.get("title") or PurePosixPath(page["name"]).stem,
                body="",
                body_format="html",
                audience=site.audience,
                updated=datetime.fromisoformat(page["lastModifiedDateTime"]),
                version=page["lastModifiedDateTime"],
            )
            if known.get(document.id) != document.version:
                content = await self._graph.get_json(
                    f"sites/{site_id}/pages/{page['id']}/microsoft.graph.sitePage",
                    {"$expand": "canvasLayout"},
                )
                document.body = page_html(content.get("canvasLayout") or {})
            yield document

    async def _files(
        self, site: SharePointSite, site_id: str, known: dict[str, str]
    ) -> AsyncIterator[SourceDocument]:
        drive_id = await self._library_id(site, site_id)
        listing = self._graph.paged(f"drives/{drive_id}/root/delta", {"$select": FILE_FIELDS})
        async for item in listing:
            path = PurePosixPath(item["name"])
            body_format = READABLE_FILES.get(path.suffix.lower())
            if "file" not in item or "deleted" in item or body_format is None:
                continue
            if item.get("size", 0) > MAX_FILE_BYTES:
                continue
            document = SourceDocument(
                id=f"{self.name}:file:{item['id']}",
                source=self.name,
                url=item["webUrl"],
                title=path.stem,
                body="",
                body_format=body_format,
                audience=site.audience,
                updated=datetime.fromisoformat(item["lastModifiedDateTime"]),
                version=item["lastModifiedDateTime"],
            )
            if known.get(document.id) != document.version:
                data = await self._graph.get_bytes(f"drives/{drive_id}/items/{item['id']}/content")
                document.body = _decode(data)
            yield document

    async def _library_id(self, site: SharePointSite, site_id: str) -> str:
        async for drive in self._graph.paged(f"sites/{site_id}/drives", {"$select": "id,name"}):
            if drive["name"].casefold() == site.library.casefold():
                return drive["id"]
        raise SharePointError(f"no document library {site.library!r} in {site.site!r}")


def page_html(canvas_layout: dict[str, Any]) -> str:
    """The HTML of a page's text web parts in reading order (sections, columns, then the side)."""
    parts: list[dict[str, Any]] = []
    for section in canvas_layout.get("horizontalSections", []):
        for column in section.get("columns", []):
            parts.extend(column.get("webparts", []))
    parts.extend((canvas_layout.get("verticalSection") or {}).get("webparts", []))
    return "\n".join(
        part["innerHtml"]
        for part in parts
        if part.get("@odata.type", "").endswith("textWebPart") and part.get("innerHtml")
    )


def build_sharepoint_sources(
    settings: Settings, graph: GraphClient, *, known_versions: KnownVersions | None = None
) -> list[SharePointPagesSource]:
    """One source per source name in ``RAKEL_SHAREPOINT_SITES``, e.g. kompetanseportalen, intranet."""
    groups: dict[str, list[SharePointSite]] = {}
    for entry in settings.sharepoint_sites:
        missing = [key for key in ("site", "source", "audience") if not entry.get(key)]
        if missing or ":/" not in entry.get("site", ""):
            raise SettingsError(
                f"RAKEL_SHAREPOINT_SITES: {entry} needs site ('host:/sites/x'), source and audience"
            )
        groups.setdefault(entry["source"], []).append(
            SharePointSite(
                site=entry["site"], audience=entry["audience"], library=entry.get("library", "")
            )
        )
    return [
        SharePointPagesSource(graph, name, sites, known_versions=known_versions)
        for name, sites in groups.items()
    ]


def _ever_published(page: dict[str, Any]) -> bool:
    state = page.get("publishingState") or {}
    major_version = state.get("versionId", "1.0").split(".")[0]
    return state.get("level") == "published" or major_version not in ("", "0")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # older Norwegian Windows files
