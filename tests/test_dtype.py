"""``runtime.dtype: auto`` per model family and device (issue 18): float32 for the seq2seq families
everywhere until a benchmark shows a faster GPU dtype; bfloat16 on CUDA for chat-model families."""

from __future__ import annotations

import pytest
import torch

from summarize.config import RuntimeSettings
from summarize.engines.devices import choose_dtype, dtype_name
from summarize.families import CHAT_MODELS, FAMILIES

CHAT = CHAT_MODELS
"""The LLM engine's chat models."""


@pytest.mark.parametrize("device", ["cpu", "cuda", "mps"])
def test_auto_is_float32_for_every_seq2seq_family_on_every_device(device: str) -> None:
    assert {family.name: dtype_name("auto", device, family) for family in FAMILIES} == {
        "marian": "float32",
        "bart": "float32",
        "t5": "float32",
    }


def test_auto_is_bfloat16_for_chat_models_on_cuda_only() -> None:
    assert [dtype_name("auto", device, CHAT) for device in ("cuda", "cpu", "mps")] == ["bfloat16", "float32", "float32"]


@pytest.mark.parametrize("setting", ["float32", "bfloat16", "float16"])
def test_an_explicit_dtype_is_kept_for_every_family(setting: str) -> None:
    for family in (*FAMILIES, CHAT):
        assert dtype_name(setting, "cuda", family) == setting
        assert choose_dtype(setting, "cuda", family) == getattr(torch, setting)


def test_ctranslate2_compute_type_follows_the_same_choice() -> None:
    from summarize.engines.ctranslate2 import compute_type

    supported = {"float32", "float16", "bfloat16", "int8", "int8_float16", "int8_bfloat16"}
    marian = FAMILIES[0]
    assert compute_type(RuntimeSettings(), "cuda", marian, supported) == "float32"
    assert compute_type(RuntimeSettings(quantization="int8"), "cuda", marian, supported) == "int8"
    assert compute_type(RuntimeSettings(dtype="float16", quantization="int8"), "cuda", marian, supported) == "int8_float16"
    assert compute_type(RuntimeSettings(), "cuda", CHAT, supported) == "bfloat16"
