"""Lead baselines: the first sentences of a text, or its prefix of a given length."""

from __future__ import annotations

import re

from ..text import join_sentences, normalize_text, split_sentences

_NON_SPACE = re.compile(r"\S")
_WORD = re.compile(r"\S+")


def lead_sentences(text: str, count: int) -> str:
    """The first `count` sentences of `text` (normalized, split by the project's splitter)."""
    return join_sentences(split_sentences(normalize_text(text))[:count])


def length_units(text: str, lang: str) -> int:
    """A text's length in the unit lead baselines are matched by: words (en) or non-space characters (zh)."""
    return len((_WORD if lang == "en" else _NON_SPACE).findall(text))


def lead_prefix(text: str, units: int, lang: str) -> str:
    """The start of `text` (normalized) holding `units` words (en) or non-space characters (zh)."""
    normalized = normalize_text(text)
    if units <= 0:
        return ""
    for index, match in enumerate((_WORD if lang == "en" else _NON_SPACE).finditer(normalized), start=1):
        if index == units:
            return normalized[: match.end()]
    return normalized
