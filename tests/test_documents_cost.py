"""Documents that cost what their text costs: a page with more text than ``limits.max_chars`` is refused
before its main text is extracted (with the service's own words), a page of much markup and little text
is read as before, and a sentence over ten thousand subtitle cues is joined and split back cue by cue.
Timing decides no test here: benchmarks/document_scaling.py measures the shapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarize import Service, load_settings
from summarize.documents import html as html_reader
from summarize.documents import read_document, read_text_document
from summarize.documents.isolation import DocumentLimits, DocumentReader
from summarize.documents.srt import parse_cues
from summarize.errors import InputError
from summarize.text import _needs_space, join_sentences

OFFLINE = Path(__file__).resolve().parent.parent / "configs" / "offline.yaml"
PARAGRAPH = "The river rose by two metres overnight."


def _page(paragraphs: int, markup: str = "") -> str:
    """A page titled "River" (5 characters of text) with `paragraphs` of PARAGRAPH (39 each), `markup` in its head."""
    return (
        f"<!DOCTYPE html><html><head><title>River</title>{markup}</head><body><article>"
        + f"<p>{PARAGRAPH}</p>\n" * paragraphs
        + "</article></body></html>"
    )


def _over_the_limit(name: str, characters: int, limit: int) -> str:
    return (
        f"^{name.replace('.', '[.]')} has {characters:,} characters of text, over the limit of {limit:,} "
        r"\(limits\.max_chars\); split it or raise the limit$"
    )


@pytest.fixture()
def no_extraction(monkeypatch: pytest.MonkeyPatch) -> None:
    """The main-text extractor (trafilatura) fails the test if it is reached."""

    def extract(source: str) -> tuple[str, dict[str, str]]:
        raise AssertionError("the page's main text was extracted")

    monkeypatch.setattr(html_reader, "_main_text", extract)


# --------------------------------------------------------------------------- pages over the text limit


def test_a_page_over_the_character_limit_is_refused_before_its_main_text_is_extracted(no_extraction: None) -> None:
    page = _page(30).encode()  # 5 + 30 * 39 = 1,175 characters of text
    with pytest.raises(InputError, match=_over_the_limit("p.html", 1_175, 1_000)):
        read_document(page, "html", "p.html", max_chars=1_000)
    with pytest.raises(InputError, match=_over_the_limit("p.html", 1_175, 1_174)):
        read_text_document(page.decode(), "html", "p.html", max_chars=1_174)
    with pytest.raises(AssertionError, match="^the page's main text was extracted$"):  # at the limit it is
        read_document(page, "html", "p.html", max_chars=1_175)


def test_a_page_at_the_character_limit_is_read() -> None:
    page = _page(30).encode()
    limited, unlimited = read_document(page, "html", "p.html", max_chars=1_175), read_document(page, "html", "p.html")
    assert (limited.text, dict(limited.metadata), limited.segments) == (
        unlimited.text, dict(unlimited.metadata), unlimited.segments
    )
    assert limited.segments == ("River", *[PARAGRAPH] * 30)


def test_a_page_of_much_markup_and_little_text_is_read_as_before() -> None:
    markup = (
        "<script>" + "var river = {level: 2, unit: 'metres'};\n" * 3_000 + "</script>"
        + "<style>" + "p.river { margin: 0 0 1em 0 }\n" * 3_000 + "</style>"
        + "<!-- " + "an editor's note " * 3_000 + "-->"
        + '<meta name="description" content="' + "river " * 3_000 + '">'
    )
    page = _page(2, markup).encode()
    assert len(page) > 200_000
    limited, unlimited = read_document(page, "html", "p.html", max_chars=100), read_document(page, "html", "p.html")
    assert (limited.text, dict(limited.metadata), limited.segments) == (
        unlimited.text, dict(unlimited.metadata), unlimited.segments
    )
    assert limited.text == f"{PARAGRAPH}\n\n{PARAGRAPH}"
    assert limited.segments == ("River", PARAGRAPH, PARAGRAPH)


def test_the_refusal_is_the_one_the_service_gives_after_reading() -> None:
    page = _page(30).encode()
    service = Service(load_settings(OFFLINE, {"limits.max_chars": "1000"}))
    with pytest.raises(InputError) as by_the_service:
        service.translate_document(page, "html", "zh", name="p.html")
    with pytest.raises(InputError) as by_the_reader:
        read_document(page, "html", "p.html", max_chars=1_000)
    assert str(by_the_reader.value) == str(by_the_service.value)


def test_the_character_limit_reaches_the_worker() -> None:
    reader = DocumentReader(DocumentLimits(max_bytes=5_000_000, max_depth=512, seconds=60, max_chars=1_000))
    with pytest.raises(InputError, match=_over_the_limit("p.html", 1_175, 1_000)):
        reader.read(_page(30).encode(), "html", "p.html")
    assert reader.read(_page(25).encode(), "html", "q.html").segments == ("River", *[PARAGRAPH] * 25)


@pytest.mark.parametrize(
    ("format_name", "source", "characters"),
    [
        ("srt", "".join(f"{n}\n00:00:01,000 --> 00:00:02,000\nThe river rose.\n\n" for n in range(1, 101)), 1_500),
        ("text", "The river rose. " * 100, 1_600),
    ],
)
def test_subtitles_and_plain_text_over_the_character_limit_are_refused_when_read(
    format_name: str, source: str, characters: int
) -> None:
    with pytest.raises(InputError, match=_over_the_limit("d.x", characters, characters - 1)):
        read_document(source.encode(), format_name, "d.x", max_chars=characters - 1)
    assert read_document(source.encode(), format_name, "d.x", max_chars=characters).segments


def test_text_without_words_is_no_text_over_the_limit() -> None:
    """Numbers and punctuation are not translated, so they count for nothing (the service says the
    document has no text to work on)."""
    assert read_document(b"2026 - 12 - 07\n" * 100, "text", "d.txt", max_chars=10).segments == ()


# --------------------------------------------------------------------------- a sentence over many cues


def _timing(n: int) -> str:
    start, end = n * 2, n * 2 + 1
    return f"{start // 3600:02}:{start // 60 % 60:02}:{start % 60:02},000 --> {end // 3600:02}:{end // 60 % 60:02}:{end % 60:02},500"


def test_a_sentence_over_ten_thousand_cues_goes_back_to_every_cue_in_order() -> None:
    cues = range(1, 10_001)
    source = "".join(f'{n}\n{_timing(n)}\nsaid "word{n:05}"\n\n' for n in cues)
    document = read_document(source.encode(), "srt", "long.srt")
    assert document.segments == (" ".join(f'said "word{n:05}"' for n in cues),)
    output = document.rebuild([" ".join(f'"mot{n:05}"' for n in cues)]).decode()
    rebuilt = parse_cues(output, "out.srt")
    assert [(cue.number, cue.timing) for cue in rebuilt] == [(str(n), _timing(n)) for n in cues]
    assert [cue.text for cue in rebuilt] == [f'"mot{n:05}"' for n in cues]


def _join_reading_everything(sentences: list[str]) -> str:
    """join_sentences as it was: each seam decided on all the text joined so far (quadratic)."""
    joined = ""
    for sentence in sentences:
        if joined and sentence and not (joined[-1].isspace() or sentence[0].isspace()) and _needs_space(joined, sentence):
            joined += " "
        joined += sentence
    return joined


@given(
    st.lists(
        st.one_of(
            st.text(alphabet='aZ9 河水.。，!?…"\')”’」』）】》“‘「『（(【《', max_size=5),
            st.sampled_from(["iPhone", "2026年", "……", "他说：“好”", 'said "no"', "(see below)"]),
        ),
        max_size=60,
    )
)
def test_sentences_are_joined_as_when_each_seam_read_everything(texts: list[str]) -> None:
    """Each seam reads only the end of the text joined so far (linear time for 10,000 cues), with the same
    result as reading all of it, closing marks and ellipses at the seam included."""
    assert join_sentences(texts) == _join_reading_everything(texts)
