"""ASGI middleware and the connection protocol that guard the server before any route runs.

:class:`HostCheck` (DNS rebinding), :class:`BodySizeLimit` (request and upload sizes),
:class:`StoredFiles` and :class:`StoredUploadLimit` (the demo's files on disk), :class:`FailedAuthLimit`
(API-key and login guessing) and :class:`BodyTimeout` (clients that never finish their body; the
connection protocol for request heads is :func:`.framework.header_timeout_protocol`).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import ServerSettings
from .api.errors import ApiError, error_response
from .framework import GRADIO_UPLOAD_PATH, stored_upload_paths

LOGIN_PATHS = ("/login", "/login/")
API_PREFIX = "/v1"
DOCUMENT_UPLOAD_PATH = f"{API_PREFIX}/documents/"
UPLOAD_PATHS = (GRADIO_UPLOAD_PATH, DOCUMENT_UPLOAD_PATH)
"""Routes that take file uploads: their bodies may be up to ``server.max_upload_request_bytes``."""
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
ANY_ADDRESS = ("0.0.0.0", "::", "")
FORGET_AFTER = 10_000
"""Client addresses the failed-auth limiter remembers before it forgets those whose window has passed."""

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- Host header


def allowed_hosts(server: ServerSettings) -> tuple[str, ...]:
    """The Host names `server` answers: ``server.allowed_hosts``, or localhost names and the bound address."""
    if server.allowed_hosts:
        return tuple(host.lower() for host in server.allowed_hosts)
    bound = () if server.host in ANY_ADDRESS or server.host in LOCAL_HOSTS else (server.host.lower(),)
    return (*LOCAL_HOSTS, *bound)


def _host_name(header: str) -> str:
    """The name part of a Host header: ``[::1]:7860`` -> ``::1``, ``Example.com:80`` -> ``example.com``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    name, _, port = header.rpartition(":")
    if name and port.isdigit():
        try:
            ipaddress.IPv6Address(header)
        except ValueError:
            return name
    return header


def host_is_allowed(header: str, allowed: tuple[str, ...]) -> bool:
    """Whether the Host header `header` names one of `allowed` (``*.example.com`` matches subdomains)."""
    name = _host_name(header)
    if not name:
        return False
    for pattern in allowed:
        if pattern == "*" or name == pattern or (pattern.startswith("*.") and name.endswith(pattern[1:])):
            return True
    return False


class HostCheck:
    """ASGI middleware: answer 400 ``invalid_host`` when the Host header is not an allowed name."""

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            header = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            if not host_is_allowed(header, self.allowed):
                message = (
                    f"this server does not answer to the host name {_host_name(header)!r}; "
                    f"add it to server.allowed_hosts if clients use it"
                )
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                await error_response(ApiError(400, "invalid_host", message))(scope, receive, send)
                return
        await self.app(scope, receive, send)


# --------------------------------------------------------------------------- body sizes


class BodyTooLarge(ApiError):
    def __init__(self, limit: int, setting: str, what: str) -> None:
        super().__init__(413, "request_too_large", f"{what} is over the limit of {limit:,} bytes ({setting})")


class BodySizeLimit:
    """ASGI middleware: answer 413 when a request body is over its limit (declared or streamed).

    Upload routes (Gradio's and ``/v1/documents/``) have their own limit for all the files of one
    request together (``server.max_upload_request_bytes``); ``server.max_upload_bytes`` per file is
    enforced by Gradio and by :mod:`.http_documents`.
    """

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    def _too_large(self, path: str) -> BodyTooLarge:
        if path.startswith(UPLOAD_PATHS):
            return BodyTooLarge(self.upload_limit, "server.max_upload_request_bytes", "the upload (all its files)")
        return BodyTooLarge(self.limit, "server.max_request_bytes", "the request body")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = self._too_large(scope["path"])
        limit = self.upload_limit if scope["path"].startswith(UPLOAD_PATHS) else self.limit
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await error_response(too_large)(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except BodyTooLarge as error:
            if started:
                raise
            await error_response(error)(scope, receive, send)


class StoredFiles:
    """The demo's files on disk, at most `limit` bytes together: beyond it the oldest are deleted first.

    Uploads (:class:`StoredUploadLimit`) and the files the demo writes for its users (translated
    documents, batch results: its actions call :meth:`keep`) count together, so that repeated runs
    cannot fill the disk. A deleted upload is forgotten in `uploaded` (the demo's
    ``upload_file_set``) too, so it can no longer be given as an input. (Gradio also deletes all of
    them once older than ``server.upload_max_age_seconds``.)
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.uploaded: set[str] = set()
        self.stored: OrderedDict[str, int] = OrderedDict()
        """Each stored file's size, oldest first (a file stored again moves to the end, counted once)."""
        self.total = 0
        self._lock = threading.Lock()  # the demo's actions run in worker threads

    def keep(self, paths: Iterable[str]) -> None:
        """Count the files `paths` as the newest, then delete the oldest files while the total is over the limit."""
        with self._lock:
            for path in paths:
                try:
                    size = os.stat(path).st_size
                except OSError:
                    continue
                self.total += size - self.stored.pop(path, 0)
                self.stored[path] = size
            while self.total > self.limit and self.stored:
                path, size = self.stored.popitem(last=False)
                self.total -= size
                self.uploaded.discard(path)
                with contextlib.suppress(OSError):
                    os.remove(path)


class StoredUploadLimit:
    """ASGI middleware: count each file Gradio's upload route stores (the paths it answers with) in
    `stored`, before the answer's end goes out: a client that has the answer finds the old files gone."""

    def __init__(self, app: ASGIApp, stored: StoredFiles) -> None:
        self.app = app
        self.stored = stored

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != GRADIO_UPLOAD_PATH:
            await self.app(scope, receive, send)
            return
        status = 0
        body = bytearray()

        async def reading_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and status == 200:
                body.extend(message.get("body", b""))
                if not message.get("more_body", False):
                    self.stored.keep(stored_upload_paths(bytes(body)))
            await send(message)

        await self.app(scope, receive, reading_send)


# --------------------------------------------------------------------------- failed authentication


class FailedAuthCounts:
    """Failed API-key and login attempts per client address, in windows of `window` seconds.

    Shared by :class:`FailedAuthLimit` and the API-key check, which refuses and records in one step
    (no ``await`` between them), so that wrong keys sent in parallel are counted one by one: a client
    gets exactly `limit` answers that say its key is wrong per window, however it sends its guesses.
    """

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.failures: dict[str, tuple[float, int]] = {}
        """Client address -> (start of its current window, failures in it)."""

    def _failures(self, address: str, now: float) -> int:
        start, count = self.failures.get(address, (now, 0))
        return count if now - start < self.window else 0

    def refusal(self, address: str, in_flight: int = 0) -> ApiError | None:
        """The 429 for `address` once its failures (with `in_flight` undecided attempts) reach the limit."""
        now = self.clock()
        if self._failures(address, now) + in_flight < self.limit:
            return None
        start, _ = self.failures.get(address, (now, 0))
        retry = max(1, int(self.window - (now - start)) + 1)
        return ApiError(
            429,
            "too_many_failed_attempts",
            f"too many wrong API keys or passwords from this address; retry in {retry} s",
            headers={"Retry-After": str(retry)},
        )

    def record_failure(self, address: str) -> None:
        """Count one failed attempt of `address`."""
        now = self.clock()
        start, count = self.failures.get(address, (now, 0))
        self.failures[address] = (start, count + 1) if now - start < self.window else (now, 1)
        if len(self.failures) > FORGET_AFTER:
            self.failures = {key: value for key, value in self.failures.items() if now - value[0] < self.window}


def client_address(scope: Scope) -> str:
    """The request's client address (uvicorn takes it from ``X-Forwarded-For`` behind a trusted proxy)."""
    return (scope.get("client") or ("unknown",))[0]


class FailedAuthLimit:
    """ASGI middleware: after ``counts.limit`` failed API-key or login attempts from one client address
    within ``counts.window`` seconds, that address gets 429 on the API and the login page until the
    window has passed.

    A failure is a wrong or missing API key under ``/v1`` (recorded by the API-key check itself, see
    :class:`FailedAuthCounts`) or a 400 answer of the demo's login route; a login attempt counts as one
    until its answer shows it succeeded, so parallel guesses cannot pass the limit either. The client
    address is the connection's (uvicorn takes it from ``X-Forwarded-For`` when the connection comes
    from an address in ``--forwarded-allow-ips``, 127.0.0.1 by default).
    """

    def __init__(self, app: ASGIApp, counts: FailedAuthCounts) -> None:
        self.app = app
        self.counts = counts
        self.logins_in_flight: dict[str, int] = {}
        """Client address -> login attempts not answered yet (each counts as a failure until it is answered)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        is_api, is_login = path.startswith(f"{API_PREFIX}/"), path in LOGIN_PATHS
        if scope["type"] != "http" or not (is_api or is_login):
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        in_flight = self.logins_in_flight
        refusal = self.counts.refusal(address, in_flight.get(address, 0) if is_login else 0)
        if refusal is not None:
            await error_response(refusal)(scope, receive, send)
            return
        if is_api:
            await self.app(scope, receive, send)
            return

        async def watching_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 400:
                self.counts.record_failure(address)
            await send(message)

        in_flight[address] = in_flight.get(address, 0) + 1
        try:
            await self.app(scope, receive, watching_send)
        finally:
            in_flight[address] -= 1
            if not in_flight[address]:
                del in_flight[address]


# --------------------------------------------------------------------------- slow clients


class BodyTimeout:
    """ASGI middleware: answer 408 ``request_timeout`` and close the connection when a request's body
    has not all arrived `seconds` after its head, so that a client trickling its body (or sending part
    of it, then nothing) cannot hold a connection and the handler reading it forever.

    The handler waiting for the body is told that the client went away; whatever it answers or raises
    then is dropped, the 408 being the answer. A body that arrives in time, however slowly, is untouched.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds
        self.error = ApiError(
            408,
            "request_timeout",
            f"the request body did not all arrive within {seconds:g} s (server.body_timeout_seconds); "
            "send it at once, or raise the setting for slow links",
            headers={"Connection": "close"},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.seconds
        body_done = started = answered = False

        async def timed_receive() -> Message:
            nonlocal body_done, answered
            if body_done or answered:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0.0))
            except asyncio.TimeoutError:
                if not started:
                    answered = True
                    await error_response(self.error)(scope, receive, send)
                return {"type": "http.disconnect"}
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if answered:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed_receive, tracked_send)
        except Exception:
            if not answered:
                raise
            log.debug("after a 408 for a slow body of %s, its handler failed", scope["path"], exc_info=True)
