"""Downloading the files users send in Teams (the ``FileFetcher`` port), for tickets.

A file attached in Teams arrives as ``file.download.info`` with a pre-authenticated ``downloadUrl``;
a pasted screenshot arrives as an image whose ``contentUrl`` lives at the Bot Connector service and
needs the bot's own token. The size limit is checked against ``Content-Length`` and again while
reading, so a huge file is never held in memory.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlparse

import aiohttp

from bot.authentication import outbound_credentials
from core.ports import FetchedFile, FileTooLarge, FileUnavailable
from core.settings import Environment, Settings

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
BOT_FRAMEWORK_HOSTS = ("smba.trafficmanager.net", ".botframework.com", ".botframework.us", ".teams.microsoft.com")


class HttpFileFetcher:
    def __init__(self, settings: Settings, *, timeout_seconds: float | None = None) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds or settings.tickets_attachment_timeout_seconds)
        self._schemes = ("https",) if settings.env is Environment.PRODUCTION else ("https", "http")
        self._credentials = outbound_credentials(settings)
        self._session: aiohttp.ClientSession | None = None

    async def fetch(self, url: str, *, max_bytes: int) -> FetchedFile:
        parsed = urlparse(url)
        if parsed.scheme not in self._schemes or not parsed.hostname:
            raise FileUnavailable(f"refusing to fetch a {parsed.scheme or 'relative'} URL")
        headers = {}
        if self._credentials is not None and parsed.hostname.endswith(BOT_FRAMEWORK_HOSTS):
            token = await asyncio.to_thread(self._credentials.get_access_token)
            headers["Authorization"] = f"Bearer {token}"
        try:
            async with self._client().get(url, headers=headers) as response:
                if response.status >= 400:
                    raise FileUnavailable(f"HTTP {response.status}")
                if (response.content_length or 0) > max_bytes:
                    raise FileTooLarge(f"{response.content_length} bytes")
                data = bytearray()
                async for chunk in response.content.iter_chunked(CHUNK_BYTES):
                    data.extend(chunk)
                    if len(data) > max_bytes:
                        raise FileTooLarge(f"more than {max_bytes} bytes")
                return FetchedFile(bytes(data), response.headers.get("Content-Type", ""))
        except (TimeoutError, aiohttp.ClientError) as error:
            raise FileUnavailable(f"{type(error).__name__}: {error}") from error

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
