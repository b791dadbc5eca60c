"""Documents that cannot stall the server: readers that scan each file once, markup rules kept,
worker processes under a time limit, nesting and value limits with the line they name, pages
given as text read as pages, and misspelt form fields refused."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest
from document_shapes import FIXTURES
from fastapi.testclient import TestClient
from hostile_documents import SHAPES, as_bytes
from hypothesis import given
from hypothesis import strategies as st
from live_server import LiveServer, slowest_health_check

from summarize import InputError, Service, load_settings
from summarize.config import ConfigError
from summarize.documents import looks_like_html, read_document
from summarize.documents.html_tokens import text_nodes
from summarize.documents.isolation import (
    DocumentLimits,
    DocumentReader,
    shared_workers,
)
from summarize.documents.srt import split_in_proportion
from summarize.service import PAGE_READ_NOTE
from summarize.web.server import create_app

OFFLINE = Path(__file__).resolve().parent.parent / "configs" / "offline.yaml"
LOCAL_URL = "http://127.0.0.1"


def _segments(source: str, format_name: str) -> tuple[str, ...]:
    return read_document(source.encode("utf-8"), format_name, "x").segments


# --------------------------------------------------------------------------- Markdown inline markup


@pytest.mark.parametrize(
    ("source", "segments"),
    [
        ("The `river` rose", ("The", "rose")),  # a code span is kept
        ("The ``river ` bank`` rose", ("The", "rose")),  # a run of two closes only at a run of two
        ("Three ``` ticks and `one` here", ("Three ``` ticks and", "here")),  # an unmatched run is text
        ("A ` lone tick", ("A ` lone tick",)),
        ("See [Foo](https://example.org/wiki/Foo_(bar)) now", ("See", "Foo", "now")),  # a target with parentheses
        ("Open ](no end [here", ("Open", "(no end", "here")),  # a target that never closes is text
        ("Tom &amp; Jerry &notanentityatalllongerthanthirtytwoletters; ok", ("Tom", "Jerry &notanentityatalllongerthanthirtytwoletters; ok")),
        ("Mail <a@b.org> or <https://example.org> now", ("Mail", "or", "now")),
    ],
)
def test_markdown_inline_markup_follows_commonmark(source: str, segments: tuple[str, ...]) -> None:
    assert _segments(source, "markdown") == segments


def test_markdown_hard_breaks_are_two_spaces_or_a_backslash() -> None:
    document = read_document(b"One line  \nsecond line\\\nthird\nstill third", "markdown", "x.md")
    assert document.segments == ("One line", "second line", "third still third")
    assert document.rebuild(["A", "B", "C"]) == b"A  \nB\\\nC"


def test_a_long_run_of_backticks_is_one_piece_of_text() -> None:
    source = "`" * 140 + " river " + "`" * 139 + " bank"
    assert _segments(source, "markdown") == (source,)


# --------------------------------------------------------------------------- HTML tokens


@pytest.mark.parametrize(
    ("page", "segments"),
    [
        ("<p>River rose<a href", ("River rose",)),  # a tag the file ends in is no tag, nor text
        ("<p>A</p><!-- x <p>B</p>", ("A",)),  # a comment with no end runs to the end of the file
        ('<p title="a>b">Text</p>', ("Text",)),  # a quoted > does not end the tag
        ("<P CLASS=NoTranslate>kept</P><P>Text</P>", ("kept", "Text")),  # class names are case-sensitive
        ("<p class=notranslate>kept</p><p>Text</p>", ("Text",)),
        ("<script>if (a<b) { x = '</p>' }</script><p>Hi</p>", ("Hi",)),  # script content is no markup
        ("<STYLE>p { color: red }</STYLE>Hi", ("Hi",)),
        ("a < b and c > d", ("a < b and c > d",)),  # a < that opens no tag is text
        ("<p>Tom &amp; Jerry &lt;3</p>", ("Tom & Jerry <3",)),
        ("<pre>code <b>x</b></pre><p>out</p>", ("out",)),
        ("<p translate=no>kept<p>Also kept? no: p closes p</p>", ("Also kept? no: p closes p",)),
    ],
)
def test_html_text_nodes(page: str, segments: tuple[str, ...]) -> None:
    assert _segments(page, "html") == segments


def test_text_node_spans_point_at_the_source() -> None:
    page = "<p>One &amp; two</p>\n<div>three</div>"
    assert [(node.start, node.end, node.text) for node in text_nodes(page, "x")] == [
        (3, 16, "One & two"), (20, 21, "\n"), (26, 31, "three"),
    ]


def test_elements_nested_deeper_than_the_limit_are_refused_with_the_line() -> None:
    page = "<html>\n<body>\n" + "<div>x " * 10
    with pytest.raises(InputError, match=r"^p\.html line 3: elements nested more than 10 deep \(limits\.document_depth\); it was not read$"):
        read_document(page.encode(), "html", "p.html", max_depth=10)
    assert len(read_document(page.encode(), "html", "p.html", max_depth=12).segments) == 10


def test_siblings_a_browser_closes_do_not_count_as_nesting() -> None:
    page = "<ul>" + "<li>item " * 1000 + "</ul><table>" + "<tr><td>a<td>b" * 500 + "</table>"
    document = read_document(page.encode(), "html", "list.html", max_depth=5)
    assert document.segments[:2] == ("item", "item") and len(document.segments) == 2000


# --------------------------------------------------------------------------- SubRip


@pytest.mark.parametrize(
    ("timing", "accepted"),
    [("00:00:01,000 --> 00:00:02,000", True), ("100:00:01,000 --> 100:00:02,000", True),
     ("12345:00:01,000 --> 12345:00:02,000", False), ("-00:00:01,000 --> 00:00:02,000", False)],
)
def test_subtitle_hours_have_two_to_four_digits(timing: str, accepted: bool) -> None:
    source = f"1\n{timing}\nThe river rose.\n".encode()
    if accepted:
        assert read_document(source, "srt", "s.srt").segments == ("The river rose.",)
    else:
        with pytest.raises(InputError, match=rf"^s\.srt line 2: bad timing '{timing[:60]}'; expected"):
            read_document(source, "srt", "s.srt")


def test_a_timestamp_of_five_thousand_digits_names_its_line() -> None:
    source = "1\n00:00:01,000 --> 00:00:02,000\nOne.\n\n2\n" + "9" * 5000 + ":00:01,000 --> 00:00:02,000\nTwo.\n"
    with pytest.raises(InputError, match=r"^s\.srt line 6: bad timing '9{60}'; expected HH:MM:SS,mmm --> HH:MM:SS,mmm$"):
        read_document(source.encode(), "srt", "s.srt")


def test_one_sentence_over_thousands_of_cues_goes_back_to_every_cue() -> None:
    cues = range(1, 3001)
    source = "".join(f"{n}\n00:00:01,000 --> 00:00:02,000\nword{n:05}\n\n" for n in cues)
    document = read_document(source.encode(), "srt", "long.srt")
    assert document.segments == (" ".join(f"word{n:05}" for n in cues),)
    output = document.rebuild([" ".join(f"mot{n:05}" for n in cues)]).decode()
    assert [block.split("\n")[2] for block in output.strip().split("\n\n")] == [f"mot{n:05}" for n in cues]


@given(st.text(alphabet=" ab.，词", max_size=60), st.lists(st.integers(0, 9), min_size=1, max_size=12))
def test_a_proportional_split_keeps_every_character_in_order(text: str, weights: list[int]) -> None:
    pieces = split_in_proportion(text, weights)
    assert len(pieces) == len(weights)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")


# --------------------------------------------------------------------------- worker processes


def test_a_worker_that_overruns_is_stopped_and_replaced() -> None:
    workers = shared_workers()
    with pytest.raises(InputError, match=r"^slow\.html took more than 0\.5 s to read \(limits\.document_seconds\) and was stopped; split it or raise the limit$"):
        workers.call(time.sleep, (60,), "slow.html", 0.5)
    assert workers.call(os.getpid, (), "next.html", 60) != os.getpid()


def test_a_worker_that_dies_is_an_input_error_and_is_replaced() -> None:
    workers = shared_workers()
    with pytest.raises(InputError, match=r"^dead\.html could not be read: its reader stopped \(exit code 3\)$"):
        workers.call(os._exit, (3,), "dead.html", 60)
    assert workers.call(len, ("abc",), "next.html", 60) == 3


def test_a_worker_killed_while_idle_is_replaced() -> None:
    workers = shared_workers()
    first = workers.call(os.getpid, (), "a.html", 60)
    os.kill(first, signal.SIGKILL)
    psutil.Process(first).wait(timeout=30)
    assert workers.call(os.getpid, (), "b.html", 60) not in (first, os.getpid())


def test_a_library_error_in_a_worker_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^odd\.html could not be read \(ValueError\); check that it is a valid file of its format$"):
        shared_workers().call(int, ("x",), "odd.html", 60)


def test_a_document_read_in_a_worker_equals_one_read_here() -> None:
    data = (FIXTURES / "bridge_en.html").read_bytes()
    here = read_document(data, "html", "bridge_en.html")
    there = DocumentReader(DocumentLimits(max_bytes=10_000_000, max_depth=512, seconds=60)).read(data, "html", "bridge_en.html")
    assert (there.format, there.text, dict(there.metadata), there.segments) == (
        here.format, here.text, dict(here.metadata), here.segments,
    )
    translations = [f"T{index}" for index in range(len(here.segments))]
    assert there.rebuild(translations) == here.rebuild(translations)


def test_the_limits_reach_the_worker() -> None:
    reader = DocumentReader(DocumentLimits(max_bytes=100, max_depth=3, seconds=60))
    with pytest.raises(InputError, match=r"^big\.html is over the limit of 100 bytes"):
        reader.read(b"x" * 101, "html", "big.html")
    with pytest.raises(InputError, match=r"^deep\.html line 1: elements nested more than 3 deep"):
        reader.read(b"<div><div><div><div>x", "html", "deep.html")


@pytest.mark.parametrize("value", ["0", "-1"])
def test_document_seconds_must_be_above_zero(value: str) -> None:
    with pytest.raises(ConfigError, match=rf"limits\.document_seconds.*must be above 0, not {value}"):
        load_settings(OFFLINE, {"limits.document_seconds": value})


# --------------------------------------------------------------------------- pages given as text


@pytest.mark.parametrize(
    ("text", "page"),
    [
        ("<!DOCTYPE html><title>x</title>River", True),
        ("  <html lang=en><body>River</body></html>", True),
        ("<p>We use cookies.</p><div>Accept</div><p>The river rose.</p>", True),
        ("Use the <p> tag for paragraphs and the <div> tag for blocks.", False),  # no end tag
        ("The river rose by 2 < 3 metres > expected.", False),
        ("<b>Breaking:</b> the river rose.", False),  # two tags are a fragment of style, not a page
    ],
)
def test_what_looks_like_a_page(text: str, page: bool) -> None:
    assert looks_like_html(text) is page


def test_a_page_given_as_text_is_summarized_as_the_page() -> None:
    service = Service.from_config(OFFLINE)
    data = (FIXTURES / "bridge_en.html").read_bytes()
    as_page = service.summarize_document(data, "html", name="bridge_en.html")
    as_text = service.summarize(data.decode("utf-8"))
    assert as_text.text == as_page.text
    assert "<" not in as_text.text and "cookies" not in as_text.text.lower()
    assert as_text.notes == (PAGE_READ_NOTE, *as_page.notes)


def test_a_page_with_no_text_is_refused() -> None:
    service = Service.from_config(OFFLINE)
    with pytest.raises(InputError, match=r"^text is an HTML page with no text to summarize$"):
        service.summarize("<html><body><script>var x = 1;</script><div></div><p></p></body></html>")


def test_a_translation_of_text_with_tags_is_left_to_the_translator() -> None:
    assert Service.from_config(OFFLINE)._sources(
        ["<p>One.</p><p>Two.</p><p>Three.</p>"], "zh", None, same_as_source=False
    )[0].text == "<p>One.</p><p>Two.</p><p>Three.</p>"


# --------------------------------------------------------------------------- HTTP


@pytest.fixture()
def offline_client() -> TestClient:
    settings = load_settings(OFFLINE, {"limits.document_seconds": "0.2"})
    with TestClient(create_app(settings, with_demo=False), base_url=LOCAL_URL) as client:
        yield client


def test_a_misspelt_form_field_is_refused_by_name(offline_client: TestClient) -> None:
    response = offline_client.post(
        "/v1/documents/summarize",
        files={"file": ("a.txt", b"The river rose. The bank held.")},
        data={"target_lnag": "zh", "lenght": "short"},
    )
    assert response.status_code == 422
    assert response.json() == {"error": {"type": "invalid_request", "message": (
        "lenght: Extra inputs are not permitted; target_lnag: Extra inputs are not permitted "
        "(the form fields are: file, format, glossary, length, model, source_lang, target_lang)"
    )}}
    response = offline_client.post(
        "/v1/documents/translate", files={"file": ("a.txt", b"The river rose.")}, data={"target_lnag": "zh"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("target_lnag: Extra inputs are not permitted (the form fields are: file, format, glossary, source_lang, target_lang)")


def test_the_huge_hour_subtitle_is_a_422_with_its_line(offline_client: TestClient) -> None:
    source = "1\n" + "9" * 5000 + ":00:01,000 --> 00:00:02,000\nThe river rose.\n"
    response = offline_client.post("/v1/documents/summarize", files={"file": ("h.srt", source.encode())})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("h.srt line 2: bad timing '999")


def test_a_document_over_the_time_limit_is_a_422_naming_the_limit(offline_client: TestClient) -> None:
    data = as_bytes(SHAPES["docx"]["paragraphs"](2_000_000))
    response = offline_client.post("/v1/documents/summarize", files={"file": ("many.docx", data)})
    assert response.status_code == 422
    assert response.json() == {"error": {"type": "invalid_input", "message": (
        "many.docx took more than 0.2 s to read (limits.document_seconds) and was stopped; split it or raise the limit"
    )}}


def test_a_page_sent_as_text_to_the_json_route_is_summarized_as_the_page(offline_client: TestClient) -> None:
    page = (FIXTURES / "bridge_en.html").read_text(encoding="utf-8")
    as_text = offline_client.post("/v1/summarize", json={"text": page}).json()
    as_page = offline_client.post("/v1/documents/summarize", files={"file": ("bridge_en.html", page.encode())}).json()
    assert as_text["text"] == as_page["text"]
    assert as_text["notes"] == [PAGE_READ_NOTE, *as_page["notes"]]


WORST_SHAPES = [("markdown", "backticks", ".md"), ("markdown", "links", ".md"), ("html", "broken markup", ".html"),
                ("html", "unclosed tags", ".html"), ("srt", "one sentence", ".srt"), ("docx", "paragraphs", ".docx")]


@pytest.fixture(scope="module")
def live_url() -> str:
    with LiveServer(create_app(load_settings(OFFLINE), with_demo=False)) as server:
        yield server.url


@pytest.mark.parametrize(("format_name", "shape", "suffix"), WORST_SHAPES)
def test_the_server_answers_while_it_reads_a_costly_document(live_url: str, format_name: str, shape: str, suffix: str) -> None:
    """/healthz answers within a second while the format's worst shape, at a quarter of the upload limit,
    is read (before documents were read in a worker, a 10 KB Markdown file stalled it for 40 s); the
    summary is then refused for its length (limits.max_chars) or made."""
    data = as_bytes(SHAPES[format_name][shape](load_settings(OFFLINE).server.max_upload_bytes // 4))
    files = {"file": (f"worst{suffix}", data)}
    with httpx.Client(base_url=live_url, timeout=120) as http, ThreadPoolExecutor(1) as pool:
        upload = pool.submit(http.post, "/v1/documents/summarize", files=files, data={"model": "extractive"})
        slowest = slowest_health_check(http, upload)
        answer = upload.result()
    assert answer.status_code in (200, 422), answer.text
    assert slowest < 1.0


# --------------------------------------------------------------------------- XML attacks stay harmless

_WORD_NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _word_with_document_xml(xml: str) -> bytes:
    """A Word package whose word/document.xml is `xml`, as it is written."""
    import io
    import zipfile

    import docx

    empty = io.BytesIO()
    docx.Document().save(empty)
    output = io.BytesIO()
    with zipfile.ZipFile(empty) as source, zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            target.writestr(item, xml.encode() if item.filename == "word/document.xml" else source.read(item))
    return output.getvalue()


def _body(doctype: str, text: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<w:document xmlns:w="{_WORD_NAMESPACE}"><w:body>'
        f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )


def _reader() -> DocumentReader:
    return DocumentReader(DocumentLimits(max_bytes=5_000_000, max_depth=512, seconds=30))


def test_an_external_entity_is_never_read() -> None:
    secret = Path(__file__)  # a file the worker could read, were entities resolved
    doctype = f'<!DOCTYPE w:document [<!ENTITY leak SYSTEM "file://{secret}">]>'
    document = _reader().read(_word_with_document_xml(_body(doctype, "River &leak; bank")), "docx", "xxe.docx")
    assert document.text == "River"  # the reference stays an unresolved entity: nothing of the file comes in


def test_nested_entities_are_refused() -> None:
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10))
    data = _word_with_document_xml(_body(f"<!DOCTYPE w:document [{entities}]>", "&a9;"))
    with pytest.raises(InputError, match=r"^laughs\.docx is a broken Word document \(XMLSyntaxError\); open and save it again$"):
        _reader().read(data, "docx", "laughs.docx")  # lxml refuses to expand 10**9 "lol"s


def test_xml_nested_ten_thousand_deep_is_refused() -> None:
    deep = "<w:sdt><w:sdtContent>" * 5_000 + "</w:sdtContent></w:sdt>" * 5_000
    data = _word_with_document_xml(_body("", "River").replace("<w:body>", "<w:body>" + deep))
    with pytest.raises(InputError, match=r"^deep\.docx is a broken Word document \(XMLSyntaxError\); open and save it again$"):
        _reader().read(data, "docx", "deep.docx")


# --------------------------------------------------------------------------- batch records and the command line


def test_a_batch_record_over_a_document_limit_gets_its_own_error() -> None:
    from summarize.batch import InputRecord, process_records

    service = Service(load_settings(OFFLINE, {"limits.document_depth": "20"}))
    page = (FIXTURES / "bridge_en.html").read_text(encoding="utf-8")
    deep = "<html><body>" + "<div>x " * 30 + "</body></html>"
    records = [InputRecord("in:1", "page", page), InputRecord("in:2", "deep", deep), InputRecord("in:3", "again", page)]
    out = list(process_records(service, records, "summarize", text_format="html"))
    assert [record.id for record in out] == ["page", "deep", "again"]
    assert out[1].error == "text (html) line 1: elements nested more than 20 deep (limits.document_depth); it was not read"
    assert out[0].error == out[2].error == "" and out[0].summary == out[2].summary != ""


def test_a_page_piped_to_the_command_gives_the_summary_of_the_page_file() -> None:
    page = FIXTURES / "bridge_en.html"
    command = [sys.executable, "-m", "summarize", "summarize", "--config", str(OFFLINE), "--json"]
    piped = subprocess.run([*command, "-"], input=page.read_bytes(), capture_output=True, check=True)
    as_file = subprocess.run([*command, str(page)], capture_output=True, check=True)
    piped_result, file_result = json.loads(piped.stdout), json.loads(as_file.stdout)
    assert piped_result["text"] == file_result["text"]
    assert piped_result["notes"] == [PAGE_READ_NOTE, *file_result["notes"]]
