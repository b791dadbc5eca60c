"""Document readers: main text of news pages, and segments that rebuild each format exactly."""

from __future__ import annotations

import io
import json

import pytest
from document_shapes import (
    FIXTURES,
    WORD_DOCUMENTS,
    docx_layout,
    html_tags,
    markdown_shape,
    report_word_document,
    word_document,
)
from hypothesis import given
from hypothesis import strategies as st

from summarize.documents import format_for, read_document
from summarize.documents.srt import parse_cues, sentence_groups, split_in_proportion
from summarize.errors import InputError

PAGES = json.loads((FIXTURES / "pages.json").read_text(encoding="utf-8"))


def _read(name: str, format_name: str | None = None):
    path = FIXTURES / name
    return read_document(path.read_bytes(), format_name or format_for(name), name)


def _marked(segments: tuple[str, ...]) -> list[str]:
    """A stand-in translation that says which segment it came from."""
    return [f"T{index}" for index in range(len(segments))]


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.html", "html"), ("A.HTM", "html"), ("a.md", "markdown"), ("a.docx", "docx"), ("a.srt", "srt"),
     ("a.txt", "text"), ("article", "text"), ("notes.log", "text")],
)
def test_the_extension_selects_the_format(name: str, expected: str) -> None:
    assert format_for(name) == expected


def test_an_explicit_format_wins_and_an_unknown_one_is_refused() -> None:
    assert format_for("page.txt", "html") == "html"
    with pytest.raises(InputError, match=r"^--format 'pdf' is not supported; use one of: text, html, markdown, docx, srt$"):
        format_for("a.pdf", "pdf")


def test_a_page_that_is_not_utf8_is_refused_with_the_byte() -> None:
    with pytest.raises(InputError, match=r"^page.html is not UTF-8 text \(byte 0xff at offset 6\); convert it to UTF-8$"):
        read_document(b"<html>\xff</html>", "html", "page.html")


# --------------------------------------------------------------------------- HTML


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_main_text_holds_the_story_and_no_boilerplate(name: str) -> None:
    document = _read(name)
    expected = PAGES[name]
    assert expected["first"] in document.text.split("\n\n")[0] or expected["first"] in document.text
    assert expected["last"] in document.text.split("\n\n")[-1]
    for block in expected["boilerplate"]:
        assert block not in document.text, block


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_headline_is_metadata_not_text(name: str) -> None:
    document = _read(name)
    assert document.metadata["title"]
    assert document.metadata["title"] not in document.text


def test_the_date_comes_from_the_page_not_from_the_copyright_year() -> None:
    assert _read("bridge_en.html").metadata["date"] == "2024-05-02"
    assert "date" not in _read("library_en_broken.html").metadata


@pytest.mark.parametrize("name", sorted(PAGES))
def test_segments_rebuild_the_page_byte_for_byte(name: str) -> None:
    source = (FIXTURES / name).read_bytes()
    document = _read(name)
    unchanged = read_document(source, "html", name)
    # Putting each text back as it was collapsed gives the page with only in-text spacing changed.
    rebuilt = unchanged.rebuild(list(document.segments)).decode("utf-8")
    assert " ".join(rebuilt.split()) == " ".join(source.decode("utf-8").split())


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_translation_keeps_every_tag_attribute_and_nesting(name: str) -> None:
    source = (FIXTURES / name).read_text(encoding="utf-8")
    document = _read(name)
    output = document.rebuild(_marked(document.segments)).decode("utf-8")
    assert html_tags(output) == html_tags(source)


def test_each_text_node_gets_its_own_translation_and_code_is_kept() -> None:
    page = (
        '<html><head><title>Old  title</title><script>var s = "Hello there";</script></head><body>'
        '<p>The <b>mayor</b> said   it was fine.</p><pre>keep   this</pre><code>x = y</code>'
        '<p translate="no">Brand Name</p><p class="lead notranslate">Also kept</p><p>2024</p>'
        "<p>Tom &amp; Jerry</p></body></html>"
    )
    document = read_document(page.encode(), "html", "page.html")
    assert document.segments == ("Old title", "The", "mayor", "said it was fine.", "Tom & Jerry")
    output = document.rebuild(["Titel", "Der", "Bürgermeister", "sagte <ok>", "A & B"]).decode()
    assert output == (
        '<html><head><title>Titel</title><script>var s = "Hello there";</script></head><body>'
        '<p>Der <b>Bürgermeister</b> sagte &lt;ok&gt;</p><pre>keep   this</pre><code>x = y</code>'
        '<p translate="no">Brand Name</p><p class="lead notranslate">Also kept</p><p>2024</p>'
        "<p>A &amp; B</p></body></html>"
    )


def test_broken_markup_is_read_as_a_browser_would() -> None:
    document = read_document(b"<div><p>One sentence here.<p>Another <i>one</b> there", "html", "x.html")
    assert document.segments == ("One sentence here.", "Another", "one", "there")
    assert document.rebuild(["A.", "B", "C", "D"]) == b"<div><p>A.<p>B <i>C</b> D"


# --------------------------------------------------------------------------- Markdown


@pytest.mark.parametrize("name", ["election_en.md", "rain_zh.md", "release_notes_en.md"])
@pytest.mark.parametrize("translation", ["T{}", "译文{}", "a *b* [c] `d` # e <f> | g_h_"])
def test_a_markdown_translation_keeps_the_ast(name: str, translation: str) -> None:
    source = (FIXTURES / name).read_text(encoding="utf-8")
    document = _read(name)
    output = document.rebuild([translation.format(i) for i in range(len(document.segments))]).decode("utf-8")
    assert markdown_shape(output) == markdown_shape(source)


def test_markdown_code_links_and_markers_are_kept_and_text_translated() -> None:
    document = _read("election_en.md")
    output = document.rebuild([segment.upper() for segment in document.segments]).decode("utf-8")
    assert "curl https://example.org/results/RIV-2024-MAYOR" in output  # code block
    assert "`RIV-2024-MAYOR`" in output  # inline code
    assert '[CITY HOUSING PLAN](https://example.org/housing "Housing plan")' in output
    assert "**ALICIA GRANT**" in output
    assert "## WHAT SHE PROMISED" in output
    assert "| NORTH BANK | 61 PER CENT |" in output
    assert "> \"PEOPLE TOLD ME THE SAME THING ON EVERY DOORSTEP: THEY CANNOT AFFORD TO STAY,\" SHE SAID." in output


def test_a_wrapped_paragraph_is_one_segment_and_hard_breaks_keep_their_lines() -> None:
    document = _read("release_notes_en.md")
    assert ". Desks on the third floor are assigned by team; check the list pinned in the kitchen." in document.segments
    output = document.rebuild([segment.upper() for segment in document.segments]).decode("utf-8")
    assert "CHECK THE LIST PINNED IN THE KITCHEN.  \nPARKING PASSES" in output
    assert "<facilities@example.org>" in output


WRAPPED_CHINESE = "市议会周二通过了\n一项计划，将旧货运站\n改建为公园 and a park。"
"""A Chinese paragraph wrapped over three lines in the source, as editors and converters often leave it."""


@pytest.mark.parametrize("format_name", ["html", "markdown"])
def test_a_line_break_inside_a_chinese_paragraph_is_no_space(format_name: str) -> None:
    """A wrapped line is no word break between two Chinese characters (as CSS renders it): no space
    appears there in the text to summarize or in the segment to translate; a real space stays."""
    source = (
        f"<html><body><article><p>{WRAPPED_CHINESE}</p><p>工程明年开始。</p></article></body></html>"
        if format_name == "html"
        else f"# 标题\n\n{WRAPPED_CHINESE}\n\n工程明年开始。\n"
    )
    document = read_document(source.encode("utf-8"), format_name)
    unwrapped = "市议会周二通过了一项计划，将旧货运站改建为公园 and a park。"
    assert document.text == f"{unwrapped}\n\n工程明年开始。"
    assert unwrapped in document.segments
    if format_name == "markdown":
        rebuilt = document.rebuild(list(document.segments)).decode("utf-8")
        assert rebuilt == f"# 标题\n\n{unwrapped}\n\n工程明年开始。\n"  # the paragraph on one line


def test_markdown_summary_text_has_paragraphs_but_no_headings_or_code() -> None:
    document = _read("election_en.md")
    assert document.metadata == {"title": "Riverton votes for a new mayor"}
    assert document.text.startswith("Published 3 October 2024")
    assert "What she promised" not in document.text
    assert "curl" not in document.text
    assert "Voters in Riverton chose a new mayor on Sunday, electing Alicia Grant with fifty-four" in document.text


# --------------------------------------------------------------------------- DOCX


def test_word_runs_of_one_format_are_translated_together_into_the_first_run() -> None:
    document = read_document(word_document(), "docx", "a.docx")
    assert document.segments == (
        "Harbour Bridge reopens", "The bridge reopened on Monday", "after repairs", "Commuters welcomed the news.",
        "Cost", "12 million", "Closed for", "eight months", "Riverton Daily", "Page footer text",
    )
    import docx

    output = docx.Document(io.BytesIO(document.rebuild([s.upper() for s in document.segments])))
    runs = output.paragraphs[1].runs
    assert [run.text for run in runs] == ["THE BRIDGE REOPENED ON MONDAY", "", " AFTER REPAIRS", "."]
    assert [run.bold for run in runs] == [None, None, True, None]
    assert output.tables[0].cell(1, 1).text == "EIGHT MONTHS 2024"
    assert output.tables[0].cell(0, 1).text == "12 MILLION"
    assert output.sections[0].header.paragraphs[0].text == "RIVERTON DAILY"


@pytest.mark.parametrize("name", sorted(WORD_DOCUMENTS))
@pytest.mark.parametrize("translation", ["译文", "A translation"])
def test_a_word_translation_keeps_paragraphs_runs_tables_and_styles(name: str, translation: str) -> None:
    data = WORD_DOCUMENTS[name]()
    document = read_document(data, "docx", name)
    rebuilt = document.rebuild([f"{translation} {index}" for index in range(len(document.segments))])
    assert docx_layout(rebuilt) == docx_layout(data)
    assert read_document(rebuilt, "docx", name).segments == tuple(
        f"{translation} {index}" for index in range(len(document.segments))
    )


def test_a_merged_cell_is_one_segment_and_a_nested_table_is_read() -> None:
    document = read_document(report_word_document(), "docx", "budget_en.docx")
    assert document.segments == (
        "Council passes the budget", "The council", "approved the budget", "on Tuesday", "after a long debate.",
        "Schools get more money.", "Road repairs are delayed.", "Spending by department", "Schools", "Roads",
        "Parks", "Libraries", "City Hall", "Bulletin",
    )
    assert document.text == (
        "The council approved the budget on Tuesday after a long debate.\n\nSchools get more money.\n\n"
        "Road repairs are delayed."
    )


def test_word_body_text_leaves_out_headings() -> None:
    document = read_document(word_document(), "docx", "a.docx")
    assert document.metadata == {"title": "Harbour Bridge reopens"}
    assert document.text == "The bridge reopened on Monday after repairs.\n\nCommuters welcomed the news."


def test_a_file_that_is_not_a_zip_is_not_aword_document() -> None:
    with pytest.raises(InputError, match=r"^a.docx is not a Word document \(.docx\): it is not a zip file$"):
        read_document(b"plain text pretending", "docx", "a.docx")


def test_a_zip_without_a_document_part_is_refused() -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match=r"^a.docx is a zip file but not a Word document \(no word/document.xml\)$"):
        read_document(buffer.getvalue(), "docx", "a.docx")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch: pytest.MonkeyPatch) -> None:
    from summarize.documents import docx as docx_reader

    monkeypatch.setattr(docx_reader, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(InputError, match=r"^a.docx unpacks to [\d,]+ bytes, over the limit of 1,000; it is not read$"):
        read_document(word_document(), "docx", "a.docx")


# --------------------------------------------------------------------------- SRT


def test_subtitle_sentences_over_two_cues_are_one_segment() -> None:
    document = _read("bridge_en.srt")
    assert document.segments == (
        "The Harbour Bridge reopened to traffic on Monday morning after eight months of repairs.",
        "Commuters welcomed the news.",
    )
    assert _read("market_zh.srt").segments == (
        "经过半年的改造，老城菜市场本周重新开门营业。", "一百二十多家摊主陆续搬回了新摊位。", "市场还新设了电子屏。",
    )


@pytest.mark.parametrize("name", ["bridge_en.srt", "market_zh.srt", "interview_en.srt"])
def test_a_subtitle_translation_keeps_cue_numbers_and_timings(name: str) -> None:
    source = (FIXTURES / name).read_text(encoding="utf-8")
    document = _read(name)
    output = document.rebuild(["一二三四五六七八九十" * 2] * len(document.segments)).decode("utf-8")
    before, after = parse_cues(source, name), parse_cues(output, name)
    assert [(c.number, c.timing) for c in after] == [(c.number, c.timing) for c in before]
    assert [bool(c.text) for c in after] == [bool(c.text) for c in before]


def test_a_split_sentence_goes_back_to_its_cues_in_proportion() -> None:
    document = _read("bridge_en.srt")
    output = document.rebuild(["大桥周一上午恢复通车，此前进行了八个月的维修。", "通勤者表示欢迎。"]).decode()
    cues = parse_cues(output, "out.srt")
    assert [cue.text for cue in cues] == ["大桥周一上午恢复通车，", "此前进行了八个月的维修。", "通勤者表示欢迎。"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("1\n00:00:01,000 -> 00:00:02,000\nHi\n", r"^s.srt line 2: bad timing '00:00:01,000 -> 00:00:02,000'; expected HH:MM:SS,mmm --> HH:MM:SS,mmm$"),
        ("1\n00:00:01,000 --> 00:00:02,000\nHi\n\nTwo\n00:00:03,000 --> 00:00:04,000\nYo\n", r"^s.srt line 5: expected a cue number, got 'Two'$"),
        ("1\n00:00:05,000 --> 00:00:02,000\nHi\n", r"^s.srt line 2: cue 1 ends before it starts$"),
        ("1\n", r"^s.srt line 2: cue 1 has no timing line; expected HH:MM:SS,mmm --> HH:MM:SS,mmm$"),
        ("\n\n", r"^s.srt has no subtitles \(no cue number and timing line found\)$"),
    ],
)
def test_a_broken_subtitle_file_names_the_line(content: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_document(content.encode(), "srt", "s.srt")


def test_cues_group_until_a_sentence_ends() -> None:
    cues = parse_cues((FIXTURES / "interview_en.srt").read_text(encoding="utf-8"), "i.srt")
    assert sentence_groups(cues) == [[0], [1], [2], [3]]


@given(
    st.lists(st.sampled_from(["word", "词", "大桥", "reopened,", "，", "ok."]), min_size=1, max_size=30),
    st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=5),
)
def test_proportional_split_loses_no_text(words: list[str], weights: list[int]) -> None:
    text = " ".join(words)
    pieces = split_in_proportion(text, weights)
    assert len(pieces) == len(weights)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")


# --------------------------------------------------------------------------- spacing across markup


@pytest.mark.parametrize(
    ("page", "translations", "expected"),
    [
        # English -> Chinese: the spaces around an inline tag go, as Chinese is written without them.
        ("<p>The <b>mayor</b> said so.</p>", ["这位", "市长", "这样说。"], "<p>这位<b>市长</b>这样说。</p>"),
        # Chinese -> English: words that the Chinese wrote touching get a space between them.
        ("<p>出现<b>大到暴雨</b>，局部</p>", ["there will be", "heavy rain", ", in places"],
         "<p>there will be <b>heavy rain</b>, in places</p>"),
        # English -> English-like output keeps the source's own spaces.
        ("<p>The <b>mayor</b> said.</p>", ["A", "B", "C."], "<p>A <b>B</b> C.</p>"),
    ],
)
def test_spacing_is_fixed_where_a_translation_meets_text_across_a_tag(
    page: str, translations: list[str], expected: str
) -> None:
    document = read_document(page.encode(), "html", "p.html")
    assert document.rebuild(translations).decode() == expected
