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

from ..text import collapse_whitespace, join_wrapped_lines
from .html_tokens import text_nodes
from .model import (
    Document,
    Part,
    check_text_size,
    import_extra,
    is_translatable,
    respace,
    text_size,
)

_BLOCK_TAG = re.compile(
    r"</?(?:address|article|aside|blockquote|body|br|caption|dd|div|dl|dt|figcaption|figure|footer|h[1-6]|head|"
    r"header|hr|html|li|main|nav|ol|p|pre|section|table|td|th|title|tr|ul)\b",
    re.IGNORECASE,
)


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


def read_html(source: str, name: str, max_depth: int | None = None, max_chars: int | None = None) -> Document:
    """An HTML page as a :class:`Document` (broken markup is read as browsers would); elements nested
    more than `max_depth` deep (``limits.document_depth``) raise :class:`InputError`, and so does a page
    with more than `max_chars` characters of text (``limits.max_chars``), before its main text is
    extracted: the extraction costs several times the tokenizer's pass (seconds at the upload limit)."""
    nodes = [node for node in text_nodes(source, name, max_depth) if is_translatable(node.text)]
    spans = [(node.start, node.end) for node in nodes]
    cores = [collapse_whitespace(node.text) for node in nodes]
    check_text_size(text_size(cores), max_chars, name)
    text, metadata = _main_text(source)

    def rebuild(translations: Sequence[str]) -> bytes:
        parts: list[Part] = []
        done = 0
        for (start, end), translation in zip(spans, translations, strict=True):
            raw = source[start:end]
            leading = raw[: len(raw) - len(raw.lstrip())]
            trailing = raw[len(raw.rstrip()) :]
            markup = source[done:start]
            kind = "break" if _BLOCK_TAG.search(markup) else "markup"
            parts.append(Part(markup, kind, closes=markup.lstrip().startswith("</")))
            escaped = html_escaping.escape(translation, quote=False)
            parts.append(Part(leading + escaped + trailing, "translation", raw.strip()))
            done = end
        parts.append(Part(source[done:], "markup"))
        return "".join(respace(parts)).encode("utf-8")

    return Document("html", text, metadata, tuple(cores), rebuild)
