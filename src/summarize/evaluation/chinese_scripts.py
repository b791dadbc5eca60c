"""Scoring Chinese in one script: outputs and references converted (OpenCC) before ROUGE, BLEU or chrF.

Character-level ROUGE (``zh-char``) already scores Traditional text; but a system that writes
Simplified characters against Traditional references (or the other way) loses every character
written differently in the two scripts (臺/台, 灣/湾). Converting both sides first scores the
words, not the script.
"""

from __future__ import annotations

from dataclasses import replace

from ..chinese_script import convert
from .inputs import AlignedItems

SCRIPT_CONVERSIONS: dict[str, str] = {"simplified": "t2s", "traditional": "s2t"}
"""The scripts both sides can be converted into, and the OpenCC conversion that does it."""


def in_one_script(items: AlignedItems, script: str) -> AlignedItems:
    """`items` with every output and reference converted into `script` (``simplified`` or ``traditional``)."""
    config = SCRIPT_CONVERSIONS[script]
    return replace(
        items,
        outputs=[convert(text, config) for text in items.outputs],
        references=[[convert(text, config) for text in texts] for texts in items.references],
    )


def script_signature(script: str) -> str:
    """The signature part that records the conversion (``script:t2s``)."""
    return f"script:{SCRIPT_CONVERSIONS[script]}"
