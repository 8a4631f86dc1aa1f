"""The aiohttp application: /api/messages, /healthz, /readyz, /metrics."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Mapping
from typing import Protocol

import structlog
from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from msrest.serialization import Model

from analytics.links import CONTENT_TYPES, ReportLinks, report_file
from bot.handler import RakelBot, new_reference
from bot.metrics import BotMetrics
from bot.telemetry import build_telemetry
from bot.workers import run_exclusively
from core.lifecycle import BackgroundJob, NotReady, ReadinessCheck
from core.settings import Settings
from store.leases import LeaseKeeper

log = logging.getLogger(__name__)


class Runtime(Protocol):
    """What the HTTP app serves: the composition root's runtime (app.py)."""

    settings: Settings
    adapter: CloudAdapter
    bot: RakelBot
    metrics: BotMetrics

    @property
    def readiness(self) -> Mapping[str, ReadinessCheck]: ...

    @property
    def background(self) -> Mapping[str, BackgroundJob]: ...

    @property
    def leases(self) -> LeaseKeeper: ...  # background jobs run where their lease is held (bot/workers.py)

    async def close(self) -> None: ...


RUNTIME = web.AppKey("runtime", Runtime)
DRAINING = web.AppKey("draining", asyncio.Event)  # set on SIGTERM: /readyz and new turns get 503 from then on
READINESS_TIMEOUT_SECONDS = 3.0


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _parse_activity(body: bytes) -> Activity:
    """Raise ValueError for anything that is not a Bot Framework activity."""
    payload = json.loads(body)
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str) or not payload["type"]:
        raise ValueError("not an activity")
    activity = Activity().deserialize(payload)
    if activity.conversation is None or not activity.conversation.id or activity.from_property is None:
        raise ValueError("an activity needs conversation.id and from")
    if not activity.service_url:
        raise ValueError("an activity needs serviceUrl")
    return activity


def _tenant_allowed(activity: Activity, allowed: list[str]) -> bool:
    if not allowed:
        return True
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = (channel_data.get("tenant") or {}).get("id") or (activity.conversation.tenant_id or "")
    return tenant in allowed


async def messages(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    if request.app[DRAINING].is_set():  # shutting down: not processed, so a load balancer may send it elsewhere
        response = web.json_response({"error": "shutting down"}, status=503, headers={"Retry-After": "1"})
    else:
        response = await _messages(request, runtime)
    runtime.metrics.requests.labels(str(response.status)).inc()
    return response


async def _messages(request: web.Request, runtime: Runtime) -> web.Response:
    if "application/json" not in request.headers.get("Content-Type", ""):
        return _error(415, "Content-Type must be application/json")
    body = await request.read()  # aiohttp answers 413 above client_max_size
    try:
        activity = _parse_activity(body)
    except (ValueError, TypeError, AttributeError) as error:
        return _error(400, f"malformed activity: {error}")
    structlog.contextvars.bind_contextvars(
        activity_id=activity.id, conversation_id=activity.conversation.id, activity_type=activity.type
    )
    adapter = runtime.adapter
    try:
        authenticated = await adapter.bot_framework_authentication.authenticate_request(
            activity, request.headers.get("Authorization") or None  # botbuilder: None = no header
        )
    except Exception as error:  # noqa: BLE001 - every validation failure of botbuilder means 401
        log.info("unauthenticated request refused", extra={"reason": str(error)[:200]})
        return _error(401, "unauthorized")
    if not _tenant_allowed(activity, runtime.settings.allowed_tenant_ids):
        log.warning("request from a tenant that is not served")
        return _error(403, "tenant not served")
    started = time.perf_counter()
    invoke_response = await adapter.process_activity(authenticated, activity, runtime.bot.on_turn)
    runtime.metrics.turn_seconds.labels(activity.type).observe(time.perf_counter() - started)
    log.info("activity handled", extra={"ms": round((time.perf_counter() - started) * 1000, 1)})
    if invoke_response is None:
        return web.Response(status=200)
    body = invoke_response.body
    if isinstance(body, Model):
        body = body.serialize()
    return web.json_response(body, status=invoke_response.status)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "alive"})


async def readyz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    if request.app[DRAINING].is_set():
        return web.json_response({"ready": False, "draining": True}, status=503)
    detail: dict[str, str] = {}
    for name, check in runtime.readiness.items():
        try:
            await asyncio.wait_for(check(), READINESS_TIMEOUT_SECONDS)
            detail[name] = "ok"
        except NotReady as error:  # says what is wrong, e.g. which Pureservice name is missing
            detail[name] = f"failed: {error}"
        except Exception as error:  # noqa: BLE001 - readiness reports, it never raises
            detail[name] = f"failed: {type(error).__name__}"
    ready = all(value == "ok" for value in detail.values())
    return web.json_response({"ready": ready, "checks": detail}, status=200 if ready else 503)


async def report(request: web.Request) -> web.Response:
    """A monthly report file, for the signed link «rapport» sends ROR-IKT staff in Teams."""
    runtime = request.app[RUNTIME]
    folder, file = request.match_info["folder"], request.match_info["file"]
    links = ReportLinks(runtime.settings.analytics_secret, runtime.settings.public_base_url)
    query = request.query
    if not links.valid(folder, file, query.get("expires", ""), query.get("signature", ""), time.time()):
        return _error(403, "the link is not valid (or has expired): write «rapport» in Teams for a new one")
    path = report_file(runtime.settings.reports_path, folder, file)
    if path is None:
        return _error(404, "no such report")
    return web.FileResponse(path, headers={"Content-Type": CONTENT_TYPES[path.suffix[1:]],
                                           "Cache-Control": "private, no-store"})


async def metrics(request: web.Request) -> web.Response:
    body = request.app[RUNTIME].metrics.render()
    return web.Response(body=body, content_type="text/plain", charset="utf-8")


@web.middleware
async def no_stack_traces(request: web.Request, handler):  # noqa: ANN001 - aiohttp's middleware signature
    structlog.contextvars.clear_contextvars()
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:  # noqa: BLE001 - log it under a reference; the client sees no internals
        reference = new_reference()
        log.exception("request failed", extra={"reference": reference, "path": request.path})
        request.app[RUNTIME].metrics.errors.labels("http").inc()
        return web.json_response({"error": "internal error", "reference": reference}, status=500)


def create_app(runtime: Runtime) -> web.Application:
    telemetry = build_telemetry(runtime.settings)
    middlewares = [telemetry.middleware, no_stack_traces] if telemetry else [no_stack_traces]
    app = web.Application(client_max_size=runtime.settings.max_body_bytes, middlewares=middlewares)
    app[RUNTIME] = runtime
    app[DRAINING] = asyncio.Event()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/reports/{folder}/{file}", report)

    async def lifecycle(_app: web.Application) -> AsyncIterator[None]:
        workers = [asyncio.create_task(run_exclusively(runtime.leases, name, job, runtime.metrics.jobs_running),
                                       name=name) for name, job in runtime.background.items()]
        yield
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        await runtime.close()
        if telemetry is not None:
            await asyncio.to_thread(telemetry.shutdown)  # the last spans and metrics go out

    app.cleanup_ctx.append(lifecycle)
    return app
