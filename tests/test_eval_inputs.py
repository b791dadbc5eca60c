"""Reading outputs and references: line-aligned text, JSONL by id, and the errors for bad files."""

from __future__ import annotations

import json

import pytest

from summarize.errors import InputError
from summarize.evaluation import load_aligned, read_lines


def _write(path, text: str | bytes):
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _jsonl(path, rows):
    return _write(path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


@pytest.mark.parametrize(
    "content, lines",
    [
        ("a\nb\n", ["a", "b"]),
        ("a\nb", ["a", "b"]),
        ("a\r\nb\r\n", ["a", "b"]),
        ("a\n\nc\n", ["a", "", "c"]),
        ("", []),
        ("第一行\u2028仍是第一行\n", ["第一行\u2028仍是第一行"]),
    ],
    ids=["final-newline", "no-final-newline", "crlf", "blank-line-kept", "empty-file", "unicode-separator-not-a-line-end"],
)
def test_read_lines(tmp_path, content, lines):
    assert read_lines(_write(tmp_path / "f.txt", content)) == lines


def test_text_files_align_by_position_with_several_references(tmp_path):
    items = load_aligned(
        _write(tmp_path / "pred.txt", "p1\np2\n"), [_write(tmp_path / "r1.txt", "a1\na2\n"), _write(tmp_path / "r2.txt", "b1\nb2\n")]
    )
    assert items.outputs == ["p1", "p2"]
    assert items.references == [["a1", "b1"], ["a2", "b2"]]
    assert items.ids is None


def test_jsonl_files_align_by_id(tmp_path):
    pred = _jsonl(tmp_path / "pred.jsonl", [{"id": "x", "text": "px"}, {"id": 2, "text": "p2"}])
    ref = _jsonl(tmp_path / "ref.jsonl", [{"id": "2", "text": [["r2a"], ["r2b"]]}, {"id": "x", "text": "rx"}])
    items = load_aligned(pred, [ref])
    assert items.ids == ["x", "2"]
    assert items.outputs == ["px", "p2"]
    assert items.references == [["rx"], ["r2a", "r2b"]]


def test_jsonl_text_as_a_list_of_sentences_is_one_text_with_a_sentence_per_line(tmp_path):
    pred = _jsonl(tmp_path / "pred.jsonl", [{"id": "1", "text": ["Rain fell.", "Sun rose."]}])
    ref = _jsonl(tmp_path / "ref.jsonl", [{"id": "1", "text": [["Sun rose.", "It was warm."], ["Rain fell."]]}])
    items = load_aligned(pred, [ref])
    assert items.outputs == ["Rain fell.\nSun rose."]
    assert items.references == [["Sun rose.\nIt was warm.", "Rain fell."]]


def test_jsonl_outputs_with_text_references_align_by_position(tmp_path):
    pred = _jsonl(tmp_path / "pred.jsonl", [{"id": "b", "summary": "pb"}, {"id": "a", "summary": "pa"}])
    items = load_aligned(pred, [_write(tmp_path / "ref.txt", "rb\nra\n")], field="summary")
    assert items.references == [["rb"], ["ra"]]


@pytest.mark.parametrize(
    "pred, ref, message",
    [
        (("pred.txt", "a\nb\nc\n"), ("ref.txt", "a\nb\n"), r"pred.txt has 3 lines but .*ref.txt has 2 lines"),
        (
            ("pred.jsonl", [{"id": "1", "text": "a"}, {"id": "2", "text": "b"}]),
            ("ref.jsonl", [{"id": "1", "text": "a"}]),
            r"ids differ: .*pred.jsonl has 2 items but .*ref.jsonl has 1; 1 output ids have no reference \(first: '2'\)",
        ),
        (
            ("pred.jsonl", [{"id": "1", "text": "a"}]),
            ("ref.jsonl", [{"id": "1", "text": "a"}, {"id": "9", "text": "z"}]),
            r"has 1 items but .*ref.jsonl has 2; 1 reference ids have no output \(first: '9'\)",
        ),
        (("pred.jsonl", [{"id": "1", "text": "a"}, {"id": "1", "text": "b"}]), ("ref.jsonl", []), "duplicate id '1'"),
        (("pred.jsonl", [{"text": "a"}]), ("ref.txt", "a\n"), r"line 1: missing 'id'"),
        (("pred.jsonl", [{"id": "1", "body": "a"}]), ("ref.txt", "a\n"), "line 1: 'text' must be a string, a non-empty list of sentences"),
        (("pred.jsonl", "{not json\n"), ("ref.txt", "a\n"), "line 1: not valid JSON"),
        (("pred.jsonl", "[1, 2]\n"), ("ref.txt", "a\n"), "line 1: expected a JSON object"),
        (("pred.txt", b"caf\xe9\n"), ("ref.txt", "a\n"), r"pred.txt is not UTF-8 text \(byte 0xe9 at offset 3\); convert it to UTF-8"),
        (
            ("pred.jsonl", [{"id": "1", "text": [["a"], ["b"]]}]),
            ("ref.jsonl", [{"id": "1", "text": "a"}]),
            "item '1' must hold one output, not several",
        ),
        (
            ("pred.jsonl", [{"id": "1", "text": ["a", ["b"]]}]),
            ("ref.txt", "a\n"),
            "line 1: 'text' must be a string, a non-empty list of sentences, or a list of references",
        ),
        (
            ("pred.jsonl", [{"id": "1", "text": "a"}]),
            ("ref.jsonl", [{"id": "1", "text": [["a"], []]}]),
            "line 1: 'text' must be a string, a non-empty list of sentences, or a list of references",
        ),
    ],
    ids=["line-counts", "missing-reference-id", "extra-reference-id", "duplicate-id", "no-id", "no-text",
         "bad-json", "not-an-object", "not-utf8", "several-outputs", "mixed-list", "empty-sentence-list"],
)
def test_bad_inputs(tmp_path, pred, ref, message):
    paths = []
    for name, content in (pred, ref):
        path = tmp_path / name
        if isinstance(content, list):
            _jsonl(path, content)
        else:
            _write(path, content)
        paths.append(path)
    with pytest.raises(InputError, match=message):
        load_aligned(paths[0], [paths[1]])


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"cannot read .*nope.txt: No such file or directory"):
        load_aligned(tmp_path / "nope.txt", [tmp_path / "ref.txt"])


def test_no_reference_files(tmp_path):
    with pytest.raises(InputError, match="at least one reference file"):
        load_aligned(_write(tmp_path / "p.txt", "a\n"), [])
