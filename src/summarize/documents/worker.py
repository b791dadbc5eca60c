"""A document worker process: ``python -m summarize.documents.worker REQUESTS_FD ANSWERS_FD``.

Started by :mod:`summarize.documents.isolation`, which sends (function, arguments) pairs down one
pipe and reads each answer from the other; the worker's stdin and stdout are not used.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from multiprocessing.connection import Connection
from typing import Any

from ..errors import InputError
from .isolation import READY


def serve(requests: Connection, answers: Connection) -> None:
    """A worker's loop: run each (function, arguments) received and send back how it went."""
    while True:
        try:
            function, arguments = requests.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = ("done", function(*arguments))
        except InputError as error:
            answer = ("refused", str(error))
        except Exception as error:  # a reader's bug or a library's: reported, never a hung caller
            traceback.print_exc()
            answer = ("failed", type(error).__name__)
        answers.send(answer)


def warm_up() -> None:
    """Import the readers and their libraries now, so that no call's time limit pays for it."""
    from . import docx, html, markdown, srt  # noqa: F401

    for library in ("trafilatura", "markdown_it", "docx"):
        try:
            importlib.import_module(library)
        except ImportError:  # a missing extra is reported by the reader that needs it
            pass


if __name__ == "__main__":
    answers = Connection(int(sys.argv[2]), readable=False)
    warm_up()
    answers.send(READY)
    serve(Connection(int(sys.argv[1]), writable=False), answers)
