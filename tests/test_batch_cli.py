"""``summarize batch`` on the command line: a job killed with SIGKILL and rerun, arguments, settings."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from summarize import ConfigError, Service, load_settings
from summarize.batch import run_batch
from summarize.cli import main
from test_batch import article_rows, batch_overrides, read_output, write_jsonl

KILL_RECORDS = 120


def write_config(folder: Path, tiny_models: dict[str, Path], **extra: object) -> Path:
    """A YAML settings file with the tiny models (the dotted overrides, nested)."""
    nested: dict[str, Any] = {}
    for dotted, value in batch_overrides(tiny_models, **extra).items():
        *parents, last = dotted.split(".")
        node = nested
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    path = folder / "tiny.yaml"
    path.write_text(yaml.safe_dump(nested), encoding="utf-8")
    return path


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _kill_after(command: list[str], out: Path, lines: int, log: Path) -> int:
    """Start the job, SIGKILL it once `out` has at least `lines` lines; return the lines it had then."""
    with log.open("ab") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
        deadline = time.monotonic() + 300
        while _lines(out) < lines and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL, f"the job ended by itself before the kill; see {log}"
    return _lines(out)


def test_a_job_killed_with_sigkill_and_rerun_gives_one_record_per_id(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    config = write_config(tmp_path, tiny_models, **{"batch.group_size": 3})
    rows = [*article_rows(KILL_RECORDS - 2), {"id": "a5", "text": "A repeated id."}, {"id": "blank", "text": ""}]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    clean = tmp_path / "clean.jsonl"
    list(run_batch([source], clean, "summarize", "en", service=Service(load_settings(config, environ={}))))

    out, log = tmp_path / "out.jsonl", tmp_path / "stderr.log"
    command = [sys.executable, "-m", "summarize", "batch", "--input", str(source), "--output", str(out)]
    command += ["--task", "summarize", "--to", "en", "--config", str(config)]
    first = _kill_after(command, out, 15, log)
    second = _kill_after(command, out, first + 24, log)
    assert first < second < KILL_RECORDS
    finished = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert finished.returncode == 0, finished.stderr[-2000:]

    records = read_output(out)
    ids = [record["id"] for record in records]
    assert len(ids) == len(set(ids)) == KILL_RECORDS
    assert out.read_bytes() == clean.read_bytes()
    final = finished.stderr.strip().splitlines()[-1]
    skipped = second  # every line the killed runs left was whole (a torn one would have been cut)
    pattern = rf"batch: {KILL_RECORDS - skipped - 2} done, 2 failed, {skipped} skipped \(already in the output\) in \d+(s|m\d\ds); output: {re.escape(str(out))}"
    assert re.fullmatch(pattern, final), final


@pytest.fixture()
def cli_job(tiny_models: dict[str, Path], tmp_path: Path) -> dict[str, Path]:
    config = write_config(tmp_path, tiny_models)
    source = write_jsonl(tmp_path / "in.jsonl", [{"key": f"k{i}", "body": row["text"]} for i, row in enumerate(article_rows(3))])
    return {"config": config, "source": source, "out": tmp_path / "out.jsonl"}


def test_the_command_runs_a_job_with_other_field_names(cli_job: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["batch", "--input", str(cli_job["source"]), "--output", str(cli_job["out"]), "--task", "translate"]
        + ["--to", "zh", "--text-field", "body", "--id-field", "key", "--config", str(cli_job["config"]), "--quiet"]
    )
    assert code == 0
    records = read_output(cli_job["out"])
    assert [(r["id"], r["error"]) for r in records] == [
        ("k0", ""),
        ("k1", "text is already in 'zh'; translation goes en->zh or zh->en, so set target_lang to the other language"),
        ("k2", ""),
    ]
    assert re.fullmatch(r"batch: 2 done, 1 failed, 0 skipped \(already in the output\) in \d+s; output: .*out\.jsonl\n",
                        capsys.readouterr().err)


def test_the_command_reports_a_missing_input(cli_job: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    missing = cli_job["source"].parent / "none.jsonl"
    code = main(["batch", "--input", str(missing), "--output", str(cli_job["out"]), "--task", "summarize", "--to", "en"]
                + ["--config", str(cli_job["config"])])
    assert code == 1
    assert capsys.readouterr().err == f"summarize: error: cannot read {missing}: no such file\n"


@pytest.mark.parametrize(
    "arguments",
    [
        ["--task", "summarize"],
        ["--task", "summarise", "--to", "en"],
        ["--task", "summarize", "--to", "fr"],
        ["--task", "summarize", "--to", "en", "--engine", "spark"],
    ],
)
def test_bad_arguments_are_usage_errors(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["batch", "--input", "in.jsonl", "--output", "out.jsonl", *arguments])
    assert caught.value.code == 2
    assert "usage: summarize batch" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"batch.group_size": 0}, "batch: setting 'group_size' must be at least 1, not 0"),
        ({"batch.progress_seconds": -1}, "batch: setting 'progress_seconds' must be 0 or more, not -1.0"),
        ({"batch.ray.cpus_per_worker": 0}, "batch.ray: setting 'cpus_per_worker' must be above 0, not 0.0"),
        ({"batch.ray.gpus_per_worker": -0.5}, "batch.ray: setting 'gpus_per_worker' must be 0 or more, not -0.5"),
        ({"batch.ray.nodes": 2}, "unknown setting 'batch.ray.nodes'; allowed keys in batch.ray: workers, cpus_per_worker, gpus_per_worker"),
    ],
)
def test_bad_batch_settings(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(overrides=overrides, environ={})
    assert str(caught.value) == message
