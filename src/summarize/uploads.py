"""Files users give the web demo: only files Gradio itself stored for an upload to this server are opened.

Gradio checks that a file input was uploaded only once ``Blocks.has_launched`` is true, which
``gradio.mount_gradio_app`` never sets: :func:`refuse_unuploaded_files` sets it, so Gradio refuses
such an input before it copies anything, and words the refusal as :data:`NOT_UPLOADED` (Gradio's own
message names the server path). Gradio does not check a file input given as a URL: it downloads it
(from any public host, of any size) into its folder first; :func:`refuse_unuploaded_files` refuses
those before Gradio sees them. :func:`uploads_only` checks again in each handler that takes a
file, against the set of files Gradio's upload route stored (``Blocks.upload_file_set``).
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import gradio as gr
from gradio.context import LocalContext
from gradio.exceptions import InvalidPathError
from gradio_client import utils as client_utils

from .errors import InputError

F = TypeVar("F", bound=Callable[..., Any])

NOT_UPLOADED = "this file was not uploaded to this server; upload it again with the file button"
log = logging.getLogger(__name__)


def refuse_unuploaded_files(demo: gr.Blocks) -> None:
    """Make Gradio refuse, before reading it, any file input that is not one of this server's uploads."""
    demo.has_launched = True
    preprocess = demo.preprocess_data

    @functools.wraps(preprocess)
    async def preprocess_uploads_only(block_fn: Any, inputs: list[Any], *args: Any, **kwargs: Any) -> Any:
        client_utils.traverse(inputs, _no_url, client_utils.is_file_obj_with_meta)
        try:
            return await preprocess(block_fn, inputs, *args, **kwargs)
        except InvalidPathError as error:
            log.warning("refused a file input: %s", error)
            raise gr.Error(NOT_UPLOADED, print_exception=False) from None

    demo.preprocess_data = preprocess_uploads_only  # type: ignore[method-assign]


def _no_url(file: dict[str, Any]) -> dict[str, Any]:
    """`file` (a file input, as Gradio receives it) unless its path is a URL, which Gradio would download."""
    if client_utils.is_http_url_like(file["path"]):
        log.warning("refused a file input given as a URL: %r", file["path"])
        raise gr.Error(NOT_UPLOADED, print_exception=False)
    return file


def _check_uploaded(value: Any, uploaded: set[str]) -> None:
    paths = value if isinstance(value, list) else [value]
    for path in paths:
        if path is not None and path not in uploaded:
            log.warning("refused a file input that was not uploaded: %r", path)
            raise InputError(NOT_UPLOADED)


def uploads_only(function: F, *names: str) -> F:
    """`function` as a Gradio handler whose file arguments `names` must be this server's uploads.

    A file argument is a path or a list of paths (``None`` when no file was given); anything
    else than a file Gradio stored through its upload route raises :class:`InputError` (for a
    generator, when its first value is asked for).
    """
    signature = inspect.signature(function)

    def check(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        blocks = LocalContext.blocks.get(None)
        uploaded: set[str] = blocks.upload_file_set if blocks is not None else set()
        bound = signature.bind_partial(*args, **kwargs).arguments
        for name in names:
            _check_uploaded(bound.get(name), uploaded)

    if inspect.isgeneratorfunction(function):  # stays a generator, so that Gradio streams it

        @functools.wraps(function)
        def stream(*args: Any, **kwargs: Any) -> Any:
            check(args, kwargs)
            yield from function(*args, **kwargs)

        return stream  # type: ignore[return-value]

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        check(args, kwargs)
        return function(*args, **kwargs)

    return call  # type: ignore[return-value]
