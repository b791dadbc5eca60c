"""Batch jobs whose text field holds documents (``--format html``): each record's story is extracted
from the page before it is summarized or translated; a record that cannot be read gets its own error."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
from document_shapes import FIXTURES
from test_batch import OFFLINE_CONFIG, batch_overrides, read_output, write_jsonl

from summarize import InputError, Service, load_settings
from summarize.batch import InputRecord, process_records, run_batch
from summarize.batch.planning import plan_records
from summarize.cli import main
from summarize.documents import read_document
from summarize.store import ModelStore

PAGES: dict[str, dict[str, Any]] = json.loads((FIXTURES / "pages.json").read_text(encoding="utf-8"))
"""The team's news pages: each story's first and last sentence, and the boilerplate around it."""
MENU_ONLY = "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><footer>© Riverton Daily</footer></body></html>"
BAD_SUBTITLES = "1\n00:00:01,000 --> 00:00:02,500\nThe council met.\n\n2\n00:00:03 -> 00:00:04\nIt voted.\n"


def _page(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def offline() -> Service:
    return Service(load_settings(OFFLINE_CONFIG, environ={}), store=ModelStore())


def test_the_command_summarizes_the_story_of_each_page_and_reports_each_bad_record(
    offline: Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [{"id": name, "text": _page(name)} for name in PAGES]
    rows += [{"id": "menu-only", "text": MENU_ONLY}, {"id": "empty", "text": ""}, {"id": "number", "text": 7}]
    source, out = write_jsonl(tmp_path / "pages.jsonl", rows), tmp_path / "out.jsonl"
    code = main(["batch", "--input", str(source), "--output", str(out), "--task", "summarize", "--format", "html"]
                + ["--config", str(OFFLINE_CONFIG), "--quiet"])
    assert code == 0
    records = {record["id"]: record for record in read_output(out)}
    assert [record["id"] for record in read_output(out)] == [row["id"] for row in rows]
    for name, page in PAGES.items():
        expected = offline.summarize_document((FIXTURES / name).read_bytes(), "html", name=name)
        record = records[name]
        assert (record["summary"], record["error"], record["notes"]) == (expected.text, "", list(expected.notes))
        assert not [block for block in page["boilerplate"] if block in record["summary"]]
        assert record["notes"][0].startswith("document title: ")
    assert {name: (records[name]["summary"], records[name]["error"]) for name in ("menu-only", "empty", "number")} == {
        "menu-only": ("", "text (html) has no main text (no paragraphs found)"),
        "empty": ("", "text is empty; give the article text"),
        "number": ("", "text must be a string, not int"),
    }
    assert re.fullmatch(r"batch: 5 done, 3 failed, 0 skipped \(already in the output\) in \d+s; output: .*out\.jsonl\n",
                        capsys.readouterr().err)


def test_a_page_over_the_document_limit_gets_its_own_error_and_is_not_read(offline: Service, tmp_path: Path) -> None:
    at_limit = (FIXTURES / "library_en_broken.html").read_bytes()
    rows = [
        {"id": "market", "text": _page("market_zh.html")},  # fewer characters than the limit, more UTF-8 bytes
        {"id": "bridge", "text": _page("bridge_en.html")},  # more characters than the limit
        {"id": "library", "text": at_limit.decode("utf-8")},
    ]
    assert (len(rows[0]["text"]), len(rows[0]["text"].encode()), len(rows[1]["text"])) == (940, 1651, 2352)
    source, out = write_jsonl(tmp_path / "pages.jsonl", rows), tmp_path / "out.jsonl"
    code = main(["batch", "--input", str(source), "--output", str(out), "--task", "summarize", "--format", "html",
                 "--config", str(OFFLINE_CONFIG), "--set", f"limits.max_document_bytes={len(at_limit)}", "--quiet"])
    message = (
        f"text (html) is over the limit of {len(at_limit):,} bytes (limits.max_document_bytes); it was not read: "
        "split it or raise the limit"
    )
    story = offline.summarize_document(at_limit, "html", name="library").text
    assert code == 0
    assert [(record["id"], record["summary"], record["error"]) for record in read_output(out)] == [
        ("market", "", message), ("bridge", "", message), ("library", story, ""),
    ]


def test_a_document_file_over_the_limit_is_refused_before_it_is_read() -> None:
    page = (FIXTURES / "market_zh.html").read_bytes()
    service = Service(load_settings(OFFLINE_CONFIG, {"limits.max_document_bytes": len(page) - 1}, environ={}))
    message = (
        f"market_zh.html is over the limit of {len(page) - 1:,} bytes (limits.max_document_bytes); it was not read: "
        "split it or raise the limit"
    )
    for call in (service.summarize_document, lambda *args, name: service.translate_document(*args, "en", name=name)):
        with pytest.raises(InputError) as error:
            call(page, "html", name="market_zh.html")
        assert str(error.value) == message


def test_a_csv_column_of_pages_is_translated_from_its_story(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    service = Service(load_settings(overrides=batch_overrides(tiny_models), environ={}), store=ModelStore())
    source = tmp_path / "pages.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["id", "html"])
        writer.writeheader()
        writer.writerows([{"id": "bridge", "html": _page("bridge_en.html")}, {"id": "market", "html": _page("market_zh.html")}])
    records = [record.to_dict() for record in run_batch([source], tmp_path / "out.jsonl", "translate", "zh",
                                                         service=service, text_field="html", text_format="html")]
    story = read_document((FIXTURES / "bridge_en.html").read_bytes(), "html", "bridge_en.html")
    expected = service.translate(story.text, "zh")
    assert records[0]["id"] == "bridge"
    assert (records[0]["translation"], records[0]["error"]) == (expected.text, "")
    assert records[0]["notes"] == [*story.notes, *expected.notes]
    assert records[1]["id"] == "market"
    assert records[1]["error"] == (
        "text is already in 'zh'; translation goes en->zh or zh->en, so set target_lang to the other language"
    )


def test_broken_html_is_read_and_bad_subtitles_name_their_line(offline: Service) -> None:
    broken = [InputRecord("in.jsonl:1", "broken", _page("library_en_broken.html"))]
    summary, = process_records(offline, broken, "summarize", text_format="html")
    expected = offline.summarize_document((FIXTURES / "library_en_broken.html").read_bytes(), "html", name="broken")
    assert (summary.error, summary.summary, summary.notes) == ("", expected.text, expected.notes)
    assert PAGES["library_en_broken.html"]["first"] in summary.summary
    good_cue = BAD_SUBTITLES.split("\n\n")[0]
    subtitles = [InputRecord("in.jsonl:1", "bad", BAD_SUBTITLES), InputRecord("in.jsonl:2", "good", good_cue)]
    bad, good = process_records(offline, subtitles, "summarize", text_format="srt")
    assert bad.error == (
        "text (srt) line 6: bad timing '00:00:03 -> 00:00:04'; expected HH:MM:SS,mmm --> HH:MM:SS,mmm"
    )
    assert (good.error, good.summary) == ("", "The council met.")


def test_pages_already_in_the_output_are_not_read_again() -> None:
    records = [InputRecord(f"in.jsonl:{line}", f"p{line}", "<p>Story.</p>") for line in (1, 2, 3)]
    read: list[str] = []

    def reader(record: InputRecord) -> InputRecord:
        read.append(record.id)
        return record

    planned = list(plan_records(records, str, done={"p1", "p3"}, read_text=reader))
    assert ([record.id for record in planned], read) == (["p2"], ["p2"])


def test_a_format_a_text_field_cannot_hold_is_refused(offline: Service, tmp_path: Path) -> None:
    message = "text_format 'docx' is not supported for a batch job's text field; use one of: text, html, markdown, srt"
    with pytest.raises(InputError) as error:
        list(process_records(offline, [], "summarize", text_format="docx"))
    assert str(error.value) == message
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "<p>Story.</p>"}])
    with pytest.raises(InputError) as error:
        list(run_batch([source], tmp_path / "out.jsonl", "summarize", service=offline, text_format="docx"))
    assert str(error.value) == message
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.jsonl"]  # refused before any output
