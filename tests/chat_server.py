"""A real HTTP server speaking the chat-completions protocol, with scripted replies, for tests and benchmarks.

It listens on a free port of 127.0.0.1 in a background thread and answers
``POST /v1/chat/completions`` (plain and streamed as server-sent events) and
``GET /v1/models`` the way vLLM does, including its error bodies for an unknown
model (404) and a wrong API key (401). Every request body is recorded, and the
most requests seen in flight at once is counted.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass
class Reply:
    """One scripted answer: the assistant's text, or an HTTP error status."""

    content: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    """Seconds to wait before answering (to hold requests in flight)."""
    finish_reason: str = "stop"
    write: Callable[[BaseHTTPRequestHandler], None] | None = None
    """Writes the whole answer itself (status line, headers, body): a misbehaving server."""
    logprobs: list[float] | None = None
    """Token log-probabilities sent with a plain answer (``choices[0].logprobs.content``) when asked for."""


def _answer_head(handler: BaseHTTPRequestHandler, length: int | None = None) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    if length is None:
        handler.send_header("Transfer-Encoding", "chunked")
    else:
        handler.send_header("Content-Length", str(length))
    handler.end_headers()


def _write_chunk(handler: BaseHTTPRequestHandler, data: bytes) -> None:
    handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
    handler.wfile.flush()


def trickling(every_s: float, total_s: float) -> Reply:
    """An answer that sends one byte every `every_s` seconds for `total_s` seconds, then ends unfinished."""

    def write(handler: BaseHTTPRequestHandler) -> None:
        _answer_head(handler)
        end = time.monotonic() + total_s
        while time.monotonic() < end:
            _write_chunk(handler, b" ")
            time.sleep(every_s)

    return Reply(write=write)


def huge(megabytes: int) -> Reply:
    """A well-formed answer whose content is `megabytes` MB of text, sent with its Content-Length."""

    def write(handler: BaseHTTPRequestHandler) -> None:
        head = b'{"choices": [{"index": 0, "message": {"role": "assistant", "content": "'
        tail = b'"}, "finish_reason": "stop"}]}'
        block = b"word " * 20_000
        blocks = megabytes * 1_000_000 // len(block)
        _answer_head(handler, len(head) + blocks * len(block) + len(tail))
        handler.wfile.write(head)
        for _ in range(blocks):
            handler.wfile.write(block)
        handler.wfile.write(tail)

    return Reply(write=write)


def endless() -> Reply:
    """An answer whose chunked body never ends (until the client goes away)."""

    def write(handler: BaseHTTPRequestHandler) -> None:
        _answer_head(handler)
        _write_chunk(handler, b'{"choices": [{"index": 0, "message": {"role": "assistant", "content": "')
        block = b"more " * 20_000
        while True:
            _write_chunk(handler, block)

    return Reply(write=write)


def raw_json(data: bytes) -> Reply:
    """An answer whose body is `data` as it is (invalid JSON, odd fields)."""

    def write(handler: BaseHTTPRequestHandler) -> None:
        _answer_head(handler, len(data))
        handler.wfile.write(data)

    return Reply(write=write)


Script = Callable[[dict[str, Any]], Reply]
"""Builds the reply to one request body."""


def echo_article(body: dict[str, Any]) -> Reply:
    """Reply with the text between the last message's <article> tags (what a perfect copier would say)."""
    content = body["messages"][-1]["content"]
    start = content.rfind("<article>\n")
    end = content.rfind("\n</article>")
    return Reply(content[start + len("<article>\n") : end] if 0 <= start < end else content)


class ChatServer:
    """Serve scripted chat completions on 127.0.0.1 while the ``with`` block runs."""

    def __init__(
        self,
        script: Script = echo_article,
        models: tuple[str, ...] = ("test-model",),
        api_key: str = "",
        replies: list[Reply] | None = None,
    ) -> None:
        self.script = script
        self.models = models
        self.api_key = api_key
        self.replies = list(replies or [])
        """Replies given first, in order, before `script` answers."""
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="chat-server", daemon=True)

    @property
    def url(self) -> str:
        """The API base URL, ending in ``/v1``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            if self.replies:
                return self.replies.pop(0)
        return self.script(body)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                pass

            def _send_json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
                payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def _authorized(self) -> bool:
                if server.api_key and self.headers.get("Authorization") != f"Bearer {server.api_key}":
                    self._send_json(401, {"error": {"message": "Unauthorized", "type": "invalid_request_error"}})
                    return False
                return True

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if not self._authorized():
                    return
                if self.path == "/v1/models":
                    self._send_json(200, {"object": "list", "data": [{"id": name, "object": "model"} for name in server.models]})
                else:
                    self._send_json(404, {"detail": "Not Found"})

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                with server._lock:
                    server.headers.append(dict(self.headers))
                if not self._authorized():
                    return
                if self.path != "/v1/chat/completions":
                    self._send_json(404, {"detail": "Not Found"})
                    return
                if body.get("model") not in server.models:
                    message = f"The model `{body.get('model')}` does not exist."
                    self._send_json(404, {"error": {"message": message, "type": "NotFoundError", "code": 404}})
                    return
                with server._lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    reply = server._next_reply(body)
                    time.sleep(reply.delay_s)
                except Exception as error:  # a script that cannot answer: a server error, as a real one gives
                    reply = Reply(status=500, content=f"{type(error).__name__}: {error}")
                finally:
                    with server._lock:
                        server.in_flight -= 1
                if reply.write is not None:
                    try:
                        reply.write(self)
                    except OSError:  # the client went away, as it should from a misbehaving server
                        self.close_connection = True
                elif reply.status != 200:
                    error = {"error": {"message": f"scripted status {reply.status}", "code": reply.status}}
                    self._send_json(reply.status, error, reply.headers)
                elif body.get("stream"):
                    self._stream(body, reply)
                else:
                    self._send_json(200, _completion(body, reply), reply.headers)

            def _stream(self, body: dict[str, Any], reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                pieces = [reply.content[i : i + 3] for i in range(0, len(reply.content), 3)]
                for piece in pieces:
                    event = {"object": "chat.completion.chunk", "model": body["model"],
                             "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    self._chunk(f"data: {json.dumps(event, ensure_ascii=False)}\n\n")
                self._chunk("data: [DONE]\n\n")
                self._chunk("")

            def _chunk(self, text: str) -> None:
                data = text.encode("utf-8")
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        return Handler


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    choice: dict[str, Any] = {
        "index": 0, "message": {"role": "assistant", "content": reply.content}, "finish_reason": reply.finish_reason
    }
    if body.get("logprobs") and reply.logprobs is not None:
        choice["logprobs"] = {"content": [{"token": f"t{n}", "logprob": value} for n, value in enumerate(reply.logprobs)]}
    return {"id": "chatcmpl-test", "object": "chat.completion", "model": body["model"], "choices": [choice]}
