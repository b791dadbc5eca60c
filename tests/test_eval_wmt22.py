"""Reproduce the official WMT22 en-zh and zh-en BLEU/chrF (reference A) with the project's scorer.

Reads ../shared/evaldata (or $SUMMARIZE_EVALDATA) and skips when it is absent.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pytest

from summarize.evaluation import (
    TranslationResult,
    TranslationScorer,
    load_wmt22,
    wmt22_official_scores,
    wmt22_outputs,
    wmt22_systems,
)

pytest.importorskip("sacrebleu", reason="sacrebleu is in the eval extra")

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SUMMARIZE_EVALDATA") or ROOT.parent / "shared" / "evaldata")
WMT = DATA / "wmt22-general-enzh"
SKIP = f"WMT22 data not found at {WMT} (set SUMMARIZE_EVALDATA to the evaluation data folder)"
TOLERANCE = 0.01


def _cases() -> list:
    if not WMT.is_dir():
        return [pytest.param("en-zh", "none", "bleu", marks=pytest.mark.skip(reason=SKIP))]
    return [
        pytest.param(direction, system, metric, id=f"{direction}-{system}-{metric}")
        for direction in ("en-zh", "zh-en")
        for system in wmt22_systems(direction, DATA)
        for metric in ("bleu", "chrf")
    ]


@lru_cache(maxsize=None)
def _scorer(direction: str) -> TranslationScorer:
    dataset = load_wmt22(direction, DATA)
    return TranslationScorer([example.references[:1] for example in dataset.examples], target_lang=dataset.target_lang)


@lru_cache(maxsize=None)
def _score(direction: str, system: str) -> TranslationResult:
    return _scorer(direction).score(wmt22_outputs(direction, system, DATA))


@pytest.mark.parametrize("direction, system, metric", _cases())
def test_reference_a_scores_match_the_official_table(direction, system, metric):
    official = wmt22_official_scores(DATA)[(direction, system, f"{metric}-A")]
    assert getattr(_score(direction, system), metric) == pytest.approx(official, abs=TOLERANCE)


@pytest.mark.skipif(not WMT.is_dir(), reason=SKIP)
@pytest.mark.parametrize("direction", ["en-zh", "zh-en"])
def test_every_official_system_has_outputs(direction):
    official = {system for (pair, system, metric) in wmt22_official_scores(DATA) if pair == direction and metric == "bleu-A"}
    assert official == set(wmt22_systems(direction, DATA))


@pytest.mark.skipif(not WMT.is_dir(), reason=SKIP)
@pytest.mark.parametrize("direction, tokenizer", [("en-zh", "tok:zh"), ("zh-en", "tok:13a")])
def test_tokenizer_follows_the_target_language(direction, tokenizer):
    system = wmt22_systems(direction, DATA)[0]
    assert tokenizer in _score(direction, system).bleu_signature
