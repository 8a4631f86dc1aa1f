"""Building Pureservice query strings: filter literals (Dynamic LINQ style) and URL encoding."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

MAX_PAGE_SIZE = 500  # the API's entity limit per GET


def string_literal(value: str) -> str:
    """A double-quoted filter string, safe for any value (quotes and backslashes escaped)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def datetime_literal(moment: datetime) -> str:
    """``DateTimeOffset(y,m,d,h,mi,s,ms,TimeSpan(0,0,0,0))`` in UTC (naive datetimes are taken as UTC)."""
    utc = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    parts = (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond // 1000)
    return f"DateTimeOffset({','.join(map(str, parts))},TimeSpan(0,0,0,0))"


def query_string(params: Mapping[str, str | int]) -> str:
    """Percent-encode every parameter (spaces as %20, never '+', which a server may keep literally)."""
    return urlencode(params, quote_via=quote, safe=",")
