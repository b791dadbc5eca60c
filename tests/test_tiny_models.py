"""The tiny test models load through the Auto classes like the real models they imitate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from tiny_models import build_tiny_bart, build_tiny_marian, build_tiny_mt5
from transformers import (
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

ENGLISH = "The mayor said higher taxes could hurt small businesses."
CHINESE = "卫生部门呼吁老人和儿童接种疫苗。"
MARIAN_TAGS = (">>cmn_Hans<<", ">>cmn_Hant<<", ">>yue_Hans<<")


@dataclass(frozen=True)
class Expected:
    tokenizer_class: str
    model_class: str
    model_type: str
    model_max_length: int
    max_position_embeddings: int | None  # None: relative positions (T5 family)
    languages: tuple[str, ...]  # input languages it must round-trip; the first feeds generate()


EXPECTED: dict[str, Expected] = {
    "marian-en-zh": Expected("MarianTokenizer", "MarianMTModel", "marian", 512, 512, ("en",)),
    "marian-zh-en": Expected("MarianTokenizer", "MarianMTModel", "marian", 512, 512, ("zh",)),
    # transformers 5 maps BartTokenizer to RobertaTokenizer (same byte-level BPE).
    "bart": Expected(
        "RobertaTokenizer", "BartForConditionalGeneration", "bart", 1024, 1024, ("en", "zh")
    ),
    "mt5": Expected("T5Tokenizer", "MT5ForConditionalGeneration", "mt5", 512, None, ("en", "zh")),
}
SENTENCES = {"en": ENGLISH, "zh": CHINESE}
ROUND_TRIPS = [
    pytest.param(name, SENTENCES[lang], id=f"{name}-{lang}")
    for name, expected in EXPECTED.items()
    for lang in expected.languages
]
BUILDERS: dict[str, Callable[[Path], Path]] = {
    "marian": partial(
        build_tiny_marian, source_lang="en", target_lang="zh", target_tokens=MARIAN_TAGS
    ),
    "bart": build_tiny_bart,
    "mt5": build_tiny_mt5,
}


def load(path: Path) -> tuple[PreTrainedTokenizerBase, PreTrainedModel]:
    """Load a model directory the way the project's loader does."""
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSeq2SeqLM.from_pretrained(
        path, use_safetensors=True, trust_remote_code=False
    )
    return tokenizer, model


@pytest.mark.parametrize("name", EXPECTED)
def test_loads_like_the_real_architecture(tiny_models: dict[str, Path], name: str) -> None:
    expected = EXPECTED[name]
    tokenizer, model = load(tiny_models[name])

    assert type(tokenizer).__name__ == expected.tokenizer_class
    assert type(model).__name__ == expected.model_class
    assert model.config.model_type == expected.model_type
    # The builder records its tokenizer's size as the model's vocab_size.
    assert len(tokenizer) == model.config.vocab_size
    assert len(tokenizer) > 200
    assert tokenizer.model_max_length == expected.model_max_length
    positions = getattr(model.config, "max_position_embeddings", None)
    assert positions == expected.max_position_embeddings
    assert model.generation_config.decoder_start_token_id == model.config.decoder_start_token_id
    assert model.generation_config.max_length >= 128
    assert (tiny_models[name] / "model.safetensors").is_file()
    assert not (tiny_models[name] / "pytorch_model.bin").exists()


@pytest.mark.parametrize(("name", "sentence"), ROUND_TRIPS)
def test_round_trips_a_sentence(tiny_models: dict[str, Path], name: str, sentence: str) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_models[name])
    ids = tokenizer(sentence)["input_ids"]

    assert tokenizer.unk_token_id not in ids
    assert tokenizer.decode(ids, skip_special_tokens=True) == sentence


@pytest.mark.parametrize(
    ("name", "sentence"), [("marian-en-zh", CHINESE), ("marian-zh-en", ENGLISH)]
)
def test_marian_round_trips_a_target_sentence(
    tiny_models: dict[str, Path], name: str, sentence: str
) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_models[name])
    ids = tokenizer(text_target=sentence)["input_ids"]

    assert tokenizer.unk_token_id not in ids
    assert tokenizer.decode(ids, skip_special_tokens=True) == sentence


@pytest.mark.parametrize("name", EXPECTED)
def test_generates_the_requested_number_of_tokens(tiny_models: dict[str, Path], name: str) -> None:
    tokenizer, model = load(tiny_models[name])
    inputs = tokenizer([SENTENCES[EXPECTED[name].languages[0]]], return_tensors="pt")

    output = model.generate(**inputs, min_new_tokens=3, max_new_tokens=3)

    assert output.shape == (1, 1 + 3)  # decoder start token + new tokens
    assert output[0, 0] == model.config.decoder_start_token_id
    assert tokenizer.decode(output[0], skip_special_tokens=True).strip()


@pytest.mark.parametrize("tag", MARIAN_TAGS)
def test_marian_target_tag_is_one_token(tiny_models: dict[str, Path], tag: str) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_models["marian-en-zh"])
    tag_id = tokenizer.convert_tokens_to_ids(tag)

    ids = tokenizer(f"{tag} Hello world.")["input_ids"]

    assert tag_id != tokenizer.unk_token_id
    assert ids == [tag_id, *tokenizer("Hello world.")["input_ids"]]


@pytest.mark.parametrize("builder", BUILDERS.values(), ids=BUILDERS.keys())
def test_builds_are_deterministic(tmp_path: Path, builder: Callable[[Path], Path]) -> None:
    rng_state = torch.get_rng_state()

    first = builder(tmp_path / "first")
    second = builder(tmp_path / "second")

    first_weights = load_file(first / "model.safetensors")
    second_weights = load_file(second / "model.safetensors")
    assert first_weights.keys() == second_weights.keys()
    assert all(torch.equal(first_weights[key], second_weights[key]) for key in first_weights)
    assert file_contents(first) == file_contents(second)
    assert torch.equal(torch.get_rng_state(), rng_state), "builders must not reseed the global RNG"


def file_contents(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}
