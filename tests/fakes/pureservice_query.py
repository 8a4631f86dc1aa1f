"""The fake Pureservice's query language: entity schemas, relations, filters, includes and sorting.

Filters follow the Dynamic LINQ style the real API takes (see shared/notes/pureservice-api.md §5):
``==``/``=``/``!=``/``<``/``>``/``<=``/``>=``, ``AND``/``OR``/``&&``/``||``, ``!`` on booleans,
parentheses, ``NULL``, ``true``/``false``, dotted navigation (``user.emailaddress.email``),
``.Contains("x")`` and ``DateTimeOffset(y,m,d,h,mi,s,ms,TimeSpan(d,h,m,s))``. Property names are
case-insensitive, string comparison too (as on SQL Server). An unknown property is an error, as on
the real server, so a test catches a filter the real API would refuse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Protocol

Row = dict[str, Any]

COMMON = {"id", "created", "modified", "createdById", "modifiedById"}
SCHEMA: dict[str, set[str]] = {
    "ticket": COMMON
    | {
        "requestNumber",
        "subject",
        "description",
        "solution",
        "emailAddress",
        "userId",
        "statusId",
        "priorityId",
        "ticketTypeId",
        "sourceId",
        "requestTypeId",
        "assignedDepartmentId",
        "assignedTeamId",
        "assignedAgentId",
        "category1Id",
        "category2Id",
        "category3Id",
        "visibility",
        "customerReference",
        "isMarkedForDeletion",
        "userWaitedSince",
    },
    "user": COMMON
    | {
        "firstName",
        "lastName",
        "fullName",
        "role",
        "disabled",
        "emailAddressId",
        "companyId",
        "notes",
        "title",
    },
    "emailaddress": COMMON | {"email", "userId"},
    "status": COMMON
    | {"name", "userDisplayName", "index", "default", "disabled", "isGlobal", "coreStatus", "requestTypeId"},
    "priority": COMMON | {"name", "index", "disabled", "requestTypeId"},
    "tickettype": COMMON | {"name", "disabled", "requestTypeId"},
    "source": COMMON | {"name", "disabled"},
    "department": COMMON | {"name", "disabled"},
    "team": COMMON | {"name", "disabled", "departmentId"},
    "requesttype": COMMON | {"name", "key"},
    "category": COMMON | {"name", "disabled", "parentId"},
    "company": COMMON | {"name", "disabled"},
    "communication": COMMON
    | {
        "ticketId",
        "subject",
        "text",
        "type",
        "typeName",
        "direction",
        "visibility",
        "senderId",
        "messageId",
        "status",
    },
    "attachment": COMMON
    | {"name", "fileName", "contentType", "size", "ticketId", "isVisible", "communicationId"},
}
PLURALS = {
    "status": "statuses",
    "priority": "priorities",
    "category": "categories",
    "company": "companies",
    "emailaddress": "emailaddresses",
}
# A foreign key `<relation>Id` points at this entity (default: the relation's own name).
RELATION_TARGETS = {
    "assignedagent": "user",
    "sender": "user",
    "createdby": "user",
    "modifiedby": "user",
    "assigneddepartment": "department",
    "assignedteam": "team",
    "category1": "category",
    "category2": "category",
    "category3": "category",
    "parent": "category",
}
TO_MANY = {  # (entity, relation) -> (related entity, its foreign key to us)
    ("ticket", "communications"): ("communication", "ticketId"),
    ("ticket", "attachments"): ("attachment", "ticketId"),
    ("communication", "attachments"): ("attachment", "communicationId"),
}


def plural(entity: str) -> str:
    return PLURALS.get(entity, entity + "s")


class QueryError(ValueError):
    """A filter, include or sort the real server would refuse (answered with 400 and this message)."""


class Rows(Protocol):
    def get(self, entity: str, row_id: Any) -> Row | None: ...

    def all(self, entity: str) -> Iterable[Row]: ...


def field_name(entity: str, name: str) -> str | None:
    lowered = name.lower()
    return next((field for field in SCHEMA[entity] if field.lower() == lowered), None)


def relation(entity: str, name: str) -> tuple[str, str] | None:
    """(target entity, foreign key field) of a to-one relation such as ``user`` or ``assignedAgent``."""
    key = field_name(entity, name + "Id")
    if key is None or key == "id":
        return None
    target = RELATION_TARGETS.get(name.lower(), name.lower())
    return (target, key) if target in SCHEMA else None


def links_of(entity: str, row: Row, rows: Rows) -> dict[str, Any]:
    """The ``links`` object the real API sends: to-one ``{id, type}``, to-many ``{ids, type}``."""
    links: dict[str, Any] = {}
    for key in sorted(SCHEMA[entity]):
        if key.endswith("Id") and key != "id" and row.get(key) is not None:
            name = key[:-2]
            target = RELATION_TARGETS.get(name.lower(), name.lower())
            links[name] = {"id": row[key], "type": target}
    for (owner, name), (target, foreign_key) in TO_MANY.items():
        if owner == entity:
            ids = [other["id"] for other in rows.all(target) if other.get(foreign_key) == row["id"]]
            links[name] = {"ids": ids, "type": target}
    return links


# --- filters -------------------------------------------------------------------------------
TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op>==|!=|<=|>=|&&|\|\||[=<>!(),])
      | (?P<name>[A-Za-z_][\w.]*)
    )""",
    re.VERBOSE,
)
Evaluator = Callable[[Row], Any]


def compile_filter(text: str, entity: str, rows: Rows) -> Callable[[Row], bool]:
    parser = _FilterParser(_tokens(text), entity, rows)
    evaluate = parser.expression()
    if parser.peek() is not None:
        raise QueryError(f"Syntax error in filter near {parser.peek()[1]!r}")
    return lambda row: bool(evaluate(row))


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = TOKEN_RE.match(text, position)
        if match is None or match.end() == position:
            raise QueryError(
                f"Syntax error in filter at position {position}: {text[position:position + 20]!r}"
            )
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _FilterParser:
    def __init__(self, tokens: list[tuple[str, str]], entity: str, rows: Rows) -> None:
        self.tokens, self.entity, self.rows, self.position = tokens, entity, rows, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1].upper() != value.upper()):
            raise QueryError(
                f"Syntax error in filter: expected {value or 'more'}, got {token and token[1]!r}"
            )
        self.position += 1
        return token

    def at(self, *values: str) -> bool:
        token = self.peek()
        return token is not None and token[1].upper() in values

    def expression(self) -> Evaluator:
        left = self.conjunction()
        while self.at("OR", "||"):
            self.take()
            left = (lambda a, b: lambda row: a(row) or b(row))(left, self.conjunction())
        return left

    def conjunction(self) -> Evaluator:
        left = self.unary()
        while self.at("AND", "&&"):
            self.take()
            left = (lambda a, b: lambda row: a(row) and b(row))(left, self.unary())
        return left

    def unary(self) -> Evaluator:
        if self.at("!", "NOT"):
            self.take()
            inner = self.unary()
            return lambda row: not inner(row)
        if self.at("("):
            self.take("(")
            inner = self.expression()
            self.take(")")
            return inner
        return self.comparison()

    def comparison(self) -> Evaluator:
        left = self.operand()
        if not self.at("==", "=", "!=", "<", ">", "<=", ">="):
            return left
        operator = self.take()[1]
        right = self.operand()
        return lambda row: _compare(left(row), operator, right(row))

    def operand(self) -> Evaluator:
        kind, value = self.take()
        if kind == "string":
            text = re.sub(r"\\(.)", r"\1", value[1:-1])
            return lambda row: text
        if kind == "number":
            number = float(value) if "." in value else int(value)
            return lambda row: number
        if kind != "name":
            raise QueryError(f"Syntax error in filter near {value!r}")
        if value.upper() == "NULL":
            return lambda row: None
        if value.lower() in ("true", "false"):
            return (lambda flag: lambda row: flag)(value.lower() == "true")
        if value == "DateTimeOffset":
            moment = self.date_time_offset()
            return lambda row: moment
        if value.endswith(".Contains") and self.at("("):
            path = value[: -len(".Contains")].split(".")
            self.take("(")
            needle = self.operand()
            self.take(")")
            self.check_path(path)
            return lambda row: str(needle(row)).casefold() in str(self.navigate(row, path) or "").casefold()
        path = value.split(".")
        self.check_path(path)
        return lambda row: self.navigate(row, path)

    def date_time_offset(self) -> datetime:
        self.take("(")
        numbers = [self.integer()]
        while self.at(","):
            self.take(",")
            if self.at("TIMESPAN"):
                self.take()
                self.take("(")
                span = [self.integer()]
                while self.at(","):
                    self.take(",")
                    span.append(self.integer())
                self.take(")")
                days, hours, minutes, seconds = (span + [0, 0, 0, 0])[:4]
                offset = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
                break
            numbers.append(self.integer())
        else:
            offset = timedelta(0)
        self.take(")")
        year, month, day, hour, minute, second, millisecond = (numbers + [0] * 7)[:7]
        local = datetime(year, month, day, hour, minute, second, millisecond * 1000, timezone(offset))
        return local.astimezone(UTC)

    def integer(self) -> int:
        kind, value = self.take()
        if kind != "number":
            raise QueryError(f"Syntax error in filter: expected a number, got {value!r}")
        return int(value)

    def check_path(self, path: list[str]) -> None:
        """Refuse unknown properties up front, like the real server does for the whole query."""
        entity = self.entity
        for index, segment in enumerate(path):
            last = index == len(path) - 1
            if last and field_name(entity, segment):
                return
            target = relation(entity, segment)
            if target is None:
                raise QueryError(f"No property or field '{segment}' exists in type '{entity.capitalize()}'")
            if last:
                raise QueryError(f"Cannot compare an entity: '{'.'.join(path)}'")
            entity = target[0]

    def navigate(self, row: Row, path: list[str]) -> Any:
        entity, current = self.entity, row
        for segment in path[:-1]:
            target, key = relation(entity, segment)  # type: ignore[misc]  # checked in check_path
            current = self.rows.get(target, current.get(key))
            if current is None:
                return None
            entity = target
        return current.get(field_name(entity, path[-1]) or "")


def _compare(left: Any, operator: str, right: Any) -> bool:
    if isinstance(left, datetime) or isinstance(right, datetime):
        left, right = _as_datetime(left), _as_datetime(right)
    elif isinstance(left, str) and isinstance(right, str):
        left, right = left.casefold(), right.casefold()
    if operator in ("==", "="):
        return left == right
    if operator == "!=":
        return left != right
    if left is None or right is None:
        return False
    return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[operator]


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- includes and sorting ------------------------------------------------------------------
def linked_rows(entity: str, base: list[Row], include: str, rows: Rows) -> dict[str, list[Row]]:
    """The rows each dotted include path reaches from ``base``, by plural name, without duplicates."""
    linked: dict[str, dict[Any, Row]] = {}
    for path in filter(None, (part.strip() for part in include.split(","))):
        current_entity, current = entity, base
        for segment in path.split("."):
            to_one = relation(current_entity, segment)
            to_many = TO_MANY.get((current_entity, segment))
            if to_one is not None:
                target, key = to_one
                reached = [row for row in (rows.get(target, r.get(key)) for r in current) if row is not None]
            elif to_many is not None:
                target, foreign_key = to_many
                ids = {r["id"] for r in current}
                reached = [row for row in rows.all(target) if row.get(foreign_key) in ids]
            else:
                raise QueryError(f"Invalid include '{path}': '{segment}' is no relation of {current_entity}")
            for row in reached:
                linked.setdefault(plural(target), {})[row["id"]] = row
            current_entity, current = target, reached
    return {name: list(found.values()) for name, found in linked.items()}


def sort_rows(entity: str, found: list[Row], sort: str) -> list[Row]:
    """``sort=created desc, id`` (several keys, ``asc`` by default); unknown fields are an error."""
    keys = []
    for part in filter(None, (part.strip() for part in sort.split(","))):
        words = part.split()
        name = field_name(entity, words[0])
        if name is None or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise QueryError(f"Invalid sort '{part}'")
        keys.append((name, len(words) == 2 and words[1].lower() == "desc"))
    for name, descending in reversed(keys):
        found = sorted(
            found, key=lambda row: (row.get(name) is not None, row.get(name) or 0), reverse=descending
        )
    return found
