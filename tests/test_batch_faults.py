"""Batch jobs that no record can stop: per-record failures, the job's own files, one writer, durable writes.

Each test runs a whole job on real files with the embedded extractive engine (no
model to load) and checks the record counts and the exact messages.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow
import pyarrow.parquet
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_batch import OFFLINE_CONFIG, article_rows, read_output, write_jsonl

from summarize import InputError, Service, load_settings
from summarize.batch import count_records, read_records, run_batch
from summarize.batch.planning import plan_records
from summarize.batch.records import InputRecord
from summarize.store import ModelStore
from summarize.text import detect_language


@pytest.fixture(scope="module")
def extractive() -> Service:
    """Summaries from the embedded extractive engine, four records a group."""
    settings = load_settings(overrides={"summarize.engine": "extractive", "batch.group_size": 4}, environ={})
    return Service(settings, store=ModelStore())


class CountingService(Service):
    """The real service, counting the texts it is asked to summarize (to show that no work was done)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.summarized = 0

    def summarize_batch(self, texts, target_lang=None, **options):  # type: ignore[override]
        self.summarized += len(texts)
        return super().summarize_batch(texts, target_lang, **options)


def run_job(*args: Any, **options: Any) -> list[dict[str, Any]]:
    return [record.to_dict() for record in run_batch(*args, **options)]


def errors_by_id(records: list[dict[str, Any]]) -> dict[str, str]:
    return {record["id"]: record["error"] for record in records if record["error"]}


def folder_names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


# --------------------------------------------------------------------------- each article's own language


def test_without_a_target_language_each_summary_is_in_its_articles_language(extractive: Service, tmp_path: Path) -> None:
    rows = article_rows(8)  # English and Chinese in turn
    source = write_jsonl(tmp_path / "mixed.jsonl", rows)
    records = run_job([source], tmp_path / "out.jsonl", "summarize", None, service=extractive)
    assert read_output(tmp_path / "out.jsonl") == records
    assert [record["id"] for record in records] == [row["id"] for row in rows]
    assert [(record["source_lang"], record["target_lang"]) for record in records] == [("en", "en"), ("zh", "zh")] * 4
    assert [detect_language(record["summary"]).language for record in records] == ["en", "zh"] * 4
    assert [record["summary"] for record in records] == [
        extractive.summarize(row["text"]).text for row in rows
    ]
    again = run_job([source], tmp_path / "out.jsonl", "summarize", None, service=extractive)
    assert again == []  # resumed: every id is already there


def test_a_job_in_one_language_does_not_resume_an_own_language_output(extractive: Service, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "mixed.jsonl", article_rows(2))
    out = tmp_path / "out.jsonl"
    run_job([source], out, "summarize", None, service=extractive)
    with pytest.raises(InputError) as caught:
        run_job([source], out, "summarize", "en", service=extractive)
    assert str(caught.value) == (
        f"{out} line 2 was written by another job (fields: id, summary, source_lang, target_lang, engine, model, "
        f"error, notes, terms, quality; target_lang 'zh'); resuming needs the same --task and --to, or choose another --output"
    )


@pytest.mark.parametrize("task", ["translate", "both"])
def test_translation_needs_a_target_language(extractive: Service, tmp_path: Path, task: str) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", article_rows(1))
    with pytest.raises(InputError) as caught:
        run_job([source], tmp_path / "out.jsonl", task, None, service=extractive)
    assert str(caught.value) == f"task {task!r} needs a target language; set --to (target_lang) to 'en', 'zh' or 'zh-Hant'"
    assert folder_names(tmp_path) == ["in.jsonl"]


# --------------------------------------------------------------------------- a record cannot stop the job


def _job_around(extractive: Service, folder: Path, bad_lines: list[str]) -> tuple[Path, list[dict[str, Any]]]:
    """A JSONL job with a good article before and after each bad line; its records."""
    good = iter(article_rows(len(bad_lines) + 1))
    lines: list[Any] = [next(good)]
    for bad in bad_lines:
        lines += [bad, next(good)]
    source = write_jsonl(folder / "in.jsonl", lines)
    return source, run_job([source], folder / "out.jsonl", "summarize", None, service=extractive)


def test_a_lone_surrogate_becomes_an_error_record(extractive: Service, tmp_path: Path) -> None:
    bad = ['{"id": "s", "text": "caf\\ud800 text"}', '{"id": "\\udc01x", "text": "Fine text."}']
    source, records = _job_around(extractive, tmp_path, bad)
    assert len(records) == len(read_output(tmp_path / "out.jsonl")) == 5
    assert errors_by_id(records) == {
        "s": "field 'text' holds a lone surrogate (U+D800), which is not text; fix the \\ud800 escape",
        f"{source}:4": "field 'id' holds a lone surrogate (U+DC01), which is not text; fix the \\udc01 escape",
    }
    assert [record["id"] for record in records if not record["error"]] == ["a0", "a1", "a2"]


def test_a_number_too_long_to_read_becomes_an_error_record(extractive: Service, tmp_path: Path) -> None:
    digits = sys.get_int_max_str_digits()
    bad = [f'{{"id": {"7" * 5000}, "text": "An article."}}', f'{{"id": {"8" * digits}, "text": "An article."}}']
    source, records = _job_around(extractive, tmp_path, bad)
    assert len(records) == len(read_output(tmp_path / "out.jsonl")) == 5
    assert errors_by_id(records) == {
        f"{source}:2": f"line holds a number of over {digits:,} digits; write it as a string",
    }
    assert records[3]["id"] == "8" * digits  # the longest number Python reads is still an id


def test_deep_nesting_becomes_an_error_record(extractive: Service, tmp_path: Path) -> None:
    bad = ["[" * 100_000, '{"id": "deep", "text": ' + "[" * 100_000]
    source, records = _job_around(extractive, tmp_path, bad)
    assert len(records) == len(read_output(tmp_path / "out.jsonl")) == 5
    message = "line is nested too deeply to read (arrays or objects)"
    assert errors_by_id(records) == {f"{source}:2": message, f"{source}:4": message}


def _corrupt_row_group(path: Path, group: int) -> None:
    """Overwrite bytes inside one row group's text pages; the footer stays intact."""
    column = pyarrow.parquet.ParquetFile(path).metadata.row_group(group).column(1)
    data = bytearray(path.read_bytes())
    start = column.data_page_offset + 10
    data[start : start + 100] = b"\xff" * 100
    path.write_bytes(bytes(data))


def test_a_parquet_file_corrupted_in_the_middle_gives_error_records_for_that_part(
    extractive: Service, tmp_path: Path
) -> None:
    rows = [{"id": f"r{index}", "text": f"Article number {index} is here. " * 8} for index in range(300)]
    source = tmp_path / "in.parquet"
    pyarrow.parquet.write_table(pyarrow.Table.from_pylist(rows), source, row_group_size=100)
    _corrupt_row_group(source, 1)
    assert count_records([source]) == 300
    records = run_job([source], tmp_path / "out.jsonl", "summarize", None, service=extractive)
    assert len(records) == len(read_output(tmp_path / "out.jsonl")) == 300
    failed = errors_by_id(records)
    assert sorted(failed) == sorted(f"{source}:{row}" for row in range(101, 201))
    prefix = "Parquet row group 2 of 3 (rows 101-200) cannot be read: "
    assert all(message.startswith(prefix) and len(message) > len(prefix) for message in failed.values())
    assert [record["id"] for record in records if not record["error"]] == [f"r{i}" for i in [*range(100), *range(200, 300)]]


def test_an_unterminated_csv_quote_is_an_error_with_its_line(extractive: Service, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        'id,text\n1,First article.\n2,"Second, quoted."\n3,"Third never closes.\n4,Fourth.\n5,Fifth.\n', encoding="utf-8"
    )
    assert count_records([source]) == 3
    records = run_job([source], tmp_path / "out.jsonl", "summarize", None, service=extractive)
    assert [(record["id"], record["error"]) for record in records] == [
        ("1", ""),
        ("2", ""),
        (
            f"{source}:4",
            "unterminated quote: the quoted field opened on line 4 is never closed, "
            "so lines 4-6 (the rest of the file) were not read; close the quote",
        ),
    ]


def test_a_malformed_csv_row_is_an_error_record_and_reading_goes_on(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('id,text\n1,"Two\nlines"x\n2,Fine.\n', encoding="utf-8")
    assert list(read_records([source])) == [
        InputRecord(f"{source}:2", f"{source}:2", None, "row is not valid CSV (lines 2-3): ',' expected after '\"'"),
        InputRecord(f"{source}:4", "2", "Fine."),
    ]


# --------------------------------------------------------------------------- ids


def test_a_generated_id_never_repeats_an_explicit_one(extractive: Service, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        {"id": f"{source}:3", "text": "Explicit id that names line three."},
        {"text": "No id: line two."},
        {"text": "No id: line three, whose location is taken."},
        {"id": f"{source}:2", "text": "An explicit id equal to line two's location."},
    ]
    write_jsonl(source, lines)
    records = run_job([source], tmp_path / "out.jsonl", "summarize", None, service=extractive)
    assert [(record["id"], record["error"]) for record in records] == [
        (f"{source}:3", ""),
        (f"{source}:2", ""),
        (f"{source}:3#2", ""),
        (
            f"{source}:4",
            f"duplicate id '{source}:2': an earlier record without an id has it as its location; "
            "this one was not processed",
        ),
    ]
    assert run_job([source], tmp_path / "out.jsonl", "summarize", None, service=extractive) == []


@given(ids=st.lists(st.one_of(st.none(), st.sampled_from(["a", "f:1", "f:2", "f:3", "f:3#2", "f:2#2"])), max_size=8))
def test_planned_ids_are_unique_and_stable(ids: list[str | None]) -> None:
    records = [
        InputRecord(f"f:{line}", key if key is not None else f"f:{line}", "Text.")
        for line, key in enumerate(ids, start=1)
    ]
    first = [record.id for record in plan_records(records, str)]
    assert len(first) == len(set(first)) == len(records)
    assert [record.id for record in plan_records(records, str)] == first
    done = set(first[: len(first) // 2])
    assert [record.id for record in plan_records(records, str, done)] == first[len(first) // 2 :]


# --------------------------------------------------------------------------- the job's own files


def _stop_after_first_group(extractive: Service, inputs: list[str], out: Path) -> None:
    """Start a job and stop it after its first group is written (as a kill before the end would)."""
    job = run_batch(inputs, out, "summarize", None, service=extractive)
    next(job)
    job.close()


def test_the_journal_is_never_read_as_an_input(extractive: Service, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", article_rows(5))
    write_jsonl(tmp_path / "b.jsonl", article_rows(5, start=5))
    out = tmp_path / "out.parquet"
    inputs = [str(tmp_path / "*.jsonl")]
    _stop_after_first_group(extractive, inputs, out)
    assert folder_names(tmp_path) == ["a.jsonl", "b.jsonl", "out.parquet.partial.jsonl"]
    rest = run_job(inputs, out, "summarize", None, service=extractive)
    assert len(rest) == 6 and errors_by_id(rest) == {}
    written = pyarrow.parquet.read_table(out).to_pylist()
    assert [record["id"] for record in written] == [f"a{index}" for index in range(10)]
    assert folder_names(tmp_path) == ["a.jsonl", "b.jsonl", "out.parquet"]


def test_a_jsonl_output_matched_by_the_input_glob_is_not_read(extractive: Service, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", article_rows(3))
    out = tmp_path / "out.jsonl"
    run_job([str(tmp_path / "*.jsonl")], out, "summarize", None, service=extractive)
    assert run_job([str(tmp_path / "*.jsonl")], out, "summarize", None, service=extractive) == []
    assert [record["id"] for record in read_output(out)] == ["a0", "a1", "a2"]


def test_a_journal_named_as_an_input_is_refused(extractive: Service, tmp_path: Path) -> None:
    journal = write_jsonl(tmp_path / "out.parquet.partial.jsonl", article_rows(1))
    with pytest.raises(InputError) as caught:
        run_job([journal], tmp_path / "out.parquet", "summarize", None, service=extractive)
    assert str(caught.value) == (
        f"input {journal} is a file the job keeps beside its output {tmp_path / 'out.parquet'} "
        f"(journal, temp or lock file); give another input or choose another --output"
    )


# --------------------------------------------------------------------------- one writer per output


def test_a_second_job_on_the_same_output_is_refused_at_once(extractive: Service, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", article_rows(10))
    out = tmp_path / "out.jsonl"
    first = run_batch([source], out, "summarize", None, service=extractive)
    next(first)  # the first job holds the output now
    counting = CountingService(extractive.settings, store=extractive.store)
    with pytest.raises(InputError) as caught:
        run_job([source], out, "summarize", None, service=counting)
    assert str(caught.value) == (
        f"output {out} is being written by another batch job (pid {os.getpid()}); "
        f"wait for it to end, or choose another --output"
    )
    assert counting.summarized == 0
    command = [sys.executable, "-m", "summarize", "batch", "--input", str(source), "--output", str(out)]
    command += ["--task", "summarize", "--set", "summarize.engine=extractive"]
    refused = subprocess.run(command, capture_output=True, text=True)
    assert (refused.returncode, refused.stderr) == (1, f"summarize: error: {caught.value}\n")
    rest = list(first)
    assert len(rest) == 9
    ids = [record["id"] for record in read_output(out)]
    assert ids == [f"a{index}" for index in range(10)]
    assert folder_names(tmp_path) == ["in.jsonl", "out.jsonl"]  # the lock file goes with the job


def test_a_lock_left_by_a_killed_job_does_not_block_the_next(extractive: Service, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", article_rows(2))
    (tmp_path / "out.jsonl.lock").write_text("999999\n", encoding="ascii")  # no process holds it
    assert len(run_job([source], tmp_path / "out.jsonl", "summarize", None, service=extractive)) == 2
    assert folder_names(tmp_path) == ["in.jsonl", "out.jsonl"]


# --------------------------------------------------------------------------- an output that cannot be written


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("{dir}/in.jsonl/out.jsonl", "cannot write output {dir}/in.jsonl/out.jsonl ({dir}/in.jsonl is a file, not a folder); choose another --output"),
        ("/proc/summarize-out.jsonl", "cannot write output /proc/summarize-out.jsonl (No such file or directory); choose another --output"),
        ("{dir}/device.jsonl", "output {dir}/device.jsonl is not a regular file; give a file name ending in .jsonl or .parquet"),
    ],
)
def test_an_unwritable_output_is_refused_before_any_work(
    extractive: Service, tmp_path: Path, output: str, message: str
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", article_rows(3))
    (tmp_path / "device.jsonl").symlink_to("/dev/null")
    counting = CountingService(extractive.settings, store=extractive.store)
    with pytest.raises(InputError) as caught:
        run_job([source], output.format(dir=tmp_path), "summarize", None, service=counting)
    assert str(caught.value) == message.format(dir=tmp_path)
    assert counting.summarized == 0
    assert folder_names(tmp_path) == ["device.jsonl", "in.jsonl"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused_before_any_work(extractive: Service, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", article_rows(3))
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    counting = CountingService(extractive.settings, store=extractive.store)
    with pytest.raises(InputError) as caught:
        run_job([source], folder / "out.jsonl", "summarize", None, service=counting)
    assert str(caught.value) == f"cannot write output {folder / 'out.jsonl'} (Permission denied); choose another --output"
    assert counting.summarized == 0


def test_the_command_refuses_an_unwritable_output_in_one_line(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", article_rows(3))
    command = [sys.executable, "-m", "summarize", "batch", "--input", str(source), "--output", "/proc/out.jsonl"]
    command += ["--task", "summarize", "--config", str(OFFLINE_CONFIG)]
    finished = subprocess.run(command, capture_output=True, text=True)
    assert (finished.returncode, finished.stdout, finished.stderr) == (
        1, "", "summarize: error: cannot write output /proc/out.jsonl (No such file or directory); choose another --output\n"
    )


# --------------------------------------------------------------------------- durable writes


class FsyncRecorder:
    """Records what each ``os.fsync`` was called on (path and size at that moment), then really syncs."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []
        self._fsync = os.fsync

    def __call__(self, descriptor: int) -> None:
        path = os.readlink(f"/proc/self/fd/{descriptor}")
        self.calls.append((path, os.fstat(descriptor).st_size))
        self._fsync(descriptor)


def _line_ends(path: Path) -> list[int]:
    data = path.read_bytes()
    return [index + 1 for index, byte in enumerate(data) if byte == ord("\n")]


def test_every_append_is_fsynced_and_so_is_the_folder(extractive: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", article_rows(10))
    out = tmp_path / "out.jsonl"
    recorder = FsyncRecorder()
    monkeypatch.setattr(os, "fsync", recorder)
    run_job([source], out, "summarize", None, service=extractive)  # groups of 4: appends of 4, 4, 2 records
    ends = _line_ends(out)
    assert [call for call in recorder.calls if call[0] == str(out)] == [(str(out), ends[i]) for i in (3, 7, 9)]
    assert recorder.calls[0][0] == str(tmp_path)  # the new file's folder entry, before any record
    assert len(recorder.calls) == 4


def test_the_parquet_temp_file_the_folder_and_the_journal_are_fsynced(
    extractive: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", article_rows(6))
    out = tmp_path / "out.parquet"
    recorder = FsyncRecorder()
    monkeypatch.setattr(os, "fsync", recorder)
    run_job([source], out, "summarize", None, service=extractive)  # appends of 4 and 2 records
    journal, staging, folder = f"{out}.partial.jsonl", f"{out}.tmp", str(tmp_path)
    paths = [path for path, _ in recorder.calls]
    assert paths == [folder, journal, journal, staging, folder, folder]
    journal_sizes = [size for path, size in recorder.calls if path == journal]
    assert journal_sizes[0] < journal_sizes[1]
    assert recorder.calls[3] == (staging, out.stat().st_size)  # the whole Parquet file, before its rename
