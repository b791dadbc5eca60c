"""Every result says how far to trust it: each check of summarize.quality on the team's own outputs, one
case per flag, a clean translation with none, and the result's quality in the Python API and the JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarize import Service, load_settings
from summarize.glossary import TermCheck
from summarize.quality import (
    Flag,
    Quality,
    number_values,
    scored,
    summary_quality,
    translation_quality,
)

OFFLINE = Path(__file__).resolve().parent.parent / "configs" / "offline.yaml"
SOURCE = "The council approved 4.2 million dollars for the new park on Tuesday. Work will start in May 2025."
CLEAN = "市议会周二批准为新公园拨款420万美元。工程将于2025年5月开工。"


def test_a_clean_translation_has_no_flag() -> None:
    assert translation_quality(SOURCE, CLEAN, "en", "zh") == Quality(1.0, ())


@pytest.mark.parametrize(
    ("output", "target", "flag"),
    [
        (SOURCE, "zh", Flag("untranslated", "the output is still in the source language (en)")),
        ("市議會週二批准為新公園撥款420萬美元。工程將於2025年5月開工。", "zh",
         Flag("wrong_script", "Simplified Chinese was asked, but 10 characters are Traditional-only")),
        ("市议会周二批准为新公园拨款420万美元。工程将于2025年5月开工。", "zh-Hant",
         Flag("wrong_script", "Traditional Chinese was asked, but 10 characters are Simplified-only")),
        ("市议会周二批准为新公园拨款420万美元。工程将于2025年5月开工。公园公园公园公园", "zh",
         Flag("repetition", "'公 园' repeats 4 times in a row")),
        ("市议会周二批准为新公园拨款。工程将于2025年5月开工。", "zh", Flag("number_missing", "the number 4.2 million of the source is not in the output")),
        ("市议会周二批准为新公园拨款430万美元。工程将于2025年5月开工。", "zh", Flag("number_missing", "the number 4.2 million of the source is not in the output")),
        ("公园。", "zh", Flag("length_ratio", "output length is 0.11 of the source's, outside the usual 0.7-5.0")),
    ],
    ids=["copied", "traditional-for-zh", "simplified-for-zh-hant", "loop", "dropped-number", "changed-amount", "too-short"],
)
def test_each_translation_check_flags_its_case(output: str, target: str, flag: Flag) -> None:
    assert flag in translation_quality(SOURCE, output, "en", target).flags


def test_a_missing_url_and_glossary_term_are_named() -> None:
    source = "NASA and the makers of the iPhone met at https://example.org/meet on Monday."
    output = "美国宇航局和手机制造商周一会面。"  # English names are often translated: no name check en->zh
    quality = translation_quality(source, output, "en", "zh", (TermCheck("Monday", "周一", True), TermCheck("met", "会晤", False)))
    assert quality.flags == (
        Flag("url_missing", "the URL https://example.org/meet of the source is not in the output"),
        Flag("term_missing", "the glossary term met -> 会晤 was not kept"),
    )
    assert quality.score == 0.6


def test_a_latin_name_of_a_chinese_source_must_stay_and_a_month_is_no_missing_number() -> None:
    quality = translation_quality("苹果公司3月发布了iPhone 16。", "Apple released a new phone in March, the 16th.", "zh", "en")
    assert quality.flags == (Flag("name_missing", "the name iPhone of the source is not in the output"),)


def test_numbers_compare_as_values_across_languages() -> None:
    assert number_values("4.2 million dollars and 1,500 people") == {4200000.0: "4.2 million", 1500.0: "1,500"}
    assert number_values("420万美元，1500人") == {4200000.0: "420万", 1500.0: "1500"}
    summary = "市议会拨款420万美元建设新公园。"
    assert summary_quality(SOURCE, summary, "en", "zh", copies_sentences=False) == Quality(1.0, ())


def test_an_invented_number_and_name_in_a_summary_are_flagged() -> None:
    summary = "The council approved 5 million dollars on Tuesday, Mayor Jane Porter said."
    quality = summary_quality(SOURCE, summary, "en", "en", copies_sentences=False)
    assert quality.flags == (
        Flag("number_unsupported", "the number 5 million is not in the article"),
        Flag("name_unsupported", "the name Mayor Jane Porter is not in the article"),
    )


def test_a_summary_sentence_with_little_support_is_flagged_and_an_extractive_one_is_not() -> None:
    summary = "The council approved money for the park. Residents protested loudly outside the hall yesterday evening."
    abstractive = summary_quality(SOURCE, summary, "en", "en", copies_sentences=False)
    assert [flag.code for flag in abstractive.flags] == ["sentence_unsupported"]
    assert abstractive.flags[0].reason.startswith("summary sentence 2 shares ")
    assert summary_quality(SOURCE, summary, "en", "en", copies_sentences=True) == Quality(1.0, ())


def test_the_score_counts_every_flag_and_stops_at_zero() -> None:
    assert scored([Flag("untranslated", "x"), Flag("wrong_script", "y")]).score == 0.0
    assert scored([Flag("number_missing", "a"), Flag("number_missing", "b")]).score == 0.4


def test_results_carry_their_quality_in_python_and_json() -> None:
    service = Service(load_settings(OFFLINE, environ={}))
    article = (Path(__file__).resolve().parent.parent / "examples" / "article_en.txt").read_text(encoding="utf-8")
    result = service.summarize(article)
    assert result.quality == Quality(1.0, ())  # the extractive engine's sentences are the article's own
    assert result.to_dict()["quality"] == {"score": 1.0, "flags": [], "confidence": None}


def test_batch_records_carry_the_quality_to_sort_by(tmp_path: Path) -> None:
    """Each record holds its result's quality (JSON Lines and Parquet alike), so the doubtful ones can be read first."""
    import json

    import pyarrow.parquet

    from summarize.batch import run_batch

    source = tmp_path / "in.jsonl"
    rows = [{"id": "a", "text": "The council met on Tuesday. It approved 4.2 million dollars."}, {"id": "b", "text": ""}]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    service = Service(load_settings(OFFLINE, environ={}))
    for name in ("out.jsonl", "out.parquet"):
        list(run_batch([source], tmp_path / name, "summarize", service=service))
    written = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [record["quality"] for record in written] == [{"score": 1.0, "flags": [], "confidence": None}, None]  # none for a failed record
    assert [row["quality"] for row in pyarrow.parquet.read_table(tmp_path / "out.parquet").to_pylist()] == [
        {"score": 1.0, "flags": [], "confidence": None}, None,  # a fixed schema: a summary has no confidence
    ]
