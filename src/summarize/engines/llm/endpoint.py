"""The endpoint backend: the chat-completions protocol of OpenAI-compatible servers over HTTP.

vLLM, SGLang, llama.cpp's server and Ollama all speak it
(``POST {endpoint}/chat/completions``). Requests run in parallel, at most
``llm.max_concurrency`` in flight for the whole process; a 429, a 5xx or a
failed connection is retried with exponential backoff (a ``Retry-After`` header
is honoured); everything else fails at once with a one-line
:class:`~summarize.errors.ModelUnavailableError` that says what to fix.

Token counts are estimated (the server's tokenizer is not here): one token per
Chinese character and one per three other characters, an over-estimate for
the BPE tokenizers of current chat models (Qwen2.5 needs about one token per
1.4 Chinese characters and per 4 English characters), so chunks always fit.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ...charclasses import HAN_CHAR
from ...config import LLMSettings
from ...errors import ModelUnavailableError
from .backend import Completion
from .prompts import Message

CONNECT_TIMEOUT_S = 10.0
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 30.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CHARS_PER_TOKEN = 3
"""Non-Chinese characters per token in the estimate (see the module docstring)."""
MESSAGE_TOKENS = 8
"""Tokens the chat template adds per message (role markers), in the estimate."""


def estimate_tokens(text: str) -> int:
    """An over-estimate of `text`'s tokens for any current chat model's tokenizer."""
    han = len(HAN_CHAR.findall(text))
    return han + -(-(len(text) - han) // CHARS_PER_TOKEN)


class EndpointChatModel:
    """A chat model served by an OpenAI-compatible server at ``llm.endpoint``."""

    def __init__(self, settings: LLMSettings) -> None:
        try:
            import httpx
        except ImportError:
            raise ModelUnavailableError(
                "llm.endpoint needs the httpx package: pip install 'bilingual-summarize[llm]'"
            ) from None

        self.settings = settings
        self.name = settings.model
        self.endpoint = settings.endpoint.rstrip("/")
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(settings.timeout_seconds, connect=min(CONNECT_TIMEOUT_S, settings.timeout_seconds)),
            limits=httpx.Limits(max_connections=settings.max_concurrency),
            follow_redirects=False,
        )
        self._in_flight = threading.BoundedSemaphore(settings.max_concurrency)

    def with_settings(self, settings: LLMSettings) -> EndpointChatModel:
        """A view with other settings (generation, context budget) sharing the connections and the limit."""
        view = copy.copy(self)
        view.settings = settings
        return view

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    # ------------------------------------------------------------------ token estimates

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Estimated tokens of each text (see :func:`estimate_tokens`)."""
        return [estimate_tokens(text) for text in texts]

    def prompt_tokens(self, messages: list[Message]) -> int:
        """Estimated tokens of a whole prompt."""
        return sum(estimate_tokens(message["content"]) + MESSAGE_TOKENS for message in messages)

    # ------------------------------------------------------------------ requests

    def _body(self, messages: list[Message], max_new_tokens: int, stream: bool) -> dict[str, Any]:
        generation = self.settings.generation
        body: dict[str, Any] = {
            "model": self.name,
            "messages": messages,
            "max_tokens": max_new_tokens,
            "temperature": generation.temperature,
            "stream": stream,
        }
        if generation.top_p < 1:
            body["top_p"] = generation.top_p
        if generation.top_k:
            body["top_k"] = generation.top_k  # vLLM, SGLang and llama.cpp read it; OpenAI ignores it
        if generation.repetition_penalty != 1:
            body["repetition_penalty"] = generation.repetition_penalty
        return body

    def complete(self, conversations: Sequence[list[Message]], max_new_tokens: int) -> list[Completion]:
        """One answer per conversation, in order; up to ``max_concurrency`` requests at once."""
        if len(conversations) <= 1:
            return [self._complete_one(messages, max_new_tokens) for messages in conversations]
        workers = min(self.settings.max_concurrency, len(conversations))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llm-request") as pool:
            return list(pool.map(lambda messages: self._complete_one(messages, max_new_tokens), conversations))

    def _complete_one(self, messages: list[Message], max_new_tokens: int) -> Completion:
        with self._in_flight:
            response = self._send(self._body(messages, max_new_tokens, stream=False))
            try:
                data = response.json()
            finally:
                response.close()
        try:
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
        except (KeyError, IndexError, TypeError, AttributeError):
            raise ModelUnavailableError(
                f"the LLM server at {self.endpoint} answered without choices[0].message; "
                f"is llm.endpoint the base URL of an OpenAI-compatible API (e.g. http://127.0.0.1:8000/v1)?"
            ) from None
        return Completion(text, truncated=choice.get("finish_reason") == "length")

    def stream(self, messages: list[Message], max_new_tokens: int) -> Iterator[str]:
        """The answer's pieces as the server sends them (server-sent events)."""
        with self._in_flight:
            response = self._send(self._body(messages, max_new_tokens, stream=True), stream=True)
            try:
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    payload = line[len("data:") :].strip()
                    if payload == "[DONE]":
                        break
                    try:
                        delta = json.loads(payload)["choices"][0].get("delta") or {}
                    except (ValueError, KeyError, IndexError, TypeError):
                        raise ModelUnavailableError(
                            f"the LLM server at {self.endpoint} sent a stream event that is not chat-completions JSON"
                        ) from None
                    if delta.get("content"):
                        yield delta["content"]
            finally:
                response.close()

    def _send(self, body: dict[str, Any], stream: bool = False) -> Any:
        """POST a chat-completions request, retrying what may pass; the open response, status 200."""
        import httpx

        url = f"{self.endpoint}/chat/completions"
        for attempt in range(self.settings.max_retries + 1):
            last = attempt == self.settings.max_retries
            try:
                request = self._client.build_request("POST", url, json=body)
                response = self._client.send(request, stream=stream)
            except httpx.TimeoutException:
                raise ModelUnavailableError(
                    f"the LLM server at {self.endpoint} did not answer within llm.timeout_seconds "
                    f"({self.settings.timeout_seconds:g} s); raise it or check the server's load"
                ) from None
            except httpx.TransportError as error:
                if last:
                    raise ModelUnavailableError(
                        f"cannot reach the LLM server at {self.endpoint} ({_reason(error)}); "
                        f"start it (docs/llm.md) or fix llm.endpoint"
                    ) from None
                time.sleep(_backoff(attempt, None))
                continue
            if response.status_code == 200:
                return response
            response.read()
            response.close()
            if response.status_code in RETRY_STATUSES and not last:
                time.sleep(_backoff(attempt, response.headers.get("retry-after")))
                continue
            raise self._status_error(response)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _status_error(self, response: Any) -> ModelUnavailableError:
        status = response.status_code
        message = _error_message(response)
        where = f"the LLM server at {self.endpoint}"
        if status in (401, 403):
            return ModelUnavailableError(
                f"{where} refused the API key (HTTP {status}); set llm.api_key (or SUMMARIZE_LLM__API_KEY) "
                f"to a key it accepts"
            )
        if status in (400, 404) and "model" in message.lower():
            served = self.served_models()
            listed = f"; it serves {', '.join(repr(name) for name in served)}" if served else ""
            return ModelUnavailableError(
                f"{where} does not serve model {self.name!r} (HTTP {status}){listed}; set llm.model to a served name"
            )
        if status == 404:
            return ModelUnavailableError(
                f"{where} has no chat-completions route (HTTP 404); llm.endpoint is the API base URL, "
                f"usually ending with the API version (e.g. http://127.0.0.1:8000/v1)"
            )
        detail = f": {message}" if message else ""
        return ModelUnavailableError(f"{where} answered HTTP {status}{detail}")

    def served_models(self) -> list[str]:
        """The model names the server lists at ``GET {endpoint}/models`` (empty when it lists none)."""
        import httpx

        try:
            response = self._client.get(f"{self.endpoint}/models")
            names = [entry["id"] for entry in response.json()["data"]] if response.status_code == 200 else []
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            return []
        return [name for name in names if isinstance(name, str)]


def _backoff(attempt: int, retry_after: str | None) -> float:
    """Seconds to wait before retry `attempt` + 1: the server's ``Retry-After`` when it gives seconds,
    else 0.5 s doubling per attempt, at most ``BACKOFF_MAX_S``."""
    if retry_after is not None:
        try:
            return min(max(float(retry_after), 0.0), BACKOFF_MAX_S)
        except ValueError:
            pass
    return min(BACKOFF_FIRST_S * 2**attempt, BACKOFF_MAX_S)


def _reason(error: Exception) -> str:
    text = str(error).strip().splitlines()
    reason = text[0] if text else type(error).__name__
    lowered = reason.lower()
    if "refused" in lowered:
        return "connection refused"
    if "name or service not known" in lowered or "nodename nor servname" in lowered or "getaddrinfo" in lowered:
        return "unknown host"
    return reason


def _error_message(response: Any) -> str:
    """The server's error message from an OpenAI-style JSON error body (or its text), on one line."""
    try:
        data = response.json()
    except ValueError:
        return " ".join(response.text.split())[:200]
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        message = error.get("message", "")
    elif isinstance(error, str):
        message = error
    else:
        message = (data.get("message") or data.get("detail") or "") if isinstance(data, dict) else ""
    return " ".join(str(message).split())[:200]
