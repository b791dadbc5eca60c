"""Simplified and Traditional Chinese: telling them apart and converting between them.

Both use OpenCC's conversion data (dictionaries of characters and phrases kept by the
OpenCC project), never a hand-made character list. A character counts as Traditional
where OpenCC's Traditional-to-Simplified conversion changes it, and as Simplified where
every Simplified-to-Traditional conversion (plain, Taiwan and Hong Kong standards) changes
it; whole phrases are converted, so that a character written the same in both scripts in
one word ("著名") is not counted by its form in another ("著" for "着").
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

HantVariant = Literal["s2twp", "s2tw", "s2hk", "s2t"]
"""OpenCC conversions into Traditional characters: Taiwan standard with Taiwan phrases
(軟件 -> 軟體), Taiwan standard, Hong Kong standard, or OpenCC's plain Traditional."""
HANT_VARIANTS: tuple[HantVariant, ...] = typing.get_args(HantVariant)
DEFAULT_HANT_VARIANT: HantVariant = "s2twp"

HantInput = Literal["simplified", "traditional"]
"""What a translation model reads from a Traditional Chinese article: the article converted
to Simplified characters (OpenCC ``t2s``) or the article as written."""

SCRIPT_SAMPLE_CHARACTERS = 10_000
"""Characters (from the start) that :func:`~.text.detect_language` reads to tell the scripts apart:
far more than an article needs, and detection time stays bounded on a long document."""

MIXED_SCRIPT_SHARE = 0.2
"""A script holding at least this share of the script-specific characters makes a text "mixed"."""

_SIMPLIFIED_TO_TRADITIONAL = ("s2t", "s2tw", "s2hk")


@lru_cache(maxsize=None)
def _converter(config: str):  # noqa: ANN202 (opencc.OpenCC has no stubs)
    import opencc

    return opencc.OpenCC(config)


def convert(text: str, config: str) -> str:
    """`text` converted with the OpenCC configuration `config` (``s2twp``, ``t2s``...)."""
    return _converter(config).convert(text) if text else text


def to_traditional(text: str, variant: HantVariant = DEFAULT_HANT_VARIANT) -> str:
    """`text` in Traditional characters by the regional standard `variant`; Traditional text
    stays Traditional (its phrases may take the region's wording)."""
    return convert(text, variant)


def to_simplified(text: str) -> str:
    """`text` in Simplified characters (OpenCC ``t2s``)."""
    return convert(text, "t2s")


@dataclass(frozen=True)
class ScriptCount:
    """Script-specific characters of a Chinese text: how many only Traditional writing uses,
    how many only Simplified writing uses (characters both use are not counted)."""

    traditional: int
    simplified: int

    @property
    def traditional_share(self) -> float:
        """Traditional share of the script-specific characters (0 when there are none)."""
        total = self.traditional + self.simplified
        return self.traditional / total if total else 0.0

    @property
    def is_traditional(self) -> bool:
        """More Traditional than Simplified characters; a text with neither (every character
        written alike in both scripts, as in "中文") or as many of each is Simplified."""
        return self.traditional > self.simplified

    @property
    def is_mixed(self) -> bool:
        """Each script holds at least ``MIXED_SCRIPT_SHARE`` of the script-specific characters."""
        share = self.traditional_share
        return self.traditional + self.simplified > 0 and min(share, 1 - share) >= MIXED_SCRIPT_SHARE


def count_scripts(text: str) -> ScriptCount:
    """Count the Traditional-only and Simplified-only characters of `text`."""
    traditional = _changed_by(text, "t2s")
    simplified = set.intersection(*(_changed_by(text, config) for config in _SIMPLIFIED_TO_TRADITIONAL))
    return ScriptCount(traditional=len(traditional), simplified=len(simplified - traditional))


def _changed_by(text: str, config: str) -> set[int]:
    """Positions of `text` whose character the conversion `config` changes (character by
    character where a phrase changed length, which OpenCC's script conversions almost never do)."""
    converted = convert(text, config)
    if len(converted) == len(text):
        return {i for i, (a, b) in enumerate(zip(text, converted, strict=False)) if a != b}
    return {i for i, char in enumerate(text) if convert(char, config) != char}
