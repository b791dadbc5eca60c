"""Model families and their quirks: one registry, read by every engine.

Each family's quirks live in ``FAMILIES`` and nowhere else: input limits,
target-language tags of multi-target Marian models, input whitespace handling.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import ModelUnavailableError


@dataclass(frozen=True)
class ModelFamily:
    """The quirks of one architecture family."""

    name: str
    model_types: frozenset[str]
    max_input_tokens: int
    """Position limit of the family's released checkpoints."""
    collapse_whitespace: bool = False
    """Join lines into one (mT5 XL-Sum was trained on whitespace-normalized text)."""
    target_tags: Mapping[str, str] = field(default_factory=dict)
    """Tag put in front of every source sentence, per target language, for
    multi-target models (only used when the tokenizer knows such tags; a model
    without the ``zh-Hant`` tag gets the ``zh`` one, its output then converted)."""
    cuda_dtype: str = "float32"
    """What ``runtime.dtype: auto`` means on CUDA (float32 on every other device).
    float32 for the seq2seq families: measured outside the project on one H200,
    transformers bf16 generate ran at a quarter of fp32 for the Marian and BART
    shapes (issue 18), so a family changes only with a measurement in benchmarks/.
    Chat-model families use bfloat16, where memory needs it."""


FAMILIES: tuple[ModelFamily, ...] = (
    ModelFamily(
        name="marian",
        model_types=frozenset({"marian"}),
        max_input_tokens=512,
        target_tags={"zh": ">>cmn_Hans<<", "zh-Hant": ">>cmn_Hant<<", "en": ">>eng<<"},
    ),
    ModelFamily(name="bart", model_types=frozenset({"bart"}), max_input_tokens=1024),
    ModelFamily(name="t5", model_types=frozenset({"t5", "mt5"}), max_input_tokens=512, collapse_whitespace=True),
)

CHAT_MODELS = ModelFamily(name="chat", model_types=frozenset(), max_input_tokens=0, cuda_dtype="bfloat16")
"""The LLM engine's chat models (any causal LM with a chat template): bfloat16 on CUDA, where memory needs it."""


def family_for(model_type: str, model_name: str) -> ModelFamily:
    """The family of a model by its ``config.model_type``."""
    for family in FAMILIES:
        if model_type in family.model_types:
            return family
    supported = ", ".join(sorted(t for family in FAMILIES for t in family.model_types))
    raise ModelUnavailableError(
        f"model {model_name!r} has type {model_type!r}, which is not supported; supported types: {supported}"
    )


def auto_dtype(family: ModelFamily, device: str) -> str:
    """The dtype ``runtime.dtype: auto`` picks for `family` on `device`."""
    return family.cuda_dtype if device == "cuda" else "float32"
