"""The records a batch job passes along: input records, planned records and the job's counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..errors import InputError
from ..text import SUPPORTED_LANGUAGES

Task = Literal["summarize", "translate", "both"]
TASKS: tuple[Task, ...] = ("summarize", "translate", "both")


@dataclass(frozen=True)
class InputRecord:
    """One input record as read, before validation."""

    location: str
    """``<file>:<line>`` (for Parquet, the 1-based row number)."""
    id: str
    """The id field as a string, or `location` when the record has none."""
    text: Any
    """The raw value of the text field (None when absent)."""
    error: str = ""
    """What is wrong with the record itself (not JSON, no text field, bad id), or empty."""


@dataclass(frozen=True)
class PendingRecord:
    """A record ready for the model, or an error record to write as it is."""

    id: str
    text: str
    """The validated text (empty when `error` is set)."""
    error: str = ""


@dataclass
class BatchCounts:
    """How many records a job processed, failed and skipped."""

    done: int = 0
    """Records written with an empty ``error``."""
    failed: int = 0
    """Error records written."""
    skipped: int = 0
    """Input records already in the output from an earlier run."""


def output_fields(task: Task) -> tuple[str, ...]:
    """The keys of every output record of `task`, in order."""
    produced = {"summarize": ("summary",), "translate": ("translation",), "both": ("summary", "translation")}[task]
    return ("id", *produced, "source_lang", "target_lang", "engine", "model", "error", "notes")


def check_job(task: Any, target_lang: Any) -> None:
    """Raise :class:`InputError` unless `task` and `target_lang` are supported."""
    if task not in TASKS:
        raise InputError(f"task {task!r} is not supported; use 'summarize', 'translate' or 'both'")
    if target_lang not in SUPPORTED_LANGUAGES:
        raise InputError(f"target_lang {target_lang!r} is not supported; use 'en' or 'zh'")
