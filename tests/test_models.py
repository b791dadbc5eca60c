"""Safe loading, the model store and model management, on tiny models and broken folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from summarize import ModelUnavailableError, load_settings
from summarize.config import ModelSettings, RuntimeSettings
from summarize.engines.loader import load_seq2seq
from summarize.hub import model_status, pull_model
from summarize.store import ModelStore

ROOT = Path(__file__).resolve().parent.parent

CPU = RuntimeSettings(device="cpu", allow_download=False)


@pytest.mark.parametrize(
    ("key", "family", "limit"),
    [("marian-en-zh", "marian", 512), ("marian-zh-en", "marian", 512), ("bart", "bart", 1024), ("mt5", "t5", 512)],
)
def test_loader_picks_the_family_and_its_input_limit(tiny_models: dict[str, Path], key: str, family: str, limit: int) -> None:
    model = load_seq2seq(ModelSettings(model=str(tiny_models[key])), "test", CPU)
    assert (model.family.name, model.max_input_tokens, model.model.training) == (family, limit, False)


def test_configured_input_limit_can_only_lower_the_family_limit(tiny_models: dict[str, Path]) -> None:
    lowered = load_seq2seq(ModelSettings(model=str(tiny_models["bart"]), max_input_tokens=256), "test", CPU)
    raised = load_seq2seq(ModelSettings(model=str(tiny_models["bart"]), max_input_tokens=4096), "test", CPU)
    assert (lowered.max_input_tokens, raised.max_input_tokens) == (256, 1024)


def test_pickle_weights_are_refused(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    import torch
    from safetensors.torch import load_file

    folder = tmp_path / "pickled"
    shutil.copytree(tiny_models["bart"], folder)
    torch.save(load_file(folder / "model.safetensors"), folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelUnavailableError) as raised:
        load_seq2seq(ModelSettings(model=str(folder)), "summarize.models.en", CPU)
    assert str(raised.value) == (
        f"model {str(folder)!r} (summarize.models.en) has no safetensors weights; only safetensors are loaded, "
        f"for safety. Convert it once on a trusted machine (load it and save_pretrained() to a folder) "
        f"and set summarize.models.en.model to that folder"
    )


def test_unsupported_architecture_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "gpt2"}), encoding="utf-8")
    with pytest.raises(ModelUnavailableError) as raised:
        load_seq2seq(ModelSettings(model=str(tmp_path)), "summarize.models.en", CPU)
    assert str(raised.value) == (
        f"model {str(tmp_path)!r} has type 'gpt2', which is not supported; supported types: bart, marian, mt5, t5"
    )


def test_folder_without_config(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError) as raised:
        load_seq2seq(ModelSettings(model=str(tmp_path)), "translate.models.zh-en", CPU)
    assert str(raised.value) == (
        f"model directory {str(tmp_path)!r} (translate.models.zh-en) has no config.json; "
        f"point translate.models.zh-en.model at a folder saved with save_pretrained()"
    )


def test_uncached_hub_model_offline_names_the_fix() -> None:
    with pytest.raises(ModelUnavailableError) as raised:
        load_seq2seq(ModelSettings(model="example-org/missing"), "summarize.models.zh", CPU)
    assert str(raised.value) == (
        "model 'example-org/missing' (summarize.models.zh) is not in the local Hugging Face cache and the Hub "
        "cannot be reached; run `summarize models pull` on a connected machine (or copy its cache), "
        "or set summarize.models.zh.model in the config to a local directory"
    )


def test_store_loads_once_and_remembers_failures(tiny_models: dict[str, Path]) -> None:
    store = ModelStore()
    spec = ModelSettings(model=str(tiny_models["bart"]))
    missing = ModelSettings(model="example-org/missing")
    assert store.get(spec, "a", CPU) is store.get(spec, "b", CPU)
    for _ in range(2):
        with pytest.raises(ModelUnavailableError):
            store.get(missing, "c", CPU)
    assert store.loads == 2


def test_same_weights_with_other_settings_share_one_load(tiny_models: dict[str, Path]) -> None:
    store = ModelStore()
    beam = ModelSettings(model=str(tiny_models["bart"]), generation={"num_beams": 4}, max_input_tokens=300)
    greedy = ModelSettings(model=str(tiny_models["bart"]), generation={"num_beams": 1})
    first, second = store.get(beam, "a", CPU), store.get(greedy, "b", CPU)
    assert (first.spec, second.spec, store.loads) == (beam, greedy, 1)
    assert first.model is second.model
    assert (first.max_input_tokens, second.max_input_tokens) == (300, 1024)


def test_a_failure_names_the_role_that_asked(tmp_path: Path) -> None:
    store = ModelStore()
    spec = ModelSettings(model=str(tmp_path))
    messages = []
    for role in ("summarize.models.en", "summarize.models.zh"):
        with pytest.raises(ModelUnavailableError) as raised:
            store.get(spec, role, CPU)
        messages.append(str(raised.value))
    assert [message.split("(")[1].split(")")[0] for message in messages] == ["summarize.models.en", "summarize.models.zh"]


def test_model_status_of_local_and_missing_models(tiny_models: dict[str, Path]) -> None:
    local = model_status("summarize.models.en", ModelSettings(model=str(tiny_models["bart"])))
    missing = model_status("summarize.models.zh", ModelSettings(model="example-org/missing"))
    expected_size = sum(p.stat().st_size for p in tiny_models["bart"].rglob("*") if p.is_file())
    assert (local.status, local.size_bytes) == ("local directory", expected_size)
    assert (missing.status, missing.size_bytes) == ("missing", 0)


def test_pull_offline_says_how_to_fix_it() -> None:
    with pytest.raises(ModelUnavailableError) as raised:
        pull_model("translate.models.en-zh", ModelSettings(model="Helsinki-NLP/opus-mt-en-zh"))
    assert str(raised.value) == (
        "cannot pull 'Helsinki-NLP/opus-mt-en-zh' (translate.models.en-zh): the Hugging Face Hub cannot be reached "
        "from this machine (or HF_HUB_OFFLINE is set); pull on a connected machine and copy the cache "
        "(~/.cache/huggingface), or set translate.models.en-zh.model to a local directory"
    )


def test_every_configured_model_has_a_role() -> None:
    settings = load_settings(overrides={"server.model_choices": {"distil": {"en": {"model": "org/distil"}}}}, environ={})
    assert [role for role, _ in settings.model_entries()] == [
        "summarize.models.en",
        "summarize.models.zh",
        "translate.models.en-zh",
        "translate.models.zh-en",
        "server.model_choices.distil.en",
    ]


def test_extractive_summaries_need_no_summarization_model() -> None:
    settings = load_settings(ROOT / "configs" / "offline.yaml", environ={})
    assert [role for role, _ in settings.model_entries()] == ["translate.models.en-zh", "translate.models.zh-en"]
