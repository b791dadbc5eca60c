"""Dataset readers and the data-folder lookup; the real-data cases skip when ../shared/evaldata is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from summarize.errors import InputError
from summarize.evaluation import (
    datasets,
    load_dataset,
    resolve_data_dir,
    summeval_models,
    summeval_outputs,
    wmt22_official_scores,
    wmt22_systems,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SUMMARIZE_EVALDATA") or ROOT.parent / "shared" / "evaldata")
needs_data = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"evaluation data not found at {DATA} (set SUMMARIZE_EVALDATA to the folder)"
)


def test_explicit_data_dir_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARIZE_EVALDATA", "/nonexistent")
    assert resolve_data_dir(tmp_path) == tmp_path


def test_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARIZE_EVALDATA", str(tmp_path))
    assert resolve_data_dir() == tmp_path


def test_default_is_beside_the_repository_root_from_any_working_directory(tmp_path, monkeypatch):
    (tmp_path / "repo").mkdir()
    (tmp_path / "shared" / "evaldata").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.setattr(datasets, "REPOSITORY_ROOT", tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "elsewhere")
    monkeypatch.delenv("SUMMARIZE_EVALDATA", raising=False)
    said = []
    assert resolve_data_dir(report=said.append) == tmp_path / "shared" / "evaldata"
    assert said == [f"evaluation data: {tmp_path / 'shared' / 'evaldata'} (from shared/evaldata beside the repository root)"]


def test_default_falls_back_to_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "work").mkdir()
    (tmp_path / "shared" / "evaldata").mkdir(parents=True)
    monkeypatch.setattr(datasets, "REPOSITORY_ROOT", tmp_path / "installed" / "site-packages")
    monkeypatch.chdir(tmp_path / "work")
    monkeypatch.delenv("SUMMARIZE_EVALDATA", raising=False)
    said = []
    assert resolve_data_dir(report=said.append).resolve() == (tmp_path / "shared" / "evaldata").resolve()
    assert said[0].endswith("(from ../shared/evaldata from the working directory)")


def test_the_environment_variable_is_named_as_the_source(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARIZE_EVALDATA", str(tmp_path))
    said = []
    resolve_data_dir(report=said.append)
    assert said == [f"evaluation data: {tmp_path} (from $SUMMARIZE_EVALDATA)"]


def test_missing_folder_says_how_to_fix_it(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARIZE_EVALDATA", str(tmp_path / "missing"))
    with pytest.raises(InputError, match=r"\(from \$SUMMARIZE_EVALDATA\) does not exist; pass --data-dir or set SUMMARIZE_EVALDATA"):
        resolve_data_dir()


def test_unknown_dataset(tmp_path):
    with pytest.raises(InputError, match="unknown dataset 'cnn'; choose one of: summeval, lcsts"):
        load_dataset("cnn", tmp_path)


def test_incomplete_folder_names_the_missing_part(tmp_path):
    with pytest.raises(InputError, match="LCSTS sources not found at"):
        load_dataset("lcsts", tmp_path)


@needs_data
@pytest.mark.parametrize(
    "name, task, languages, size, references",
    [
        ("summeval", "summarization", ("en", "en"), 100, 11),
        ("lcsts", "summarization", ("zh", "zh"), 10666, 1),
        ("wmt22-en-zh", "translation", ("en", "zh"), 2037, 2),
        ("wmt22-zh-en", "translation", ("zh", "en"), 1875, 2),
        ("flores-en-zh", "translation", ("en", "zh"), 1012, 1),
        ("flores-zh-en", "translation", ("zh", "en"), 1012, 1),
    ],
)
def test_real_dataset_shape(name, task, languages, size, references):
    dataset = load_dataset(name, DATA)
    assert (dataset.task, (dataset.source_lang, dataset.target_lang)) == (task, languages)
    assert len(dataset.examples) == size
    assert {len(example.references) for example in dataset.examples} == {references}
    assert all(example.source.strip() for example in dataset.examples)


@needs_data
def test_limit_takes_the_first_examples():
    full, first = load_dataset("lcsts", DATA), load_dataset("lcsts", DATA, limit=5)
    assert first.examples == full.examples[:5]


@needs_data
def test_summeval_systems_cover_every_article():
    models = summeval_models(DATA)
    assert {"M8", "M17", "M22", "M23"} <= set(models) and len(models) == 12
    ids = {example.id for example in load_dataset("summeval", DATA).examples}
    assert set(summeval_outputs("M22", DATA)) == ids


@needs_data
def test_wmt22_systems_and_scores():
    assert len(wmt22_systems("en-zh", DATA)) == 13 and len(wmt22_systems("zh-en", DATA)) == 12
    assert wmt22_official_scores(DATA)[("en-zh", "Online-B", "bleu-A")] == pytest.approx(49.1039, abs=1e-4)
