"""A real uvicorn server on 127.0.0.1 in a background thread, for tests that need HTTP on a socket."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from types import TracebackType

import httpx
import uvicorn

STARTUP_TIMEOUT_S = 60.0


class LiveServer:
    """Serve an ASGI app on a free port of 127.0.0.1 while the ``with`` block runs."""

    def __init__(self, app: object, **options: object) -> None:
        """`options` are more ``uvicorn.Config`` arguments, e.g. ``http=`` a protocol class."""
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on", **options)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="live-server", daemon=True)
        self.url = ""

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@contextmanager
def refusing_port() -> Iterator[int]:
    """A port of 127.0.0.1 that refuses connections while the ``with`` block runs: bound, never listening,
    so that no other server can take it between picking it and using it."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


def slowest_health_check(http: httpx.Client, job: Future[object]) -> float:
    """Ask `http`'s server for /healthz every 50 ms until `job` is done (each answer must be 200); the
    slowest answer's seconds."""
    slowest = 0.0
    while not job.done():
        started = time.perf_counter()
        assert http.get("/healthz").status_code == 200
        slowest = max(slowest, time.perf_counter() - started)
        time.sleep(0.05)
    return slowest
