"""The detector, the chunker, the extractive engine and the ROUGE tokenizer agree on Han characters."""

from __future__ import annotations

import pytest

from summarize.chunking import split_to_fit
from summarize.engines.extractive import sentence_features
from summarize.evaluation.tokenizers import get_tokenizer
from summarize.text import detect_language

# One character from each block of the class: Extension A, the Unified block, a compatibility
# ideograph that NFKC keeps (U+FA0E), Extension B (U+20000), Extension G (U+30000) and Extension H (U+31350).
HAN_SAMPLES = ["\u3400", "\u4e2d", "\ufa0e", "\U00020000", "\U00030000", "\U00031350"]


@pytest.mark.parametrize("char", HAN_SAMPLES)
def test_detector_counts_the_character_as_chinese(char: str) -> None:
    assert detect_language(char * 12).language == "zh"


@pytest.mark.parametrize("char", HAN_SAMPLES)
def test_chunker_cuts_between_the_characters(char: str) -> None:
    # A run of Han characters is cut between characters (one unit each), never kept as one "word".
    pieces = split_to_fit(char * 6, lambda units: [1] * len(units), budget=2)
    assert pieces == [char * 2] * 3


@pytest.mark.parametrize("char", HAN_SAMPLES)
def test_extractive_features_see_the_character(char: str) -> None:
    assert sentence_features(char * 3, "zh", chinese_tokens="char-bigram") == [char * 2, char * 2]


@pytest.mark.parametrize("char", HAN_SAMPLES)
def test_rouge_tokenizer_keeps_the_character(char: str) -> None:
    assert get_tokenizer("zh-char")(f"{char}a{char}") == [char, "a", char]


def test_a_hexagram_symbol_is_not_han() -> None:
    # U+4DC0 (Yijing hexagram) sits between Extension A and the Unified block: not an ideograph.
    assert sentence_features("\u4dc0\u4dc0\u4dc0", "zh", chinese_tokens="char-bigram") == []
