"""HTML pages: the story's main text for summaries, and translations that keep every tag.

Summaries read the page through trafilatura, which drops menus, cookie banners,
"related stories" and footers; the page title and date become metadata, never
summary sentences. Translations replace text nodes only: tags, attributes,
comments and the spacing around each text are kept byte for byte. Each text node
is translated on its own, so an inline tag inside a sentence (``<b>``, ``<a>``)
stays around the same words, at the cost of translating that sentence in pieces.
Text inside ``script``, ``style``, ``code``, ``pre`` and elements marked
``translate="no"`` (or class ``notranslate``) is left as it is.
"""

from __future__ import annotations

import html as html_escaping
import re
from collections.abc import Sequence
from html.parser import HTMLParser

from ..text import collapse_whitespace, join_wrapped_lines
from .model import Document, Part, import_extra, is_translatable, respace

UNTRANSLATED_ELEMENTS = frozenset(
    {"script", "style", "code", "pre", "kbd", "samp", "var", "noscript", "template", "textarea", "svg", "math"}
)
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
_BLOCK_TAG = re.compile(
    r"</?(?:address|article|aside|blockquote|body|br|caption|dd|div|dl|dt|figcaption|figure|footer|h[1-6]|head|"
    r"header|hr|html|li|main|nav|ol|p|pre|section|table|td|th|title|tr|ul)\b",
    re.IGNORECASE,
)
_LEADING_SPACE = re.compile(r"^\s*")
_TRAILING_SPACE = re.compile(r"\s*$")


def _keeps_source(tag: str, attributes: list[tuple[str, str | None]]) -> bool:
    values = dict(attributes)
    return (
        tag in UNTRANSLATED_ELEMENTS
        or (values.get("translate") or "").lower() == "no"
        or "notranslate" in (values.get("class") or "").split()
    )


class _TextNodes(HTMLParser):
    """Finds each text node's span in the source and whether it may be translated."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self._line_starts = [0] + [match.end() for match in re.finditer("\n", source)]
        self.events: list[int] = []
        """Source offset of every parser event, in order (tags, text, comments...)."""
        self.texts: dict[int, str] = {}
        """Offset of each translatable text node -> its text (entities decoded)."""
        self._open: list[tuple[str, bool]] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _inside_untranslated(self) -> bool:
        return any(keeps for _, keeps in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(self._offset())
        if tag not in VOID_ELEMENTS:
            self._open.append((tag, _keeps_source(tag, attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(self._offset())

    def handle_endtag(self, tag: str) -> None:
        self.events.append(self._offset())
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth][0] == tag:
                del self._open[depth:]
                break

    def handle_data(self, data: str) -> None:
        offset = self._offset()
        self.events.append(offset)
        if not self._inside_untranslated() and is_translatable(data):
            self.texts[offset] = data

    def handle_comment(self, data: str) -> None:
        self.events.append(self._offset())

    def handle_decl(self, decl: str) -> None:
        self.events.append(self._offset())

    def handle_pi(self, data: str) -> None:
        self.events.append(self._offset())

    def unknown_decl(self, data: str) -> None:
        self.events.append(self._offset())


def _main_text(source: str) -> tuple[str, dict[str, str]]:
    trafilatura = import_extra("trafilatura", "HTML")
    extracted = trafilatura.bare_extraction(
        join_wrapped_lines(source),  # the extractor makes every line break a space
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if extracted is None or extracted.body is None:
        return "", {}
    paragraphs = [
        collapse_whitespace("".join(element.itertext()))
        for element in extracted.body
        if element.tag != "head"  # headings are structure, not sentences
    ]
    metadata = {key: str(value) for key in ("title", "date", "author") if (value := getattr(extracted, key, None))}
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph), metadata


def read_html(source: str, name: str) -> Document:
    """An HTML page as a :class:`Document` (broken markup is read as browsers would)."""
    parser = _TextNodes(source)
    parser.feed(source)
    parser.close()
    bounds = [*parser.events, len(source)]
    spans = [(start, end) for start, end in zip(bounds, bounds[1:]) if start in parser.texts]
    cores = [collapse_whitespace(parser.texts[start]) for start, _ in spans]
    text, metadata = _main_text(source)

    def rebuild(translations: Sequence[str]) -> bytes:
        parts: list[Part] = []
        done = 0
        for (start, end), translation in zip(spans, translations):
            raw = source[start:end]
            leading = _LEADING_SPACE.match(raw).group()
            trailing = _TRAILING_SPACE.search(raw).group()
            markup = source[done:start]
            kind = "break" if _BLOCK_TAG.search(markup) else "markup"
            parts.append(Part(markup, kind, closes=markup.lstrip().startswith("</")))
            escaped = html_escaping.escape(translation, quote=False)
            parts.append(Part(leading + escaped + trailing, "translation", raw.strip()))
            done = end
        parts.append(Part(source[done:], "markup"))
        return "".join(respace(parts)).encode("utf-8")

    return Document("html", text, metadata, tuple(cores), rebuild)
