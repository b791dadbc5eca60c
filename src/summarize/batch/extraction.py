"""Documents in a text field: each record's main text read from an HTML page, Markdown or subtitles.

With ``--format html`` (``text_format`` in Python) a record's text field holds a saved web page:
its story is extracted (menus, banners and footers left out, as :mod:`summarize.documents` does for
a file) before the record is summarized or translated, and the page's title and date become the
record's notes. A field that cannot be read gets its own error record; the job goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..documents import TEXT_FORMATS
from ..documents.isolation import DocumentReader
from ..errors import InputError
from ..text import first_lone_surrogate
from ..wording import Argument, Message
from .records import InputRecord


def check_text_format(text_format: str) -> None:
    """Raise :class:`InputError` unless a text field can hold documents of `text_format`."""
    if text_format not in TEXT_FORMATS:
        raise InputError(
            Message(
                Argument("text_format"),
                f" {text_format!r} is not supported for a batch job's text field; use one of: {', '.join(TEXT_FORMATS)}",
            )
        )


def main_text_reader(
    text_format: str, text_field: str, documents: DocumentReader
) -> Callable[[InputRecord], InputRecord] | None:
    """What turns a record's field of `text_format` into its main text (None for plain text: nothing to do).

    The record comes back with the main text and the document's notes, or with its error; `documents`
    reads each field in a worker process within the service's limits (a field over
    ``limits.max_document_bytes`` in UTF-8 is not parsed but gets that error, one that takes longer
    than ``limits.document_seconds`` is stopped and gets that error). A field
    that is not text, is blank or is not valid Unicode passes as it is, so the job's text check
    reports it in its usual words.
    """
    check_text_format(text_format)
    if text_format == "text":
        return None
    name = f"{text_field} ({text_format})"

    def read(record: InputRecord) -> InputRecord:
        text = record.text
        if record.error or not isinstance(text, str) or not text.strip() or first_lone_surrogate(text) is not None:
            return record
        try:
            document = documents.read(text, text_format, name)
        except InputError as error:
            return replace(record, error=str(error))
        if not document.text.strip():
            return replace(record, error=f"{name} has no main text (no paragraphs found)")
        return replace(record, text=document.text, notes=document.notes)

    return read
