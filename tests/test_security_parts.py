"""The hardening parts on their own: Unicode clean-up, path hiding, Host matching, the failed-auth window, settings."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarize import ConfigError, load_settings
from summarize.redaction import hide_paths
from summarize.text import first_lone_surrogate, normalize_text
from summarize.web.guards import (
    FailedAuthCounts,
    FailedAuthLimit,
    allowed_hosts,
    host_is_allowed,
)

# --------------------------------------------------------------------------- Unicode


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("👨\u200d👩\u200d👧 family", "👨\u200d👩\u200d👧 family"),  # ZWJ sequence kept whole
        ("❤️\u200d🔥 love", "❤️\u200d🔥 love"),  # after a variation selector
        ("👍🏽\u200d", "👍🏽"),  # a trailing joiner joins nothing
        ("a\u200db", "ab"),  # between letters: removed as before
        ("新\u200d闻", "新闻"),
        ("\u200d👩", "👩"),
        ("pay \u202eusd 001\u202c now", "pay usd 001 now"),  # right-to-left override
        ("\u2066left\u2069 \u2067right\u2069 \u2068first\u2069", "left right first"),  # isolates
        ("\u202aa\u202bb\u202dc", "abc"),  # embeddings and the left-to-right override
    ],
    ids=["family", "heart-on-fire", "trailing", "letters", "han", "leading", "rlo", "isolates", "embeddings"],
)
def test_normalize_keeps_emoji_joiners_and_drops_bidi_controls(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@given(st.text(alphabet=st.sampled_from(["a", "新", " ", "👩", "\u200d", "\u202e", "\u2066", "\ufe0f", "🔥"])))
def test_normalized_text_has_no_bidi_controls_nor_loose_joiners(text: str) -> None:
    normalized = normalize_text(text)
    assert not any(char in normalized for char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    for index, char in enumerate(normalized):
        if char == "\u200d":
            assert 0 < index < len(normalized) - 1
            assert normalized[index - 1] in "👩🔥\ufe0f" and normalized[index + 1] in "👩🔥"


@pytest.mark.parametrize(("text", "position"), [("ab\ud800c", 2), ("\udfff", 0), ("ok 😀", None), ("", None)])
def test_first_lone_surrogate(text: str, position: int | None) -> None:
    assert first_lone_surrogate(text) == position


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("model directory '/srv/models/bart' (summarize.models.en) has no config.json", "model directory 'bart' (summarize.models.en) has no config.json"),
        ("/tmp/a/bart + /tmp/b/marian-en-zh", "bart + marian-en-zh"),
        ("cached in /root/.cache/huggingface/hub/models--x/", "cached in models--x"),
        ("see ~/models/mt5 and ./local/bart", "see mt5 and bart"),
        ("C:\\models\\opus here", "opus here"),
        ("facebook/bart-large-cnn", "facebook/bart-large-cnn"),  # a Hub id is a name, not a path
        ("https://huggingface.co/facebook/bart-large-cnn", "https://huggingface.co/facebook/bart-large-cnn"),
        ("a en->zh summary, 12 tokens/s", "a en->zh summary, 12 tokens/s"),
        ("the LLM server at http://svc:hunter2@10.0.0.7:8000/v1 (connection refused)",
         "the LLM server at http://10.0.0.7:8000/v1 (connection refused)"),
        ("mirror https://token@hub.internal/x and http://a:b@c", "mirror https://hub.internal/x and http://c"),
        ("at http://svc:p@ss@10.0.0.7/v1 now", "at http://10.0.0.7/v1 now"),
    ],
    ids=["quoted", "two", "trailing-slash", "home-relative", "windows", "hub-id", "url", "no-path",
         "url-credentials", "url-user-only", "url-password-with-at"],
)
def test_hide_paths(text: str, shown: str) -> None:
    assert hide_paths(text) == shown


# --------------------------------------------------------------------------- hosts


@pytest.mark.parametrize(
    ("header", "allowed", "answer"),
    [
        ("127.0.0.1:7860", ("localhost", "127.0.0.1", "::1"), True),
        ("[::1]:7860", ("localhost", "127.0.0.1", "::1"), True),
        ("::1", ("localhost", "127.0.0.1", "::1"), True),
        ("LocalHost", ("localhost",), True),
        ("localhost.attacker.example", ("localhost",), False),
        ("api.news.example", ("*.news.example",), True),
        ("news.example", ("*.news.example",), False),
        ("evilnews.example", ("*.news.example",), False),
        ("anything", ("*",), True),
        ("", ("*",), False),
    ],
)
def test_host_is_allowed(header: str, allowed: tuple[str, ...], answer: bool) -> None:
    assert host_is_allowed(header, allowed) is answer


@pytest.mark.parametrize(
    ("host", "hosts", "expected"),
    [
        ("127.0.0.1", [], ("localhost", "127.0.0.1", "::1")),
        ("0.0.0.0", [], ("localhost", "127.0.0.1", "::1")),
        ("192.168.1.20", [], ("localhost", "127.0.0.1", "::1", "192.168.1.20")),
        ("0.0.0.0", ["News.Example"], ("news.example",)),
    ],
)
def test_default_allowed_hosts(host: str, hosts: list[str], expected: tuple[str, ...]) -> None:
    settings = load_settings(overrides={"server.host": host, "server.allowed_hosts": hosts}, environ={})
    assert allowed_hosts(settings.server) == expected


def test_allowed_hosts_from_the_environment() -> None:
    settings = load_settings(environ={"SUMMARIZE_SERVER__ALLOWED_HOSTS": "[a.example, '*.b.example']"})
    assert settings.server.allowed_hosts == ["a.example", "*.b.example"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"server.allowed_hosts": "a.example"}, "setting 'server.allowed_hosts' must be a list, not str"),
        ({"server.allowed_hosts": [3]}, "setting 'server.allowed_hosts[0]' must be a string, not 3"),
        (
            {"server.allowed_hosts": ["http://a.example/"]},
            "setting 'server.allowed_hosts' holds 'http://a.example/', which is not a host name; "
            "give names such as 'example.com', "
            "'*.example.com' or '*'",
        ),
        (
            {"server.allowed_hosts": ["a.*.example"]},
            "setting 'server.allowed_hosts' holds 'a.*.example', which is not a host name; "
            "give names such as 'example.com', "
            "'*.example.com' or '*'",
        ),
        ({"limits.max_items": 0}, "setting 'limits.max_items' must be at least 1, not 0"),
        ({"server.max_failed_auth": 0}, "setting 'server.max_failed_auth' must be at least 1, not 0"),
        ({"server.header_timeout_seconds": 0}, "setting 'server.header_timeout_seconds' must be at least 1, not 0"),
        ({"server.body_timeout_seconds": 0}, "setting 'server.body_timeout_seconds' must be at least 1, not 0"),
        ({"server.body_timeout_seconds": "soon"}, "setting 'server.body_timeout_seconds' must be a whole number, not 'soon'"),
        ({"limits.max_document_bytes": 0}, "setting 'limits.max_document_bytes' must be at least 1, not 0"),
    ],
    ids=[
        "not-a-list", "not-a-string", "url", "inner-star", "max-items", "max-failed-auth", "header-timeout",
        "body-timeout", "body-timeout-type", "max-document-bytes",
    ],
)
def test_new_settings_are_validated(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(overrides=overrides, environ={})
    assert str(error.value) == message


# --------------------------------------------------------------------------- failed-auth window


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _status_of(limiter: FailedAuthLimit, path: str, client: str) -> int:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "path": path, "client": (client, 5555), "headers": [], "method": "GET"}
    await limiter(scope, receive, send)
    return sent[0]["status"]


def test_the_failed_auth_window_locks_one_address_and_then_opens_again() -> None:
    async def login_page(scope: Any, receive: Any, send: Any) -> None:  # every login fails; other routes answer
        status = 400 if scope["path"] == "/login" else 200
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    clock = _Clock()
    counts = FailedAuthCounts(limit=3, window=60, clock=clock)
    limiter = FailedAuthLimit(login_page, counts)

    def status(path: str, client: str = "10.0.0.1") -> int:
        return asyncio.run(_status_of(limiter, path, client))

    assert [status("/login") for _ in range(3)] == [400, 400, 400]
    assert (status("/login"), status("/v1/models")) == (429, 429)  # the API too, whatever key it carries
    assert status("/login", client="10.0.0.2") == 400  # another address is not locked out
    assert status("/healthz") == 200  # routes without a key stay open
    for _ in range(3):  # the API-key check records its failures itself (FailedAuthCounts)
        assert counts.refusal("10.0.0.3") is None
        counts.record_failure("10.0.0.3")
    refusal = counts.refusal("10.0.0.3")
    assert refusal is not None and (refusal.status_code, refusal.kind, refusal.headers) == (
        429, "too_many_failed_attempts", {"Retry-After": "61"}
    )
    assert status("/v1/models", client="10.0.0.3") == 429
    clock.now += 59
    assert status("/login") == 429
    clock.now += 2
    assert (status("/login"), counts.refusal("10.0.0.3")) == (400, None)  # a new window
