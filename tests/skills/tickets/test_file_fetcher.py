"""Downloading what users send (bot/files.py): size limits, refusals, and no bot token to strangers."""

from __future__ import annotations

import pytest
from aiohttp import web

from bot.files import HttpFileFetcher
from core.ports import FileTooLarge, FileUnavailable
from tests.conftest import make_settings


@pytest.fixture
async def server():
    seen: list[dict] = []

    async def small(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.Response(body=b"PNGDATA", content_type="image/png")

    async def streamed(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()  # chunked: no Content-Length to trust
        await response.prepare(request)
        for _ in range(10):
            await response.write(b"x" * 1024)
        await response.write_eof()
        return response

    async def big(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 5000)

    app = web.Application()
    app.router.add_get("/small.png", small)
    app.router.add_get("/big", big)
    app.router.add_get("/streamed", streamed)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    yield base, seen
    await runner.cleanup()


@pytest.fixture
async def fetcher(tmp_path):
    fetcher = HttpFileFetcher(make_settings(tmp_path, app_id="rakel-app", app_password="secret"))
    yield fetcher
    await fetcher.close()


async def test_a_file_is_fetched_with_its_content_type_and_no_bot_token_goes_to_other_hosts(server, fetcher):
    base, seen = server
    fetched = await fetcher.fetch(f"{base}/small.png", max_bytes=1024)
    assert (fetched.data, fetched.content_type) == (b"PNGDATA", "image/png")
    assert "Authorization" not in seen[0]


async def test_files_over_the_limit_are_refused_by_length_and_while_streaming(server, fetcher):
    base, _ = server
    with pytest.raises(FileTooLarge):
        await fetcher.fetch(f"{base}/big", max_bytes=2048)
    with pytest.raises(FileTooLarge):
        await fetcher.fetch(f"{base}/streamed", max_bytes=2048)


async def test_missing_files_and_odd_urls_are_unavailable(server, fetcher, tmp_path):
    base, _ = server
    for url in (f"{base}/missing", "file:///etc/passwd", "relative/path.png", "http://127.0.0.1:1/closed"):
        with pytest.raises(FileUnavailable):
            await fetcher.fetch(url, max_bytes=2048)
    production = HttpFileFetcher(make_settings(tmp_path, env="production", app_id="rakel-app", analytics_key="test-key"))
    with pytest.raises(FileUnavailable):
        await production.fetch(f"{base}/small.png", max_bytes=2048)  # production fetches over https only
    await production.close()
