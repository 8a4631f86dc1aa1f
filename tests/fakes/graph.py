"""A fake Microsoft Graph v1.0 (over TLS) for contract tests of the Graph adapters.

What it serves, in the shapes Graph documents:
- ``GET /sites/{hostname}:/{path}`` and, per site, site pages
  (``/sites/{id}/pages/microsoft.graph.sitePage``, one page with ``$expand=canvasLayout``) and
  document libraries (``/sites/{id}/drives``, ``/drives/{id}/root/delta``, ``/items/{id}/content``,
  which redirects to a download URL as Graph does);
- collections in pages of ``page_size`` items linked by ``@odata.nextLink`` (with an encoded
  ``$skiptoken``); ``$select`` is honoured, so an adapter that forgets a field does not get it;
- bearer tokens checked against the fake identity provider: an expired token gets Graph's 401;
- ``throttle()`` answers the next requests with 429 (or 503) and ``Retry-After``.

Extend it for other resources (users, managers, Intune devices) with ``route(method, regex)``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web

from tests.fakes.identity import FakeIdentity
from tests.fakes.server import FakeServer

Handler = Callable[[web.Request, re.Match[str]], Awaitable[web.StreamResponse]]

TEXT_WEB_PART = "#microsoft.graph.textWebPart"
STANDARD_WEB_PART = "#microsoft.graph.standardWebPart"


@dataclass
class FakePage:
    id: str
    name: str
    title: str
    web_url: str
    last_modified: str
    text_parts: list[str]  # innerHtml of the text web parts, in reading order
    published: bool = True
    description: str = ""

    def resource(self) -> dict[str, Any]:
        return {
            "@odata.type": "#microsoft.graph.sitePage",
            "id": self.id,
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "webUrl": self.web_url,
            "eTag": f'"{{{self.id.upper()}}},{self.last_modified}"',
            "lastModifiedDateTime": self.last_modified,
            "pageLayout": "article",
            "promotionKind": "page",
            "publishingState": (
                {"level": "published", "versionId": "2.0"}
                if self.published
                else {"level": "draft", "versionId": "0.1"}
            ),
        }

    def canvas_layout(self) -> dict[str, Any]:
        """Text parts spread over two columns, with a picture web part between them."""
        half = (len(self.text_parts) + 1) // 2
        columns = [self.text_parts[:half], self.text_parts[half:]]
        return {
            "horizontalSections": [
                {
                    "id": "1",
                    "layout": "twoColumns",
                    "emphasis": "none",
                    "columns": [
                        {
                            "id": str(number),
                            "width": 6,
                            "webparts": [_text_web_part(html) for html in parts]
                            + ([_image_web_part()] if number == 1 else []),
                        }
                        for number, parts in enumerate(columns, start=1)
                    ],
                }
            ]
        }


@dataclass
class FakeFile:
    id: str
    name: str
    web_url: str
    last_modified: str
    content: bytes

    def resource(self, drive_id: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "webUrl": self.web_url,
            "lastModifiedDateTime": self.last_modified,
            "size": len(self.content),
            "file": {"mimeType": "application/octet-stream"},
            "parentReference": {"driveId": drive_id, "path": f"/drives/{drive_id}/root:"},
        }


@dataclass
class FakeDrive:
    id: str
    name: str
    web_url: str
    files: dict[str, FakeFile] = field(default_factory=dict)

    def add_file(self, name: str, content: bytes | str, *, last_modified: str) -> FakeFile:
        data = content.encode() if isinstance(content, str) else content
        item = FakeFile(
            id=f"01{uuid.uuid4().hex.upper()[:24]}",
            name=name,
            web_url=f"{self.web_url}/{quote(name)}",
            last_modified=last_modified,
            content=data,
        )
        self.files[item.id] = item
        return item


@dataclass
class FakeSite:
    id: str
    hostname: str
    path: str
    pages: dict[str, FakePage] = field(default_factory=dict)
    drives: dict[str, FakeDrive] = field(default_factory=dict)

    @property
    def web_url(self) -> str:
        return f"https://{self.hostname}{self.path}"

    def add_page(
        self,
        name: str,
        title: str,
        text_parts: list[str],
        *,
        last_modified: str = "2025-01-15T08:00:00Z",
        published: bool = True,
    ) -> FakePage:
        page = FakePage(
            id=str(uuid.uuid4()),
            name=name,
            title=title,
            web_url=f"{self.web_url}/SitePages/{quote(name)}",
            last_modified=last_modified,
            text_parts=text_parts,
            published=published,
        )
        self.pages[page.id] = page
        return page

    def add_library(self, name: str) -> FakeDrive:
        drive = FakeDrive(
            id=f"b!{uuid.uuid4().hex}", name=name, web_url=f"{self.web_url}/{quote(name)}"
        )
        self.drives[drive.id] = drive
        return drive


class FakeGraph(FakeServer):
    def __init__(self, identity: FakeIdentity, *, page_size: int = 2) -> None:
        super().__init__(identity.tls)
        self.identity = identity
        self.page_size = page_size
        self.sites: dict[str, FakeSite] = {}
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._faults: list[tuple[int, str]] = []  # (status, Retry-After) for the next requests
        self._add_sharepoint_routes()

    @property
    def graph_url(self) -> str:
        """What the adapters get as ``graph_base_url``."""
        return f"{self.base_url}/v1.0"

    def add_site(self, hostname: str, path: str) -> FakeSite:
        site = FakeSite(
            id=f"{hostname},{uuid.uuid4()},{uuid.uuid4()}", hostname=hostname, path=path
        )
        self.sites[site.id] = site
        return site

    def throttle(self, times: int = 1, *, retry_after: str = "2", status: int = 429) -> None:
        self._faults.extend([(status, retry_after)] * times)

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """Serve ``/v1.0/<path>`` matching ``pattern`` (a regex over the path after /v1.0/)."""
        self._routes.append((method, re.compile(pattern), handler))

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/v1.0/{tail:.*}", self._dispatch)
        app.router.add_get("/download/{drive}/{item}", self._download)

    # --- plumbing --------------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not self.identity.is_valid(token):
            return graph_error(
                401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid."
            )
        if self._faults:
            status, retry_after = self._faults.pop(0)
            response = graph_error(status, "TooManyRequests", "Please retry again later.")
            response.headers["Retry-After"] = retry_after
            return response
        tail = request.match_info["tail"]
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(tail)
            if match and method == request.method:
                return await handler(request, match)
        return graph_error(400, "BadRequest", f"Resource not found for the segment '{tail}'.")

    def collection(self, request: web.Request, items: list[dict[str, Any]]) -> web.Response:
        return web.json_response(self.page_of(request, items))

    def page_of(self, request: web.Request, items: list[dict[str, Any]]) -> dict[str, Any]:
        """One page of a collection, with ``@odata.nextLink`` when more remain."""
        offset = int(request.query.get("$skiptoken", "page+0=")[5:-1])
        size = int(request.query.get("$top", self.page_size))
        body: dict[str, Any] = {
            "value": [select(item, request) for item in items[offset : offset + size]]
        }
        if offset + size < len(items):
            query = {k: v for k, v in request.query.items() if k != "$skiptoken"}
            query["$skiptoken"] = f"page+{offset + size}="
            body["@odata.nextLink"] = f"{self.base_url}{request.path}?{urlencode(query, safe='$,')}"
        return body

    # --- SharePoint ------------------------------------------------------------------------
    def _add_sharepoint_routes(self) -> None:
        self.route("GET", r"sites/(?P<host>[^/:,]+):(?P<path>/[^:]+):?", self._site_by_path)
        self.route("GET", r"sites/(?P<site>[^/]+)/pages/microsoft\.graph\.sitePage", self._pages)
        self.route(
            "GET", r"sites/(?P<site>[^/]+)/pages/(?P<page>[^/]+)/microsoft\.graph\.sitePage", self._page
        )
        self.route("GET", r"sites/(?P<site>[^/]+)/drives", self._drives)
        self.route("GET", r"drives/(?P<drive>[^/]+)/root/delta", self._delta)
        self.route("GET", r"drives/(?P<drive>[^/]+)/items/(?P<item>[^/]+)/content", self._content)

    async def _site_by_path(self, request: web.Request, match: re.Match[str]) -> web.Response:
        for site in self.sites.values():
            if site.hostname == match["host"] and site.path == match["path"].rstrip("/"):
                return web.json_response(
                    select(
                        {
                            "id": site.id,
                            "name": site.path.rsplit("/", 1)[-1],
                            "displayName": site.path.rsplit("/", 1)[-1].title(),
                            "webUrl": site.web_url,
                        },
                        request,
                    )
                )
        return graph_error(404, "itemNotFound", "Requested site could not be found")

    async def _pages(self, request: web.Request, match: re.Match[str]) -> web.Response:
        site = self.sites.get(match["site"])
        if site is None:
            return graph_error(404, "itemNotFound", "Site not found")
        pages = sorted(site.pages.values(), key=lambda page: page.name)
        return self.collection(request, [page.resource() for page in pages])

    async def _page(self, request: web.Request, match: re.Match[str]) -> web.Response:
        site = self.sites.get(match["site"])
        page = site.pages.get(match["page"]) if site else None
        if page is None:
            return graph_error(404, "itemNotFound", "The page does not exist")
        resource = page.resource()
        if request.query.get("$expand") == "canvasLayout":
            resource["canvasLayout"] = page.canvas_layout()
        return web.json_response(resource)

    async def _drives(self, request: web.Request, match: re.Match[str]) -> web.Response:
        site = self.sites.get(match["site"])
        if site is None:
            return graph_error(404, "itemNotFound", "Site not found")
        return self.collection(
            request,
            [
                {"id": d.id, "name": d.name, "driveType": "documentLibrary", "webUrl": d.web_url}
                for d in site.drives.values()
            ],
        )

    async def _delta(self, request: web.Request, match: re.Match[str]) -> web.Response:
        drive = self._drive(match["drive"])
        if drive is None:
            return graph_error(404, "itemNotFound", "Drive not found")
        items = [{"id": "01ROOT", "name": "root", "root": {}, "folder": {"childCount": 1}}]
        items.append({"id": "01FOLDER", "name": "Rutiner", "folder": {"childCount": 0}})
        items += [item.resource(drive.id) for item in drive.files.values()]
        body = self.page_of(request, items)
        if "@odata.nextLink" not in body:
            body["@odata.deltaLink"] = f"{self.graph_url}/drives/{drive.id}/root/delta?token=fin"
        return web.json_response(body)

    async def _content(self, request: web.Request, match: re.Match[str]) -> web.Response:
        drive = self._drive(match["drive"])
        if drive is None or match["item"] not in drive.files:
            return graph_error(404, "itemNotFound", "Item not found")
        # Graph answers 302 with a short-lived, pre-authenticated URL on another host
        other_host = self.base_url.replace("127.0.0.1", "localhost")
        raise web.HTTPFound(f"{other_host}/download/{drive.id}/{match['item']}")

    async def _download(self, request: web.Request) -> web.Response:
        if "Authorization" in request.headers:
            return web.Response(status=400, text="a download URL takes no bearer token")
        drive = self._drive(request.match_info["drive"])
        item = drive.files.get(request.match_info["item"]) if drive else None
        if item is None:
            return web.Response(status=404)
        return web.Response(body=item.content, content_type="application/octet-stream")

    def _drive(self, drive_id: str) -> FakeDrive | None:
        for site in self.sites.values():
            if drive_id in site.drives:
                return site.drives[drive_id]
        return None


def select(resource: dict[str, Any], request: web.Request) -> dict[str, Any]:
    """Honour ``$select`` as Graph does: only the named properties (and OData annotations)."""
    fields = request.query.get("$select")
    if not fields:
        return resource
    wanted = set(fields.split(","))
    return {k: v for k, v in resource.items() if k in wanted or k.startswith("@odata.")}


def graph_error(status: int, code: str, message: str) -> web.Response:
    return web.json_response(
        {
            "error": {
                "code": code,
                "message": message,
                "innerError": {"request-id": str(uuid.uuid4()), "date": "2025-01-15T08:00:00"},
            }
        },
        status=status,
    )


def _text_web_part(html: str) -> dict[str, Any]:
    return {"@odata.type": TEXT_WEB_PART, "id": str(uuid.uuid4()), "innerHtml": html}


def _image_web_part() -> dict[str, Any]:
    return {
        "@odata.type": STANDARD_WEB_PART,
        "id": str(uuid.uuid4()),
        "webPartType": "d1d91016-032f-456d-98a4-721247c305e8",
        "data": {
            "title": "Bilde",
            "description": "Skjermbilde av innloggingen",
            "serverProcessedContent": {
                "searchablePlainTexts": [{"key": "captionText", "value": "Skjermbilde"}]
            },
        },
    }
