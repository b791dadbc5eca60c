"""Failed model loads heal: a failure is remembered for runtime.retry_failed_load_seconds, then the
model is tried again, so a folder filled in meanwhile is used without a restart; the first
extractive fallback after each failure is logged; /v1/models says what this server has loaded."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import tiny_overrides
from fastapi.testclient import TestClient

from summarize import Service, load_settings
from summarize.config import ModelSettings, RuntimeSettings
from summarize.errors import ModelUnavailableError
from summarize.store import LoadState, ModelStore
from summarize.web.server import create_app

LOCAL_URL = "http://127.0.0.1"
ARTICLE = "The city council approved the new park on Tuesday. Work starts in May. The park opens next year."


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_failure_is_remembered_for_the_interval_then_tried_again() -> None:
    clock, calls = Clock(), []
    missing = ModelUnavailableError("model 'm' is not here")

    def load(spec: ModelSettings, role: str, runtime: RuntimeSettings) -> object:
        calls.append(clock.now)
        if len(calls) == 1:
            raise missing
        return engine

    spec, runtime = ModelSettings(model="m"), RuntimeSettings(retry_failed_load_seconds=60)
    engine = SimpleNamespace(spec=spec)
    store = ModelStore(load, clock=clock)
    with pytest.raises(ModelUnavailableError) as first:
        store.get(spec, "summarize.models.en", runtime)
    clock.now += 59.9
    with pytest.raises(ModelUnavailableError) as second:
        store.get(spec, "summarize.models.en", runtime)
    assert (first.value, second.value, calls) == (missing, missing, [1000.0])  # no second load yet
    assert store.state("summarize.models.en", spec, runtime) == LoadState("failed", "model 'm' is not here")
    clock.now += 0.1
    assert store.get(spec, "summarize.models.en", runtime) is engine
    assert calls == [1000.0, 1060.0]
    assert store.state("summarize.models.en", spec, runtime) == LoadState("loaded")
    assert store.failure("summarize.models.en", spec, runtime) is None


def test_a_translation_model_that_appears_is_used_after_the_interval(
    tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "en-zh"
    clock = Clock()
    settings = load_settings(overrides={
        **tiny_overrides(tiny_models), "translate.models.en-zh.model": str(folder), "runtime.retry_failed_load_seconds": 30,
    })
    service = Service(settings, store=ModelStore(clock=clock))
    with pytest.raises(ModelUnavailableError, match="has no config.json"):
        service.translate(ARTICLE, "zh")
    shutil.copytree(tiny_models["marian-en-zh"], folder)
    clock.now += 29
    with pytest.raises(ModelUnavailableError, match="has no config.json"):  # still the remembered failure
        service.translate(ARTICLE, "zh")
    clock.now += 1
    result = service.translate(ARTICLE, "zh")
    assert (result.engine, result.model, service.store.loads) == ("seq2seq", str(folder), 2)


def test_the_first_fallback_after_each_failure_is_logged(
    tiny_models: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "bart"
    clock = Clock()
    settings = load_settings(overrides={**tiny_overrides(tiny_models), "summarize.models.en.model": str(missing)})
    service = Service(settings, store=ModelStore(clock=clock))
    with caplog.at_level(logging.WARNING, logger="summarize"):
        for _ in range(3):
            assert service.summarize(ARTICLE).engine == "extractive"
        clock.now += 60  # the load is tried again, fails again: one more line
        assert service.summarize(ARTICLE).engine == "extractive"
    fallbacks = [r.getMessage() for r in caplog.records if "extractive summaries instead of" in r.getMessage()]
    assert len(fallbacks) == 2
    assert fallbacks[0].startswith(f"summarize.models.en: extractive summaries instead of {str(missing)!r} until it loads: ")
    assert service.store.loads == 2


def test_models_says_what_failed_to_load_and_why(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    missing = tmp_path / "never-there"
    settings = load_settings(overrides={**tiny_overrides(tiny_models), "summarize.models.en.model": str(missing)})
    with TestClient(create_app(settings, with_demo=False), base_url=LOCAL_URL) as client:
        before = {row["role"]: row for row in client.get("/v1/models").json()["models"]}
        assert client.post("/v1/summarize", json={"text": ARTICLE}).json()["engine"] == "extractive"
        after = {row["role"]: row for row in client.get("/v1/models").json()["models"]}
    assert (before["summarize.models.en"]["state"], before["summarize.models.en"]["error"]) == ("not loaded", None)
    assert after["summarize.models.en"] == {
        "role": "summarize.models.en", "name": "never-there", "status": "missing", "state": "failed",
        "error": "model directory 'never-there' (summarize.models.en) has no config.json; "
        "point summarize.models.en.model at a folder saved with save_pretrained()",
    }
