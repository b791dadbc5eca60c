"""Every use of a web framework's internals, in one place (tests/test_framework_adapter.py fails loudly
when an upgrade of Gradio or uvicorn changes one of them; pyproject.toml bounds their versions).

- uvicorn: :func:`header_timeout_protocol` subclasses its h11 protocol (``H11Protocol``, its
  ``connection_made``/``data_received``/``on_response_complete``/``connection_lost`` and its ``conn``,
  ``transport`` and ``loop``), since uvicorn has no timeout for a request head.
- Gradio: its upload route's path and answer (a JSON list of the stored files' paths,
  :func:`stored_upload_paths`); ``Blocks.has_launched``, which ``mount_gradio_app`` never sets and
  without which Gradio does not check that a file input was uploaded, and ``Blocks.preprocess_data``,
  wrapped to refuse a file input given as a URL (:func:`refuse_unuploaded_files`); ``Blocks.upload_file_set``
  and the request's ``LocalContext`` (:func:`files_uploaded_to_this_demo`).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

GRADIO_UPLOAD_PATH = "/gradio_api/upload"
"""Gradio's upload route (its answer: :func:`stored_upload_paths`)."""
NOT_UPLOADED = "this file was not uploaded to this server; upload it again with the file button"

log = logging.getLogger(__name__)


def stored_upload_paths(answer: bytes) -> list[str]:
    """The paths of the files Gradio's upload route stored, from its answer's body."""
    return list(json.loads(answer))


def files_uploaded_to_this_demo() -> set[str]:
    """The files Gradio's upload route stored for the demo handling the current request (none outside one)."""
    from gradio.context import LocalContext

    blocks = LocalContext.blocks.get(None)
    return blocks.upload_file_set if blocks is not None else set()


def uploaded_file_set(demo: Any) -> set[str]:
    """The demo's own set of the files its upload route stored (files deleted from disk are taken out of it)."""
    return demo.upload_file_set


def refuse_unuploaded_files(demo: Any) -> None:
    """Make Gradio (the ``gr.Blocks`` `demo`) refuse, before reading it, any file input that is not one of
    this server's uploads: Gradio checks that only once ``Blocks.has_launched`` is true, and it downloads a
    file input given as a URL (from any host, of any size) without a check."""
    import gradio as gr
    from gradio.exceptions import InvalidPathError
    from gradio_client import utils as client_utils

    def no_url(file: dict[str, Any]) -> dict[str, Any]:
        if client_utils.is_http_url_like(file["path"]):
            log.warning("refused a file input given as a URL: %r", file["path"])
            raise gr.Error(NOT_UPLOADED, print_exception=False)
        return file

    demo.has_launched = True
    preprocess = demo.preprocess_data

    @functools.wraps(preprocess)
    async def preprocess_uploads_only(block_fn: Any, inputs: list[Any], *args: Any, **kwargs: Any) -> Any:
        client_utils.traverse(inputs, no_url, client_utils.is_file_obj_with_meta)
        try:
            return await preprocess(block_fn, inputs, *args, **kwargs)
        except InvalidPathError as error:
            log.warning("refused a file input: %s", error)
            raise gr.Error(NOT_UPLOADED, print_exception=False) from None

    demo.preprocess_data = preprocess_uploads_only  # type: ignore[method-assign]


def header_timeout_protocol(seconds: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol, closing a connection whose request head is not complete `seconds` after
    the connection opened or the previous answer ended (so a slow client cannot hold it forever)."""

    class HeaderTimeoutProtocol(H11Protocol):
        header_timer: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            self._disarm()
            self.header_timer = self.loop.call_later(seconds, self._head_too_slow)

        def _disarm(self) -> None:
            if self.header_timer is not None:
                self.header_timer.cancel()
                self.header_timer = None

        def _head_too_slow(self) -> None:
            self.header_timer = None
            if not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return HeaderTimeoutProtocol
