"""Signed, expiring links to a report folder, for the card Teams staff get: the report holds no
personal data, but it is ROR-IKT's, so a link works only with its signature and only for a while."""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path
from urllib.parse import urlencode

FOLDER = re.compile(r"^\d{4}-\d{2}(-\d{1,2}m)?$")
FILE = re.compile(r"^[a-z0-9-]+\.(html|png|csv)$")
CONTENT_TYPES = {"html": "text/html", "png": "image/png", "csv": "text/csv"}


class ReportLinks:
    def __init__(self, secret: str, base_url: str) -> None:
        self._key = hmac.new(secret.encode(), b"rakel report links", hashlib.sha256).digest()
        self._base_url = base_url.rstrip("/")

    def _signature(self, folder: str, expires: int) -> str:
        return hmac.new(self._key, f"{folder}:{expires}".encode(), hashlib.sha256).hexdigest()

    def url(self, folder: str, file: str, expires: int) -> str:
        query = urlencode({"expires": expires, "signature": self._signature(folder, expires)})
        return f"{self._base_url}/reports/{folder}/{file}?{query}"

    def valid(self, folder: str, file: str, expires: str, signature: str, now: float) -> bool:
        if not (FOLDER.match(folder) and FILE.match(file) and expires.isdigit()) or int(expires) < now:
            return False
        return hmac.compare_digest(self._signature(folder, int(expires)), signature)


def report_file(reports_path: Path, folder: str, file: str) -> Path | None:
    """The file, when the names are ours (no path tricks) and it exists."""
    if not (FOLDER.match(folder) and FILE.match(file)):
        return None
    path = reports_path / folder / file
    return path if path.is_file() else None
