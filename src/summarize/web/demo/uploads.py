"""Files users give the web demo: only files Gradio itself stored for an upload to this server are opened.

Gradio refuses a file input that was not uploaded, and one given as a URL, before it copies anything
(:func:`summarize.web.framework.refuse_unuploaded_files`, which words the refusal as
:data:`~summarize.web.framework.NOT_UPLOADED`); :func:`uploads_only` checks again in each handler that
takes a file, against the set of files Gradio's upload route stored.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from ...errors import InputError
from ..framework import NOT_UPLOADED, files_uploaded_to_this_demo

F = TypeVar("F", bound=Callable[..., Any])

log = logging.getLogger(__name__)


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
        uploaded = files_uploaded_to_this_demo()
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
