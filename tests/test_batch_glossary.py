"""`summarize batch --glossary` and run_batch(glossary=...): terms enforced per record and reported in
each output record's `terms` (JSON Lines and Parquet); a bad glossary stops the job before any record."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_batch import batch_overrides, read_output, write_jsonl
from test_cli import run, tiny_flags

from summarize import Service, load_settings
from summarize.batch import run_batch
from summarize.batch.records import OutputRecord
from summarize.glossary import Glossary, TermCheck
from summarize.store import ModelStore

ROWS = [
    {"id": "bridge", "text": "The mayor opened the bridge on Monday. The bridge crosses the river."},
    {"id": "none", "text": "Rain is expected on Sunday."},
    {"id": "zh", "text": "市长周一为大桥剪彩。"},
    {"id": "blank", "text": ""},
]
GLOSSARY_TSV = "mayor\t市长\nbridge\t大桥\n市长\tMayor\n"


def _terms(record: dict) -> list[tuple[str, str]]:
    return [(term["source"], term["target"]) for term in record["terms"]]


def _found_is_true(record: dict, field: str) -> bool:
    return [term["found"] for term in record["terms"]] == [term["target"] in record[field] for term in record["terms"]]


def test_cli_batch_translate_with_a_glossary_reports_each_records_terms(
    capsys: pytest.CaptureFixture[str], tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    articles = write_jsonl(tmp_path / "in.jsonl", ROWS[:2])
    terms = tmp_path / "terms.tsv"
    terms.write_text(GLOSSARY_TSV, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = run(["batch", "--input", str(articles), "--output", str(out), "--task", "translate", "--to", "zh",
                        "--glossary", str(terms), "--quiet", *tiny_flags(tiny_models)], capsys)
    assert code == 0, err
    bridge, none = read_output(out)
    assert (_terms(bridge), _terms(none)) == ([("mayor", "市长"), ("bridge", "大桥")], [])
    assert list(bridge)[-2:] == ["terms", "quality"] and _found_is_true(bridge, "translation")


def test_cli_batch_names_a_bad_glossary_line_before_any_record(
    capsys: pytest.CaptureFixture[str], tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    articles = write_jsonl(tmp_path / "in.jsonl", ROWS[:2])
    terms = tmp_path / "terms.tsv"
    terms.write_text("mayor\t市长\nbridge\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = run(["batch", "--input", str(articles), "--output", str(out), "--task", "translate", "--to", "zh",
                        "--glossary", str(terms), "--quiet", *tiny_flags(tiny_models)], capsys)
    assert (code, err) == (
        1, f"summarize: error: glossary {terms} line 2: expected 2 or 3 columns (source, target, optional direction), got 1\n"
    )
    assert not out.exists()


@pytest.fixture(scope="module")
def service(tiny_models: dict[str, Path]) -> Service:
    return Service(load_settings(overrides=batch_overrides(tiny_models), environ={}), store=ModelStore())


def test_run_batch_takes_a_glossary_and_gives_typed_terms(service: Service, tmp_path: Path) -> None:
    glossary = Glossary.from_mapping({"mayor": "市长", "bridge": "大桥", "市长": "Mayor"})
    records = list(run_batch([write_jsonl(tmp_path / "in.jsonl", ROWS)], tmp_path / "out.jsonl", "translate", "zh",
                             service=service, glossary=glossary))
    by_id = {record.id: record for record in records}
    assert [(t.source, t.target) for t in by_id["bridge"].terms] == [("mayor", "市长"), ("bridge", "大桥")]
    assert all(isinstance(t, TermCheck) and t.found == (t.target in by_id["bridge"].translation) for t in by_id["bridge"].terms)
    assert (by_id["none"].terms, by_id["blank"].terms) == ((), ())
    assert by_id["zh"].error and by_id["zh"].terms == ()  # already Chinese: not translated, no terms
    written = {record["id"]: record for record in read_output(tmp_path / "out.jsonl")}
    assert {key: OutputRecord.from_dict(value) for key, value in written.items()} == by_id  # the file round-trips


def test_the_summarize_task_reports_the_terms_of_each_translated_summary(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    overrides = batch_overrides(tiny_models, **{"summarize.engine": "extractive"})
    extractive = Service(load_settings(overrides=overrides, environ={}), store=ModelStore())
    glossary = Glossary.from_mapping({"Mayor": "市长", "bridge": "大桥", "river": "河"})
    (record,) = run_batch([write_jsonl(tmp_path / "in.jsonl", ROWS[:1])], tmp_path / "out.jsonl", "summarize", "zh",
                          service=extractive, glossary=glossary)
    summary = extractive.summarize(ROWS[0]["text"]).text  # the English summary that was translated
    assert [t.source for t in record.terms] == [t.source for t in glossary.terms_in(summary, "en", "zh")] != []
    assert all(t.found == (t.target in record.summary) for t in record.terms)


def test_parquet_output_holds_the_terms(service: Service, tmp_path: Path) -> None:
    pyarrow_parquet = pytest.importorskip("pyarrow.parquet")
    glossary = Glossary.from_mapping({"mayor": "市长"})
    out = tmp_path / "out.parquet"
    list(run_batch([write_jsonl(tmp_path / "in.jsonl", ROWS[:2])], out, "translate", "zh", service=service, glossary=glossary))
    rows = pyarrow_parquet.read_table(out).to_pylist()
    assert [row["terms"] for row in rows] == [
        [{"source": "mayor", "target": "市长", "found": "市长" in rows[0]["translation"]}], []
    ]


def test_a_both_record_whose_translation_failed_reports_no_terms_of_its_summary() -> None:
    """``terms`` is the translation's for ``translate`` and ``both`` (docs/batch.md): a failed translation
    has none, even where the cross-lingual summary checked some."""
    from summarize.batch.processing import _output_record
    from summarize.batch.records import PendingRecord
    from summarize.results import Result

    summary = Result("市长为大桥剪彩。", "summarize", "en", "zh", "llm", "m", 1, 0.0, terms=(TermCheck("mayor", "市长", True),))
    record = PendingRecord(id="r1", text="The mayor opened the bridge.")
    failed = "no translation model is configured for en-zh (translate.models.en-zh)"
    both = _output_record(record, "both", "zh", "en", summary, failed)
    assert (both.summary, both.translation, both.error, both.terms) == ("市长为大桥剪彩。", "", failed, ())
    assert _output_record(record, "summarize", "zh", "en", summary, None).terms == summary.terms
