"""The endpoint backend: the chat-completions protocol of OpenAI-compatible servers over HTTP.

vLLM, SGLang, llama.cpp's server and Ollama all speak it
(``POST {endpoint}/chat/completions``). Requests run in parallel, at most
``llm.max_concurrency`` in flight for the whole process; a 429, a 5xx or a
failed connection is retried with exponential backoff (a ``Retry-After`` header
is honoured); everything else fails at once with a one-line
:class:`~summarize.errors.ModelUnavailableError` that says what to fix.

The server is a network peer and is bounded like one: ``llm.timeout_seconds`` is
the whole exchange for one answer (connecting, retries, waiting and reading, a
stream included), enforced by reading on a helper thread while the caller waits
at most until the deadline; an answer's body may hold at most
:func:`answer_byte_limit` bytes and its text at most :func:`answer_token_limit`
estimated tokens; a body that is not chat-completions
JSON, or a ``content`` that is not text, is a one-line error, never a traceback.

Token counts are estimated (the server's tokenizer is not here): one token per
Chinese character and one per three other characters, an over-estimate for
the BPE tokenizers of current chat models (Qwen2.5 needs about one token per
1.4 Chinese characters and per 4 English characters), so chunks always fit.
"""

from __future__ import annotations

import copy
import json
import queue
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
ERROR_BODY_BYTES = 16 * 1024
"""The most of an error answer's body read for its message."""
CHARS_PER_TOKEN = 3
"""Non-Chinese characters per token in the estimate (see the module docstring)."""
MESSAGE_TOKENS = 8
"""Tokens the chat template adds per message (role markers), in the estimate."""
ANSWER_BYTES_BASE = 64 * 1024
"""Bytes of an answer's body beyond its tokens' share: the JSON envelope, usage, headers of events."""
ANSWER_BYTES_PER_TOKEN = 512
"""Bytes one answer token may take in the body: a server-sent event wraps each token in ~250 bytes of JSON."""
ANSWER_TOKEN_SLACK = 3
"""An answer's text may hold this many times ``max_new_tokens`` estimated tokens (the estimate runs high) ..."""
ANSWER_TOKEN_ALLOWANCE = 256
"""... and this many more (a short answer's estimate is the roughest)."""


def answer_token_limit(max_new_tokens: int) -> int:
    """The most estimated tokens an answer of at most `max_new_tokens` tokens may hold."""
    return ANSWER_TOKEN_SLACK * max_new_tokens + ANSWER_TOKEN_ALLOWANCE
_END_OF_BODY = object()


def answer_byte_limit(max_new_tokens: int) -> int:
    """The most bytes an answer of at most `max_new_tokens` tokens may take, plain or streamed."""
    return ANSWER_BYTES_BASE + ANSWER_BYTES_PER_TOKEN * max_new_tokens


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
        if not stream:
            body["logprobs"] = True  # the OpenAI API's field: the model's confidence, where the server gives it
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
            body = b"".join(self._exchange(self._body(messages, max_new_tokens, stream=False), max_new_tokens))
        try:
            data = json.loads(body)
        except ValueError:
            raise self._malformed("an answer that is not JSON") from None
        try:
            choice = data["choices"][0]
            content = choice["message"].get("content")
        except (KeyError, IndexError, TypeError, AttributeError):
            raise ModelUnavailableError(
                f"the LLM server at {self.endpoint} answered without choices[0].message; "
                f"is llm.endpoint the base URL of an OpenAI-compatible API (e.g. http://127.0.0.1:8000/v1)?"
            ) from None
        text = self._checked_content(content, "choices[0].message.content")
        usage = data.get("usage")
        used = usage.get("completion_tokens") if isinstance(usage, dict) else None
        if isinstance(used, int) and not isinstance(used, bool) and used > max_new_tokens:
            raise self._over_length(f"{used:,} tokens", max_new_tokens)
        if estimate_tokens(text) > answer_token_limit(max_new_tokens):
            raise self._over_length(f"{len(text):,} characters", max_new_tokens)
        return Completion(text, truncated=choice.get("finish_reason") == "length", logprob=_mean_logprob(choice))

    def stream(self, messages: list[Message], max_new_tokens: int) -> Iterator[str]:
        """The answer's pieces as the server sends them (server-sent events)."""
        with self._in_flight:
            tokens = 0
            for line in _lines(self._exchange(self._body(messages, max_new_tokens, stream=True), max_new_tokens)):
                if not line.startswith("data:"):
                    continue
                payload = line[len("data:") :].strip()
                if payload == "[DONE]":
                    break
                try:
                    delta = json.loads(payload)["choices"][0].get("delta") or {}
                except (ValueError, KeyError, IndexError, TypeError, AttributeError):
                    raise self._malformed("a stream event that is not chat-completions JSON") from None
                piece = self._checked_content(delta.get("content"), "choices[0].delta.content")
                if piece:
                    tokens += estimate_tokens(piece)
                    if tokens > answer_token_limit(max_new_tokens):
                        raise self._over_length(f"over {tokens:,} estimated tokens", max_new_tokens)
                    yield piece

    def _checked_content(self, content: Any, field: str) -> str:
        """An answer's text: a string, or empty for ``null``; anything else is a one-line error."""
        if content is None:
            return ""
        if not isinstance(content, str):
            raise self._malformed(f"a {field} that is {type(content).__name__}, not text")
        return content

    def _over_length(self, size: str, max_new_tokens: int) -> ModelUnavailableError:
        return ModelUnavailableError(
            f"the LLM server at {self.endpoint} sent an answer of {size}, beyond what "
            f"llm.generation.max_new_tokens ({max_new_tokens}) allows; refused (does the server honour max_tokens?)"
        )

    def _malformed(self, what: str) -> ModelUnavailableError:
        return ModelUnavailableError(
            f"the LLM server at {self.endpoint} sent {what}; is llm.endpoint an OpenAI-compatible API "
            f"(e.g. http://127.0.0.1:8000/v1)?"
        )

    def _timeout_error(self) -> ModelUnavailableError:
        return ModelUnavailableError(
            f"the LLM server at {self.endpoint} did not answer within llm.timeout_seconds "
            f"({self.settings.timeout_seconds:g} s); raise it or check the server's load"
        )

    def _exchange(self, body: dict[str, Any], max_new_tokens: int) -> Iterator[bytes]:
        """The answer's body, piece by piece, within ``llm.timeout_seconds`` for the whole exchange and
        :func:`answer_byte_limit` bytes. A helper thread sends and reads; this generator waits for each piece
        at most until the deadline, so a server that trickles bytes cannot hold the caller past it (the helper
        stops at its next read, or at the read timeout)."""
        deadline = time.monotonic() + self.settings.timeout_seconds
        limit = answer_byte_limit(max_new_tokens)
        pieces: queue.SimpleQueue[Any] = queue.SimpleQueue()
        stop = threading.Event()
        reader = threading.Thread(
            target=self._read_answer, args=(body, deadline, limit, pieces, stop), name="llm-answer", daemon=True
        )
        reader.start()
        try:
            while True:
                try:
                    piece = pieces.get(timeout=max(deadline - time.monotonic(), 0.0))
                except queue.Empty:
                    raise self._timeout_error() from None
                if piece is _END_OF_BODY:
                    return
                if isinstance(piece, BaseException):
                    raise piece
                yield piece
        finally:
            stop.set()

    def _read_answer(
        self, body: dict[str, Any], deadline: float, limit: int, pieces: queue.SimpleQueue[Any], stop: threading.Event
    ) -> None:
        """Send `body` and put the answer's body on `pieces` as it arrives, then the end marker; a failure
        goes on `pieces` as the exception to raise. Stops reading once `stop` is set."""
        try:
            response = self._send(body, deadline)
        except BaseException as error:  # handed to the caller's thread
            pieces.put(error)
            return
        try:
            received = 0
            for piece in response.iter_bytes():
                if stop.is_set():
                    return
                received += len(piece)
                if received > limit:
                    pieces.put(
                        ModelUnavailableError(
                            f"the LLM server at {self.endpoint} sent more than {limit:,} bytes for an answer of at "
                            f"most {body['max_tokens']} tokens (llm.generation.max_new_tokens); refused"
                        )
                    )
                    return
                pieces.put(piece)
            pieces.put(_END_OF_BODY)
        except BaseException as error:
            pieces.put(self._timeout_error() if _is_timeout(error) else self._broken(error))
        finally:
            response.close()

    def _broken(self, error: BaseException) -> ModelUnavailableError:
        return ModelUnavailableError(f"the LLM server at {self.endpoint} broke off its answer ({_reason(error)})")

    def _send(self, body: dict[str, Any], deadline: float) -> Any:
        """POST a chat-completions request, retrying what may pass before `deadline` (``time.monotonic()``);
        the open response, status 200, its body not read yet."""
        import httpx

        url = f"{self.endpoint}/chat/completions"
        for attempt in range(self.settings.max_retries + 1):
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._timeout_error()
            last = attempt == self.settings.max_retries
            try:
                timeout = httpx.Timeout(left, connect=min(CONNECT_TIMEOUT_S, left))
                request = self._client.build_request("POST", url, json=body, timeout=timeout)
                response = self._client.send(request, stream=True)
            except httpx.TimeoutException:
                raise self._timeout_error() from None
            except httpx.TransportError as error:
                if last:
                    raise ModelUnavailableError(
                        f"cannot reach the LLM server at {self.endpoint} ({_reason(error)}); "
                        f"start it (docs/llm.md) or fix llm.endpoint"
                    ) from None
                time.sleep(min(_backoff(attempt, None), max(deadline - time.monotonic(), 0.0)))
                continue
            if response.status_code == 200:
                return response
            try:
                error_body = _read_at_most(response, ERROR_BODY_BYTES)
            finally:
                response.close()
            if response.status_code in RETRY_STATUSES and not last:
                time.sleep(min(_backoff(attempt, response.headers.get("retry-after")), max(deadline - time.monotonic(), 0.0)))
                continue
            raise self._status_error(response.status_code, error_body)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _status_error(self, status: int, body: bytes) -> ModelUnavailableError:
        message = _error_message(body)
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


def _mean_logprob(choice: Any) -> float | None:
    """The mean of ``choice.logprobs.content[].logprob`` (the OpenAI API's shape), None where the server gave
    none or gave something else: absent, never invented."""
    logprobs = choice.get("logprobs") if isinstance(choice, dict) else None
    content = logprobs.get("content") if isinstance(logprobs, dict) else None
    if not isinstance(content, list) or not content:
        return None
    values = [entry.get("logprob") if isinstance(entry, dict) else None for entry in content]
    if not all(isinstance(value, (int, float)) and not isinstance(value, bool) and value <= 0 for value in values):
        return None
    return sum(values) / len(values)


def _read_at_most(response: Any, limit: int) -> bytes:
    """The first `limit` bytes of `response`'s body (an error page is read no further)."""
    pieces, received = [], 0
    for piece in response.iter_bytes():
        pieces.append(piece)
        received += len(piece)
        if received >= limit:
            break
    return b"".join(pieces)[:limit]


def _lines(pieces: Iterator[bytes]) -> Iterator[str]:
    """The lines of a body that arrives in pieces (UTF-8, ``\n`` or ``\r\n`` ends); the pieces of a line
    are joined once, when its end arrives."""
    pending: list[bytes] = []
    for piece in pieces:
        if b"\n" not in piece:
            pending.append(piece)
            continue
        *complete, rest = b"".join([*pending, piece]).split(b"\n")
        pending = [rest]
        for line in complete:
            yield line.rstrip(b"\r").decode("utf-8", "replace")
    tail = b"".join(pending)
    if tail:
        yield tail.rstrip(b"\r").decode("utf-8", "replace")


def _is_timeout(error: BaseException) -> bool:
    import httpx

    return isinstance(error, httpx.TimeoutException)


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    reason = text[0] if text else type(error).__name__
    lowered = reason.lower()
    if "refused" in lowered:
        return "connection refused"
    if "name or service not known" in lowered or "nodename nor servname" in lowered or "getaddrinfo" in lowered:
        return "unknown host"
    return reason


def _error_message(body: bytes) -> str:
    """The server's error message from an OpenAI-style JSON error body (or its text), on one line."""
    try:
        data = json.loads(body)
    except ValueError:
        return " ".join(body.decode("utf-8", "replace").split())[:200]
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        message = error.get("message", "")
    elif isinstance(error, str):
        message = error
    else:
        message = (data.get("message") or data.get("detail") or "") if isinstance(data, dict) else ""
    return " ".join(str(message).split())[:200]
