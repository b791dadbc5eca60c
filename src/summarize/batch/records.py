"""The records a batch job passes along: input, planned and output records, and the job's counts."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

from ..errors import InputError
from ..glossary import TermCheck
from ..quality import Quality
from ..text import LANGUAGE_CHOICES, SUPPORTED_LANGUAGES

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
    notes: tuple[str, ...] = ()
    """What reading the text found out, e.g. the title of the page it held (``--format html``)."""


@dataclass(frozen=True)
class PendingRecord:
    """A record ready for the model, or an error record to write as it is."""

    id: str
    text: str
    """The validated text (empty when `error` is set)."""
    error: str = ""
    notes: tuple[str, ...] = ()
    """The input record's notes, kept in the output record's."""


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
    return ("id", *produced, "source_lang", "target_lang", "engine", "model", "error", "notes", "terms", "quality")


@dataclass(frozen=True)
class OutputRecord:
    """One record of a job's output, as written (see :meth:`to_dict`).

    `summary` and `translation` are None when the job's task does not produce
    them, and empty when the record failed. `engine` and `model` read
    "summary's; translation's" for the ``both`` task.
    """

    id: str
    summary: str | None = None
    translation: str | None = None
    source_lang: str = ""
    """The detected language of the text (empty when the record has no usable text)."""
    target_lang: str = ""
    """The language of the summary and translation: ``--to``, or the article's own language without it."""
    engine: str = ""
    model: str = ""
    error: str = ""
    """Why the record failed (several reasons joined by "; "), or empty."""
    notes: tuple[str, ...] = ()
    terms: tuple[TermCheck, ...] = ()
    """The glossary terms found and whether each was kept (``Result.terms``): the translation's,
    or for the ``summarize`` task the summary's (only a summary in the other language has any)."""
    quality: Quality | None = None
    """How far to trust the output (``Result.quality``; for ``both``, the lower score with both outputs'
    flags); None for a failed record. Sort a job's records by its score to read the doubtful ones first."""

    @property
    def failed(self) -> bool:
        """Whether this is an error record."""
        return bool(self.error)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready record, with the keys of :func:`output_fields` in that order."""
        data = {field.name: getattr(self, field.name) for field in fields(self)}
        data["notes"] = list(self.notes)
        data["terms"] = [term.to_dict() for term in self.terms]
        quality = self.quality.to_dict() if self.quality is not None else None
        return {**{key: value for key, value in data.items() if value is not None}, "quality": quality}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutputRecord:
        """The record that :meth:`to_dict` gave `data`."""
        terms = tuple(TermCheck(**term) for term in data.get("terms") or ())
        quality = Quality.from_dict(data["quality"]) if data.get("quality") else None
        return cls(**{**data, "notes": tuple(data.get("notes") or ()), "terms": terms, "quality": quality})


def check_job(task: Any, target_lang: Any) -> None:
    """Raise :class:`InputError` unless `task` is supported and `target_lang` suits it.

    `target_lang` may be None for ``summarize`` only: each summary is then in its article's language.
    """
    if task not in TASKS:
        raise InputError(f"task {task!r} is not supported; use 'summarize', 'translate' or 'both'")
    if target_lang is None:
        if task != "summarize":
            raise InputError(f"task {task!r} needs a target language; set --to (target_lang) to {LANGUAGE_CHOICES}")
        return
    if target_lang not in SUPPORTED_LANGUAGES:
        raise InputError(f"target_lang {target_lang!r} is not supported; use {LANGUAGE_CHOICES}")
