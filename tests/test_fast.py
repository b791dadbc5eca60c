"""The fast paths on tiny models: the CTranslate2 backend, int8 quantization, their settings and errors.

Greedy outputs of the CTranslate2 backend must equal the transformers backend's;
the int8 paths only have to run and give results of the same shape (int8 changes
the numbers); the target-vocabulary restriction must not change the output of a
model that never picks a source-language token.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from conftest import tiny_overrides

from summarize import ConfigError, ModelUnavailableError, Service, load_settings
from summarize.chinese_script import count_scripts
from summarize.cli import main
from summarize.config import ModelSettings, RuntimeSettings
from summarize.engines.ctranslate2 import (
    VMAP_FILE,
    CTranslate2Model,
    load_ctranslate2,
    target_tokens,
)
from summarize.engines.loader import load_seq2seq
from summarize.engines.seq2seq import check_int8_support
from summarize.store import ModelStore

ENGLISH = [
    "The council approved the new budget on Tuesday. Spending on schools will rise.",
    "Heavy rain fell for a third day.",
    "Shares in technology companies rose sharply after the bank kept interest rates unchanged.",
]
CHINESE = [
    "市政府星期二通过了新的预算。学校的投入将会增加。",
    "南方连续三天出现强降雨。",
    "央行宣布维持利率不变后，科技公司股价大幅上涨。",
]
ROLES = ("summarize.models.en", "summarize.models.zh", "translate.models.en-zh", "translate.models.zh-en")
# (what the case runs, its texts, target language); the tiny models behind them are in conftest.
TASKS = {
    "marian-en-zh": ("translate", ENGLISH, "zh"),
    "marian-zh-en": ("translate", CHINESE, "en"),
    "bart": ("summarize", ENGLISH, None),
    "mt5": ("summarize", CHINESE, None),
}
LENGTHS = {
    "forced-4": {"num_beams": 1, "min_new_tokens": 4, "max_new_tokens": 4},
    "2-to-9": {"num_beams": 1, "min_new_tokens": 2, "max_new_tokens": 9},
}


@pytest.fixture(scope="session")
def ct2_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One conversion cache for the whole test run."""
    return tmp_path_factory.mktemp("ct2_cache")


def _service(models: dict[str, Path], generation: dict[str, object], **runtime: object) -> Service:
    extra: dict[str, object] = {f"{role}.generation": dict(generation) for role in ROLES}
    extra.update({f"runtime.{key}": value for key, value in runtime.items()})
    settings = load_settings(overrides=tiny_overrides(models, **{"summarize.engine": "seq2seq", **extra}), environ={})
    return Service(settings, store=ModelStore())


def _run(service: Service, key: str) -> list[str]:
    task, texts, target = TASKS[key]
    if task == "translate":
        return [result.text for result in service.translate_batch(texts, target)]
    return [result.text for result in service.summarize_batch(texts, target)]


def _ct2_spec(models: dict[str, Path], key: str) -> ModelSettings:
    return ModelSettings(model=str(models[key]), generation=dict(LENGTHS["forced-4"]))


# --------------------------------------------------------------------------- same outputs as transformers


@pytest.mark.parametrize("length", sorted(LENGTHS))
@pytest.mark.parametrize("key", sorted(TASKS))
def test_ctranslate2_greedy_equals_transformers(tiny_models: dict[str, Path], ct2_cache: Path, key: str, length: str) -> None:
    expected = _run(_service(tiny_models, LENGTHS[length]), key)
    fast = _run(_service(tiny_models, LENGTHS[length], backend="ctranslate2", cache_dir=str(ct2_cache)), key)
    assert fast == expected


SHORT_CHINESE = ["政府表示将加大对学校的投资。", "南方连续三天出现强降雨。", "科技公司股价大幅上涨。"]


@pytest.mark.parametrize(
    ("key", "texts", "target"),
    [("marian-en-zh", ENGLISH, "zh"), ("marian-zh-en", CHINESE, "en"), ("bart", ENGLISH, "en"), ("mt5", SHORT_CHINESE, "zh")],
)
def test_ctranslate2_beam_search_equals_transformers(
    tiny_models: dict[str, Path], ct2_cache: Path, key: str, texts: list[str], target: str
) -> None:
    # Beam search is not promised to match in general (the two implementations differ in
    # details, e.g. with no_repeat_ngram_size on mT5), but it does on these cases; for mT5
    # it checks the decoder output scaling that the converter gets wrong without help.
    spec = ModelSettings(model=str(tiny_models[key]), generation={"num_beams": 4, "min_new_tokens": 3, "max_new_tokens": 8})
    expected = load_seq2seq(spec, "test", RuntimeSettings(device="cpu")).generate(texts, target)
    fast = load_seq2seq(spec, "test", RuntimeSettings(device="cpu", backend="ctranslate2", cache_dir=str(ct2_cache)))
    assert fast.generate(texts, target) == expected


def test_lengths_left_unset_follow_generate(tiny_models: dict[str, Path], ct2_cache: Path) -> None:
    # transformers 5 keeps unset lengths None in the generation config (the tiny Marian sets only
    # max_length, as opus-mt does) and generate() applies its own defaults; the converted engine must too.
    spec = ModelSettings(model=str(tiny_models["marian-en-zh"]), generation={"num_beams": 1})
    expected = load_seq2seq(spec, "test", RuntimeSettings(device="cpu")).generate(ENGLISH, "zh")
    fast = load_seq2seq(spec, "test", RuntimeSettings(device="cpu", backend="ctranslate2", cache_dir=str(ct2_cache)))
    assert fast.generate(ENGLISH, "zh") == expected


@pytest.fixture(scope="session")
def eos_prone_models(tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny models whose end token wins as soon as it is allowed: they stop at the minimum length."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    root = tmp_path_factory.mktemp("eos_prone")
    folders = {}
    for key in ("marian-en-zh", "bart"):
        model = AutoModelForSeq2SeqLM.from_pretrained(tiny_models[key])
        model.final_logits_bias[0, model.config.eos_token_id] = 1000.0
        model.save_pretrained(root / key)
        AutoTokenizer.from_pretrained(tiny_models[key]).save_pretrained(root / key)
        folders[key] = root / key
    return {**tiny_models, **folders}


@pytest.mark.parametrize("key", ["marian-en-zh", "bart"])
def test_minimum_length_counts_like_transformers(eos_prone_models: dict[str, Path], ct2_cache: Path, key: str) -> None:
    generation = {"num_beams": 1, "min_new_tokens": 3, "max_new_tokens": 9}
    expected = _run(_service(eos_prone_models, generation), key)
    fast = _run(_service(eos_prone_models, generation, backend="ctranslate2", cache_dir=str(ct2_cache)), key)
    assert (fast, all(expected)) == (expected, True)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        # Marian: a forced EOS ends the 4 new tokens; <pad> is banned but not in the converted vocabulary.
        ("marian-en-zh", ({"max_decoding_length": 3, "min_decoding_length": 3, "suppress_sequences": None}, None)),
        # BART: the forced BOS is a target prefix that counts as a new token, and so does the forced EOS.
        ("bart", ({"max_decoding_length": 3, "min_decoding_length": 3, "suppress_sequences": None}, ["<s>"])),
        # mT5: no forced EOS; the banned <pad> stays banned.
        ("mt5", ({"max_decoding_length": 4, "min_decoding_length": 4, "suppress_sequences": [["<pad>"]]}, None)),
    ],
)
def test_generation_settings_become_decoding_options(
    tiny_models: dict[str, Path], ct2_cache: Path, key: str, expected: tuple[dict[str, object], list[str] | None]
) -> None:
    model = load_ctranslate2(_ct2_spec(tiny_models, key), "test", RuntimeSettings(device="cpu", cache_dir=str(ct2_cache)))
    options, prefix = model.decoding_options({"num_beams": 4})
    lengths = {name: options[name] for name in expected[0]}
    # Marian models score only their target-language tokens by default (runtime.restrict_vocabulary).
    assert (lengths, prefix, options["beam_size"], options["use_vmap"]) == (*expected, 4, key.startswith("marian"))


def test_ctranslate2_model_keeps_the_target_tag(tiny_models: dict[str, Path], ct2_cache: Path) -> None:
    runtime = RuntimeSettings(device="cpu", backend="ctranslate2", cache_dir=str(ct2_cache))
    model = load_seq2seq(_ct2_spec(tiny_models, "marian-en-zh"), "translate.models.en-zh", runtime)
    assert (isinstance(model, CTranslate2Model), model.prepare("Hello.", "zh")) == (True, ">>cmn_Hans<< Hello.")


def test_ctranslate2_translates_into_zh_hant_as_transformers_does(tiny_models: dict[str, Path], ct2_cache: Path) -> None:
    # The tiny en-zh model has a >>cmn_Hant<< tag: the CTranslate2 backend must send it (not >>cmn_Hans<<)
    # and give the text transformers gives, in Traditional characters.
    fast = _service(tiny_models, LENGTHS["forced-4"], backend="ctranslate2", cache_dir=str(ct2_cache))
    reference = _service(tiny_models, LENGTHS["forced-4"])
    assert fast.engines.translator("en", "zh-Hant").inner.generator.prepare("Hello.", "zh-Hant") == ">>cmn_Hant<< Hello."
    results = fast.translate_batch(ENGLISH, "zh-Hant")
    assert [result.text for result in results] == [result.text for result in reference.translate_batch(ENGLISH, "zh-Hant")]
    assert all(count_scripts(result.text).simplified == 0 and result.target_lang == "zh-Hant" for result in results)


def test_parallel_replicas_keep_input_order(tiny_models: dict[str, Path], ct2_cache: Path) -> None:
    texts = [sentence for text in ENGLISH for sentence in text.split(". ")] * 2
    one = _service(tiny_models, LENGTHS["forced-4"], backend="ctranslate2", cache_dir=str(ct2_cache))
    two = _service(
        tiny_models, LENGTHS["forced-4"], backend="ctranslate2", cache_dir=str(ct2_cache),
        inter_threads=2, cpu_threads=1, max_batch_size=2,
    )
    singles = [one.translate(text, "zh").text for text in texts]
    assert [result.text for result in two.translate_batch(texts, "zh")] == singles


# --------------------------------------------------------------------------- conversion cache


def test_conversion_happens_once_with_a_message(
    tiny_models: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="summarize")
    runtime = RuntimeSettings(device="cpu", backend="ctranslate2", cache_dir=str(tmp_path))
    spec = _ct2_spec(tiny_models, "bart")
    load_seq2seq(spec, "summarize.models.en", runtime)
    first = [(record.name, record.levelno, record.getMessage()) for record in caplog.records]
    caplog.clear()
    load_seq2seq(spec, "summarize.models.en", runtime)
    (converted,) = (tmp_path / "ct2").iterdir()
    message = (
        f"converting {spec.model} (summarize.models.en) to CTranslate2 (float weights) into {converted}; "
        f"this happens once per model"
    )
    assert (first, caplog.records) == ([("summarize.engines.ctranslate2", logging.INFO, message)], [])
    assert capsys.readouterr().err == ""  # a library logs; it does not print


def test_the_command_shows_the_conversion_message(
    tiny_models: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flags = [
        f"--set=translate.models.en-zh.model={tiny_models['marian-en-zh']}",
        "--set=runtime.backend=ctranslate2",
        f"--set=runtime.cache_dir={tmp_path}",
    ]
    article = tmp_path / "article.txt"
    article.write_text(ENGLISH[1], encoding="utf-8")
    assert main(["translate", str(article), "--to", "zh", *flags]) == 0
    (converted,) = (tmp_path / "ct2").iterdir()
    assert capsys.readouterr().err == (
        f"summarize: converting {tiny_models['marian-en-zh']} (translate.models.en-zh) to CTranslate2 "
        f"(float weights) into {converted}; this happens once per model\n"
    )
    assert main(["translate", str(article), "--to", "zh", *flags]) == 0
    assert capsys.readouterr().err == ""
    assert logging.getLogger("summarize").handlers == []  # the command's handler went with it


def test_int8_is_a_separate_conversion(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    spec = _ct2_spec(tiny_models, "bart")
    for quantization in ("none", "int8", "none"):
        load_seq2seq(spec, "test", RuntimeSettings(device="cpu", backend="ctranslate2", quantization=quantization, cache_dir=str(tmp_path)))
    assert len(list((tmp_path / "ct2").iterdir())) == 2


def test_pickle_weights_are_refused_by_the_converter(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    import shutil

    import torch
    from safetensors.torch import load_file

    folder = tmp_path / "pickled"
    shutil.copytree(tiny_models["bart"], folder)
    torch.save(load_file(folder / "model.safetensors"), folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    runtime = RuntimeSettings(device="cpu", backend="ctranslate2", cache_dir=str(tmp_path / "cache"))
    with pytest.raises(ModelUnavailableError) as raised:
        load_seq2seq(ModelSettings(model=str(folder)), "summarize.models.en", runtime)
    assert str(raised.value) == (
        f"model {str(folder)!r} (summarize.models.en) has no safetensors weights; only safetensors are loaded, "
        f"for safety. Convert it once on a trusted machine (load it and save_pretrained() to a folder) "
        f"and set summarize.models.en.model to that folder"
    )


# --------------------------------------------------------------------------- target-language vocabulary


def test_vocabulary_map_lists_the_target_pieces(tiny_models: dict[str, Path], ct2_cache: Path) -> None:
    runtime = RuntimeSettings(device="cpu", backend="ctranslate2", restrict_vocabulary=True, cache_dir=str(ct2_cache))
    model = load_seq2seq(_ct2_spec(tiny_models, "marian-en-zh"), "test", runtime)
    pieces = target_tokens(tiny_models["marian-en-zh"], model.tokenizer.get_vocab())
    vmap = model.converted / VMAP_FILE
    assert (vmap.read_text(encoding="utf-8"), model.restrict_vocabulary, ">>cmn_Hans<<" in pieces) == (
        "\t" + " ".join(pieces) + "\n",
        True,
        False,
    )


@pytest.mark.parametrize("key", ["bart", "mt5"])
def test_single_vocabulary_models_are_not_restricted(tiny_models: dict[str, Path], ct2_cache: Path, key: str) -> None:
    runtime = RuntimeSettings(device="cpu", backend="ctranslate2", restrict_vocabulary=True, cache_dir=str(ct2_cache))
    model = load_seq2seq(_ct2_spec(tiny_models, key), "test", runtime)
    assert model.restrict_vocabulary is False


@pytest.mark.parametrize("key", ["marian-en-zh", "marian-zh-en"])
def test_restriction_equals_masking_the_other_tokens(tiny_models: dict[str, Path], ct2_cache: Path, key: str) -> None:
    _, texts, target = TASKS[key]
    spec = ModelSettings(model=str(tiny_models[key]), generation={"num_beams": 1, "min_new_tokens": 12, "max_new_tokens": 12})
    runtime = RuntimeSettings(device="cpu", backend="ctranslate2", restrict_vocabulary=True, cache_dir=str(ct2_cache))
    restricted = load_seq2seq(spec, "test", runtime)
    reference = load_seq2seq(spec, "test", RuntimeSettings(device="cpu", restrict_vocabulary=False))
    vocabulary = reference.tokenizer.get_vocab()
    allowed = {vocabulary[token] for token in target_tokens(tiny_models[key], vocabulary)}
    allowed |= {reference.model.config.eos_token_id, reference.tokenizer.unk_token_id}
    masked = [index for index in range(reference.model.config.vocab_size) if index not in allowed]
    expected = reference.generate(texts, target, {"suppress_tokens": masked})
    assert (restricted.generate(texts, target), all(expected)) == (expected, True)


@pytest.mark.parametrize("quantization", ["none", "int8"])
def test_restriction_leaves_a_target_only_model_unchanged(
    target_only_marian: dict[str, Path], ct2_cache: Path, quantization: str
) -> None:
    generation = {"num_beams": 1, "min_new_tokens": 12, "max_new_tokens": 12}
    plain = _service(
        target_only_marian, generation, backend="ctranslate2", quantization=quantization,
        restrict_vocabulary=False, cache_dir=str(ct2_cache),
    )
    restricted = _service(
        target_only_marian, generation, backend="ctranslate2", quantization=quantization,
        restrict_vocabulary=True, cache_dir=str(ct2_cache),
    )
    expected = _run(plain, "marian-en-zh")
    assert (_run(restricted, "marian-en-zh"), all(expected)) == (expected, True)


def test_restriction_on_a_target_only_model_equals_transformers(target_only_marian: dict[str, Path], ct2_cache: Path) -> None:
    generation = {"num_beams": 1, "min_new_tokens": 12, "max_new_tokens": 12}
    expected = _run(_service(target_only_marian, generation), "marian-en-zh")
    fast = _service(target_only_marian, generation, backend="ctranslate2", restrict_vocabulary=True, cache_dir=str(ct2_cache))
    assert _run(fast, "marian-en-zh") == expected


# --------------------------------------------------------------------------- int8


@pytest.mark.parametrize("key", sorted(TASKS))
@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_int8_runs_and_keeps_the_result_shape(tiny_models: dict[str, Path], ct2_cache: Path, backend: str, key: str) -> None:
    service = _service(tiny_models, LENGTHS["forced-4"], backend=backend, quantization="int8", cache_dir=str(ct2_cache))
    task, texts, target = TASKS[key]
    results = service.translate_batch(texts, target) if task == "translate" else service.summarize_batch(texts, target)
    reference = _service(tiny_models, LENGTHS["forced-4"])
    expected = reference.translate_batch(texts, target) if task == "translate" else reference.summarize_batch(texts, target)
    shape = [(r.task, r.engine, r.model, r.source_lang, r.target_lang, r.chunks, bool(r.text)) for r in results]
    assert shape == [(r.task, r.engine, r.model, r.source_lang, r.target_lang, r.chunks, True) for r in expected]


def test_int8_quantizes_every_linear_layer(tiny_models: dict[str, Path]) -> None:
    import torch
    from torch.ao.nn.quantized.dynamic import Linear as DynamicQuantizedLinear

    model = load_seq2seq(_ct2_spec(tiny_models, "marian-en-zh"), "test", RuntimeSettings(device="cpu", quantization="int8"))
    linear = (torch.nn.Linear, DynamicQuantizedLinear)
    kinds = {type(module) for module in model.model.modules() if isinstance(module, linear)}
    assert (kinds, type(model.model.lm_head)) == ({DynamicQuantizedLinear}, DynamicQuantizedLinear)


def test_model_store_keys_include_backend_and_quantization(tiny_models: dict[str, Path], ct2_cache: Path) -> None:
    store = ModelStore()
    spec = _ct2_spec(tiny_models, "bart")
    runtimes = [
        RuntimeSettings(device="cpu", cache_dir=str(ct2_cache)),
        RuntimeSettings(device="cpu", quantization="int8", cache_dir=str(ct2_cache)),
        RuntimeSettings(device="cpu", backend="ctranslate2", cache_dir=str(ct2_cache)),
        RuntimeSettings(device="cpu", backend="ctranslate2", quantization="int8", cache_dir=str(ct2_cache)),
        RuntimeSettings(device="cpu", backend="ctranslate2", quantization="int8", cache_dir=str(ct2_cache)),
    ]
    models = [store.get(spec, "test", runtime) for runtime in runtimes]
    assert (store.loads, len({id(model) for model in models}), models[3] is models[4]) == (4, 4, True)


# --------------------------------------------------------------------------- settings and errors


def test_fast_cpu_config_loads() -> None:
    config = Path(__file__).resolve().parents[1] / "configs" / "fast-cpu.yaml"
    runtime = load_settings(config, environ={}).runtime
    chosen = (runtime.device, runtime.backend, runtime.quantization, runtime.inter_threads, runtime.cpu_threads, runtime.restrict_vocabulary)
    assert chosen == ("cpu", "ctranslate2", "int8", 2, 1, True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"runtime.backend": "onnx"}, "setting 'runtime.backend' is 'onnx'; allowed values: transformers, ctranslate2"),
        ({"runtime.quantization": "int4"}, "setting 'runtime.quantization' is 'int4'; allowed values: none, int8"),
        ({"runtime.inter_threads": -1}, "setting 'runtime.inter_threads' must be 0 (automatic) or more, not -1"),
        ({"runtime.inter_threads": "two"}, "setting 'runtime.inter_threads' must be a whole number, not 'two'"),
        ({"runtime.restrict_vocabulary": "often"}, "setting 'runtime.restrict_vocabulary' must be true or false, not 'often'"),
        ({"runtime.cache_dir": 3}, "setting 'runtime.cache_dir' must be a string, not 3"),
    ],
)
def test_bad_fast_settings(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(overrides=overrides, environ={})
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("device", "dtype", "message"),
    [
        (
            "cuda",
            "auto",
            "runtime.quantization 'int8' with backend 'transformers' runs on CPU only, and the device is 'cuda'; "
            "set runtime.device to 'cpu', or runtime.backend to 'ctranslate2' (int8 on GPU too)",
        ),
        (
            "cpu",
            "bfloat16",
            "runtime.quantization 'int8' with backend 'transformers' quantizes float32 weights; "
            "set runtime.dtype to 'auto' or 'float32', not 'bfloat16'",
        ),
    ],
)
def test_int8_needs_cpu_and_float32(device: str, dtype: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        check_int8_support(device, dtype)
    assert str(raised.value) == message


def test_int8_with_bfloat16_is_refused_before_loading(tiny_models: dict[str, Path]) -> None:
    runtime = RuntimeSettings(device="cpu", dtype="bfloat16", quantization="int8")
    with pytest.raises(ConfigError) as raised:
        load_seq2seq(_ct2_spec(tiny_models, "bart"), "test", runtime)
    assert str(raised.value) == (
        "runtime.quantization 'int8' with backend 'transformers' quantizes float32 weights; "
        "set runtime.dtype to 'auto' or 'float32', not 'bfloat16'"
    )


def test_unsupported_compute_type_is_named(tiny_models: dict[str, Path], ct2_cache: Path) -> None:
    import ctranslate2

    supported = set(ctranslate2.get_supported_compute_types("cpu"))
    if "float16" in supported:
        pytest.skip("this CPU runs float16 in CTranslate2")
    runtime = RuntimeSettings(device="cpu", dtype="float16", backend="ctranslate2", cache_dir=str(ct2_cache))
    with pytest.raises(ConfigError) as raised:
        load_seq2seq(_ct2_spec(tiny_models, "bart"), "test", runtime)
    assert str(raised.value) == (
        "runtime.dtype 'float16' with runtime.quantization 'none' needs CTranslate2 compute type 'float16', "
        f"which is not supported on cpu here; supported: {', '.join(sorted(supported))}"
    )


def test_missing_ctranslate2_names_the_extra(tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ctranslate2", None)
    runtime = RuntimeSettings(device="cpu", backend="ctranslate2")
    with pytest.raises(ModelUnavailableError) as raised:
        load_seq2seq(_ct2_spec(tiny_models, "bart"), "test", runtime)
    assert str(raised.value) == (
        "runtime.backend 'ctranslate2' needs the ctranslate2 package: "
        "pip install 'bilingual-summarize[fast]', or set runtime.backend to 'transformers'"
    )
