"""A fake OpenAI-compatible API, with Azure OpenAI's deployment paths, for contract tests.

Paths: ``/v1/chat/completions`` and ``/v1/embeddings`` (bearer key), and Azure's
``/openai/deployments/{deployment}/chat/completions|embeddings?api-version=…`` (``api-key`` header).
It checks the request shapes the real API requires and answers 400 with OpenAI's error body when
they are wrong. Replies are scripted (``reply_with_text``, ``reply_with_tool_call``); ``delay`` makes
every answer late, for timeouts. Embeddings are small deterministic vectors derived from the text.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import struct
from typing import Any

from aiohttp import web

from tests.fakes.server import FakeServer

ROLES = {"system", "developer", "user", "assistant", "tool"}
TOOL_CHOICES = {"auto", "none", "required"}


class FakeOpenAi(FakeServer):
    def __init__(self, *, api_key: str, dimensions: int = 8, api_version: str = "2024-10-21") -> None:
        super().__init__()
        self.api_key = api_key
        self.dimensions = dimensions
        self.api_version = api_version
        self.delay = 0.0
        self.bearer_token = ""  # set: Azure paths accept this Entra ID token (Authorization: Bearer) instead of api-key
        self.deployments_called: list[str] = []
        self._replies: list[dict[str, Any]] = []

    def reply_with_text(self, text: str) -> None:
        self._replies.append({"role": "assistant", "content": text, "refusal": None})

    def reply_with_tool_call(self, name: str, arguments: str) -> None:
        """``arguments`` is the raw JSON string the model produced (it may be malformed)."""
        self._replies.append(
            {
                "role": "assistant",
                "content": None,
                "refusal": None,
                "tool_calls": [
                    {
                        "id": f"call_{len(self.requests)}",
                        "type": "function",
                        "function": {"name": name, "arguments": arguments},
                    }
                ],
            }
        )

    def vector_for(self, text: str) -> list[float]:
        digest = hashlib.sha256(text.encode()).digest()
        return [round(byte / 255, 4) for byte in digest[: self.dimensions]]

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/embeddings", self._embeddings)
        app.router.add_post("/openai/deployments/{deployment}/chat/completions", self._chat)
        app.router.add_post("/openai/deployments/{deployment}/embeddings", self._embeddings)

    async def _chat(self, request: web.Request) -> web.Response:
        refused = self._check_auth(request)
        if refused:
            return refused
        body = await request.json()
        problem = _chat_problem(body)
        if problem:
            return _invalid(problem)
        await asyncio.sleep(self.delay)
        message = self._replies.pop(0) if self._replies else {"role": "assistant", "content": "OK"}
        return web.json_response(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": 1735689600,
                "model": request.match_info.get("deployment", body["model"]),
                "choices": [
                    {
                        "index": 0,
                        "message": message,
                        "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
                        "logprobs": None,
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }
        )

    async def _embeddings(self, request: web.Request) -> web.Response:
        refused = self._check_auth(request)
        if refused:
            return refused
        body = await request.json()
        texts = body.get("input")
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(body.get("model"), str) or not isinstance(texts, list) or not texts:
            return _invalid("'model' and a non-empty 'input' are required")
        if any(not isinstance(text, str) or not text for text in texts):
            return _invalid("'input' cannot contain empty strings")
        if len(texts) > 2048:
            return _invalid("'input' must have at most 2048 items")
        await asyncio.sleep(self.delay)
        base64_wanted = body.get("encoding_format") == "base64"
        return web.json_response(
            {
                "object": "list",
                "model": request.match_info.get("deployment", body["model"]),
                "data": [
                    {
                        "object": "embedding",
                        "index": index,
                        "embedding": _base64(vector) if base64_wanted else vector,
                    }
                    for index, vector in reversed(list(enumerate(map(self.vector_for, texts))))
                ],
                "usage": {"prompt_tokens": len(texts), "total_tokens": len(texts)},
            }
        )

    def _check_auth(self, request: web.Request) -> web.Response | None:
        if "deployment" in request.match_info:
            self.deployments_called.append(request.match_info["deployment"])
            if request.query.get("api-version") != self.api_version:
                return _error(404, "Resource not found", "404")
            bearer = self.bearer_token and request.headers.get("Authorization") == f"Bearer {self.bearer_token}"
            if request.headers.get("api-key") != self.api_key and not bearer:
                return _error(401, "Access denied due to invalid subscription key.", "401")
        elif request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided.", "invalid_api_key")
        return None


def _chat_problem(body: dict[str, Any]) -> str:
    if not isinstance(body.get("model"), str):
        return "'model' is required"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty array"
    for message in messages:
        if message.get("role") not in ROLES:
            return f"invalid role {message.get('role')!r}"
        if not isinstance(message.get("content"), str) and not message.get("tool_calls"):
            return "each message needs 'content'"
    for tool in body.get("tools") or []:
        function = tool.get("function") or {}
        if tool.get("type") != "function" or not function.get("name"):
            return "each tool needs type 'function' and a function name"
        if not isinstance(function.get("parameters", {}), dict):
            return "function parameters must be a JSON schema object"
    choice = body.get("tool_choice")
    if choice is not None:
        if not body.get("tools"):
            return "'tool_choice' is only allowed when 'tools' are specified"
        keyword = isinstance(choice, str) and choice in TOOL_CHOICES
        named = isinstance(choice, dict) and choice.get("type") == "function"
        if not keyword and not (named and choice.get("function", {}).get("name")):
            return "invalid 'tool_choice'"
    limit = body.get("max_tokens", body.get("max_completion_tokens"))
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        return "max tokens must be a positive integer"
    return ""


def _base64(vector: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


def _invalid(message: str) -> web.Response:
    return _error(400, message, None, kind="invalid_request_error")


def _error(status: int, message: str, code: str | None, *, kind: str = "") -> web.Response:
    return web.json_response(
        {"error": {"message": message, "type": kind or "error", "param": None, "code": code}},
        status=status,
    )
