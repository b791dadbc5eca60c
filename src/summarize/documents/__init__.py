"""Documents in and out: plain text, HTML pages, Markdown, Word (.docx) and SubRip subtitles (.srt).

:func:`read_document` turns a file's bytes into a :class:`Document`: the main text a
summary is made from, and the segments a translation replaces before the document is
written back in its own format. Formats come from ``--format`` or the file name.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from ..errors import InputError
from ..text import decode_utf8
from .model import Document, check_text_size, is_translatable, text_size

FORMATS: dict[str, tuple[str, ...]] = {
    "text": (".txt", ""),
    "html": (".html", ".htm"),
    "markdown": (".md", ".markdown"),
    "docx": (".docx",),
    "srt": (".srt",),
}
"""Each format and the file extensions that select it."""
TEXT_FORMATS = tuple(format_name for format_name in FORMATS if format_name != "docx")
"""The formats written as text (a .docx is a zip file): the ones a text field or column can hold."""
EXTENSIONS = tuple(suffix for suffixes in FORMATS.values() for suffix in suffixes if suffix)
"""Every extension of a format we read, e.g. for an upload's accepted file types."""

_PAGE_START = re.compile(r"\A[\ufeff\s]*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)
_HTML_TAG = re.compile(  # an element a page is made of; [^<>]* stops at the next tag, so a search is linear
    r"<(/?)(?:p|div|span|a|br|li|ul|ol|h[1-6]|head|body|html|article|section|header|footer|nav|main|aside|"
    r"script|style|meta|link|title|table|tr|td|img|strong|em|b|i|figure|figcaption|button|form)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
MARKUP_TAGS_NEEDED = 3
"""Tags (one of them an end tag) that make a text an HTML page when it does not start as one."""

MEDIA_TYPES: dict[str, str] = {
    "text": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "srt": "application/x-subrip; charset=utf-8",
}

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "MEDIA_TYPES",
    "TEXT_FORMATS",
    "Document",
    "format_for",
    "is_translatable",
    "looks_like_html",
    "read_document",
    "read_text_document",
    "translated_name",
]


def format_for(name: str, explicit: str | None = None, argument: str = "--format") -> str:
    """The format named by `explicit`, else the one the file name's extension selects
    (plain text for any other extension)."""
    if explicit:
        if explicit not in FORMATS:
            raise InputError(f"{argument} {explicit!r} is not supported; use one of: {', '.join(FORMATS)}")
        return explicit
    suffix = PurePath(name).suffix.lower()
    return next((format_name for format_name, suffixes in FORMATS.items() if suffix in suffixes), "text")


def looks_like_html(text: str) -> bool:
    """Whether `text` is an HTML page or fragment rather than prose: it starts as a page does
    (``<!DOCTYPE html>``, ``<html>``, ...) or holds :data:`MARKUP_TAGS_NEEDED` tags of page elements,
    an end tag among them. A sentence that mentions a tag or two is prose."""
    if _PAGE_START.match(text):
        return True
    tags, closed = 0, False
    for tag in _HTML_TAG.finditer(text):
        tags, closed = tags + 1, closed or bool(tag.group(1))
        if tags >= MARKUP_TAGS_NEEDED and closed:
            return True
    return False


def translated_name(name: str, target_lang: str) -> str:
    """The name of `name` translated into `target_lang`: ``page.html`` -> ``page.zh.html``."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{target_lang}.{suffix}" if dot and stem else f"{name}.{target_lang}"


def _plain_text(text: str) -> Document:
    def rebuild(translations: list[str] | tuple[str, ...]) -> bytes:
        return (translations[0] if translations else text).encode("utf-8")

    return Document("text", text, {}, (text,) if is_translatable(text) else (), rebuild)


def _check_size(size: int, limit: int, name: str) -> None:
    if size > limit:
        raise InputError(
            f"{name} is over the limit of {limit:,} bytes (limits.max_document_bytes); it was not read: "
            "split it or raise the limit"
        )


def read_document(
    data: bytes,
    format_name: str,
    name: str = "document",
    max_bytes: int | None = None,
    max_depth: int | None = None,
    max_chars: int | None = None,
) -> Document:
    """Read a document of `format_name` (see :data:`FORMATS`) in this process, in time linear in its size;
    a broken file, one over `max_bytes` (``limits.max_document_bytes``, checked before anything is
    parsed) or one whose elements nest deeper than `max_depth` (``limits.document_depth``) raises
    :class:`InputError` saying what is wrong and where, and so does one with more than `max_chars`
    characters of text (``limits.max_chars``) where that is known before the costly part of the read:
    an HTML page before its main text is extracted, subtitles and plain text (read cheaply) once read.
    A document's characters of text are those of its translatable segments, the text a translation
    works on. (A Markdown or Word file's text is known only once its parser, the costly part, has run;
    the service counts it after the read.) :class:`.isolation.DocumentReader` reads in a worker
    process under a time limit, as the service does."""
    if max_bytes is not None:
        _check_size(len(data), max_bytes, name)
    if format_name == "docx":
        from .docx import read_docx

        return read_docx(data, name)
    return read_text_document(decode_utf8(data, name), format_name, name, max_depth=max_depth, max_chars=max_chars)


def read_text_document(
    text: str,
    format_name: str,
    name: str = "document",
    max_bytes: int | None = None,
    max_depth: int | None = None,
    max_chars: int | None = None,
) -> Document:
    """Read a document of a text format (:data:`TEXT_FORMATS`) from its text, e.g. a batch record's field;
    as :func:`read_document`, one over `max_bytes` in UTF-8 is refused unparsed."""
    if max_bytes is not None:  # a character is one UTF-8 byte or more: more characters than the limit are over it
        _check_size(len(text) if len(text) > max_bytes else len(text.encode("utf-8")), max_bytes, name)
    if format_name == "html":
        from .html import read_html

        return read_html(text, name, max_depth, max_chars)
    if format_name == "markdown":
        from .markdown import read_markdown

        return read_markdown(text, name)
    if format_name == "srt":
        from .srt import read_srt

        document = read_srt(text, name)
    elif format_name == "text":
        document = _plain_text(text)
    else:
        raise InputError(f"format {format_name!r} is not supported; use one of: {', '.join(FORMATS)}")
    check_text_size(text_size(document.segments), max_chars, name)
    return document
