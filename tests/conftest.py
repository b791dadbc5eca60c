"""Shared pytest fixtures. Tests run offline: nothing may reach the Hugging Face Hub."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402
from tiny_models import (  # noqa: E402
    CHINESE_CORPUS,
    ENGLISH_CORPUS,
    build_quickmt_layout,
    build_tiny_bart,
    build_tiny_marian,
    build_tiny_mt5,
    build_tiny_qwen2_chat,
)

# Timing never decides a test: Hypothesis's default deadline (200 ms an example) fails a property, or calls
# it flaky, when an example runs slowly on a loaded machine or first loads a dictionary.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@pytest.fixture(scope="session", autouse=True)
def sigterm_ends_the_run_as_ctrl_c_does() -> Iterator[None]:
    """SIGTERM to the test run unwinds it as Ctrl-C does, so every fixture's teardown runs: the Ray head node
    of test_ray_cluster.py, the replicas and live servers are stopped, not left running."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    yield
    signal.signal(signal.SIGTERM, previous)


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Directories of tiny random-weight models, keyed like the real models they imitate."""
    root = tmp_path_factory.mktemp("tiny_models")
    return {
        "marian-en-zh": build_tiny_marian(
            root / "marian-en-zh", "en", "zh", (">>cmn_Hans<<", ">>cmn_Hant<<", ">>yue_Hans<<")
        ),
        "marian-zh-en": build_tiny_marian(root / "marian-zh-en", "zh", "en"),
        "bart": build_tiny_bart(root / "bart"),
        "mt5": build_tiny_mt5(root / "mt5"),
    }


@pytest.fixture(scope="session")
def tiny_quickmt(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny random-weight CTranslate2 models in quickmt's layout: separate vocabularies (as quickmt's 32k + 32k
    models are) for each direction, and one joint-vocabulary variant."""
    root = tmp_path_factory.mktemp("tiny_quickmt")
    return {
        "en-zh": build_quickmt_layout(root / "en-zh", ENGLISH_CORPUS, CHINESE_CORPUS),
        "zh-en": build_quickmt_layout(root / "zh-en", CHINESE_CORPUS, ENGLISH_CORPUS, seed=1),
        "en-zh-joint": build_quickmt_layout(root / "en-zh-joint", ENGLISH_CORPUS, CHINESE_CORPUS, joint=True, seed=2),
    }


@pytest.fixture(scope="session")
def tiny_chat_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Directory of a tiny random-weight Qwen2 chat model (ChatML template, at least 4 new tokens)."""
    return build_tiny_qwen2_chat(tmp_path_factory.mktemp("tiny_models") / "qwen2-chat")


FORCED_LENGTH = {"num_beams": 1, "min_new_tokens": 4, "max_new_tokens": 4}
"""Generation settings for tiny models: random weights, so force a short non-empty output."""


def tiny_overrides(tiny_models: dict[str, Path], **extra: object) -> dict[str, object]:
    """Dotted setting overrides that point every configured model at a tiny one."""
    overrides: dict[str, object] = {"runtime.device": "cpu", "runtime.allow_download": False}
    for role, key in (
        ("summarize.models.en", "bart"),
        ("summarize.models.zh", "mt5"),
        ("translate.models.en-zh", "marian-en-zh"),
        ("translate.models.zh-en", "marian-zh-en"),
    ):
        overrides[f"{role}.model"] = str(tiny_models[key])
        overrides[f"{role}.generation"] = dict(FORCED_LENGTH)
    overrides.update(extra)
    return overrides


@pytest.fixture(scope="session")
def tiny_settings(tiny_models: dict[str, Path]):
    """Settings with every model replaced by a tiny one and summaries forced to seq2seq."""
    from summarize import load_settings

    return load_settings(overrides=tiny_overrides(tiny_models, **{"summarize.engine": "seq2seq"}), environ={})


@pytest.fixture()
def tiny_service(tiny_settings):
    """A fresh service (with its own model store) over the tiny models."""
    from summarize import Service
    from summarize.store import ModelStore

    return Service(tiny_settings, store=ModelStore())


@pytest.fixture(scope="session")
def target_only_marian(tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tiny models, with en-zh's source-only tokens pushed down, as a trained model never picks them."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from summarize.engines.vocabulary import marian_target_token_ids

    folder = tmp_path_factory.mktemp("target_only") / "marian-en-zh"
    tokenizer = AutoTokenizer.from_pretrained(tiny_models["marian-en-zh"])
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_models["marian-en-zh"])
    allowed = set(marian_target_token_ids(tokenizer) or [])
    for index in range(model.config.vocab_size):
        if index not in allowed:
            model.final_logits_bias[0, index] = -1000.0
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    for name in ("source.spm", "target.spm"):
        (folder / name).write_bytes((tiny_models["marian-en-zh"] / name).read_bytes())
    return {**tiny_models, "marian-en-zh": folder}
