"""The Llm port on the ``openai`` package: Azure OpenAI or any OpenAI-compatible endpoint.

With ``RAKEL_LLM_API_VERSION`` set, the client speaks Azure OpenAI (deployment paths,
``api-version``, ``api-key`` header) and the model names are deployment names; otherwise it calls
``RAKEL_LLM_BASE_URL`` as an OpenAI-compatible ``/v1`` API (OpenAI, Azure's v1 endpoint, vLLM…).
Every failure surfaces as ``LlmError`` so callers can fall back to extractive answers. The SDK
retries once (a bot turn cannot wait for more); the caller's timeout bounds each attempt.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import openai
from openai import AsyncAzureOpenAI, AsyncOpenAI

from connectors.azure_identity import OPENAI_SCOPE, ManagedIdentity, managed_identity
from core.ports import LlmError, LlmReply, ToolCall
from core.settings import Settings, SettingsError

MAX_RETRIES = 1
EMBEDDING_BATCH = 64


class OpenAiLlm:
    def __init__(
        self,
        client: AsyncOpenAI,
        *,
        model: str,
        embedding_model: str = "",
        timeout: float = 20.0,
        embedding_batch: int = EMBEDDING_BATCH,
        identity: ManagedIdentity | None = None,
    ) -> None:
        self._client = client
        self._identity = identity  # closed with the client
        self._model = model
        self._embedding_model = embedding_model
        self._timeout = timeout
        self._embedding_batch = embedding_batch

    async def chat(
        self,
        messages: list[dict[str, str]],
        *,
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        max_tokens: int = 600,
        timeout: float | None = None,
    ) -> LlmReply:
        options: dict[str, Any] = {}
        if tools:
            options["tools"] = tools
            if tool_choice is not None:
                options["tool_choice"] = tool_choice
        seconds = timeout or self._timeout
        try:
            completion = await self._client.chat.completions.create(
                model=self._model,
                messages=messages,  # type: ignore[arg-type]
                max_tokens=max_tokens,
                timeout=seconds,
                **options,
            )
        except openai.APITimeoutError as error:
            raise LlmError(f"chat timed out after {seconds:g} s") from error
        except openai.OpenAIError as error:
            raise LlmError(f"chat failed: {_describe(error)}") from error
        if not completion.choices:
            raise LlmError("chat returned no choices")
        choice = completion.choices[0]
        if choice.finish_reason == "content_filter" or choice.message.refusal:
            raise LlmError("the model refused or its content filter stopped the answer")
        calls = [_tool_call(call) for call in choice.message.tool_calls or []]
        return LlmReply(text=choice.message.content or "", tool_calls=calls)

    async def embed(self, texts: list[str]) -> list[list[float]]:
        if not self._embedding_model:
            raise LlmError("no embedding model configured (RAKEL_LLM_EMBEDDING_MODEL)")
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._embedding_batch):
            vectors.extend(await self._embed_batch(texts[start : start + self._embedding_batch]))
        return vectors

    async def close(self) -> None:
        await self._client.close()
        if self._identity is not None:
            await self._identity.close()

    async def _embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        try:
            response = await self._client.embeddings.create(
                model=self._embedding_model,
                input=[text if text.strip() else " " for text in texts],  # the API refuses ""
                encoding_format="float",  # base64 (the SDK's default) is not on every server
                timeout=self._timeout,
            )
        except openai.APITimeoutError as error:
            raise LlmError(f"embeddings timed out after {self._timeout:g} s") from error
        except openai.OpenAIError as error:
            raise LlmError(f"embeddings failed: {_describe(error)}") from error
        data = sorted(response.data, key=lambda item: item.index)
        if [item.index for item in data] != list(range(len(texts))):
            raise LlmError(f"embeddings answered {len(data)} vectors for {len(texts)} texts")
        return [list(item.embedding) for item in data]


def build_llm(settings: Settings) -> OpenAiLlm | None:
    """The LLM from settings, or None when ``RAKEL_LLM_BASE_URL`` is empty (extractive answers).

    Azure OpenAI without a key, with ``RAKEL_AZURE_CLIENT_ID`` set, is called with Entra ID tokens of
    that managed identity."""
    if not settings.llm_enabled:
        return None
    api_key = settings.llm_api_key.get_secret_value()
    identity = managed_identity(settings) if not api_key and settings.llm_api_version else None
    if not api_key and identity is None:
        raise SettingsError(
            "RAKEL_LLM_API_KEY: required when RAKEL_LLM_BASE_URL is set "
            "(any value for a server without keys; Azure OpenAI with RAKEL_AZURE_CLIENT_ID needs none)"
        )
    client: AsyncOpenAI
    if settings.llm_api_version:
        credentials: dict[str, Any] = (
            {"azure_ad_token_provider": identity.token_provider(OPENAI_SCOPE)} if identity else {"api_key": api_key}
        )
        client = AsyncAzureOpenAI(
            azure_endpoint=settings.llm_base_url,
            api_version=settings.llm_api_version,
            max_retries=MAX_RETRIES,
            **credentials,
        )
    else:
        client = AsyncOpenAI(base_url=settings.llm_base_url, api_key=api_key, max_retries=MAX_RETRIES)
    return OpenAiLlm(
        client,
        model=settings.llm_model,
        embedding_model=settings.llm_embedding_model,
        timeout=settings.llm_timeout_seconds,
        identity=identity,
    )


def _tool_call(call: Any) -> ToolCall:
    if call.type != "function":
        raise LlmError(f"unexpected {call.type!r} tool call (only function tools are offered)")
    name = call.function.name
    try:
        arguments = json.loads(call.function.arguments or "{}")
    except json.JSONDecodeError as error:
        raise LlmError(f"tool call {name!r} has malformed JSON arguments") from error
    if not isinstance(arguments, dict):
        raise LlmError(f"tool call {name!r} arguments are not a JSON object")
    return ToolCall(name=name, arguments=arguments)


def _describe(error: openai.OpenAIError) -> str:
    if isinstance(error, openai.APIStatusError):
        return f"HTTP {error.status_code}: {error.message}"
    return f"{type(error).__name__}: {error}"
