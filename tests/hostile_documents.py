"""Documents built to cost a reader as much as they can: one builder per format and shape of content.

Each builder takes a size in bytes and returns a file of about that size (never over it), made of one
pattern repeated; the benchmark (benchmarks/document_scaling.py) doubles the size up to the upload
limit, and the tests send the worst shape of each format to a live server. The texts are the team's.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable


def _repeat(unit: str, size: int, head: str = "", tail: str = "") -> str:
    count = max(1, (size - len(head.encode()) - len(tail.encode())) // len(unit.encode()))
    return head + unit * count + tail


def markdown_backticks(size: int) -> str:
    """Backtick runs of growing length, none closing another: each one a code span's possible opening."""
    pieces, used, length = [], 0, 1
    while used + length + 7 <= size:
        pieces.append("`" * length + " river ")
        used += length + 7
        length += 1
    return "".join(pieces)


def markdown_links(size: int) -> str:
    """One paragraph of links whose targets never close: ``](`` with no ``)`` after it."""
    return _repeat("[the river](https://example.org/river [bank][", size)


def markdown_emphasis(size: int) -> str:
    """Emphasis openers that never close, and underscores inside words."""
    return _repeat("*the _river snake_case **bank ", size)


def markdown_html(size: int) -> str:
    """Inline tags and autolinks that never end: ``<`` with no ``>``."""
    return _repeat("<span class=x the river <https://example.org ", size)


def markdown_nesting(size: int) -> str:
    """Quotes and list items nested as deep as the lines go."""
    return "".join(">" * depth + " - the river\n" for depth in range(1, 200)) * max(1, size // 20_000)


def markdown_long_line(size: int) -> str:
    """One line of words and spaces, ending in two spaces (a hard break) far from its start."""
    return _repeat("river   ", size, tail="bank  \nend")


def html_nesting(size: int) -> str:
    """Elements nested inside each other as deep as the file goes."""
    return _repeat("<div>river ", size, head="<html><body>")


def html_paragraphs(size: int) -> str:
    """Many short paragraphs: a flat page."""
    return _repeat("<p>The river rose by two metres overnight.</p>\n", size, "<html><body>", "</body></html>")


def html_inline(size: int) -> str:
    """One paragraph of inline tags and links around single words."""
    return _repeat('<a href="/r">river</a> <b>bank</b> <i>flood</i> ', size, "<html><body><p>", "</p></body></html>")


def html_unclosed(size: int) -> str:
    """Paragraphs and list items that are never closed, and stray end tags."""
    return _repeat("<p>The river <li>rose</span></em> ", size, "<html><body>")


def html_whitespace(size: int) -> str:
    """Text nodes of long whitespace runs between words."""
    return _repeat("river" + " " * 200 + "\n", size, "<html><body><p>", "</p></body></html>")


def html_broken_markup(size: int) -> str:
    """Tags and comments that never end: ``<a`` and ``<!--`` with no closing."""
    return _repeat("<a river <!- bank &am ", size, "<html><body><p>")


def html_news_page(size: int) -> str:
    """A news page as a site serves it (styles, scripts, a menu, the story's paragraphs, a footer), the
    story as long as the size allows: near the upload limit its text is far over ``limits.max_chars``."""
    head = (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>The river rises</title>"
        "<style>body { font-family: serif } nav li { display: inline }</style>"
        "<script>window.dataLayer = window.dataLayer || []; dataLayer.push({page: 'story'});</script></head>"
        '<body><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>'
        '<li><a href="/weather">Weather</a></li></ul></nav><article><h1>The river rises</h1>'
        '<p class="byline">By the river desk, 7 December 2026</p>'
    )
    tail = "</article><footer><p>Contact us. Privacy. Cookies.</p></footer></body></html>"
    unit = "<p>The river rose by two metres overnight, and the town's flood barriers held until morning.</p>\n"
    return _repeat(unit, size, head, tail)


def srt_cues(size: int) -> str:
    """Many short cues, each a sentence."""
    unit = "{n}\n00:00:01,000 --> 00:00:02,000\nThe river rose.\n\n"
    count = max(1, size // len(unit.format(n=100000)))
    return "".join(unit.format(n=number) for number in range(1, count + 1))


def srt_one_sentence(size: int) -> str:
    """Many cues that never end a sentence: one sentence group over the whole file."""
    unit = "{n}\n00:00:01,000 --> 00:00:02,000\nthe river rose and\n\n"
    count = max(1, size // len(unit.format(n=100000)))
    return "".join(unit.format(n=number) for number in range(1, count + 1))


def srt_quoted_cues(size: int) -> str:
    """Many cues of one sentence, each ending in a closing quote (a mark that ends no sentence): the
    sentence is joined from all of them, and each join must not look back over all joined before it."""
    unit = '{n}\n00:00:01,000 --> 00:00:02,000\nand the mayor said "not yet"\n\n'
    count = max(1, size // len(unit.format(n=100000)))
    return "".join(unit.format(n=number) for number in range(1, count + 1))


def srt_long_lines(size: int) -> str:
    """A few cues holding very long lines with no sentence end."""
    line = "the river rose and " * max(1, size // 200)
    unit = "{n}\n00:00:01,000 --> 00:00:02,000\n" + line + "\n\n"
    return "".join(unit.format(n=number) for number in range(1, 10))


def _word_document(body: str) -> bytes:
    """A Word document whose body is `body` (WordprocessingML paragraphs), written straight into the
    package of an empty document that python-docx made (python-docx itself takes minutes for 100,000 paragraphs)."""
    import docx

    empty = io.BytesIO()
    docx.Document().save(empty)
    output = io.BytesIO()
    with zipfile.ZipFile(empty) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                start = text.index("<w:body>") + len("<w:body>")
                data = (text[:start] + body + text[start:]).encode("utf-8")
            target.writestr(item, data)
    return output.getvalue()


def docx_paragraphs(size: int) -> bytes:
    """Many short paragraphs: about `size` bytes of document XML (zipped to a small fraction of it)."""
    return _word_document(_repeat("<w:p><w:r><w:t>The river rose.</w:t></w:r></w:p>", size))


def docx_runs(size: int) -> bytes:
    """One paragraph of many runs in alternating formats (about `size` bytes of document XML)."""
    runs = '<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">river </w:t></w:r><w:r><w:t>bank </w:t></w:r>'
    return _word_document("<w:p>" + _repeat(runs, size) + "</w:p>")


SHAPES: dict[str, dict[str, Callable[[int], str | bytes]]] = {
    "markdown": {
        "backticks": markdown_backticks,
        "links": markdown_links,
        "emphasis": markdown_emphasis,
        "inline html": markdown_html,
        "nesting": markdown_nesting,
        "long line": markdown_long_line,
    },
    "html": {
        "nesting": html_nesting,
        "paragraphs": html_paragraphs,
        "inline tags": html_inline,
        "unclosed tags": html_unclosed,
        "whitespace": html_whitespace,
        "broken markup": html_broken_markup,
        "just under the upload limit": html_news_page,
    },
    "srt": {
        "cues": srt_cues,
        "one sentence": srt_one_sentence,
        "cues in one sentence": srt_quoted_cues,
        "long lines": srt_long_lines,
    },
    "docx": {"paragraphs": docx_paragraphs, "runs": docx_runs},
}
"""Every format's shapes, by name."""


def as_bytes(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")
