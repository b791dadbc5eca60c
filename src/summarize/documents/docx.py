"""Word documents (.docx): body text for summaries, translations that keep every run's format.

Translation works paragraph by paragraph (body, tables, headers and footers). Within
a paragraph, neighbouring runs with the same formatting are translated together
(Word splits text into runs for reasons a reader never sees); the translation goes
into the first run of the group and the others are emptied, so paragraph, run and
table counts and every run's bold/italic/font stay as they were. A run holding
anything but text (a picture, a field, a footnote mark) is never changed.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from ..errors import InputError
from .model import Document, Part, import_extra, is_translatable, respace

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
"""A .docx is a zip file: refuse one that would unpack to more than this (a zip bomb)."""
_TEXT_PARTS = frozenset({"rPr", "t", "tab", "br", "cr", "lastRenderedPageBreak", "noBreakHyphen", "softHyphen"})
_HEADING_STYLES = ("Heading", "Title", "Subtitle")


def _open(data: bytes, name: str) -> Any:
    docx = import_extra("docx", "Word")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
            if "word/document.xml" not in archive.namelist():
                raise InputError(f"{name} is a zip file but not a Word document (no word/document.xml)")
    except zipfile.BadZipFile:
        raise InputError(f"{name} is not a Word document (.docx): it is not a zip file") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(
            f"{name} unpacks to {unpacked:,} bytes, over the limit of {MAX_UNPACKED_BYTES:,}; it is not read"
        )
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds (KeyError, XMLSyntaxError, ...) on a broken part
        raise InputError(f"{name} is a broken Word document ({type(error).__name__}); open and save it again") from None


def _paragraphs_of(container: Any, seen: set[Any]) -> Iterator[Any]:
    """Paragraphs of a body, cell, header or footer, tables included (merged cells once)."""
    yield from container.paragraphs
    for table in container.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell._tc in seen:  # the set holds the elements, so no proxy is freed and reused
                    continue
                seen.add(cell._tc)
                yield from _paragraphs_of(cell, seen)


def all_paragraphs(document: Any) -> Iterator[Any]:
    """Every paragraph a reader sees: the body, its tables, then each section's headers and footers."""
    seen: set[Any] = set()
    yield from _paragraphs_of(document, seen)
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            if not part.is_linked_to_previous:
                yield from _paragraphs_of(part, seen)


def _is_text_only(run: Any) -> bool:
    return all(child.tag.rsplit("}", 1)[-1] in _TEXT_PARTS for child in run._r)


def _format_key(run: Any) -> tuple[Any, ...]:
    font = run.font
    color = font.color.rgb if font.color is not None and font.color.type is not None else None
    return (
        run._r.style,  # the style's id as written: a style lookup scans every style of the document
        run.bold, run.italic, run.underline, font.strike, font.name, font.size, color,
        font.highlight_color, font.superscript, font.subscript, font.small_caps, font.all_caps,
    )


def _runs_in_order(paragraph: Any) -> Iterator[tuple[Any, int | None]]:
    """Each run of a paragraph with the hyperlink holding it (None for a plain run)."""
    from docx.text.run import Run

    for item in paragraph.iter_inner_content():
        if isinstance(item, Run):
            yield item, None
        else:
            for run in item.runs:
                yield run, id(item)


class RunGroup(NamedTuple):
    """Neighbouring text-only runs of one format, and their text (read once: each read is an XPath query)."""

    runs: list[Any]
    text: str


def run_groups(paragraph: Any) -> list[RunGroup]:
    """Neighbouring text-only runs of one format (and one hyperlink, if any)."""
    groups: list[tuple[list[Any], list[str]]] = []
    previous: tuple[Any, ...] | None = None
    for run, hyperlink in _runs_in_order(paragraph):
        text = run.text
        if not text or not _is_text_only(run):
            previous = None
            continue
        key = (hyperlink, _format_key(run))
        if key == previous:
            groups[-1][0].append(run)
            groups[-1][1].append(text)
        else:
            groups.append(([run], [text]))
            previous = key
    return [RunGroup(runs, "".join(texts)) for runs, texts in groups]


def _heading_style_ids(document: Any) -> frozenset[str]:
    """The ids of the document's heading styles, resolved once (python-docx's ``paragraph.style``
    scans all styles on every call: seconds for a document of a few thousand paragraphs)."""
    return frozenset(style.style_id for style in document.styles if (style.name or "").startswith(_HEADING_STYLES))


def read_docx(data: bytes, name: str) -> Document:
    """A Word document as a :class:`Document`."""
    document = _open(data, name)
    paragraphs = [run_groups(paragraph) for paragraph in all_paragraphs(document)]
    groups = [group for paragraph in paragraphs for group in paragraph if is_translatable(group.text)]
    headings = _heading_style_ids(document)
    texts = [(p.text.strip(), p._p.style in headings) for p in document.paragraphs]
    body = [text for text, heading in texts if text and not heading]
    title = document.core_properties.title or next((text for text, heading in texts if text and heading), "")

    def rebuild(translations: Sequence[str]) -> bytes:
        new_texts = {id(group.runs[0]): translation for group, translation in zip(groups, translations, strict=True)}
        for paragraph in paragraphs:
            parts: list[Part] = []
            for group in paragraph:
                text = group.text
                if id(group.runs[0]) in new_texts:
                    leading, trailing = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
                    parts.append(Part(leading + new_texts[id(group.runs[0])] + trailing, "translation", text.strip()))
                else:
                    parts.append(Part(text, "source"))
            for group, part, text in zip(paragraph, parts, respace(parts), strict=True):
                if part.kind == "translation":
                    group.runs[0].text = text
                    for run in group.runs[1:]:
                        run.text = ""
        output = io.BytesIO()
        document.save(output)
        return output.getvalue()

    segments = tuple(" ".join(group.text.split()) for group in groups)
    return Document("docx", "\n\n".join(body), {"title": title} if title else {}, segments, rebuild)
