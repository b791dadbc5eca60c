"""Batch jobs on tiny models: readers, validation, planning, batched processing, crash-safe output, progress."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow
import pyarrow.parquet
import pytest
from conftest import tiny_overrides
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny_models import CHINESE_CORPUS, ENGLISH_CORPUS

from summarize import InputError, ModelUnavailableError, Service, load_settings
from summarize.batch import (
    BatchCounts,
    InputRecord,
    Progress,
    count_records,
    process_records,
    read_records,
    run_batch,
)
from summarize.batch.outputs import (
    JsonlOutput,
    ParquetOutput,
    cut_partial_line,
    open_output,
)
from summarize.batch.planning import plan_records
from summarize.batch.processing import process_group
from summarize.batch.readers import check_inputs, expand_inputs
from summarize.batch.records import OutputRecord, PendingRecord, output_fields
from summarize.store import ModelStore

GROUP_SIZE = 4
OFFLINE_CONFIG = Path(__file__).resolve().parents[1] / "configs" / "offline.yaml"
"""The repository's offline settings: extractive summaries, no downloads."""
DOCS: tuple[str, ...] = tuple(text for pair in zip(ENGLISH_CORPUS, CHINESE_CORPUS) for text in pair)
"""Twenty-four articles, English and Chinese in turn."""


def batch_overrides(tiny_models: dict[str, Path], **extra: object) -> dict[str, object]:
    """Tiny models, seq2seq summaries, small groups."""
    return tiny_overrides(tiny_models, **{"summarize.engine": "seq2seq", "batch.group_size": GROUP_SIZE, **extra})


def write_jsonl(path: Path, rows: Iterable[Any]) -> Path:
    """One JSON value per line (strings are written as they are: for malformed lines)."""
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def article_rows(count: int, start: int = 0) -> list[dict[str, str]]:
    return [{"id": f"a{index}", "text": DOCS[index % len(DOCS)]} for index in range(start, start + count)]


def run_job(*args: Any, **options: Any) -> list[dict[str, Any]]:
    """Run a job to its end; its records as written."""
    return [record.to_dict() for record in run_batch(*args, **options)]


def group_dicts(*args: Any) -> list[dict[str, Any]]:
    return [record.to_dict() for record in process_group(*args)]


def record_dicts(*args: Any, **options: Any) -> list[dict[str, Any]]:
    return [record.to_dict() for record in process_records(*args, **options)]


def read_output(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def service(tiny_models: dict[str, Path]) -> Service:
    """One service for the whole module (and across hypothesis examples): models load once."""
    return Service(load_settings(overrides=batch_overrides(tiny_models), environ={}), store=ModelStore())


# --------------------------------------------------------------------------- inputs


def test_expand_inputs_sorts_each_glob_and_drops_repeats(tmp_path: Path) -> None:
    for name in ("b.jsonl", "a.jsonl", "c.csv"):
        (tmp_path / name).write_text("", encoding="utf-8")
    found = expand_inputs([str(tmp_path / "c.csv"), str(tmp_path / "*.jsonl"), str(tmp_path / "a.jsonl")])
    assert found == [tmp_path / "c.csv", tmp_path / "a.jsonl", tmp_path / "b.jsonl"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.jsonl", "cannot read {dir}/missing.jsonl: no such file"),
        ("*.parquet", "input pattern '{dir}/*.parquet' matches no file"),
        ("sub", "cannot read {dir}/sub: it is a directory; give its files, e.g. '{dir}/sub/*.jsonl'"),
        (
            "notes.txt",
            "cannot tell the format of input {dir}/notes.txt from its name; "
            "use a name ending in .csv, .jsonl, .ndjson, .parquet, .pq",
        ),
    ],
)
def test_expand_inputs_rejects(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        expand_inputs([str(tmp_path / name)])
    assert str(caught.value) == message.format(dir=tmp_path)


def test_expand_inputs_needs_an_input() -> None:
    with pytest.raises(InputError) as caught:
        expand_inputs([])
    assert str(caught.value) == "no input given; name at least one file or glob pattern (--input)"


def test_jsonl_records_get_ids_and_locations(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [{"id": "x", "text": "A."}, {"text": "B."}, {"id": 7, "text": "C."}])
    path.write_text(path.read_text(encoding="utf-8") + "\n  \n" + '{"id": "", "text": "D."}\n', encoding="utf-8")
    assert list(read_records([path])) == [
        InputRecord(f"{path}:1", "x", "A."),
        InputRecord(f"{path}:2", f"{path}:2", "B."),
        InputRecord(f"{path}:3", "7", "C."),
        InputRecord(f"{path}:6", f"{path}:6", "D."),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"{broken", "line is not valid JSON: Expecting property name enclosed in double quotes at column 2"),
        (b'{"id": "a", "text": "x"', "line is not valid JSON: Expecting ',' delimiter at column 24"),
        (b"[1, 2]", "line holds an array, not a JSON object"),
        (b'"an article"', "line holds a string, not a JSON object"),
        (b"42", "line holds a number, not a JSON object"),
        (b"null", "line holds null, not a JSON object"),
        (b'{"text": "caf\xe9"}', "line is not UTF-8 text (byte 0xe9 at column 14)"),
        (b'{"id": "a"}', "record has no 'text' field"),
        (b'{"id": [1], "text": "x"}', "field 'id' must be a string or a whole number, not list"),
        (b'{"id": true, "text": "x"}', "field 'id' must be a string or a whole number, not bool"),
        (b'{"id": 1.5, "text": "x"}', "field 'id' must be a string or a whole number, not float"),
    ],
)
def test_a_bad_jsonl_line_becomes_an_error_record(tmp_path: Path, line: bytes, message: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(line + b"\n")
    (record,) = read_records([path])
    assert (record.error, record.location) == (message, f"{path}:1")


def test_csv_locations_are_the_first_line_of_each_row(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text('\ufeffid,text\n1,"Two\nlines."\n\n,No id.\n3\n', encoding="utf-8")
    assert list(read_records([path])) == [
        InputRecord(f"{path}:2", "1", "Two\nlines."),
        InputRecord(f"{path}:5", f"{path}:5", "No id."),
        InputRecord(f"{path}:6", "3", None, "record has no 'text' field"),
    ]


def test_csv_takes_articles_longer_than_the_csv_module_default(tmp_path: Path) -> None:
    long_text = "word " * 40_000
    path = tmp_path / "in.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["id", "text"], ["1", long_text]])
    assert [record.text for record in read_records([path])] == [long_text]


def test_parquet_locations_are_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    pyarrow.parquet.write_table(pyarrow.table({"text": ["A.", None], "other": [1, 2]}), path)
    assert list(read_records([path])) == [
        InputRecord(f"{path}:1", f"{path}:1", "A."),
        InputRecord(f"{path}:2", f"{path}:2", None),
    ]


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_file_without_the_text_column_is_refused(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"in.{kind}"
    if kind == "csv":
        path.write_text("id,body\n1,x\n", encoding="utf-8")
    else:
        pyarrow.parquet.write_table(pyarrow.table({"id": ["1"], "body": ["x"]}), path)
    with pytest.raises(InputError) as caught:
        check_inputs([path], "text")
    assert str(caught.value) == f"{path} has no 'text' column (columns: id, body); name the text column with text_field"


def test_a_file_that_is_not_parquet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    path.write_text("not parquet", encoding="utf-8")
    with pytest.raises(InputError, match=f"^cannot read {re.escape(str(path))} as Parquet: "):
        check_inputs([path], "text")


def test_a_csv_row_that_is_not_utf8_is_an_error_record_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(b"id,text\n1,ok\n2,caf\xe9\n3,fine\n")
    assert list(read_records([path])) == [
        InputRecord(f"{path}:2", "1", "ok"),
        InputRecord(f"{path}:3", f"{path}:3", None, "row is not UTF-8 text (byte 0xe9)"),
        InputRecord(f"{path}:4", "3", "fine"),
    ]
    assert count_records([path]) == 3


def test_a_csv_header_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(b"id,t\xe9xt\n1,ok\n")
    with pytest.raises(InputError) as caught:
        check_inputs([path], "text")
    assert str(caught.value) == f"the header of {path} is not UTF-8 text (byte 0xe9); convert the file to UTF-8"


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_count_records_matches_the_reader(tmp_path: Path, kind: str) -> None:
    rows = [{"id": str(i), "text": f"Line {i}."} for i in range(7)]
    path = tmp_path / f"in.{kind}"
    if kind == "jsonl":
        write_jsonl(path, [*rows[:3], "{broken", "", *rows[3:]])
    elif kind == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, ["id", "text"])
            writer.writeheader()
            writer.writerows(rows)
            handle.write("\n")
    else:
        pyarrow.parquet.write_table(pyarrow.Table.from_pylist(rows), path)
    assert count_records([path]) == len(list(read_records([path])))


# --------------------------------------------------------------------------- planning and validation


def test_a_repeated_id_gets_an_error_record_under_its_location(service: Service) -> None:
    records = [InputRecord("f:1", "a", "First."), InputRecord("f:2", "a", "Second."), InputRecord("f:3", "b", "Third.")]
    assert list(plan_records(records, service.check_text)) == [
        PendingRecord("a", "First."),
        PendingRecord("f:2", "", "duplicate id 'a': an earlier record has the same id; this one was not processed"),
        PendingRecord("b", "Third."),
    ]


def test_done_ids_are_skipped_and_counted(service: Service) -> None:
    records = [InputRecord("f:1", "a", "First."), InputRecord("f:2", "a", "Again."), InputRecord("f:3", "b", "Third.")]
    counts = BatchCounts()
    planned = list(plan_records(records, service.check_text, done={"a", "f:2"}, counts=counts))
    assert planned == [PendingRecord("b", "Third.")]
    assert counts == BatchCounts(skipped=2)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "text is empty; give the article text"),
        (" \n\t ", "text is empty; give the article text"),
        (42, "text must be a string, not int"),
        (None, "text must be a string, not NoneType"),
        (["a"], "text must be a string, not list"),
        ("x" * 61, "text has 61 characters, over the limit of 60 (limits.max_chars); split it or raise the limit"),
    ],
)
def test_invalid_texts_get_the_service_message(tiny_models: dict[str, Path], value: Any, message: str) -> None:
    small = Service(load_settings(overrides=batch_overrides(tiny_models, **{"limits.max_chars": 60}), environ={}))
    (planned,) = plan_records([InputRecord("f:1", "a", value)], small.check_text)
    assert planned == PendingRecord("a", "", message)


def test_messages_name_the_configured_text_field(service: Service, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [{"body": ""}, {"text": "A."}])
    records = record_dicts(service, read_records([path], "body"), "summarize", "en", text_field="body")
    assert [record["error"] for record in records] == ["body is empty; give the article text", "record has no 'body' field"]


# --------------------------------------------------------------------------- processing


def test_summaries_equal_the_service_results(service: Service) -> None:
    records = [PendingRecord(f"d{i}", text) for i, text in enumerate(DOCS[:6])]
    outputs = group_dicts(service, records, "summarize", "en")
    expected = service.summarize_batch(list(DOCS[:6]), "en")
    assert [output["summary"] for output in outputs] == [result.text for result in expected]
    assert [(o["source_lang"], o["engine"], o["model"]) for o in outputs] == [
        (r.source_lang, r.engine, r.model) for r in expected
    ]
    assert all(list(o) == list(output_fields("summarize")) and o["error"] == "" for o in outputs)


def test_a_text_already_in_the_target_language_is_not_translated(service: Service, tiny_models: dict[str, Path]) -> None:
    english, chinese = DOCS[0], DOCS[1]
    outputs = group_dicts(service, [PendingRecord("en", english), PendingRecord("zh", chinese)], "translate", "zh")
    translated = service.translate(english, "zh")
    assert outputs[0] == {
        "id": "en",
        "translation": translated.text,
        "source_lang": "en",
        "target_lang": "zh",
        "engine": "seq2seq",
        "model": str(tiny_models["marian-en-zh"]),
        "error": "",
        "notes": [],
        "terms": [],
        "quality": translated.quality.to_dict(),
    }
    assert outputs[1] == {
        "id": "zh",
        "translation": "",
        "source_lang": "zh",
        "target_lang": "zh",
        "engine": "",
        "model": "",
        "error": "text is already in 'zh'; translation goes en->zh or zh->en, so set target_lang to the other language",
        "notes": [],
        "terms": [],
        "quality": None,
    }


def test_both_tasks_name_the_summary_then_the_translation_engine(service: Service, tiny_models: dict[str, Path]) -> None:
    (output,) = group_dicts(service, [PendingRecord("en", DOCS[0])], "both", "zh")
    assert output["summary"] == service.summarize(DOCS[0], "zh").text
    assert output["translation"] == service.translate(DOCS[0], "zh").text
    assert output["engine"] == "seq2seq+seq2seq; seq2seq"
    bart, marian = tiny_models["bart"], tiny_models["marian-en-zh"]
    assert output["model"] == f"{bart} + {marian}; {marian}"


def test_error_records_pass_through_without_a_model_call(service: Service) -> None:
    (output,) = group_dicts(service, [PendingRecord("x", "", "record has no 'text' field")], "both", "en")
    assert output == {
        "id": "x",
        "summary": "",
        "translation": "",
        "source_lang": "",
        "target_lang": "en",
        "engine": "",
        "model": "",
        "error": "record has no 'text' field",
        "notes": [],
        "terms": [],
        "quality": None,
    }


class PoisonedService(Service):
    """The real service, except that any call that includes the marked text fails (fault injection)."""

    MARK = "POISON"

    def summarize_batch(self, texts, target_lang=None, **options):  # type: ignore[override]
        if any(self.MARK in text for text in texts):
            raise RuntimeError("a poisoned text broke the call")
        return super().summarize_batch(texts, target_lang, **options)


def test_a_failing_group_falls_back_to_one_call_per_record(service: Service, caplog: pytest.LogCaptureFixture) -> None:
    poisoned = PoisonedService(service.settings, store=service.store)
    texts = [DOCS[0], f"{PoisonedService.MARK} {DOCS[2]}", DOCS[4]]
    outputs = group_dicts(poisoned, [PendingRecord(str(i), t) for i, t in enumerate(texts)], "summarize", "en")
    assert [output["error"] for output in outputs] == ["", "RuntimeError: a poisoned text broke the call", ""]
    # The group's failure is logged (with its traceback) before the retry, not swallowed.
    assert [(r.name, r.levelname, r.getMessage(), r.exc_info[0]) for r in caplog.records] == [
        (
            "summarize.batch.processing",
            "WARNING",
            "a batch of 3 texts failed unexpectedly (RuntimeError: a poisoned text broke the call); each is tried alone",
            RuntimeError,
        )
    ]
    assert [outputs[0]["summary"], outputs[2]["summary"]] == [
        service.summarize(DOCS[0], "en").text,
        service.summarize(DOCS[4], "en").text,
    ]


def test_a_group_whose_model_is_missing_gets_its_error_once_without_a_warning(
    tiny_models: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The cause is known and the same for every text: each record gets the model's message, and no
    'failed ... retrying' warning comes before the correct error records."""
    service = _missing_model_service(tiny_models, tmp_path, "en")
    texts = [DOCS[0], DOCS[2], DOCS[4]]
    outputs = group_dicts(service, [PendingRecord(str(i), t) for i, t in enumerate(texts)], "summarize", "en")
    assert [output["error"] for output in outputs] == [_no_model_message(tmp_path, "en")] * 3
    assert [record for record in caplog.records if record.levelname == "WARNING"] == []


def _missing_model_service(tiny_models: dict[str, Path], folder: Path, *languages: str) -> Service:
    """Seq2seq summaries whose model for each of `languages` is an empty folder."""
    overrides = {f"summarize.models.{lang}.model": str(folder / f"no-model-{lang}") for lang in languages}
    return Service(load_settings(overrides=batch_overrides(tiny_models, **overrides), environ={}), store=ModelStore())


def _no_model_message(folder: Path, lang: str) -> str:
    role = f"summarize.models.{lang}"
    return (
        f"model directory {str(folder / f'no-model-{lang}')!r} ({role}) has no config.json; "
        f"point {role}.model at a folder saved with save_pretrained()"
    )


def test_a_missing_model_fails_its_records_and_the_job_goes_on(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    broken = _missing_model_service(tiny_models, tmp_path, "zh")
    rows = article_rows(6)  # English, Chinese, English...
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    records = run_job([source], tmp_path / "out.jsonl", "summarize", None, service=broken)
    assert read_output(tmp_path / "out.jsonl") == records
    assert [(record["id"], record["source_lang"], record["error"]) for record in records] == [
        (row["id"], lang, "" if lang == "en" else _no_model_message(tmp_path, "zh"))
        for row, lang in zip(rows, ["en", "zh"] * 3)
    ]
    english = [row["text"] for row in rows[::2]]
    assert [record["summary"] for record in records[::2]] == [r.text for r in broken.summarize_batch(english)]
    assert [record["summary"] for record in records[1::2]] == ["", "", ""]


def test_a_job_no_record_of_which_can_succeed_stops_before_it_starts(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    broken = _missing_model_service(tiny_models, tmp_path, "en", "zh")
    source = write_jsonl(tmp_path / "in.jsonl", article_rows(2))
    with pytest.raises(ModelUnavailableError) as caught:
        run_job([source], tmp_path / "out.jsonl", "summarize", "en", service=broken)
    assert str(caught.value) == (
        f"no record of this job can succeed: {_no_model_message(tmp_path, 'en')}; {_no_model_message(tmp_path, 'zh')}"
    )
    assert [path.name for path in tmp_path.iterdir()] == ["in.jsonl"]
    assert broken.store.loads == 0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    order=st.permutations(range(len(DOCS))).map(lambda p: list(p)[:9]),
    group_size=st.integers(min_value=1, max_value=9),
)
def test_outputs_follow_input_order_whatever_the_group_size(service: Service, order: list[int], group_size: int) -> None:
    records = [InputRecord(f"f:{i}", f"d{i}", DOCS[i]) for i in order]
    outputs = record_dicts(service, records, "summarize", "en", group_size=group_size)
    expected = service.summarize_batch([DOCS[i] for i in order], "en")
    assert [output["id"] for output in outputs] == [f"d{i}" for i in order]
    assert [output["summary"] for output in outputs] == [result.text for result in expected]


# --------------------------------------------------------------------------- output files


@pytest.mark.parametrize(
    ("content", "removed", "left"),
    [(b"", 0, b""), (b"a\n", 0, b"a\n"), (b"a\nbc", 2, b"a\n"), (b"abc", 3, b""), (b"a\nb\n{\"id", 4, b"a\nb\n")],
)
def test_cut_partial_line(tmp_path: Path, content: bytes, removed: int, left: bytes) -> None:
    path = tmp_path / "out.jsonl"
    path.write_bytes(content)
    assert cut_partial_line(path) == removed
    assert path.read_bytes() == left


def test_cut_partial_line_finds_a_newline_far_back(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_bytes(b"first\n" + b"x" * 200_000)
    assert cut_partial_line(path) == 200_000
    assert path.read_bytes() == b"first\n"


def _record(task: str = "summarize", target: str = "en", key: str = "a") -> dict[str, Any]:
    record: dict[str, Any] = dict.fromkeys(output_fields(task), "")  # type: ignore[arg-type]
    record.update(id=key, target_lang=target, notes=[], terms=[], quality={"score": 0.7, "flags": [{"code": "length_ratio", "reason": "short"}], "confidence": None})
    return record


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "{path} line 2 is not a record written by summarize batch; move the file away or choose another --output"),
        ('{"text": "x"}', "{path} line 2 is not a record written by summarize batch; move the file away or choose another --output"),
        (
            json.dumps(_record("translate", key="b")),
            "{path} line 2 was written by another job (fields: id, translation, source_lang, target_lang, engine, "
            "model, error, notes, terms, quality; target_lang 'en'); resuming needs the same --task and --to, or choose another --output",
        ),
        (
            json.dumps(_record(target="zh", key="b")),
            "{path} line 2 was written by another job (fields: id, summary, source_lang, target_lang, engine, "
            "model, error, notes, terms, quality; target_lang 'zh'); resuming needs the same --task and --to, or choose another --output",
        ),
    ],
)
def test_an_output_from_elsewhere_is_not_resumed(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text(json.dumps(_record()) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        JsonlOutput(path, "summarize", "en").recover()
    assert str(caught.value) == message.format(path=path)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("out.csv", "cannot tell the format of output {dir}/out.csv from its name; use a name ending in .jsonl, .ndjson, .parquet"),
        ("in.jsonl", "output {dir}/in.jsonl is also an input; choose another --output"),
    ],
)
def test_open_output_rejects(tmp_path: Path, name: str, message: str) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", article_rows(1))
    with pytest.raises(InputError) as caught:
        open_output(tmp_path / name, "summarize", "en", [source])
    assert str(caught.value) == message.format(dir=tmp_path)


@pytest.mark.parametrize("name", ["out.jsonl", "out.parquet"])
def test_an_output_that_is_a_directory_is_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / name).mkdir()
    with pytest.raises(InputError) as caught:
        open_output(tmp_path / name, "summarize", "en").recover()
    assert str(caught.value) == f"output {tmp_path / name} is a directory; give a file name ending in .jsonl or .parquet"


def test_parquet_output_is_journaled_then_converted(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    writer = ParquetOutput(path, "summarize", "en")
    assert writer.recover() == set()
    writer.append([OutputRecord.from_dict(_record(key="a")), OutputRecord.from_dict(_record(key="b"))])
    assert writer.journal.path == tmp_path / "out.parquet.partial.jsonl" and not path.exists()
    writer.finish()
    assert not writer.journal.path.exists()
    assert pyarrow.parquet.read_table(path).to_pylist() == [_record(key="a"), _record(key="b")]


def test_a_finished_parquet_output_is_reopened_only_for_new_records(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    first = ParquetOutput(path, "summarize", "en")
    first.recover()
    first.append([OutputRecord.from_dict(_record(key="a"))])
    first.finish()
    again = ParquetOutput(path, "summarize", "en")
    assert again.recover() == {"a"}
    again.finish()
    assert not again.journal.path.exists()
    more = ParquetOutput(path, "summarize", "en")
    more.recover()
    more.append([OutputRecord.from_dict(_record(key="b"))])
    more.finish()
    assert pyarrow.parquet.read_table(path).to_pylist() == [_record(key="a"), _record(key="b")]


@pytest.mark.parametrize("name", ["out.jsonl", "out.parquet"])
def test_a_job_without_records_writes_an_empty_output(service: Service, tmp_path: Path, name: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("\n", encoding="utf-8")
    assert run_job([source], tmp_path / name, "summarize", "en", service=service) == []
    if name.endswith(".jsonl"):
        assert (tmp_path / name).read_bytes() == b""
    else:
        table = pyarrow.parquet.read_table(tmp_path / name)
        assert (table.num_rows, table.column_names) == (0, list(output_fields("summarize")))
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(["in.jsonl", name])


# --------------------------------------------------------------------------- progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_progress_lines_when_not_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream, interval=0)
    progress.start(10)
    progress.add([OutputRecord("a"), OutputRecord("b", error="bad")])
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert re.fullmatch(r"batch: 2/10 records \(1 failed\), [\d.]+ docs/s(, about \d+(s|m\d\ds) left)?", lines[0])


def test_quiet_progress_writes_only_the_final_line() -> None:
    stream = Terminal()
    progress = Progress(stream, quiet=True, interval=0)
    progress.start(None)
    progress.skip(3)
    progress.add([OutputRecord("a"), OutputRecord("b"), OutputRecord("c", error="bad")])
    line = progress.finish("out.jsonl")
    assert stream.getvalue() == line + "\n"
    assert re.fullmatch(r"batch: 2 done, 1 failed, 3 skipped \(already in the output\) in \d+s; output: out.jsonl", line)


def test_a_terminal_gets_a_bar_with_docs_per_second() -> None:
    stream = Terminal()
    progress = Progress(stream)
    progress.start(4)
    progress.add([OutputRecord(str(i)) for i in range(4)])
    progress.finish("out.jsonl")
    shown = stream.getvalue()
    assert "4/4" in shown and "doc/s" in shown and "failed=0" in shown


# --------------------------------------------------------------------------- whole jobs


def test_bad_records_get_error_records_and_every_good_record_is_done(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    small = Service(load_settings(overrides=batch_overrides(tiny_models, **{"limits.max_chars": 400}), environ={}))
    good = article_rows(6)
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            good[0],
            {"id": "empty", "text": ""},
            good[1],
            {"id": "number", "text": 12345},
            good[2],
            {"id": "missing"},
            good[3],
            {"id": "long", "text": "word " * 100},
            good[4],
            '{"id": "broken", "text": ',
            good[5],
        ],
    )
    out = tmp_path / "out.jsonl"
    records = run_job([source], out, "summarize", "en", service=small)
    assert read_output(out) == records
    errors = {record["id"]: record["error"] for record in records if record["error"]}
    assert errors == {
        "empty": "text is empty; give the article text",
        "number": "text must be a string, not int",
        "missing": "record has no 'text' field",
        "long": "text has 499 characters, over the limit of 400 (limits.max_chars); split it or raise the limit",
        f"{source}:10": "line is not valid JSON: Expecting value at column 26",
    }
    done = [record for record in records if not record["error"]]
    assert [record["id"] for record in done] == [row["id"] for row in good]
    assert [record["summary"] for record in done] == [small.summarize(row["text"], "en").text for row in good]


def test_several_files_of_every_format_in_one_job(service: Service, tmp_path: Path) -> None:
    rows = article_rows(9)
    write_jsonl(tmp_path / "part1.jsonl", rows[:3])
    with (tmp_path / "part2.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["id", "text"])
        writer.writeheader()
        writer.writerows(rows[3:6])
    pyarrow.parquet.write_table(pyarrow.Table.from_pylist(rows[6:]), tmp_path / "part3.parquet")
    out = tmp_path / "out.parquet"
    inputs = [str(tmp_path / "*.jsonl"), str(tmp_path / "part2.csv"), str(tmp_path / "part3.parquet")]
    yielded = run_job(inputs, out, "translate", "en", service=service)
    assert pyarrow.parquet.read_table(out).to_pylist() == yielded
    assert [record["id"] for record in yielded] == [row["id"] for row in rows]
    already = "text is already in 'en'; translation goes en->zh or zh->en, so set target_lang to the other language"
    assert [record["error"] for record in yielded] == [already, ""] * 4 + [already]


def test_a_rerun_with_another_task_is_refused(service: Service, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", article_rows(2))
    out = tmp_path / "out.jsonl"
    run_job([source], out, "summarize", "en", service=service)
    with pytest.raises(InputError, match="was written by another job"):
        run_job([source], out, "both", "en", service=service)


@pytest.mark.parametrize(
    ("task", "target", "message"),
    [
        ("summarise", "en", "task 'summarise' is not supported; use 'summarize', 'translate' or 'both'"),
        ("summarize", "fr", "target_lang 'fr' is not supported; use 'en', 'zh' or 'zh-Hant'"),
    ],
)
def test_an_unknown_task_or_language_is_refused(service: Service, tmp_path: Path, task: str, target: str, message: str) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", article_rows(1))
    with pytest.raises(InputError) as caught:
        run_job([source], tmp_path / "out.jsonl", task, target, service=service)  # type: ignore[arg-type]
    assert str(caught.value) == message


RESUME_ROWS = [*article_rows(9), {"id": "a2", "text": "Repeated id."}, {"id": "blank", "text": " "}]


@pytest.fixture(scope="module")
def clean_runs(service: Service, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One uninterrupted job per output format, to compare resumed jobs with."""
    folder = tmp_path_factory.mktemp("clean")
    source = write_jsonl(folder / "in.jsonl", RESUME_ROWS)
    jsonl, parquet = folder / "out.jsonl", folder / "out.parquet"
    run_job([source], jsonl, "both", "zh", service=service)
    records = run_job([source], parquet, "both", "zh", service=service)
    return {"source": source, "jsonl": jsonl.read_bytes(), "parquet": records}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(min_value=0, max_value=1))
def test_a_job_killed_at_any_byte_resumes_to_the_clean_output(service: Service, clean_runs: dict[str, Any], cut: float) -> None:
    clean: bytes = clean_runs["jsonl"]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out.jsonl"
        out.write_bytes(clean[: int(len(clean) * cut)])
        run_job([clean_runs["source"]], out, "both", "zh", service=service)
        assert out.read_bytes() == clean


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(min_value=0, max_value=1), stale_temp=st.booleans(), finished_too=st.booleans())
def test_a_parquet_job_killed_at_any_moment_resumes_to_the_clean_output(
    service: Service, clean_runs: dict[str, Any], cut: float, stale_temp: bool, finished_too: bool
) -> None:
    journal = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in clean_runs["parquet"]).encode()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out.parquet"
        Path(f"{out}.partial.jsonl").write_bytes(journal[: int(len(journal) * cut)])
        if stale_temp:  # killed while converting
            Path(f"{out}.tmp").write_bytes(b"PAR1 torn")
        if finished_too:  # killed after the rename, before the journal was removed
            pyarrow.parquet.write_table(pyarrow.Table.from_pylist(clean_runs["parquet"][:3]), out)
        run_job([clean_runs["source"]], out, "both", "zh", service=service)
        assert pyarrow.parquet.read_table(out).to_pylist() == clean_runs["parquet"]
        assert sorted(path.name for path in Path(folder).iterdir()) == ["out.parquet"]
