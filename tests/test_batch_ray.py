"""The Ray runner on a local Ray runtime (2 CPUs) that the tests start, over tiny models.

Its output must equal the local engine's record for record (Ray's order may differ).
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_batch import (
    OFFLINE_CONFIG,
    article_rows,
    batch_overrides,
    read_output,
    write_jsonl,
)

from summarize import Service, load_settings
from summarize.batch import Progress, run_batch
from summarize.batch.ray_runner import run_batch_ray, worker_count
from summarize.config import ConfigError, RaySettings
from summarize.store import ModelStore


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    """A local Ray runtime for this module, shut down afterwards."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=200 * 1024 * 1024)
    yield ray
    ray.shutdown()


def _inputs(folder: Path) -> list[str]:
    """Two files: JSONL with bad records mixed in, and CSV repeating one id of the JSONL file."""
    rows = article_rows(14)
    write_jsonl(
        folder / "part1.jsonl",
        [*rows[:4], {"id": "empty", "text": ""}, {"id": "number", "text": 3}, "{oops", {"text": "No id here."}, *rows[4:9]],
    )
    with (folder / "part2.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["id", "text"])
        writer.writeheader()
        writer.writerows([*rows[9:], {"id": "a0", "text": "Same id as the first record."}])
    return [str(folder / "part*.*")]


def _by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in records}


OUR_LINE = re.compile(r"batch: .*")


def _ray_command(source: Path, out: Path, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "summarize", "batch", "--engine", "ray", "--input", str(source)]
    return command + ["--output", str(out), "--task", "summarize", "--config", str(OFFLINE_CONFIG), *extra]


def test_the_ray_engine_is_quiet_unless_verbose(tmp_path: Path) -> None:
    """Runs before the module's Ray runtime starts: each command starts (and stops) its own."""
    pytest.importorskip("ray")
    source = write_jsonl(tmp_path / "in.jsonl", article_rows(4))
    environment = {name: value for name, value in os.environ.items() if name != "RAY_ADDRESS"}
    quiet = subprocess.run(_ray_command(source, tmp_path / "quiet.jsonl"), capture_output=True, text=True, env=environment)
    assert quiet.returncode == 0, quiet.stderr[-3000:]
    assert quiet.stdout == ""
    assert [line for line in quiet.stderr.splitlines() if not OUR_LINE.fullmatch(line)] == []
    assert len(read_output(tmp_path / "quiet.jsonl")) == 4
    verbose = subprocess.run(
        _ray_command(source, tmp_path / "verbose.jsonl", "--verbose"), capture_output=True, text=True, env=environment
    )
    assert verbose.returncode == 0, verbose.stderr[-3000:]
    assert "Started a local Ray instance" in verbose.stderr


def test_the_ray_engine_says_no_record_can_succeed_before_ray_starts(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", article_rows(2))
    overrides = {f"summarize.models.{lang}.model": str(tmp_path / f"no-model-{lang}") for lang in ("en", "zh")}
    code = f"""
import ray
from summarize import ModelUnavailableError, load_settings
from summarize.batch.ray_runner import run_batch_ray
settings = load_settings(overrides={batch_overrides(tiny_models, **overrides)!r}, environ={{}})
try:
    list(run_batch_ray([{str(source)!r}], {str(tmp_path / "out.jsonl")!r}, "summarize", settings=settings))
except ModelUnavailableError as error:
    print(error)
    print("ray started:", ray.is_initialized())
"""
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    message = " ".join(
        f"model directory {str(tmp_path / f'no-model-{lang}')!r} (summarize.models.{lang}) has no config.json; "
        f"point summarize.models.{lang}.model at a folder saved with save_pretrained(){';' if lang == 'en' else ''}"
        for lang in ("en", "zh")
    )
    assert shown.stdout == f"no record of this job can succeed: {message}\nray started: False\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.jsonl"]


def test_the_ray_engine_writes_the_records_of_the_local_engine(
    local_ray: Any, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    settings = load_settings(overrides=batch_overrides(tiny_models, **{"batch.ray.workers": 2}), environ={})
    inputs = _inputs(tmp_path)
    local_progress, ray_progress = Progress(io.StringIO(), quiet=True), Progress(io.StringIO(), quiet=True)
    service = Service(settings, store=ModelStore())
    list(run_batch(inputs, tmp_path / "local.jsonl", "both", "en", service=service, progress=local_progress))
    yielded = [
        record.to_dict()
        for record in run_batch_ray(inputs, tmp_path / "ray.jsonl", "both", "en", settings=settings, progress=ray_progress)
    ]
    local, distributed = read_output(tmp_path / "local.jsonl"), read_output(tmp_path / "ray.jsonl")
    assert distributed == yielded
    assert len(distributed) == len(_by_id(distributed)) == 19
    assert _by_id(distributed) == _by_id(local)
    assert ray_progress.counts == local_progress.counts


def test_the_ray_engine_reads_pages_as_the_local_engine_does(local_ray: Any, tmp_path: Path) -> None:
    from document_shapes import FIXTURES

    overrides = {"batch.ray.workers": 1, "limits.max_document_bytes": 3_000}  # each page is under it
    settings = load_settings(OFFLINE_CONFIG, overrides=overrides, environ={})
    pages = [{"id": page.name, "text": page.read_text(encoding="utf-8")} for page in sorted(FIXTURES.glob("*.html"))]
    huge = {"id": "huge", "text": "<p>" + "The council met. " * 200 + "</p>"}
    source = write_jsonl(tmp_path / "pages.jsonl", [*pages, huge, {"id": "menu", "text": "<nav><a href='/'>Home</a></nav>"}])
    service = Service(settings, store=ModelStore())
    local = [record.to_dict() for record in run_batch([source], tmp_path / "local.jsonl", "summarize", service=service,
                                                      text_format="html")]
    distributed = list(run_batch_ray([source], tmp_path / "ray.jsonl", "summarize", settings=settings, text_format="html"))
    assert [record.to_dict() for record in distributed] == local
    assert [bool(record["notes"]) and record["notes"][0].startswith("document title: ") for record in local] == [True] * 5 + [False] * 2
    assert local[-2]["error"] == (
        "text (html) is over the limit of 3,000 bytes (limits.max_document_bytes); it was not read: split it or raise the limit"
    )
    assert local[-1]["error"] == "text (html) has no main text (no paragraphs found)"


def test_the_ray_workers_enforce_and_report_the_configured_glossary(
    local_ray: Any, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    terms = tmp_path / "terms.tsv"
    terms.write_text("mayor\t市长\nbridge\t大桥\n", encoding="utf-8")
    overrides = batch_overrides(tiny_models, **{"batch.ray.workers": 1, "translate.glossary": str(terms)})
    settings = load_settings(overrides=overrides, environ={})
    rows = [{"id": "a", "text": "The mayor opened the bridge."}, {"id": "b", "text": "Rain is expected on Sunday."}]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    service = Service(settings, store=ModelStore())
    local = [record.to_dict() for record in run_batch([source], tmp_path / "local.jsonl", "translate", "zh", service=service)]
    distributed = [record.to_dict() for record in run_batch_ray([source], tmp_path / "ray.jsonl", "translate", "zh", settings=settings)]
    assert _by_id(distributed) == _by_id(local)
    assert [[term["source"] for term in record["terms"]] for record in local] == [["mayor", "bridge"], []]


def test_the_ray_engine_resumes_a_torn_output(local_ray: Any, tiny_models: dict[str, Path], tmp_path: Path) -> None:
    settings = load_settings(overrides=batch_overrides(tiny_models, **{"batch.ray.workers": 1}), environ={})
    inputs = _inputs(tmp_path)
    clean = tmp_path / "clean.jsonl"
    list(run_batch(inputs, clean, "summarize", "zh", service=Service(settings, store=ModelStore())))
    content = clean.read_bytes()
    out = tmp_path / "out.jsonl"
    out.write_bytes(content[: content.index(b"\n", len(content) // 2) + 40])  # 10 whole records and a torn one
    progress = Progress(io.StringIO(), quiet=True)
    list(run_batch_ray(inputs, out, "summarize", "zh", settings=settings, progress=progress))
    assert _by_id(read_output(out)) == _by_id(read_output(clean))
    assert read_output(out)[:10] == read_output(clean)[:10]
    assert progress.counts.skipped == 10


def test_a_missing_model_gives_error_records_from_the_workers(
    local_ray: Any, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    missing = tmp_path / "no-model"
    settings = load_settings(
        overrides=batch_overrides(tiny_models, **{"summarize.models.en.model": str(missing), "batch.ray.workers": 1}),
        environ={},
    )
    source = write_jsonl(tmp_path / "in.jsonl", article_rows(2))  # one English, one Chinese
    records = [record.to_dict() for record in run_batch_ray([source], tmp_path / "out.jsonl", "summarize", settings=settings)]
    assert read_output(tmp_path / "out.jsonl") == records
    assert _by_id(records)["a0"]["error"] == (
        f"model directory {str(missing)!r} (summarize.models.en) has no config.json; "
        f"point summarize.models.en.model at a folder saved with save_pretrained()"
    )
    assert (_by_id(records)["a1"]["error"], _by_id(records)["a1"]["target_lang"]) == ("", "zh")


@pytest.mark.parametrize(
    ("options", "resources", "expected"),
    [
        ({}, {"CPU": 8.0}, 8),
        ({"cpus_per_worker": 3.0}, {"CPU": 8.0}, 2),
        ({"cpus_per_worker": 4.0}, {"CPU": 2.0}, 1),
        ({"gpus_per_worker": 1.0}, {"CPU": 32.0, "GPU": 4.0}, 4),
        ({"gpus_per_worker": 0.5}, {"CPU": 32.0, "GPU": 1.0}, 2),
        ({"workers": 3}, {"CPU": 2.0}, 3),
    ],
)
def test_worker_count(options: dict[str, Any], resources: dict[str, float], expected: int) -> None:
    assert worker_count(RaySettings(**options), resources) == expected


def test_gpu_workers_need_gpus_in_the_cluster() -> None:
    with pytest.raises(ConfigError) as caught:
        worker_count(RaySettings(gpus_per_worker=1.0), {"CPU": 8.0})
    assert str(caught.value) == "batch.ray.gpus_per_worker is 1 but the Ray cluster has 0 GPUs; set it to 0 to run on CPUs"


def test_importing_the_batch_modules_imports_no_heavy_dependency() -> None:
    code = (
        "import sys, summarize.batch, summarize.batch.ray_runner, summarize.cli; "
        "print(sorted(m for m in ('ray', 'pyarrow', 'torch', 'transformers', 'tqdm') if m in sys.modules))"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "[]"
