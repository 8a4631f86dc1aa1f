"""A local fake Pureservice REST API that checks the request shapes the real one expects.

It serves ``{base}{prefix}/{entity}/`` (prefix ``/agent/api`` by default) on 127.0.0.1 and checks:
the key (``X-Authorization-Key``, or ``Authorization: Bearer``) -> 401; ``Accept:
application/vnd.api+json`` -> 406; bodies sent as ``application/vnd.api+json`` -> 415; filters,
includes and sorts in the real syntax (pureservice_query.py) -> 400; ``limit`` at most 500 -> 400;
required ticket relations and existing ids -> 422 with ``{"message": ...}``. It answers in the real
shapes (``{"tickets": [...], "linked": {...}}``, ``links``) and keeps everything in memory.

Faults for resilience tests and benchmarks::

    fake.fail_next(503)                         # the next request fails
    fake.fail_next(429, 2, retry_after=3)       # the next two are rate limited
    fake.fail_next(500, method="POST", path="/ticket/", after_handling=True)  # stored, then 500
    fake.slow_next(2.0)                         # the next request answers after 2 s
    fake.failure_rate = 0.2                     # 20 % of requests fail (failure_statuses)
    fake.failure_after_handling = 0.5           # ... and half of those after doing the work
    fake.delay = 0.05                           # every request is this much slower

Use it as ``async with FakePureservice() as fake: ...`` (benchmarks) or through the
``fake_pureservice`` fixture below (``from tests.fakes.pureservice import fake_pureservice``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import random
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.fakes.pureservice_query import (
    SCHEMA,
    QueryError,
    Row,
    compile_filter,
    linked_rows,
    links_of,
    plural,
    relation,
    sort_rows,
)
from tests.fakes.server import FakeServer

API_KEY = "test-pureservice-key"
MEDIA_TYPE = "application/vnd.api+json"
MAX_LIMIT = 500
FALLBACK_REQUESTER_EMAIL = "rakel.innmelder@ror-ikt.no"
ENTITIES = {plural(entity): entity for entity in SCHEMA}
TICKET_RELATIONS_REQUIRED = (
    "user",
    "requestType",
    "ticketType",
    "priority",
    "status",
    "source",
    "assignedDepartment",
)
LINKS_IN_BODY = {  # relations a client may set through `links` on create
    "ticket": (
        *TICKET_RELATIONS_REQUIRED,
        "assignedTeam",
        "assignedAgent",
        "category1",
        "category2",
        "category3",
    ),
    "user": ("emailAddress", "company"),
    "communication": ("ticket", "sender"),
    "attachment": ("ticket",),
    "emailaddress": ("user",),
}


@dataclass
class Fault:
    status: int | None = None  # None: only slow
    delay: float = 0.0
    after_handling: bool = False  # do the work, then fail (a create that did happen)
    retry_after: float | None = None
    method: str | None = None
    path: str | None = None  # a fragment of the path after the prefix, e.g. "/ticket/"

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (self.path is None or self.path in path)


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class FakePureservice(FakeServer):
    def __init__(self, *, api_key: str = API_KEY, prefix: str = "/agent/api", seed: int = 0) -> None:
        super().__init__()
        self.api_key = api_key
        self.prefix = prefix.rstrip("/")
        self.rows: dict[str, dict[int, Row]] = {entity: {} for entity in SCHEMA}
        self.attachment_bytes: dict[int, bytes] = {}
        self.arrivals: list[float] = []  # the loop's time() of each request (virtual in tests/virtual_time.py), for pacing
        self.answered: list[int] = []  # the status of each answered request, in order
        self.failure_rate = 0.0
        self.failure_statuses: tuple[int, ...] = (500, 503, 429)
        self.failure_after_handling = 0.0
        self.delay = 0.0
        self.retry_after = 1.0
        self._faults: deque[Fault] = deque()
        self._random = random.Random(seed)
        self._next_request_number = 24001
        self._closing = asyncio.Event()
        self._seed()

    # --- fault injection -------------------------------------------------------------------
    def fail_next(
        self,
        status: int,
        count: int = 1,
        *,
        retry_after: float | None = None,
        after_handling: bool = False,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """The next ``count`` requests (matching method/path, if given) answer ``status``."""
        for _ in range(count):
            self._faults.append(Fault(status, 0.0, after_handling, retry_after, method, path))

    def slow_next(
        self, seconds: float, count: int = 1, *, method: str | None = None, path: str | None = None
    ) -> None:
        """The next ``count`` requests are answered only after ``seconds`` (and still carried out)."""
        for _ in range(count):
            self._faults.append(Fault(None, seconds, False, None, method, path))

    # --- data -------------------------------------------------------------------------------
    def add(self, entity: str, **fields: Any) -> Row:
        """Store a row (id assigned unless given); returns the stored row."""
        table = self.rows[entity]
        row_id = fields.pop("id", None) or max(table, default=_FIRST_IDS.get(entity, 1) - 1) + 1
        now = _now()
        row = {"id": row_id, "created": now, "modified": now, **fields}
        table[row_id] = row
        return row

    def add_user(self, first_name: str, last_name: str, email: str, **fields: Any) -> Row:
        address = self.add("emailaddress", email=email)
        user = self.add(
            "user",
            firstName=first_name,
            lastName=last_name,
            fullName=f"{first_name} {last_name}",
            role=fields.pop("role", 10),
            disabled=False,
            emailAddressId=address["id"],
            **fields,
        )
        address["userId"] = user["id"]
        return user

    def add_ticket(self, subject: str, user: Row, *, status: str = "Ny", **fields: Any) -> Row:
        """A ticket as if made in Pureservice; ``created``/``modified`` may be given as datetimes."""
        for key in ("created", "modified"):
            if isinstance(fields.get(key), datetime):
                fields[key] = _iso(fields[key])
        defaults = {
            "description": "",
            "solution": "",
            "userId": user["id"],
            "statusId": self.id_of("status", status),
            "priorityId": self.id_of("priority", "Normal"),
            "ticketTypeId": self.id_of("tickettype", "Henvendelse"),
            "sourceId": self.id_of("source", "E-post"),
            "requestTypeId": self.id_of("requesttype", "Ticket"),
            "assignedDepartmentId": self.id_of("department", "Kundeservice"),
            "visibility": 0,
            "isMarkedForDeletion": False,
        }
        ticket = self.add(
            "ticket", subject=subject, requestNumber=self._take_request_number(), **{**defaults, **fields}
        )
        return ticket

    def id_of(self, entity: str, name: str) -> int:
        """The id of the first row with this name (or key, for request types)."""
        for row in self.rows[entity].values():
            if name in (row.get("name"), row.get("key")):
                return row["id"]
        raise KeyError(f"no {entity} named {name!r}")

    @property
    def tickets(self) -> list[Row]:
        return list(self.rows["ticket"].values())

    def communications_of(self, ticket_id: int) -> list[Row]:
        return [row for row in self.rows["communication"].values() if row.get("ticketId") == ticket_id]

    def attachments_of(self, ticket_id: int) -> list[Row]:
        return [row for row in self.rows["attachment"].values() if row.get("ticketId") == ticket_id]

    def load_export(self, source: Path | str | dict[str, Any]) -> None:
        """Add rows from a response-shaped export: ``{"tickets": [...], "linked": {"users": [...]}}``."""
        data = source if isinstance(source, dict) else json.loads(Path(source).read_text(encoding="utf-8"))
        groups = [(key, rows) for key, rows in data.items() if key != "linked"]
        groups += list((data.get("linked") or {}).items())
        for key, rows in groups:
            entity = ENTITIES.get(key)
            if entity is None:
                raise ValueError(f"unknown entity list {key!r} in the export")
            for row in rows:
                stored = {name: value for name, value in row.items() if name != "links"}
                self.rows[entity][stored["id"]] = {**self.rows[entity].get(stored["id"], {}), **stored}
                if entity == "ticket" and isinstance(stored.get("requestNumber"), int):
                    self._next_request_number = max(self._next_request_number, stored["requestNumber"] + 1)

    # --- Rows protocol for the query module ------------------------------------------------------
    def get(self, entity: str, row_id: Any) -> Row | None:
        return self.rows[entity].get(row_id) if row_id is not None else None

    def all(self, entity: str) -> Iterable[Row]:
        return self.rows[entity].values()

    # --- server -----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The tenant URL to configure (``RAKEL_PURESERVICE_URL``); the API lives under ``prefix``."""
        return self.base_url

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{tail:.*}", self._handle)

    async def __aexit__(self, *exc_info: object) -> None:
        self._closing.set()  # end slow responses now instead of holding up the shutdown
        await super().__aexit__(*exc_info)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.arrivals.append(asyncio.get_running_loop().time())
        fault = self._fault_for(request.method, request.path)
        response = await self._answer(request, fault)
        self.answered.append(response.status)
        return response

    async def _answer(self, request: web.Request, fault: Fault | None) -> web.StreamResponse:
        await self._pause(self.delay + (fault.delay if fault else 0.0))
        if not request.path.startswith(self.prefix + "/"):
            return _error(404, f"No API at {request.path}")
        if not self._authorized(request):
            return _error(401, "Missing or invalid API key")
        if MEDIA_TYPE not in request.headers.get("Accept", ""):
            return _error(406, f"Send 'Accept: {MEDIA_TYPE}'")
        if fault and fault.status and not fault.after_handling:
            return self._fault_response(fault)
        try:
            response = await self._dispatch(request, request.path[len(self.prefix) :])
        except ApiError as error:
            return _error(error.status, error.message)
        except QueryError as error:
            return _error(400, str(error))
        if fault and fault.status:
            return self._fault_response(fault)
        return response

    def _fault_for(self, method: str, path: str) -> Fault | None:
        relative = path[len(self.prefix) :] if path.startswith(self.prefix) else path
        for fault in self._faults:
            if fault.matches(method, relative):
                self._faults.remove(fault)
                return fault
        if self.failure_rate and self._random.random() < self.failure_rate:
            status = self._random.choice(self.failure_statuses)
            # A rate limit answers before any work is done (the client re-sends a POST after 429 for
            # that reason); only a server error can come after the work.
            after_handling = status != 429 and self._random.random() < self.failure_after_handling
            return Fault(status=status, after_handling=after_handling)
        return None

    def _fault_response(self, fault: Fault) -> web.Response:
        headers = {}
        if fault.status == 429:
            headers["Retry-After"] = (
                f"{fault.retry_after if fault.retry_after is not None else self.retry_after:g}"
            )
        return _error(fault.status or 500, f"Injected failure {fault.status}", headers)

    async def _pause(self, seconds: float) -> None:
        if seconds > 0:
            try:
                await asyncio.wait_for(self._closing.wait(), timeout=seconds)
            except TimeoutError:
                pass

    def _authorized(self, request: web.Request) -> bool:
        key = request.headers.get("X-Authorization-Key")
        bearer = request.headers.get("Authorization", "")
        return key == self.api_key or bearer == f"Bearer {self.api_key}"

    async def _dispatch(self, request: web.Request, path: str) -> web.Response:
        parts = [part for part in path.split("/") if part]
        if not parts or parts[0] not in SCHEMA:
            raise ApiError(404, f"No such resource: {path}")
        entity = parts[0]
        if request.method == "GET" and len(parts) == 1:
            return self._list(entity, request)
        if request.method == "GET" and len(parts) == 2 and parts[1].isdigit():
            return self._one(entity, request, lambda row: row["id"] == int(parts[1]))
        if request.method == "GET" and entity == "ticket" and len(parts) == 3 and parts[2] == "requestNumber":
            return self._one(entity, request, lambda row: str(row.get("requestNumber")) == parts[1])
        if request.method == "POST" and len(parts) == 1:
            return await self._create(entity, request)
        if request.method == "PATCH" and len(parts) == 2 and parts[1].isdigit():
            return await self._patch(entity, int(parts[1]), request)
        raise ApiError(404, f"No route for {request.method} {path}")

    # --- reading ----------------------------------------------------------------------------
    def _list(self, entity: str, request: web.Request) -> web.Response:
        query = request.query
        found = list(self.rows[entity].values())
        if query.get("filter"):
            keep = compile_filter(query["filter"], entity, self)
            found = [row for row in found if keep(row)]
        found = sort_rows(entity, found, query.get("sort") or "id")
        start, limit = _integer(query, "start", 0), _integer(query, "limit", 50)
        if limit > MAX_LIMIT:
            raise ApiError(400, f"limit may be at most {MAX_LIMIT}")
        return self._rows_response(entity, found[start : start + limit], query.get("include", ""))

    def _one(self, entity: str, request: web.Request, wanted: Any) -> web.Response:
        found = [row for row in self.rows[entity].values() if wanted(row)]
        if not found:
            raise ApiError(404, f"{entity} not found")
        return self._rows_response(entity, found[:1], request.query.get("include", ""))

    def _rows_response(self, entity: str, found: list[Row], include: str) -> web.Response:
        body: dict[str, Any] = {plural(entity): [self._shown(entity, row) for row in found]}
        if include:
            body["linked"] = {
                name: [self._shown(ENTITIES[name], row) for row in rows]
                for name, rows in linked_rows(entity, found, include, self).items()
            }
        return web.json_response(body, content_type=MEDIA_TYPE)

    def _shown(self, entity: str, row: Row) -> Row:
        return {**row, "links": links_of(entity, row, self)}

    # --- creating ---------------------------------------------------------------------------
    async def _create(self, entity: str, request: web.Request) -> web.Response:
        if request.content_type != MEDIA_TYPE:
            raise ApiError(415, f"Send the body as {MEDIA_TYPE}, not {request.content_type}")
        try:
            body = json.loads(await request.text())
        except ValueError as error:
            raise ApiError(400, f"Body is not JSON: {error}") from error
        records = body.get(plural(entity)) if isinstance(body, dict) and plural(entity) in body else [body]
        if not isinstance(records, list) or len(records) != 1 or not isinstance(records[0], dict):
            raise ApiError(400, f'Send one {entity} as {{"{plural(entity)}": [{{...}}]}}')
        created = self._store(entity, self._fields(entity, records[0]))
        return web.json_response(
            {plural(entity): [self._shown(entity, created)]}, status=201, content_type=MEDIA_TYPE
        )

    async def _patch(self, entity: str, row_id: int, request: web.Request) -> web.Response:
        """``PATCH /{entity}/{id}`` with flat fields (as sync2pureservice resolves tickets), checked."""
        if request.content_type not in (MEDIA_TYPE, "application/json"):
            raise ApiError(415, f"Send the body as {MEDIA_TYPE} or application/json, not {request.content_type}")
        row = self.get(entity, row_id)
        if row is None:
            raise ApiError(404, f"No {entity} {row_id}")
        try:
            body = json.loads(await request.text())
        except ValueError as error:
            raise ApiError(400, f"Body is not JSON: {error}") from error
        if not isinstance(body, dict) or not body:
            raise ApiError(400, "Send the fields to change as a flat JSON object")
        row.update(self._fields(entity, body))
        return web.json_response({plural(entity): [self._shown(entity, row)]}, content_type=MEDIA_TYPE)

    def _fields(self, entity: str, record: Row) -> Row:
        """The record's own fields plus foreign keys from ``links`` (``{"user": {"id": 5}}``), checked."""
        fields = {key: value for key, value in record.items() if key not in ("links", "id")}
        for name, link in (record.get("links") or {}).items():
            if name not in LINKS_IN_BODY.get(entity, ()):
                raise ApiError(422, f"Unknown relation '{name}' on {entity}")
            if not isinstance(link, dict) or not isinstance(link.get("id"), int):
                raise ApiError(422, f'links.{name} must be {{"id": <number>}}')
            fields[name + "Id"] = link["id"]
        unknown = [key for key in fields if key not in SCHEMA[entity] and key != "bytes"]
        if unknown:
            raise ApiError(422, f"Unknown field(s) on {entity}: {', '.join(sorted(unknown))}")
        for key, value in fields.items():
            target = relation(entity, key[:-2]) if key.endswith("Id") else None
            if target and value is not None and self.get(target[0], value) is None:
                raise ApiError(422, f"{key} {value} does not exist")
        return fields

    def _store(self, entity: str, fields: Row) -> Row:
        if entity == "ticket":
            missing = [name for name in TICKET_RELATIONS_REQUIRED if fields.get(name + "Id") is None]
            if missing or not str(fields.get("subject", "")).strip():
                raise ApiError(422, f"Ticket needs a subject and {', '.join(missing) or 'nothing else'}")
            fields = {
                "description": "",
                "solution": "",
                "visibility": 0,
                "isMarkedForDeletion": False,
                **fields,
            }
            fields["requestNumber"] = self._take_request_number()
        elif entity == "communication":
            if fields.get("ticketId") is None or not fields.get("text"):
                raise ApiError(422, "Communication needs a ticket and a text")
        elif entity == "attachment":
            return self._store_attachment(fields)
        elif entity == "emailaddress" and not fields.get("email"):
            raise ApiError(422, "E-mail address needs an email")
        return self.add(entity, **fields)

    def _store_attachment(self, fields: Row) -> Row:
        if fields.get("ticketId") is None or not fields.get("fileName"):
            raise ApiError(422, "Attachment needs a ticketId and a fileName")
        try:
            data = base64.b64decode(fields.pop("bytes", ""), validate=True)
        except (binascii.Error, ValueError) as error:
            raise ApiError(422, "Attachment bytes must be base64") from error
        row = self.add("attachment", **fields)
        self.attachment_bytes[row["id"]] = data
        return row

    def _take_request_number(self) -> int:
        number, self._next_request_number = self._next_request_number, self._next_request_number + 1
        return number

    def _seed(self) -> None:
        """A small tenant; the ids differ from entity to entity so a swapped id is caught."""
        ticket = self.add("requesttype", id=1, name="Sak", key="Ticket")["id"]
        change = self.add("requesttype", id=2, name="Endring", key="Change")["id"]
        for row_id, name, core in (
            (3, "Ny", 1),
            (4, "Under arbeid", 10),
            (5, "Venter - sluttbruker", 20),
            (7, "Løst", 50),
            (8, "Lukket", 60),
        ):
            self.add(
                "status",
                id=row_id,
                name=name,
                userDisplayName=name,
                coreStatus=core,
                requestTypeId=ticket,
                disabled=False,
            )
        self.add(
            "status",
            id=9,
            name="Ny",
            userDisplayName="Ny",
            coreStatus=1,
            requestTypeId=change,
            disabled=False,
        )
        for row_id, name in ((11, "Lav"), (12, "Normal"), (13, "Høy"), (14, "Kritisk")):
            self.add("priority", id=row_id, name=name, requestTypeId=ticket, disabled=False)
        self.add("priority", id=15, name="Normal", requestTypeId=change, disabled=False)
        for row_id, name in ((21, "Henvendelse"), (22, "Feil"), (23, "Bestilling")):
            self.add("tickettype", id=row_id, name=name, requestTypeId=ticket, disabled=False)
        for row_id, name in ((31, "E-post"), (32, "Telefon"), (33, "Chat"), (34, "Selvbetjening")):
            self.add("source", id=row_id, name=name, disabled=False)
        for row_id, name in ((41, "Kundeservice"), (42, "Drift")):
            self.add("department", id=row_id, name=name, disabled=False)
        for row_id, name in enumerate(
            (
                "Tilgang og pålogging",
                "Passord og låst konto",
                "E-post, Teams og Microsoft 365",
                "PC og utstyr",
                "Programvare",
                "Utskrift",
                "Fjerntilgang",
                "Telefon og mobil",
                "Rådgivning",
                "Sikkerhet",
            ),
            start=51,
        ):
            self.add("category", id=row_id, name=name, disabled=False)
        self.add_user("Rakel", "Innmelder", FALLBACK_REQUESTER_EMAIL)
        self.add_user("Agnes", "Agent", "agnes.agent@ror-ikt.no", role=20)


_FIRST_IDS = {"ticket": 1001, "user": 101, "emailaddress": 501, "communication": 7001, "attachment": 9001}


def _now() -> str:
    return _iso(datetime.now(UTC))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _integer(query: Any, name: str, default: int) -> int:
    try:
        return int(query.get(name, default))
    except ValueError as error:
        raise ApiError(400, f"{name} must be a number") from error


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"message": message}, status=status, headers=headers)


@pytest.fixture
async def fake_pureservice() -> AsyncIterator[FakePureservice]:
    """A started fake with the default tenant; ``fake_pureservice.url`` is the base URL."""
    async with FakePureservice() as fake:
        yield fake
