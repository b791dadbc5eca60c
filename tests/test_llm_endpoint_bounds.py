"""A chat endpoint is a network peer: slow, huge, endless and malformed answers end in time as one-line errors.

Each misbehaving answer comes from a real server (tests/chat_server.py), first straight to the endpoint
backend, then through the HTTP API of a live server, whose memory must not grow with the answer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from chat_server import ChatServer, Reply, endless, huge, raw_json, trickling
from live_server import LiveServer

from summarize import load_settings
from summarize.config import LLMSettings
from summarize.engines.llm.endpoint import EndpointChatModel, answer_byte_limit
from summarize.errors import ConfigError, ModelUnavailableError
from summarize.web.server import create_app

TIMEOUT_S = 2.0
MARGIN_S = 2.0
"""The issue's bound: every misbehaving answer is over within llm.timeout_seconds + 2 s."""
MAX_NEW_TOKENS = 64
ARTICLE = (
    "The city council approved a new budget for public libraries on Tuesday. "
    "Officials said the money would extend opening hours and buy new books. "
    "Residents had asked for longer hours for years."
)


def _settings(url: str, **overrides: Any) -> LLMSettings:
    values = {
        "llm.endpoint": url,
        "llm.model": "test-model",
        "llm.max_retries": 0,
        "llm.timeout_seconds": TIMEOUT_S,
        "llm.generation.max_new_tokens": MAX_NEW_TOKENS,
        **overrides,
    }
    return load_settings(overrides=values, environ={}).llm


MESSAGES = [{"role": "user", "content": "Say something."}]


def _where(server: ChatServer) -> str:
    return f"the LLM server at {server.url}"


def _refusal(server: ChatServer, what: str) -> str:
    return f"{_where(server)} sent {what}; is llm.endpoint an OpenAI-compatible API (e.g. http://127.0.0.1:8000/v1)?"


def _timeout(server: ChatServer) -> str:
    return f"{_where(server)} did not answer within llm.timeout_seconds (2 s); raise it or check the server's load"


def _too_many_bytes(server: ChatServer) -> str:
    return (
        f"{_where(server)} sent more than {answer_byte_limit(MAX_NEW_TOKENS):,} bytes for an answer of at most "
        f"{MAX_NEW_TOKENS} tokens (llm.generation.max_new_tokens); refused"
    )


def _completion(content: str, **extra: Any) -> bytes:
    import json

    data = {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}
    return json.dumps({**data, **extra}).encode()


CASES: dict[str, tuple[Reply, Any]] = {
    "slow": (trickling(every_s=0.3, total_s=30), _timeout),
    "huge": (huge(megabytes=30), _too_many_bytes),
    "endless": (endless(), _too_many_bytes),
    "invalid json": (raw_json(b'{"choices": [{"message": '), lambda server: _refusal(server, "an answer that is not JSON")),
    "numeric content": (
        raw_json(b'{"choices": [{"index": 0, "message": {"role": "assistant", "content": 42}}]}'),
        lambda server: _refusal(server, "a choices[0].message.content that is int, not text"),
    ),
    "content beyond max tokens": (
        raw_json(_completion("word " * 1_000)),
        lambda server: (
            f"{_where(server)} sent an answer of 5,000 characters, beyond what llm.generation.max_new_tokens "
            f"({MAX_NEW_TOKENS}) allows; refused (does the server honour max_tokens?)"
        ),
    ),
    "usage beyond max tokens": (
        raw_json(_completion("A short answer.", usage={"completion_tokens": 4_096})),
        lambda server: (
            f"{_where(server)} sent an answer of 4,096 tokens, beyond what llm.generation.max_new_tokens "
            f"({MAX_NEW_TOKENS}) allows; refused (does the server honour max_tokens?)"
        ),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_misbehaving_answer_is_a_one_line_error_in_time(case: str) -> None:
    reply, message = CASES[case]
    with ChatServer(replies=[reply]) as server:
        backend = EndpointChatModel(_settings(server.url))
        started = time.monotonic()
        with pytest.raises(ModelUnavailableError) as raised:
            backend.complete([MESSAGES], MAX_NEW_TOKENS)
        elapsed = time.monotonic() - started
    assert str(raised.value) == message(server)
    assert elapsed < TIMEOUT_S + MARGIN_S


@pytest.mark.parametrize("case", ["slow", "endless"])
def test_a_misbehaving_stream_ends_in_time(case: str) -> None:
    reply, message = CASES[case]
    with ChatServer(replies=[reply]) as server:
        backend = EndpointChatModel(_settings(server.url))
        started = time.monotonic()
        with pytest.raises(ModelUnavailableError) as raised:
            list(backend.stream(MESSAGES, MAX_NEW_TOKENS))
        elapsed = time.monotonic() - started
    assert str(raised.value) == message(server)
    assert elapsed < TIMEOUT_S + MARGIN_S


def test_a_stream_event_with_numeric_content_is_refused() -> None:
    event = b'data: {"choices": [{"index": 0, "delta": {"content": 7}}]}\n\ndata: [DONE]\n\n'
    with ChatServer(replies=[raw_json(event)]) as server:
        backend = EndpointChatModel(_settings(server.url))
        with pytest.raises(ModelUnavailableError) as raised:
            list(backend.stream(MESSAGES, MAX_NEW_TOKENS))
    assert str(raised.value) == _refusal(server, "a choices[0].delta.content that is int, not text")


def test_retries_stop_at_the_deadline() -> None:
    """Backoff counts against the same deadline: a server that is always busy ends the exchange in time."""
    with ChatServer(script=lambda body: Reply(status=503, headers={"Retry-After": "1"})) as server:
        backend = EndpointChatModel(_settings(server.url, **{"llm.max_retries": 10}))
        started = time.monotonic()
        with pytest.raises(ModelUnavailableError) as raised:
            backend.complete([MESSAGES], MAX_NEW_TOKENS)
        elapsed = time.monotonic() - started
    assert str(raised.value) == _timeout(server)
    assert len(server.requests) <= 3  # at most 2 s of 1 s waits
    assert elapsed < TIMEOUT_S + MARGIN_S


def test_an_answer_within_the_bounds_passes() -> None:
    with ChatServer(replies=[Reply("A short answer that fits.")]) as server:
        backend = EndpointChatModel(_settings(server.url))
        (completion,) = backend.complete([MESSAGES], MAX_NEW_TOKENS)
    assert completion.text == "A short answer that fits."


def test_credentials_in_the_endpoint_url_and_an_api_key_are_refused_together() -> None:
    endpoint = {"llm.endpoint": "http://user:secret@127.0.0.1:8000/v1"}
    assert load_settings(overrides=endpoint, environ={}).llm.endpoint  # Basic auth alone is the operator's choice
    with pytest.raises(ConfigError) as raised:
        load_settings(overrides={**endpoint, "llm.api_key": "key"}, environ={})
    message = str(raised.value)
    assert "holds user:password@ and llm.api_key is set too: the URL's Basic auth would be sent" in message
    assert "secret" not in message


# ---------------------------------------------------------------------------------------------- live server


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.fixture(scope="module")
def misbehaving() -> Iterator[tuple[ChatServer, LiveServer]]:
    """A live server whose summaries come from a chat server that answers as each test scripts it."""
    with ChatServer() as chat:
        overrides = {
            "llm.endpoint": chat.url,
            "llm.model": "test-model",
            "llm.max_retries": 0,
            "llm.timeout_seconds": TIMEOUT_S,
            "llm.generation.max_new_tokens": MAX_NEW_TOKENS,
            "summarize.engine": "llm",
            "translate.engine": "llm",
            "runtime.allow_download": False,
        }
        with LiveServer(create_app(load_settings(overrides=overrides, environ={}))) as live:
            yield chat, live


@pytest.mark.parametrize("case", list(CASES))
def test_the_server_answers_a_misbehaving_endpoint_with_a_one_line_503(
    case: str, misbehaving: tuple[ChatServer, LiveServer]
) -> None:
    chat, live = misbehaving
    reply, message = CASES[case]
    chat.replies.append(reply)
    before = _rss_bytes()
    started = time.monotonic()
    response = httpx.post(f"{live.url}/v1/summarize", json={"text": ARTICLE, "target_lang": "en"}, timeout=60)
    elapsed = time.monotonic() - started
    grown = _rss_bytes() - before
    assert response.status_code == 503
    assert response.json() == {"error": {"type": "model_unavailable", "message": message(chat)}}
    assert elapsed < TIMEOUT_S + MARGIN_S
    assert grown < 50 * 2**20
