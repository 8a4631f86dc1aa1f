"""Pictures and files in a handoff: what the relay can show inline, and what goes into the ticket.

A picture is downloaded with the bot's credentials when the message arrives (Teams' ``contentUrl`` on the
Bot Connector needs the bot's token, so a plain link is dead for the agent) and re-posted in the other
chat as a base64 image. A picture over the inline limit, or in a format Teams does not show inline, is
shrunk to a JPEG that fits (Pillow); other files are attached to the transcript ticket.
"""

from __future__ import annotations

import asyncio
import io
import logging

from PIL import Image, UnidentifiedImageError

from core.messages import InlineImage
from store.tickets_requests import StoredFile

log = logging.getLogger(__name__)

INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif"})  # what Teams shows as an inline image
_LONGEST_SIDES = (2048, 1600, 1280, 1024, 800, 640, 480, 320)
_QUALITY = 80


def is_picture(file: StoredFile) -> bool:
    return file.content_type.startswith("image/")


def _shrunk(data: bytes, max_bytes: int) -> bytes | None:
    """A JPEG of the picture under ``max_bytes`` (largest first), or None when it cannot be read or made."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            picture = opened.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    for side in _LONGEST_SIDES:
        copy = picture.copy()
        copy.thumbnail((side, side))
        out = io.BytesIO()
        copy.save(out, "JPEG", quality=_QUALITY, optimize=True)
        if out.tell() <= max_bytes:
            return out.getvalue()
    return None


async def inline_image(file: StoredFile, max_bytes: int) -> InlineImage | None:
    """The picture as it can be shown inline, or None (not a picture, not fetched, or cannot be made to fit)."""
    if file.data is None or not is_picture(file):
        return None
    if file.content_type in INLINE_TYPES and len(file.data) <= max_bytes:
        return InlineImage(file.name, file.content_type, file.data)
    shrunk = await asyncio.to_thread(_shrunk, file.data, max_bytes)
    if shrunk is None:
        log.info("picture could not be shown inline", extra={"bytes": len(file.data)})
        return None
    stem = file.name.rsplit(".", 1)[0] if "." in file.name else file.name
    return InlineImage(f"{stem}.jpg", "image/jpeg", shrunk)
