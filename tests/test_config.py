"""Settings: file < environment < overrides, and exact messages for every bad value."""

from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path

import pytest

from summarize import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_default_yaml_matches_built_in_defaults() -> None:
    assert load_settings(ROOT / "configs" / "default.yaml", environ={}) == Settings()


@pytest.mark.parametrize("name", ["default.yaml", "offline.yaml", "fast.yaml", "llm.yaml", "llm-server.yaml"])
def test_shipped_configs_load(name: str) -> None:
    assert isinstance(load_settings(ROOT / "configs" / name, environ={}), Settings)


def test_offline_config_uses_the_extractive_engine() -> None:
    settings = load_settings(ROOT / "configs" / "offline.yaml", environ={})
    assert (settings.summarize.engine, settings.runtime.allow_download) == ("extractive", False)


def test_precedence_file_then_environment_then_overrides(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("runtime:\n  device: cuda\n  max_batch_size: 8\nlimits:\n  max_chars: 10\n", encoding="utf-8")
    environ = {"SUMMARIZE_RUNTIME__DEVICE": "mps", "SUMMARIZE_LIMITS__MAX_CHARS": "20", "SUMMARIZE_EVALDATA": "/x"}
    settings = load_settings(config, {"limits.max_chars": "30"}, environ=environ)
    assert (settings.runtime.device, settings.runtime.max_batch_size, settings.limits.max_chars) == ("mps", 8, 30)


def test_partial_model_entry_keeps_the_other_defaults() -> None:
    settings = load_settings(overrides={"summarize.models.en.model": "/models/bart"}, environ={})
    assert settings.summarize.models["en"].model == "/models/bart"
    assert settings.summarize.models["en"].generation["num_beams"] == 4
    assert settings.summarize.models["zh"].model == "csebuetnlp/mT5_multilingual_XLSum"


BAD_OVERRIDES = [
    ({"summarize.engin": "x"}, "unknown setting 'summarize.engin'; allowed keys in summarize: engine, models, extractive, max_rounds"),
    ({"summarize.engine": "magic"}, "setting 'summarize.engine' is 'magic'; allowed values: auto, seq2seq, extractive, llm"),
    ({"runtime.device": "tpu"}, "setting 'runtime.device' is 'tpu'; allowed values: auto, cpu, cuda, mps"),
    ({"summarize.models.fr.model": "x"}, "unknown key 'summarize.models.fr'; allowed keys: en, zh"),
    ({"translate.models.en-fr.model": "x"}, "unknown key 'translate.models.en-fr'; allowed keys: en-zh, zh-en"),
    ({"limits.max_chars": "lots"}, "setting 'limits.max_chars' must be a whole number, not 'lots'"),
    ({"limits.max_chars": 0}, "setting 'limits.max_chars' must be at least 1, not 0"),
    ({"summarize.max_rounds": 0}, "setting 'summarize.max_rounds' must be at least 1, not 0"),
    ({"limits.document_depth": 0}, "setting 'limits.document_depth' must be at least 1, not 0"),
    ({"runtime.allow_download": "maybe"}, "setting 'runtime.allow_download' must be true or false, not 'maybe'"),
    ({"summarize.extractive.position_weight": "high"}, "setting 'summarize.extractive.position_weight' must be a number, not 'high'"),
    (
        {"summarize.models.en.generation.beams": 2},
        "summarize.models.en: unknown generation setting 'beams'; allowed: early_stopping, length_penalty, "
        "max_new_tokens, min_new_tokens, no_repeat_ngram_size, num_beams, repetition_penalty",
    ),
    ({"runtime": 3}, "setting runtime must be a mapping, not int"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_OVERRIDES)
def test_bad_settings_name_the_key_and_the_allowed_values(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(overrides=overrides, environ={})
    assert str(raised.value) == message


def whole_number_settings(section: type = Settings, prefix: str = "") -> list[str]:
    """The dotted key of every ``int`` setting, sections within sections included."""
    hints = typing.get_type_hints(section)
    keys = []
    for spec in dataclasses.fields(section):
        hint = hints[spec.name]
        if dataclasses.is_dataclass(hint):
            keys += whole_number_settings(hint, f"{prefix}{spec.name}.")
        elif hint is int:
            keys.append(f"{prefix}{spec.name}")
    return keys


@pytest.mark.parametrize("key", [*whole_number_settings(), "summarize.models.en.max_input_tokens"])
def test_every_whole_number_setting_states_its_range(key: str) -> None:
    # The loader checks only that it is a whole number; the range is the section's own rule (one place each),
    # so a new int setting without one shows here.
    assert "runtime.batch_tokens" in whole_number_settings() and "llm.generation.top_k" in whole_number_settings()
    with pytest.raises(ConfigError, match=rf"^setting '{re.escape(key)}' must be [^,]+, not -1$"):
        load_settings(overrides={key: -1}, environ={})
    with pytest.raises(ConfigError, match=rf"^setting '{re.escape(key)}' must be a whole number, not 1.5$"):
        load_settings(overrides={key: 1.5}, environ={})


ENV_ERRORS = [
    (
        {"SUMMARIZE_RUNTIME__DEVICE": "gpu"},
        "setting 'runtime.device' is 'gpu'; allowed values: auto, cpu, cuda, mps "
        "(from the environment variable SUMMARIZE_RUNTIME__DEVICE; fix or unset it)",
    ),
    (
        {"SUMMARIZE_RUNTIM__DEVICE": "cpu", "SUMMARIZE_LIMITS__MAX_CHARS": "500"},
        "unknown setting 'runtim'; allowed keys in the top level: runtime, limits, summarize, translate, server, batch, llm "
        "(from the environment variable SUMMARIZE_RUNTIM__DEVICE; fix or unset it)",
    ),
    (
        {"SUMMARIZE_BATCH__GROUP_SIZE": "0"},
        "setting 'batch.group_size' must be at least 1, not 0 (from the environment variable "
        "SUMMARIZE_BATCH__GROUP_SIZE; fix or unset it)",
    ),
]


@pytest.mark.parametrize(("environ", "message"), ENV_ERRORS)
def test_bad_environment_variable_is_named_as_the_source(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(environ=environ)
    assert str(raised.value) == message


def test_an_error_of_the_file_is_not_blamed_on_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("runtime:\n  device: gpu\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(path, environ={"SUMMARIZE_LIMITS__MAX_CHARS": "500"})
    assert str(raised.value) == "setting 'runtime.device' is 'gpu'; allowed values: auto, cpu, cuda, mps"


def test_a_config_path_from_the_environment_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path / "nope.yaml", environ={}, path_from="the environment variable SUMMARIZE_CONFIG")
    assert str(raised.value) == f"config file not found: {tmp_path / 'nope.yaml'} (from the environment variable SUMMARIZE_CONFIG)"


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path / "nope.yaml", environ={})
    assert str(raised.value) == f"config file not found: {tmp_path / 'nope.yaml'}"


def test_invalid_yaml(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("runtime: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^config file .*bad\.yaml is not valid YAML: "):
        load_settings(config, environ={})


def test_config_must_be_a_mapping(tmp_path: Path) -> None:
    config = tmp_path / "list.yaml"
    config.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(config, environ={})
    assert str(raised.value) == f"config file {config} must hold a mapping of settings, not list"


def test_empty_config_file_gives_defaults(tmp_path: Path) -> None:
    config = tmp_path / "empty.yaml"
    config.write_text("", encoding="utf-8")
    assert load_settings(config, environ={}) == Settings()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"llm.generation.temperature": "-1"}, "setting 'llm.generation.temperature' must be 0 or more, not -1.0"),
        ({"llm.generation.top_p": "1.5"}, "setting 'llm.generation.top_p' must be above 0 and at most 1, not 1.5"),
        ({"llm.generation.max_new_tokens": "0"}, "setting 'llm.generation.max_new_tokens' must be at least 1, not 0"),
        ({"llm.generation.num_beams": "4"}, "unknown setting 'llm.generation.num_beams'; allowed keys in llm.generation: "
         "temperature, max_new_tokens, top_p, top_k, repetition_penalty"),
        ({"llm.context_tokens": "1024"}, "setting 'llm.generation.max_new_tokens' (1024) must be below the section's "
         "context_tokens (1024), which also holds the prompt"),
        ({"llm.max_concurrency": "0"}, "setting 'llm.max_concurrency' must be at least 1, not 0"),
        ({"llm.timeout_seconds": "0"}, "setting 'llm.timeout_seconds' must be above 0, not 0.0"),
        ({"llm.endpoint": "localhost:8000"}, "setting 'llm.endpoint' must be an http:// or https:// URL such as "
         "http://127.0.0.1:8000/v1, not 'localhost:8000'"),
        ({"llm.prompt_format": "alpaca"}, "setting 'llm.prompt_format' is 'alpaca'; allowed values: auto, chat, hunyuan-mt, hy-mt"),
        ({"translate.engine": "magic"}, "setting 'translate.engine' is 'magic'; allowed values: seq2seq, llm"),
    ],
)
def test_bad_llm_settings_name_the_key(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(overrides=overrides, environ={})
    assert str(caught.value) == message


def test_llm_api_key_from_the_environment_stays_a_string() -> None:
    settings = load_settings(environ={"SUMMARIZE_LLM__API_KEY": "12345"})
    assert settings.llm.api_key == "12345"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("summarize:\n  engine: [auto\n",
         "expected ',' or ']', but got '<stream end>' at line 3, column 1 (while parsing a flow sequence that starts at line 2, column 11)"),
        ("a: b\n c: d\n", "mapping values are not allowed here at line 2, column 3"),
    ],
)
def test_broken_yaml_is_one_line_with_its_line_and_column(tmp_path: Path, content: str, problem: str) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(config, environ={})
    assert str(raised.value) == f"config file {config} is not valid YAML: {problem}"
    assert "\n" not in str(raised.value)
