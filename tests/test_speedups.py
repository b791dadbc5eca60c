"""The default transformers engine's speed-ups, on tiny models: none may change an output.

- Marian models score only their target-language tokens (runtime.restrict_vocabulary):
  the same output as the full vocabulary with the other tokens masked, and the same
  output as the full vocabulary for a model that never picks them (a trained one).
- Beam search leaves the cross-attention cache in place (BeamSearchCache): token ids
  equal to transformers' own cache, for every family.
- Batches decoded side by side (runtime.inter_threads) come back in input order, equal
  to one batch at a time; each worker has its own torch thread count.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarize import ConfigError
from summarize.chunking import plan_batches
from summarize.config import ModelSettings, RuntimeSettings
from summarize.engines.loader import load_seq2seq
from summarize.engines.vocabulary import OutputVocabulary, marian_target_token_ids
from summarize.engines.workers import BatchWorkers, worker_layout

ENGLISH = [
    "The council approved the new budget on Tuesday.",
    "Heavy rain fell for a third day.",
    "Shares in technology companies rose sharply after the bank kept interest rates unchanged.",
    "Spending on schools will rise.",
    "The mayor said the plan would take three years.",
]
CHINESE = ["市政府星期二通过了新的预算。", "南方连续三天出现强降雨。", "央行宣布维持利率不变后，科技公司股价大幅上涨。"]
CASES = {  # tiny model -> (texts, target language)
    "marian-en-zh": (ENGLISH, "zh"),
    "marian-zh-en": (CHINESE, "en"),
    "bart": (ENGLISH, "en"),
    "mt5": (CHINESE, "zh"),
}
GREEDY = {"num_beams": 1, "min_new_tokens": 10, "max_new_tokens": 10}
BEAM_4 = {"num_beams": 4, "min_new_tokens": 3, "max_new_tokens": 10}


def _load(folder: Path, generation: dict[str, object], **runtime: object):
    return load_seq2seq(ModelSettings(model=str(folder), generation=dict(generation)), "test", RuntimeSettings(device="cpu", **runtime))


# --------------------------------------------------------------------------- target-language vocabulary


@pytest.mark.parametrize("generation", [GREEDY, BEAM_4], ids=["greedy", "beam4"])
@pytest.mark.parametrize("key", ["marian-en-zh", "marian-zh-en"])
def test_restriction_equals_masking_the_other_tokens(tiny_models: dict[str, Path], key: str, generation: dict[str, object]) -> None:
    texts, target = CASES[key]
    restricted = _load(tiny_models[key], generation)
    full = _load(tiny_models[key], generation, restrict_vocabulary=False)
    kept = set(marian_target_token_ids(full.tokenizer) or [])
    masked = [index for index in range(full.model.config.vocab_size) if index not in kept]
    expected = full.generate(texts, target, {"suppress_tokens": masked})
    assert (restricted.generate(texts, target), all(expected), len(restricted.output_vocabulary)) == (
        expected,
        True,
        len(kept),
    )


@pytest.mark.parametrize("generation", [GREEDY, BEAM_4], ids=["greedy", "beam4"])
def test_restriction_leaves_a_target_only_model_unchanged(target_only_marian: dict[str, Path], generation: dict[str, object]) -> None:
    folder = target_only_marian["marian-en-zh"]
    expected = _load(folder, generation, restrict_vocabulary=False).generate(ENGLISH, "zh")
    assert (_load(folder, generation).generate(ENGLISH, "zh"), all(expected)) == (expected, True)


def test_restriction_shrinks_the_output_layer_and_keeps_the_special_tokens(tiny_models: dict[str, Path]) -> None:
    model = _load(tiny_models["marian-en-zh"], GREEDY)
    vocabulary, tokenizer, generation = model.output_vocabulary, model.tokenizer, model.model.generation_config
    kept = vocabulary.token_ids.tolist()
    target_pieces = {tokenizer.spm_target.id_to_piece(index) for index in range(tokenizer.spm_target.get_piece_size())}
    assert (
        model.model.lm_head.weight.shape[0],
        model.model.final_logits_bias.shape[1],
        kept == sorted(kept),
        set(tokenizer.convert_ids_to_tokens(kept)) - target_pieces,
        kept[generation.eos_token_id],
        kept[generation.decoder_start_token_id],
        [[kept[index] for index in words] for words in generation.bad_words_ids],
    ) == (
        len(kept),
        len(kept),
        True,
        {"<pad>"},  # </s> and <unk> are target pieces
        tokenizer.eos_token_id,
        tokenizer.pad_token_id,
        [[tokenizer.pad_token_id]],
    )


@pytest.mark.parametrize("key", ["bart", "mt5"])
def test_restriction_leaves_other_families_alone(tiny_models: dict[str, Path], key: str) -> None:
    model = _load(tiny_models[key], GREEDY)
    assert (model.output_vocabulary, model.model.lm_head.weight.shape[0]) == (None, model.model.config.vocab_size)


def test_settings_to_positions() -> None:
    vocabulary = OutputVocabulary([0, 5, 7, 9])
    settings = {
        "num_beams": 4,
        "eos_token_id": [0, 9],
        "pad_token_id": 9,
        "decoder_start_token_id": 9,
        "suppress_tokens": [5, 6],
        "bad_words_ids": [[9], [6, 7], [5, 7]],
        "forced_bos_token_id": None,
    }
    assert vocabulary.settings_to_positions(settings) == {
        "num_beams": 4,
        "eos_token_id": [0, 3],
        "pad_token_id": 3,
        "decoder_start_token_id": 3,
        "suppress_tokens": [1],  # 6 can no longer be produced
        "bad_words_ids": [[3], [1, 2]],  # neither can [6, 7]
        "forced_bos_token_id": None,
    }


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"forced_bos_token_id": 6},
            "generation setting 'forced_bos_token_id' names token id 6, which is not in the model's target-language "
            "vocabulary; set runtime.restrict_vocabulary to false to use it",
        ),
        (
            {"sequence_bias": {(5,): 1.0}},
            "generation setting 'sequence_bias' is not supported with a restricted vocabulary; "
            "set runtime.restrict_vocabulary to false to use it",
        ),
    ],
)
def test_settings_a_restricted_vocabulary_cannot_honour(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        OutputVocabulary([0, 5, 7, 9]).settings_to_positions(settings)
    assert str(raised.value) == message


def test_a_forced_token_outside_the_target_language_fails_clearly(tiny_models: dict[str, Path]) -> None:
    model = _load(tiny_models["marian-en-zh"], GREEDY)
    outside = next(i for i in range(model.model.config.vocab_size) if i not in set(model.output_vocabulary.token_ids.tolist()))
    with pytest.raises(ConfigError) as raised:
        model.generate(ENGLISH[:1], "zh", {"forced_bos_token_id": outside})
    assert str(raised.value).startswith(f"generation setting 'forced_bos_token_id' names token id {outside}, ")


# --------------------------------------------------------------------------- beam search cache


@pytest.mark.parametrize("key", sorted(CASES))
def test_beam_search_cache_gives_the_same_tokens(tiny_models: dict[str, Path], key: str) -> None:
    import torch

    from summarize.engines.beam_cache import BeamSearchCache

    texts, target = CASES[key]
    model = _load(tiny_models[key], BEAM_4, restrict_vocabulary=False)
    inputs = model.tokenizer([model.prepare(text, target) for text in texts], return_tensors="pt", padding=True)
    settings = {**BEAM_4, "num_return_sequences": 2, "length_penalty": 0.6, "no_repeat_ngram_size": 2}
    with torch.inference_mode():
        expected = model.model.generate(**inputs, **settings)
        ours = model.model.generate(**inputs, **settings, cache=BeamSearchCache(model.model.config))
    assert (ours.tolist(), ours.shape[0]) == (expected.tolist(), 2 * len(texts))


# --------------------------------------------------------------------------- batch workers


@pytest.mark.parametrize(
    ("inter_threads", "cpu_threads", "device", "cores", "layout"),
    [
        (0, 0, "cpu", 2, (2, 1)),
        (0, 0, "cpu", 16, (2, 8)),
        (0, 0, "cpu", 1, (1, 1)),
        (0, 0, "cpu", 7, (2, 3)),
        (1, 0, "cpu", 2, (1, 2)),
        (4, 0, "cpu", 2, (4, 1)),
        (2, 3, "cpu", 16, (2, 3)),
        (0, 0, "cuda", 16, (1, 0)),
        (2, 4, "cuda", 16, (2, 4)),
    ],
)
def test_worker_layout(inter_threads: int, cpu_threads: int, device: str, cores: int, layout: tuple[int, int]) -> None:
    assert worker_layout(inter_threads, cpu_threads, device, cores) == layout


@given(
    st.lists(st.integers(min_value=1, max_value=80), max_size=300),
    st.integers(min_value=1, max_value=64),
    st.integers(min_value=1, max_value=8),
)
def test_batches_come_in_even_rounds_when_the_token_budget_allows(lengths: list[int], max_batch_size: int, workers: int) -> None:
    batches = plan_batches(lengths, 80 * 64, max_batch_size, workers)  # a budget that never binds
    rounds = max(1, -(-len(lengths) // (workers * max_batch_size)))
    sizes = [len(batch) for batch in batches]
    assert (
        sorted(index for batch in batches for index in batch) == list(range(len(lengths))),
        len(batches) <= workers * rounds,
        max(sizes, default=0) <= max_batch_size,
        max(sizes, default=0) - min(sizes, default=0) <= 1,
    ) == (True, True, True, True)


@pytest.mark.parametrize(
    ("count", "max_batch_size", "workers", "sizes"),
    [
        (200, 32, 2, [25] * 8),
        (200, 16, 2, [15] * 4 + [14] * 10),
        (64, 32, 2, [32, 32]),
        (65, 32, 2, [17, 16, 16, 16]),
        (3, 32, 2, [2, 1]),
        (1, 32, 2, [1]),
        (70, 32, 1, [24, 23, 23]),
    ],
)
def test_batch_sizes_in_rounds(count: int, max_batch_size: int, workers: int, sizes: list[int]) -> None:
    assert [len(batch) for batch in plan_batches([10] * count, 10_000, max_batch_size, workers)] == sizes


def _thread_counts(_: object = None) -> tuple[int, int]:
    """The calling thread's OpenMP and MKL thread counts (torch.get_num_threads() reports the process setting)."""
    import torch

    info = torch.__config__.parallel_info()
    return tuple(int(re.search(rf"{name}\(\) : (\d+)", info).group(1)) for name in ("omp_get_max_threads", "mkl_get_max_threads"))


def test_workers_use_their_own_threads_and_leave_the_process_setting() -> None:
    import torch

    process = torch.get_num_threads()
    workers = BatchWorkers(2, 1)
    inside = workers.map(_thread_counts, list(range(6)))
    later: list[tuple[int, int]] = []
    thread = threading.Thread(target=lambda: later.append(_thread_counts()))
    thread.start()
    thread.join()
    assert (inside, _thread_counts(), later, torch.get_num_threads()) == (
        [(1, 1)] * 6,
        (process, process),
        [(process, process)],
        process,
    )


def test_a_single_batch_runs_on_the_callers_thread() -> None:
    def name(_: int) -> str:
        return threading.current_thread().name

    workers = BatchWorkers(2, 1)
    alone, together = workers.map(name, [0]), workers.map(name, [0, 1])
    assert (alone, all(worker.startswith("summarize-batch") for worker in together)) == ([threading.current_thread().name], True)


@pytest.mark.parametrize("setting", ["inter_threads", "cpu_threads"])
def test_negative_thread_counts_are_refused(setting: str) -> None:
    with pytest.raises(ConfigError) as raised:
        RuntimeSettings(**{setting: -1})
    assert str(raised.value) == f"setting '{setting}' must be 0 (automatic) or more, not -1"


def test_workers_return_results_in_order_and_raise_a_batch_error() -> None:
    workers = BatchWorkers(2, 1)

    def square_or_fail(value: int) -> int:
        if value == 7:
            raise ValueError("batch 7 failed")
        return value * value

    squares = workers.map(square_or_fail, list(range(7)))
    with pytest.raises(ValueError, match="^batch 7 failed$"):
        workers.map(square_or_fail, list(range(10)))
    assert squares == [0, 1, 4, 9, 16, 25, 36]


@pytest.mark.parametrize("generation", [GREEDY, BEAM_4], ids=["greedy", "beam4"])
@pytest.mark.parametrize("key", sorted(CASES))
def test_two_workers_equal_one_batch_at_a_time(tiny_models: dict[str, Path], key: str, generation: dict[str, object]) -> None:
    texts, target = CASES[key]
    texts = texts * 3
    one = _load(tiny_models[key], generation, inter_threads=1)
    two = _load(tiny_models[key], generation, inter_threads=2, cpu_threads=1, max_batch_size=2)
    expected = [one.generate([text], target)[0] for text in texts]
    assert (two.generate(texts, target), two.workers.workers) == (expected, 2)


# --------------------------------------------------------------------------- repeated inputs


def test_identical_texts_are_generated_once(tiny_models: dict[str, Path]) -> None:
    model = _load(tiny_models["marian-en-zh"], GREEDY)
    generate_distinct = model.generate_distinct
    calls: list[list[str]] = []

    def recording(texts: list[str], target_lang: str, overrides: dict[str, object] | None = None) -> list[str]:
        calls.append(list(texts))
        return generate_distinct(texts, target_lang, overrides)

    model.generate_distinct = recording
    first, second, third = ENGLISH[:3]
    outputs = model.generate([first, second, first, third, second], "zh")
    alone = {text: generate_distinct([text], "zh")[0] for text in (first, second, third)}
    assert (calls, outputs) == ([[first, second, third]], [alone[first], alone[second], alone[first], alone[third], alone[second]])
