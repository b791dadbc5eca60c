"""The demo's Batch tab at work: a job on an uploaded file, its results file and its preview.

What the web user gets back never names a server path: each record passes through
:func:`web_record` before it is written to the results file, so the preview (made from the
same records) and the download agree. ``summarize batch`` on the command line writes records
as they are, for its own user.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import gradio as gr

from ...batch import OutputRecord, Progress, Task, count_records, run_batch
from ...errors import InputError
from ...glossary import Glossary
from ...redaction import hide_paths
from ...service import Service
from ...text import Language

BATCH_PREVIEW_ROWS = 20
KeepFiles = Callable[[Iterable[str]], None]
"""What the demo gives the paths of the files it wrote for its users (the server counts them)."""


def keep_nothing(paths: Iterable[str]) -> None:
    """A :data:`KeepFiles` that counts nothing: a demo built without a server's file store."""


class ShownProgress(Progress):
    """A batch job's counts (kept by :class:`Progress`), shown on the Batch tab's progress bar."""

    def __init__(self, bar: gr.Progress) -> None:
        super().__init__(io.StringIO())  # not a terminal: no tqdm bar; its plain lines are not shown
        self.bar = bar

    def start(self, total: int | None) -> None:
        super().start(total)
        self._show()

    def add(self, records: Sequence[OutputRecord]) -> None:
        super().add(records)
        self._show()

    def _show(self) -> None:
        self.bar((self.counts.done + self.counts.failed, self.total), desc="Working", unit="records")


def web_record(record: OutputRecord, source: Path) -> OutputRecord:
    """`record` of a job on the uploaded file `source` without server paths: in its error, model and
    notes each path is cut to its last part, and an id made from the record's place (``<file>:<line>``)
    names the file without its folder. Ids from the file itself are kept as they are."""
    place = f"{source}:"
    return replace(
        record,
        id=f"{source.name}:{record.id[len(place):]}" if record.id.startswith(place) else record.id,
        error=hide_paths(record.error),
        model=hide_paths(record.model),
        notes=tuple(map(hide_paths, record.notes)),
    )


def run_uploaded_batch(
    service: Service,
    path: str | None,
    task: Task,
    target_lang: Language | None,
    bar: gr.Progress,
    text_format: str = "text",
    glossary: Glossary | None = None,
    keep_files: KeepFiles = keep_nothing,
) -> tuple[str, str, list[list[str]]]:
    """Run a batch job on an uploaded JSONL/CSV file (its text field holding `text_format`, `glossary`
    enforced as :func:`run_batch` does): the results file (beside the upload, given to `keep_files` once
    the job ends or fails), a count line (with the glossary terms kept, when any were found) and a preview
    of the first :data:`BATCH_PREVIEW_ROWS` records."""
    if not path:
        raise InputError("upload a JSONL or CSV file first")
    source = Path(path)
    limit = service.settings.server.max_batch_records
    records_in_file = count_records([source])
    if records_in_file > limit:
        raise InputError(
            f"{source.name} holds {records_in_file:,} records, over this server's limit of {limit:,} per Batch tab job "
            "(server.max_batch_records); split the file, or run larger jobs with summarize batch"
        )
    output = source.parent / uuid.uuid4().hex / f"{source.stem}.results.jsonl"
    output.parent.mkdir()
    field = "translation" if task == "translate" else "summary"
    shown = ShownProgress(bar)
    preview: list[list[str]] = []
    found = kept = 0
    records = run_batch(
        [source], output, task, target_lang, service=service, progress=shown, text_format=text_format,
        glossary=glossary, redact=lambda record: web_record(record, source),
    )
    try:
        for record in records:
            found += len(record.terms)
            kept += sum(term.found for term in record.terms)
            if len(preview) < BATCH_PREVIEW_ROWS:
                preview.append([record.id, getattr(record, field), record.source_lang, record.error])
    finally:
        keep_files([str(output)])
    counts = shown.counts
    line = f"{counts.done:,} done, {counts.failed:,} failed (see the `error` field)"
    if found:
        line += f" · glossary terms kept: {kept:,} of {found:,} (see the `terms` field)"
    return str(output), line, preview
