"""The service's validated inputs, summaries on their way to results, and the notes about them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .engines.base import Length, Summarizer
from .errors import InputError, ModelMissingError, ModelUnavailableError
from .glossary import TermCheck
from .hub import PULL_HINT
from .text import (
    LANGUAGE_CHOICES,
    LANGUAGE_NAMES,
    SUPPORTED_LANGUAGES,
    Detection,
    Language,
    detect_language,
    same_model_language,
)
from .wording import Argument, Message


@dataclass(frozen=True)
class Source:
    """One validated input text and its languages."""

    text: str
    source: Language
    target: Language
    detection: Detection | None
    given_notes: list[str]

    @property
    def notes(self) -> list[str]:
        notes = list(self.given_notes)
        if self.detection is not None and self.detection.is_mixed:
            share = round(self.detection.zh_share * 100)
            notes.append(f"mixed English/Chinese text ({share}% Chinese); treated as {LANGUAGE_NAMES[self.source]}")
        if self.detection is not None and self.detection.scripts_mixed:
            share = round(self.detection.traditional_share * 100)
            notes.append(
                f"mixed Simplified/Traditional Chinese characters ({share}% Traditional); treated as {self.source!r}"
            )
        return notes


@dataclass(frozen=True)
class Draft:
    """A summary on its way to a :class:`Result`: its text, what made it, and its notes."""

    text: str
    engine: str
    model: str
    chunks: int
    notes: tuple[str, ...]
    terms: tuple[TermCheck, ...] = ()
    """A cross-lingual summary's glossary checks (see :attr:`Result.terms`)."""


def summary_drafts(
    summarizer: Summarizer, texts: Sequence[str], lang: Language, length: Length, notes: tuple[str, ...] = ()
) -> list[Draft]:
    """`summarizer`'s summaries of `texts` (all in `lang`) as drafts, in input order, `notes` first in each."""
    return [
        Draft(summary.text, summarizer.engine, summarizer.model, summary.chunks, notes + summary.notes)
        for summary in summarizer.summarize_documents(texts, lang, length)
    ]


def check_language(value: Any, argument: str) -> Language:
    if value not in SUPPORTED_LANGUAGES:
        raise InputError(Message(Argument(argument), f" {value!r} is not supported; use {LANGUAGE_CHOICES}"))
    return value


def contradiction_note(given: Language, text: str) -> list[str]:
    """A note when `text` is clearly (not mixed) in the other language than the `given` one
    (Simplified for Traditional Chinese, or the other way, is not another language)."""
    try:
        detection = detect_language(text)
    except InputError:
        return []
    if detection.is_mixed or same_model_language(detection.language, given):
        return []
    source_lang = Argument("source_lang")
    return [
        Message(
            f"the text looks {LANGUAGE_NAMES[detection.language]}, but ", source_lang, f" says {given!r}: it was "
            f"treated as {LANGUAGE_NAMES[given]} (leave ", source_lang, " out to have the language detected)",
        )
    ]


ALSO_A_NOTE = "also_a_note"
"""Set (``extra={ALSO_A_NOTE: True}``) on a log record whose news every result also carries as a note, so a
command that prints the notes can leave the record out."""


def fallback_note(model: str, error: ModelUnavailableError) -> str:
    """Why the extractive summary was used, in one line (the full fix is in ``summarize models list/pull``)."""
    if isinstance(error, ModelMissingError):
        return Message(
            f"extractive summary: model {model!r} is not cached here and cannot be downloaded now (", Argument(PULL_HINT), ")"
        )
    return f"abstractive model unavailable ({error}); extractive summary used instead"


def naming(argument: str, message: str) -> str:
    """`message` about the list item `argument`, starting with its name (``texts[3]: unsupported language ...``)."""
    if message.startswith(argument):
        return message
    parts = message.parts if isinstance(message, Message) else (message,)
    return Message(Argument(argument), ": ", *parts)
