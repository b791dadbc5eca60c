"""Documents read and rebuilt in worker processes, each call under a time limit.

Parsing a file someone uploaded is the riskiest work the service does: the readers are linear
in a file's size, but a parser library can still meet a shape that costs it minutes, and while
it runs it would hold the server's GIL. Here every read and every rebuild runs in a separate
process (a new interpreter, ``python -m summarize.documents.isolation``, so no model, thread or
lock of the server is copied into it, and a caller's script is never imported again in it:
:mod:`summarize.documents.worker`);
the caller waits at most ``limits.document_seconds``, after which the worker is killed, the
caller gets an :class:`InputError` naming the limit, and the next call starts a new worker.
Workers are shared by every :class:`DocumentReader` of the process and kept between calls.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ..errors import InputError
from . import read_document, read_text_document
from .model import Document

WORKER_MODULE = "summarize.documents.worker"
"""What a worker process runs (``python -m``); nothing imports it, so it starts clean."""
READY = ("ready", None)
"""What a worker sends once it can take calls."""
WORKER_START_SECONDS = 120
"""How long a new worker may take to import its readers (not counted in ``limits.document_seconds``)."""
IDLE_WORKERS = 4
"""Workers kept waiting between calls; more start when more calls run at once."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentLimits:
    """What one document may cost: its size in bytes, how deep its elements nest, the seconds a read or
    a rebuild may take, and its characters of text (``limits.max_document_bytes``, ``document_depth``,
    ``document_seconds``, ``max_chars``: see :func:`summarize.documents.read_document` for where that
    last one is checked while reading)."""

    max_bytes: int | None = None
    max_depth: int | None = None
    seconds: float | None = None
    max_chars: int | None = None


class _Worker:
    """A worker process and the two pipes to it (its stdin and stdout are left to its libraries)."""

    def __init__(self) -> None:
        request_read, request_write = os.pipe()
        answer_read, answer_write = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE, str(request_read), str(answer_write)],
            pass_fds=(request_read, answer_write),
            stdin=subprocess.DEVNULL,
        )
        os.close(request_read)
        os.close(answer_write)
        self.requests = Connection(request_write, readable=False)
        self.answers = Connection(answer_read, writable=False)
        try:
            ready = self.answers.poll(WORKER_START_SECONDS) and self.answers.recv() == READY
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop()
            raise RuntimeError(f"a document worker did not start within {WORKER_START_SECONDS} s")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self.requests.close()
        self.answers.close()


class WorkerPool:
    """The process's document workers: idle ones are reused, a worker that overran is replaced."""

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()

    def call(self, function: Callable[..., Any], arguments: tuple[Any, ...], name: str, seconds: float | None) -> Any:
        """``function(*arguments)`` run in a worker (both picklable); :class:`InputError` naming `name`
        when it raises one, fails, kills its worker or takes more than `seconds`."""
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        if worker is not None and not worker.alive():  # killed while idle: its pipes are closed, a new one starts
            worker.stop()
            worker = None
        worker = worker or _Worker()
        try:
            worker.requests.send((function, arguments))
            if not worker.answers.poll(seconds):
                worker.stop()
                raise InputError(
                    f"{name} took more than {seconds:g} s to read (limits.document_seconds) and was stopped; "
                    "split it or raise the limit"
                )
            status, value = worker.answers.recv()
        except (EOFError, OSError):
            worker.stop()
            code = worker.process.returncode
            log.error("document worker for %s stopped with exit code %s", name, code)
            raise InputError(f"{name} could not be read: its reader stopped (exit code {code})") from None
        with self._lock:
            if len(self._idle) < IDLE_WORKERS:
                self._idle.append(worker)
                worker = None
        if worker is not None:
            worker.stop()
        if status == "refused":
            raise InputError(value)
        if status == "failed":
            raise InputError(f"{name} could not be read ({value}); check that it is a valid file of its format")
        return value


_workers: WorkerPool | None = None
_workers_lock = threading.Lock()


def shared_workers() -> WorkerPool:
    """The process's pool of document workers, made on first use."""
    global _workers
    with _workers_lock:
        if _workers is None:
            _workers = WorkerPool()
        return _workers


@dataclass(frozen=True)
class _Content:
    """What a worker sends back of a document it read: everything but the rebuild function."""

    format: str
    text: str
    metadata: dict[str, str]
    segments: tuple[str, ...]


def _read(content: bytes | str, format_name: str, name: str, limits: DocumentLimits) -> Document:
    if isinstance(content, bytes):
        return read_document(content, format_name, name, limits.max_bytes, limits.max_depth, limits.max_chars)
    return read_text_document(content, format_name, name, limits.max_bytes, limits.max_depth, limits.max_chars)


def _read_content(content: bytes | str, format_name: str, name: str, limits: DocumentLimits) -> _Content:
    document = _read(content, format_name, name, limits)
    return _Content(document.format, document.text, dict(document.metadata), document.segments)


def _rebuild(
    content: bytes | str, format_name: str, name: str, limits: DocumentLimits, translations: Sequence[str]
) -> bytes:
    return _read(content, format_name, name, limits).rebuild(translations)


class DocumentReader:
    """Reads documents as :func:`summarize.documents.read_document` does, in worker processes and
    within `limits`; the documents it gives are rebuilt in a worker too."""

    def __init__(self, limits: DocumentLimits) -> None:
        self.limits = limits

    def read(self, content: bytes | str, format_name: str, name: str = "document") -> Document:
        """`content` (a file's bytes, or the text of a text format) read as a :class:`Document`;
        :class:`InputError` when it is broken, over a limit, or takes too long."""
        workers, seconds = shared_workers(), self.limits.seconds
        read = workers.call(_read_content, (content, format_name, name, self.limits), name, seconds)

        def rebuild(translations: Sequence[str]) -> bytes:
            arguments = (content, format_name, name, self.limits, list(translations))
            return workers.call(_rebuild, arguments, name, seconds)

        return Document(read.format, read.text, read.metadata, read.segments, rebuild)
