"""``summarize batch`` on the command line: a job killed with SIGKILL and rerun, arguments, settings."""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_batch import (
    OFFLINE_CONFIG,
    article_rows,
    batch_overrides,
    read_output,
    write_jsonl,
)

from summarize import ConfigError, Service, load_settings
from summarize.batch import run_batch
from summarize.cli import main
from summarize.text import detect_language

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


def test_the_command_names_its_flag_for_the_text_column(cli_job: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    source = cli_job["source"].parent / "in.csv"
    source.write_text("id,body\n1,The council met.\n", encoding="utf-8")
    code = main(["batch", "--input", str(source), "--output", str(cli_job["out"]), "--task", "summarize"]
                + ["--config", str(cli_job["config"])])
    assert code == 1
    assert capsys.readouterr().err == (
        f"summarize: error: {source} has no 'text' column (columns: id, body); name the text column with --text-field\n"
    )


def test_mixed_languages_without_to_killed_and_rerun_give_one_own_language_record_per_id(tmp_path: Path) -> None:
    rows = article_rows(1000)  # English and Chinese in turn
    source = write_jsonl(tmp_path / "mixed.jsonl", rows)
    out, log = tmp_path / "out.jsonl", tmp_path / "stderr.log"
    command = [sys.executable, "-m", "summarize", "batch", "--input", str(source), "--output", str(out)]
    command += ["--task", "summarize", "--config", str(OFFLINE_CONFIG)]
    first = _kill_after(command, out, 1, log)
    assert 0 < first < len(rows)
    finished = subprocess.run(command, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr[-2000:]
    records = read_output(out)
    assert [record["id"] for record in records] == [row["id"] for row in rows]
    assert {(record["source_lang"], record["target_lang"], record["error"]) for record in records[::2]} == {("en", "en", "")}
    assert {(record["source_lang"], record["target_lang"], record["error"]) for record in records[1::2]} == {("zh", "zh", "")}
    assert [detect_language(record["summary"]).language for record in records] == ["en", "zh"] * (len(rows) // 2)
    assert re.fullmatch(
        rf"batch: {len(rows) - first:,} done, 0 failed, {first:,} skipped \(already in the output\) in \d+(s|m\d\ds); "
        rf"output: {re.escape(str(out))}",
        finished.stderr.splitlines()[-1],
    )


def _limit_file_size(size: int) -> None:
    """In the child: writes past `size` bytes fail with EFBIG (as a full disk fails them) instead of a signal."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def test_a_write_that_fails_mid_job_stops_it_in_one_line_and_a_rerun_resumes(tmp_path: Path) -> None:
    rows = [{"id": f"e{index}", "text": f"Report {index} came in today. It was short. Nothing else happened."} for index in range(40)]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "summarize", "batch", "--input", str(source), "--output", str(out)]
    command += ["--task", "summarize", "--config", str(OFFLINE_CONFIG), "--set", "batch.group_size=4"]
    stopped = subprocess.run(command, capture_output=True, text=True, preexec_fn=lambda: _limit_file_size(2000))
    assert (stopped.returncode, stopped.stderr) == (
        1,
        f"summarize: error: cannot write output {out} (File too large); "
        "fix that and run the same command again: the job resumes where it stopped\n",
    )
    assert 0 < out.stat().st_size <= 2000
    finished = subprocess.run(command, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert [record["id"] for record in read_output(out)] == [row["id"] for row in rows]


@pytest.mark.parametrize("task", ["translate", "both"])
def test_translation_without_to_is_refused_in_one_line(cli_job: dict[str, Path], task: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["batch", "--input", str(cli_job["source"]), "--output", str(cli_job["out"]), "--task", task])
    assert code == 1
    assert capsys.readouterr().err == (
        f"summarize: error: task {task!r} needs a target language; set --to (target_lang) to 'en', 'zh' or 'zh-Hant'\n"
    )


def test_a_missing_translation_model_is_said_before_the_job_starts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", article_rows(4))
    missing = tmp_path / "no-model"
    code = main(["batch", "--input", str(source), "--output", str(tmp_path / "out.jsonl"), "--task", "translate"]
                + ["--to", "en", "--config", str(OFFLINE_CONFIG), "--set", f"translate.models.zh-en.model={missing}"])
    assert code == 1
    assert capsys.readouterr().err == (
        f"summarize: error: no record of this job can succeed: model directory {str(missing)!r} "
        f"(translate.models.zh-en) has no config.json; point translate.models.zh-en.model at a folder saved "
        f"with save_pretrained()\n"
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.parametrize(
    "arguments",
    [
        ["--task", "summarise", "--to", "en"],
        ["--task", "summarize", "--to", "fr"],
        ["--task", "summarize", "--to", "en", "--engine", "spark"],
        ["--task", "summarize", "--format", "docx"],  # a .docx is a zip file: a text field cannot hold one
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
        ({"batch.group_size": 0}, "setting 'batch.group_size' must be at least 1, not 0"),
        ({"batch.progress_seconds": -1}, "setting 'batch.progress_seconds' must be 0 or more, not -1.0"),
        ({"batch.ray.cpus_per_worker": 0}, "setting 'batch.ray.cpus_per_worker' must be above 0, not 0.0"),
        ({"batch.ray.gpus_per_worker": -0.5}, "setting 'batch.ray.gpus_per_worker' must be 0 or more, not -0.5"),
        ({"batch.ray.nodes": 2}, "unknown setting 'batch.ray.nodes'; allowed keys in batch.ray: workers, cpus_per_worker, gpus_per_worker"),
    ],
)
def test_bad_batch_settings(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(overrides=overrides, environ={})
    assert str(caught.value) == message
