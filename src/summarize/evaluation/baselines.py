"""Lead baselines: the first sentences of a text, or its prefix of a given length."""

from __future__ import annotations

from ..text import (
    join_sentences,
    length_unit,
    length_units,
    normalize_text,
    split_sentences,
)

__all__ = ["lead_prefix", "lead_sentences", "length_units"]


def lead_sentences(text: str, count: int) -> str:
    """The first `count` sentences of `text` (normalized, split by the project's splitter)."""
    return join_sentences(split_sentences(normalize_text(text))[:count])


def lead_prefix(text: str, units: int, lang: str) -> str:
    """The start of `text` (normalized) holding `units` words (en) or non-space characters (zh)."""
    normalized = normalize_text(text)
    if units <= 0:
        return ""
    for index, match in enumerate(length_unit(lang).finditer(normalized), start=1):
        if index == units:
            return normalized[: match.end()]
    return normalized
