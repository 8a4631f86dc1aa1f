"""Screenshots and files for a ticket: fetched when the draft is made, within a size and count limit.

A file that cannot be taken (too large, too many, the download failed) is not lost silently: its
link goes into the description, and the card says so.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import re
from pathlib import PurePosixPath

from core.ports import FileFetcher, FileTooLarge, FileUnavailable, TicketAttachment
from store.tickets_requests import AttachmentRef, StoredFile

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^\w.\- ()]+")


def _content_type(ref: AttachmentRef, fetched: str = "") -> str:
    for candidate in (fetched, ref.content_type):
        if "/" in candidate:
            return candidate.split(";")[0].strip()
    return mimetypes.guess_type(ref.name)[0] or "application/octet-stream"


def _file_name(name: str, content_type: str, taken: set[str]) -> str:
    """A safe, unique file name with an extension (Teams calls pasted images just "image")."""
    base = _UNSAFE.sub("_", PurePosixPath(name.replace("\\", "/")).name).strip(" ._") or "vedlegg"
    path = PurePosixPath(base)
    if not path.suffix and (extension := mimetypes.guess_extension(content_type)):
        path = path.with_suffix(extension)
    candidate, number = path.name, 2
    while candidate.casefold() in taken:
        candidate, number = f"{path.stem}-{number}{path.suffix}", number + 1
    taken.add(candidate.casefold())
    return candidate


async def fetch_files(
    refs: list[AttachmentRef],
    fetcher: FileFetcher | None,
    *,
    max_files: int,
    max_bytes: int,
    timeout: float,
) -> tuple[StoredFile, ...]:
    unique = list({ref.url or f"{ref.name}:{index}": ref for index, ref in enumerate(refs)}.values())

    async def fetch(index: int, ref: AttachmentRef) -> StoredFile:
        if index >= max_files:
            return StoredFile(ref.name, _content_type(ref), ref.url, problem="too_many")
        if fetcher is None or not ref.url:
            return StoredFile(ref.name, _content_type(ref), ref.url, problem="unavailable")
        try:
            fetched = await asyncio.wait_for(fetcher.fetch(ref.url, max_bytes=max_bytes), timeout)
        except FileTooLarge:
            return StoredFile(ref.name, _content_type(ref), ref.url, problem="too_large")
        except (TimeoutError, FileUnavailable) as error:
            log.info("attachment not fetched", extra={"error": type(error).__name__})
            return StoredFile(ref.name, _content_type(ref), ref.url, problem="unavailable")
        except Exception:  # noqa: BLE001 - a broken download must not cost the user the ticket
            log.exception("attachment fetcher failed")
            return StoredFile(ref.name, _content_type(ref), ref.url, problem="unavailable")
        return StoredFile(ref.name, _content_type(ref, fetched.content_type), ref.url, len(fetched.data), fetched.data)

    fetched = await asyncio.gather(*(fetch(index, ref) for index, ref in enumerate(unique)))
    taken: set[str] = set()
    return tuple(
        StoredFile(_file_name(item.name, item.content_type, taken), item.content_type, item.url, item.size,
                   item.data, item.problem)
        for item in fetched
    )


def ticket_attachments(files: tuple[StoredFile, ...]) -> list[TicketAttachment]:
    return [TicketAttachment(item.name, item.content_type, item.data) for item in files if item.data is not None]


def link_lines(files: tuple[StoredFile, ...]) -> tuple[str, ...]:
    """Description lines for the files that could not be attached."""
    return tuple(f"- {item.name}: {item.url}" for item in files if item.problem and item.url)


def human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"
