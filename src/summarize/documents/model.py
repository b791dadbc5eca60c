"""What every document reader gives back: the text to summarize, and segments to translate."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from ..errors import InputError
from ..text import is_wide


@dataclass(frozen=True)
class Document:
    """A document read from one of the supported formats.

    ``text`` is the main text a summary is made from (paragraphs separated by blank
    lines; no headings, menus or timings). ``segments`` are the pieces of text a
    translation replaces, in document order; ``rebuild(translations)`` writes the
    document back in its own format with each segment replaced by its translation
    (one translation per segment, same order) and everything else kept.
    """

    format: str
    text: str
    metadata: Mapping[str, str]
    segments: tuple[str, ...]
    rebuild: Callable[[Sequence[str]], bytes] = field(repr=False)

    @property
    def notes(self) -> tuple[str, ...]:
        """The metadata as a result's notes: ``document title: ...``, ``document date: ...``."""
        return tuple(f"document {key}: {value}" for key, value in self.metadata.items())


def with_document_notes(document_notes: Sequence[str], notes: Sequence[str]) -> tuple[str, ...]:
    """`document_notes` (a document's title and date), then `notes` without the ones that name what those
    already name (``document title: ...`` read again from the document's text) and without repeats."""
    given = {note.split(":", 1)[0] for note in document_notes if note.startswith("document ")}
    kept = [note for note in notes if not (note.startswith("document ") and note.split(":", 1)[0] in given)]
    return tuple(dict.fromkeys([*document_notes, *kept]))


def is_translatable(segment: str) -> bool:
    """A segment with at least one letter goes to the model; numbers, punctuation and
    whitespace stay as they are."""
    return any(char.isalpha() for char in segment)


def text_size(segments: Iterable[str]) -> int:
    """The characters of text a translation of these segments works on: the translatable ones'."""
    return sum(len(segment) for segment in segments if is_translatable(segment))


def check_text_size(characters: int, limit: int | None, name: str) -> None:
    """Refuse a document with more than `limit` characters of text (``limits.max_chars``; None: no limit)."""
    if limit is not None and characters > limit:
        raise InputError(
            f"{name} has {characters:,} characters of text, over the limit of {limit:,} "
            "(limits.max_chars); split it or raise the limit"
        )


PartKind = Literal["markup", "break", "source", "translation"]


class Part(NamedTuple):
    """A piece of a rebuilt document: its text, what it is, and (for a translation) its source text."""

    text: str
    kind: PartKind
    """``markup`` inline, ``break`` markup that ends a block, ``source`` text kept, or a ``translation``."""
    source: str = ""
    closes: bool = False
    """Markup that closes an inline element: a space needed beside it goes after it, not before."""


def _latin_pair(before: str, after: str) -> bool:
    """Latin text on both sides: a word or punctuation mark, then a word."""
    return before.isascii() and not before.isspace() and after.isascii() and after.isalnum()


def respace(parts: Sequence[Part]) -> list[str]:
    """The parts' texts with the spacing fixed where a translation meets other text across
    inline markup: whitespace between two wide (Chinese) characters is dropped, and a space
    is put between two Latin words that a translation from Chinese left touching."""
    output = [part.text for part in parts]
    texts = [index for index, part in enumerate(parts) if part.kind in ("source", "translation") and part.text]
    for left, right in zip(texts, texts[1:], strict=False):
        kinds = [part.kind for part in parts[left : right + 1]]
        if "translation" not in (kinds[0], kinds[-1]) or "break" in kinds:
            continue
        before, after = output[left].rstrip(), output[right].lstrip()
        if not before or not after:
            continue
        if (before != output[left] or after != output[right]) and is_wide(before[-1]) and is_wide(after[0]):
            output[left], output[right] = before, after
            continue
        closes = any(part.closes for part in parts[left + 1 : right])
        source_before = (parts[left].source or parts[left].text)[-1:]
        source_after = (parts[right].source or parts[right].text)[:1]
        touching_in_source = bool(source_before and source_after) and is_wide(source_before) and is_wide(source_after)
        # Punctuation, a closing mark, then a letter: Markdown would not read the mark as closing.
        punctuation_then_word = closes and not before[-1].isalnum() and after[0].isalnum()
        if before == output[left] and after == output[right] and _latin_pair(before[-1], after[0]):
            if touching_in_source or punctuation_then_word:
                if closes:
                    output[right] = " " + output[right]
                else:
                    output[left] += " "
    return output


def import_extra(module: str, format_name: str) -> Any:
    """Import a reader's library, or say which extra to install for `format_name` files."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise InputError(
            f"{format_name} files need {module}: pip install 'bilingual-summarize[documents]'"
        ) from None
