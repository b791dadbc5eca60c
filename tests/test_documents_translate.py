"""Documents through the service and the CLI, on the tiny models: structure kept, each text
replaced by its own translation, summaries without page furniture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from document_shapes import (
    FIXTURES,
    WORD_DOCUMENTS,
    docx_layout,
    html_tags,
    markdown_shape,
    word_document,
)
from test_cli import OFFLINE, run, tiny_flags

from summarize.documents import read_document
from summarize.documents.srt import parse_cues
from summarize.errors import InputError

PAGES = json.loads((FIXTURES / "pages.json").read_text(encoding="utf-8"))


def _expected_translations(service, segments: tuple[str, ...], target: str, source: str) -> list[str]:
    """What the service gives for each segment on its own: the document must hold exactly these."""
    return [result.text for result in service.translate_batch(list(segments), target, source_lang=source)]


def _direction(name: str) -> tuple[str, str]:
    """(target, source) of a fixture whose name holds its language: ``bridge_en.html`` goes en -> zh."""
    source = next(part for part in Path(name).stem.split("_") if part in ("en", "zh"))
    return ("zh" if source == "en" else "en"), source


@pytest.mark.parametrize(("name", "target", "source"), [(name, *_direction(name)) for name in sorted(PAGES)])
def test_a_page_translation_keeps_its_tags_and_maps_each_text_to_its_translation(
    tiny_service, name: str, target: str, source: str
) -> None:
    data = (FIXTURES / name).read_bytes()
    translation = tiny_service.translate_document(data, "html", target, name=name)
    output = translation.data.decode("utf-8")
    assert html_tags(output) == html_tags(data.decode("utf-8"))
    document = read_document(data, "html", name)
    expected = _expected_translations(tiny_service, document.segments, target, source)
    assert translation.result.text.split("\n") == expected
    # Each text node of the output holds its own segment's translation, in document order.
    assert read_document(translation.data, "html", name).segments == tuple(" ".join(t.split()) for t in expected)
    assert (translation.result.source_lang, translation.result.target_lang, translation.result.engine) == (
        source, target, "seq2seq"
    )
    assert translation.result.chunks >= len(expected)


@pytest.mark.parametrize("name", ["election_en.md", "rain_zh.md", "release_notes_en.md"])
def test_a_markdown_translation_keeps_its_ast(tiny_service, name: str) -> None:
    source = (FIXTURES / name).read_text(encoding="utf-8")
    target, from_lang = _direction(name)
    translation = tiny_service.translate_document(source.encode(), "markdown", target, name=name)
    assert markdown_shape(translation.data.decode("utf-8")) == markdown_shape(source)
    assert translation.result.text.split("\n") == _expected_translations(
        tiny_service, read_document(source.encode(), "markdown", name).segments, target, from_lang
    )
    assert "curl https://example.org/results/RIV-2024-MAYOR" in translation.data.decode() or name != "election_en.md"


@pytest.mark.parametrize("name", sorted(WORD_DOCUMENTS))
def test_a_word_translation_keeps_paragraphs_runs_and_tables(tiny_service, name: str) -> None:
    data = WORD_DOCUMENTS[name]()
    target, source = _direction(name)
    translation = tiny_service.translate_document(data, "docx", target, name=name)
    assert docx_layout(translation.data) == docx_layout(data)
    assert translation.result.text.split("\n") == _expected_translations(
        tiny_service, read_document(data, "docx", name).segments, target, source
    )


@pytest.mark.parametrize(("name", "target"), [("bridge_en.srt", "zh"), ("interview_en.srt", "zh"), ("market_zh.srt", "en")])
def test_a_subtitle_translation_keeps_cues_and_timings_exactly(tiny_service, name: str, target: str) -> None:
    source = (FIXTURES / name).read_text(encoding="utf-8")
    translation = tiny_service.translate_document(source.encode(), "srt", target, name=name)
    before, after = parse_cues(source, name), parse_cues(translation.data.decode("utf-8"), name)
    assert [(cue.number, cue.timing) for cue in after] == [(cue.number, cue.timing) for cue in before]


def test_a_document_already_in_the_target_language_is_refused(tiny_service) -> None:
    with pytest.raises(InputError, match=r"^bridge_en.html is already in 'en'; set target_lang to the other language$"):
        tiny_service.translate_document((FIXTURES / "bridge_en.html").read_bytes(), "html", "en", name="bridge_en.html")


def test_a_document_without_words_is_refused(tiny_service) -> None:
    with pytest.raises(InputError, match=r"^e.html has no text to work on \(no paragraphs, cells or subtitles with words\)$"):
        tiny_service.translate_document(b"<p>2024</p><p>  </p>", "html", "zh", name="e.html")


def test_a_document_over_the_character_limit_is_refused(tiny_models) -> None:
    from conftest import tiny_overrides

    from summarize import Service, load_settings
    from summarize.store import ModelStore

    settings = load_settings(overrides=tiny_overrides(tiny_models, **{"limits.max_chars": 500}), environ={})
    with pytest.raises(InputError, match=r"^bridge_en.html has 1,[\d]{3} characters of text, over the limit of 500 \(limits.max_chars\)"):
        Service(settings, store=ModelStore()).translate_document(
            (FIXTURES / "bridge_en.html").read_bytes(), "html", "zh", name="bridge_en.html"
        )


# --------------------------------------------------------------------------- CLI


def test_cli_translates_a_page_into_a_page(capsys, tiny_models, tmp_path: Path) -> None:
    output = tmp_path / "out.html"
    page = FIXTURES / "bridge_en.html"
    code, out, err = run(
        ["translate", str(page), "--to", "zh", "-o", str(output), "--json", *tiny_flags(tiny_models)], capsys
    )
    assert (code, err) == (0, "")
    assert json.loads(out)["task"] == "translate"
    assert html_tags(output.read_text(encoding="utf-8")) == html_tags(page.read_text(encoding="utf-8"))


def test_cli_says_where_it_wrote_the_translation(capsys, tiny_models, tmp_path: Path) -> None:
    output = tmp_path / "out.srt"
    code, out, err = run(
        ["translate", str(FIXTURES / "bridge_en.srt"), "--to", "zh", "-o", str(output), *tiny_flags(tiny_models)], capsys
    )
    assert (code, out, err) == (0, "", f"summarize: wrote the Chinese translation to {output}\n")
    assert [cue.timing for cue in parse_cues(output.read_text(encoding="utf-8"), "out.srt")][0] == "00:00:01,000 --> 00:00:03,200"


def test_cli_prints_a_translated_text_document_without_output_file(capsys, tiny_models) -> None:
    code, out, _ = run(["translate", str(FIXTURES / "bridge_en.srt"), "--to", "zh", *tiny_flags(tiny_models)], capsys)
    assert code == 0
    assert [cue.timing for cue in parse_cues(out, "stdout")][0] == "00:00:01,000 --> 00:00:03,200"


def test_cli_needs_an_output_file_for_word_documents(capsys, tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    path.write_bytes(word_document())
    code, _, err = run(["translate", str(path), "--to", "zh"], capsys)
    assert code == 1
    assert err == "summarize: error: a Word document translates to a Word document: give the output file with -o PATH\n"


def test_cli_reports_a_broken_word_document(capsys, tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    path.write_text("not a zip")
    code, _, err = run(["summarize", str(path), "--config", OFFLINE], capsys)
    assert (code, err) == (1, f"summarize: error: {path} is not a Word document (.docx): it is not a zip file\n")


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_page_summary_has_no_menu_banner_or_footer(capsys, name: str) -> None:
    for length in ("short", "medium", "long"):
        code, out, err = run(["summarize", str(FIXTURES / name), "--config", OFFLINE, "--length", length, "--json"], capsys)
        assert code == 0
        result = json.loads(out)
        for block in PAGES[name]["boilerplate"]:
            assert block not in result["text"], (length, block)
        if length != "short" or "_zh" in name:  # a short English summary goes by content alone
            assert PAGES[name]["first"] in result["text"]
    assert f"document title: {read_document((FIXTURES / name).read_bytes(), 'html').metadata['title']}" in result["notes"]


def test_cli_words_the_same_language_error_with_its_flag(capsys, tiny_models) -> None:
    code, _, err = run(["translate", str(FIXTURES / "bridge_en.html"), "--to", "en", *tiny_flags(tiny_models)], capsys)
    assert (code, err) == (1, f"summarize: error: {FIXTURES / 'bridge_en.html'} is already in 'en'; set --to to the other language\n")
