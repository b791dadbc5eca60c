"""What the demo's tabs share: error lines shown in place, and how results are described.

A click first clears the tab's outputs (:func:`run_on_click`); service errors are then shown in
place, on the tab's error line, in one place: :func:`in_place`.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import gradio as gr

from ...errors import SummarizeError
from ...hub import OPERATOR_WORDS
from ...redaction import hide_paths
from ...results import Result
from ...text import LANGUAGE_NAMES, Detection, decode_utf8
from ...wording import in_words

F = TypeVar("F", bound=Callable[..., Any])

ERROR_CLASS = "run-error"
UI_CSS = f"""
.{ERROR_CLASS}, .{ERROR_CLASS} * {{ color: var(--error-text-color) !important; }}
.toast-wrap.toast-wrap {{ top: auto; bottom: var(--size-4); }}
.score-group {{ margin-bottom: var(--size-3); }}
.score-metric {{ font-weight: 600; }}
.score-bar {{ position: relative; height: 1.4em; margin: 2px 0; background: var(--background-fill-secondary); }}
.score-fill {{ position: absolute; inset: 0 auto 0 0; }}
.score-precision .score-fill {{ background: #6baed6; }}
.score-recall .score-fill {{ background: #fd8d3c; }}
.score-f1 .score-fill {{ background: #74c476; }}
.score-label {{ position: relative; padding-left: var(--size-2); font-size: var(--text-sm); }}
"""
"""The error lines in the error colour; pop-ups (Gradio's own) at the bottom, clear of the tabs' buttons."""
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")
UI_WORDS = {
    "text": "the text box",
    "target_lang": "the language choice",
    "length": "the Length choice",
    "text_field": "the header 'text'",  # the Batch tab reads the column named "text"
    "text_format": "the choice 'The text field holds'",
    **OPERATOR_WORDS,
}
"""How error messages name the service's arguments here (the UI's controls)."""


def literal_markdown(text: str) -> str:
    """`text` as Markdown that shows it literally, except its `code` spans (commands, settings), kept as code:
    a link, an image or HTML in it (a document's title, say) is shown as text."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: nothing is code
        parts = [text]
    return "".join(f"`{part}`" if index % 2 else _MARKDOWN_SYNTAX.sub(r"\\\1", part) for index, part in enumerate(parts))


def error_markdown(message: str) -> str:
    """`message` as a tab's error line: a warning sign, then the message shown literally (:func:`literal_markdown`)."""
    return "⚠️ " + literal_markdown(message)


def in_place(function: F, blanks: tuple[Any, ...]) -> F:
    """`function` with one more output, the tab's error line: empty, or the :class:`SummarizeError` it raised.

    On an error the other outputs become `blanks`, so nothing from an earlier run stays on screen and the
    event itself succeeds (no pop-up, no error badges over the outputs).
    """
    if inspect.isgeneratorfunction(function):

        @functools.wraps(function)
        def stream(*args: Any) -> Iterator[tuple[Any, ...]]:
            try:
                for outputs in function(*args):
                    yield (*outputs, "")
            except SummarizeError as error:
                yield (*blanks, error_markdown(hide_paths(error.in_words(UI_WORDS))))

        return stream  # type: ignore[return-value]

    @functools.wraps(function)
    def call(*args: Any) -> tuple[Any, ...]:
        try:
            outputs = function(*args)
        except SummarizeError as error:
            return (*blanks, error_markdown(hide_paths(error.in_words(UI_WORDS))))
        return (*outputs, "") if isinstance(outputs, tuple) else (outputs, "")

    return call  # type: ignore[return-value]


def run_on_click(
    button: gr.Button, action: Callable[..., Any], inputs: list[Any], outputs: list[Any], blanks: tuple[Any, ...],
    **options: Any,
) -> None:
    """Clear `outputs` (the last is the tab's error line) as soon as `button` is clicked, then run `action`."""
    cleared = (*blanks, "")
    button.click(lambda: cleared, None, outputs, queue=False, show_progress="hidden", api_visibility="private").then(
        in_place(action, blanks), inputs, outputs, **options
    )


def describe_detection(detection: Detection) -> str:
    """How the detected language is shown, e.g. ``Mixed English/Chinese (42% Chinese), treated as Chinese``."""
    name = LANGUAGE_NAMES[detection.language]
    if detection.is_mixed:
        return f"Mixed English/Chinese ({round(detection.zh_share * 100)}% Chinese), treated as {name}"
    return name


def describe_result(result: Result) -> str:
    """One line saying what produced `result`."""
    chunks = f"{result.chunks} chunk" + ("" if result.chunks == 1 else "s")
    return (
        f"{LANGUAGE_NAMES[result.source_lang]} → {LANGUAGE_NAMES[result.target_lang]} · engine `{result.engine}` · "
        f"model `{hide_paths(result.model)}` · {chunks} · {result.seconds:.2f} s"
    )


def quality_line(result: Result) -> str:
    """A badge for a doubtful result: its quality score and each flag's reason (empty when nothing was found)."""
    if result.quality is None or not result.quality.flags:
        return ""
    reasons = "; ".join(literal_markdown(flag.reason) for flag in result.quality.flags)
    confidence = "" if result.quality.confidence is None else f", model confidence {result.quality.confidence:.2f}"
    return f"⚠️ **Check this output** (quality {result.quality.score:.2f}{confidence}): {reasons}"


def notice(result: Result, requested_engine: str) -> str:
    """The notes of `result` as Markdown: its quality badge and, when the extractive fallback replaced a model,
    a warning first."""
    badge = quality_line(result)
    lines = [badge] if badge else []
    if requested_engine != "extractive" and result.engine.startswith("extractive"):
        lines.append("⚠️ **Extractive fallback:** the summarization model could not be loaded, so this summary "
                     "is made of sentences picked from the article.")
    lines.extend(f"- {literal_markdown(hide_paths(in_words(note, UI_WORDS)))}" for note in result.notes)
    return "\n".join(lines)


def read_upload(path: str | None) -> str:
    """The text of an uploaded UTF-8 file ('' when the upload was cleared)."""
    if not path:
        return ""
    return decode_utf8(Path(path).read_bytes(), Path(path).name, fix="save it as UTF-8 and upload it again")
