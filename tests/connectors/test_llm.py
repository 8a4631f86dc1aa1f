"""Contract: the Llm port over an OpenAI-compatible API and over Azure OpenAI deployment paths."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from openai import AsyncOpenAI

from connectors.llm import OpenAiLlm, build_llm
from core.ports import LlmError, ToolCall
from core.settings import Settings, SettingsError, load_settings
from tests.fakes.openai import FakeOpenAi

API_KEY = "sk-test-rakel"
LOOKUP_TICKET = {
    "type": "function",
    "function": {
        "name": "finn_sak",
        "description": "Finn en sak i Pureservice",
        "parameters": {
            "type": "object",
            "properties": {"saksnummer": {"type": "string"}},
            "required": ["saksnummer"],
        },
    },
}
QUESTION = [
    {"role": "system", "content": "Du er Rakel, IT-assistenten i ROR-IKT."},
    {"role": "user", "content": "Hva er status på sak 12345?"},
]


@pytest.fixture
async def fake_openai() -> AsyncIterator[FakeOpenAi]:
    async with FakeOpenAi(api_key=API_KEY) as fake:
        yield fake


def openai_settings(fake: FakeOpenAi, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "llm_base_url": f"{fake.base_url}/v1",
        "llm_api_key": API_KEY,
        "llm_model": "gpt-4o-mini",
        "llm_embedding_model": "text-embedding-3-small",
    }
    return load_settings(**(values | overrides))


@pytest.fixture
async def llm(fake_openai: FakeOpenAi) -> AsyncIterator[OpenAiLlm]:
    built = build_llm(openai_settings(fake_openai))
    assert built is not None
    yield built
    await built.close()


async def test_chat_sends_the_messages_and_returns_the_text(
    llm: OpenAiLlm, fake_openai: FakeOpenAi
) -> None:
    fake_openai.reply_with_text("Saken er under arbeid.")

    reply = await llm.chat(QUESTION, max_tokens=200)

    assert reply.text == "Saken er under arbeid." and reply.tool_calls == []
    [request] = fake_openai.requests_to("/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    body = request.json()
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"] == QUESTION
    assert body["max_tokens"] == 200
    assert "tools" not in body and "tool_choice" not in body


async def test_tools_are_passed_through_and_tool_calls_parsed(
    llm: OpenAiLlm, fake_openai: FakeOpenAi
) -> None:
    fake_openai.reply_with_tool_call("finn_sak", '{"saksnummer": "12345"}')
    choice = {"type": "function", "function": {"name": "finn_sak"}}

    reply = await llm.chat(QUESTION, tools=[LOOKUP_TICKET], tool_choice=choice)

    assert reply.tool_calls == [ToolCall(name="finn_sak", arguments={"saksnummer": "12345"})]
    body = fake_openai.requests_to("/chat/completions")[0].json()
    assert body["tools"] == [LOOKUP_TICKET]
    assert body["tool_choice"] == choice


@pytest.mark.parametrize("arguments", ['{"saksnummer": "123', '["12345"]'])
async def test_malformed_tool_call_arguments_are_an_llm_error(
    llm: OpenAiLlm, fake_openai: FakeOpenAi, arguments: str
) -> None:
    fake_openai.reply_with_tool_call("finn_sak", arguments)

    with pytest.raises(LlmError, match="finn_sak"):
        await llm.chat(QUESTION, tools=[LOOKUP_TICKET], tool_choice="auto")


async def test_a_slow_answer_is_an_llm_error(llm: OpenAiLlm, fake_openai: FakeOpenAi) -> None:
    fake_openai.delay = 1.0

    with pytest.raises(LlmError, match="timed out after 0.1 s"):
        await llm.chat(QUESTION, timeout=0.1)


async def test_a_refused_key_is_an_llm_error(fake_openai: FakeOpenAi) -> None:
    llm = build_llm(openai_settings(fake_openai, llm_api_key="sk-wrong"))
    assert llm is not None

    with pytest.raises(LlmError, match="HTTP 401"):
        await llm.chat(QUESTION)
    await llm.close()


async def test_embeddings_come_back_in_input_order_in_batches(
    fake_openai: FakeOpenAi,
) -> None:
    llm = OpenAiLlm(
        AsyncOpenAI(base_url=f"{fake_openai.base_url}/v1", api_key=API_KEY),
        model="gpt-4o-mini",
        embedding_model="text-embedding-3-small",
        embedding_batch=2,
    )
    texts = ["skriver", "passord", "", "VPN"]

    vectors = await llm.embed(texts)

    assert vectors == [fake_openai.vector_for(text or " ") for text in texts]
    requests = fake_openai.requests_to("/v1/embeddings")
    assert [r.json()["input"] for r in requests] == [["skriver", "passord"], [" ", "VPN"]]
    assert all(r.json()["model"] == "text-embedding-3-small" for r in requests)
    assert all(r.json()["encoding_format"] == "float" for r in requests)
    await llm.close()


async def test_embedding_without_a_model_is_an_llm_error(fake_openai: FakeOpenAi) -> None:
    llm = build_llm(openai_settings(fake_openai, llm_embedding_model=""))
    assert llm is not None

    with pytest.raises(LlmError, match="RAKEL_LLM_EMBEDDING_MODEL"):
        await llm.embed(["skriver"])
    await llm.close()


async def test_azure_openai_calls_deployment_paths_with_api_version_and_key(
    fake_openai: FakeOpenAi,
) -> None:
    settings = openai_settings(
        fake_openai,
        llm_base_url=fake_openai.base_url,
        llm_api_version=fake_openai.api_version,
        llm_model="rakel-chat",
        llm_embedding_model="rakel-embed",
    )
    llm = build_llm(settings)
    assert llm is not None
    fake_openai.reply_with_text("Hei!")

    reply = await llm.chat(QUESTION)
    await llm.embed(["skriver"])

    assert reply.text == "Hei!"
    assert fake_openai.deployments_called == ["rakel-chat", "rakel-embed"]
    chat, embed = fake_openai.requests
    assert chat.path == "/openai/deployments/rakel-chat/chat/completions"
    assert embed.path == "/openai/deployments/rakel-embed/embeddings"
    assert chat.query["api-version"] == fake_openai.api_version
    assert chat.headers["api-key"] == API_KEY and "authorization" not in chat.headers
    assert json.loads(chat.body)["messages"] == QUESTION
    await llm.close()


def test_no_base_url_means_no_llm() -> None:
    assert build_llm(load_settings(llm_base_url="")) is None


def test_a_base_url_without_a_key_is_refused_at_start_up() -> None:
    with pytest.raises(SettingsError, match="RAKEL_LLM_API_KEY"):
        build_llm(load_settings(llm_base_url="https://llm.example/v1", llm_api_key=""))
