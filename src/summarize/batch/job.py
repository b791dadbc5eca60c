"""The local runner: a whole job here, from input files to a durable, resumable output."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Settings
from ..errors import InputError
from ..glossary import Glossary
from ..text import Language
from .extraction import check_text_format, main_text_reader
from .locking import OutputLock
from .outputs import UNWRITABLE_FIX, Output, job_files, open_output, write_error
from .planning import groups, plan_records
from .preflight import check_models
from .processing import process_group, release_free_memory
from .progress import Progress
from .readers import check_inputs, count_records, expand_inputs, read_records
from .records import OutputRecord, Task, check_job

if TYPE_CHECKING:
    from ..service import Service


@dataclass
class PreparedJob:
    """What both runners need before the first record: inputs checked, output locked and recovered."""

    paths: list[Path]
    output: Output
    done: set[str]
    text_field: str
    id_field: str
    lock: OutputLock
    text_format: str = "text"
    """What the text field holds: plain ``text``, or a document format (:mod:`summarize.batch.extraction`)."""

    def close(self) -> None:
        """Close the output and release the lock (every record written is already durable)."""
        try:
            self.output.close()
        finally:
            self.lock.release()


def prepare_job(
    inputs: Sequence[str | Path],
    output: str | Path,
    task: Task,
    target_lang: Language | None,
    settings: Settings,
    text_field: str,
    id_field: str,
    text_format: str = "text",
) -> PreparedJob:
    """Everything that can stop a job, checked before any record is processed.

    The job's arguments, the inputs (the job's own files are never inputs), the
    models (:func:`check_models`), then the output: its folder is made, the lock
    taken, a torn last line cut, the ids already written collected, and the file
    opened for appending. An output that cannot be written stops the job here.
    """
    check_job(task, target_lang)
    check_text_format(text_format)
    if not text_field or not id_field:
        raise InputError("--text-field and --id-field must not be empty")
    path = Path(output)
    paths = expand_inputs(inputs, exclude=job_files(path))
    check_inputs(paths, text_field)
    writer = open_output(path, task, target_lang, paths)
    check_models(settings, task, target_lang)
    if settings.translate.glossary:
        Glossary.from_file(settings.translate.glossary)  # a bad glossary stops the job, not each record
    lock = OutputLock(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except OSError as error:
        raise write_error(path, error, UNWRITABLE_FIX) from None
    try:
        done = writer.recover()
        writer.open()
    except OSError as error:
        lock.release()
        raise write_error(path, error, UNWRITABLE_FIX) from None
    except BaseException:
        lock.release()
        raise
    return PreparedJob(paths, writer, done, text_field, id_field, lock, text_format)


def run_batch(
    inputs: Sequence[str | Path],
    output: str | Path,
    task: Task,
    target_lang: Language | None = None,
    *,
    service: Service | None = None,
    text_field: str | None = None,
    id_field: str | None = None,
    progress: Progress | None = None,
    text_format: str = "text",
    glossary: Glossary | None = None,
    redact: Callable[[OutputRecord], OutputRecord] | None = None,
) -> Iterator[OutputRecord]:
    """Run a batch job here, resuming from what `output` already holds; yield each record once it is on disk.

    Records come (and are written) in input order. Without `target_lang` (task
    ``summarize`` only) each summary is in its article's language. `text_field`
    and `id_field` default to ``batch.text_field`` / ``batch.id_field``. `text_format`
    ``html`` (``--format html``; also ``markdown``, ``srt``) reads each text field as a
    saved page and works on its story (:mod:`summarize.batch.extraction`). Nothing
    happens until the first record is asked for; stopping early leaves a valid,
    resumable output. `glossary` (default: the service's ``translate.glossary``) is
    enforced in every translation and checked in each record's ``terms``. `redact` changes each
    record before it is written (the web demo hides server paths with it; an id it changes is not
    recognised as done on a rerun).
    """
    if service is None:
        from ..service import Service

        service = Service()
    settings = service.settings.batch
    progress = progress or Progress(quiet=True)
    job = prepare_job(
        inputs,
        output,
        task,
        target_lang,
        service.settings,
        text_field or settings.text_field,
        id_field or settings.id_field,
        text_format,
    )
    try:
        progress.start(max(count_records(job.paths) - len(job.done), 0) if progress.wants_total else None)
        records = read_records(job.paths, job.text_field, job.id_field)
        pending = plan_records(
            records,
            lambda value: service.check_text(value, job.text_field),
            job.done,
            progress.counts,
            main_text_reader(job.text_format, job.text_field, service.documents),
        )
        for group in groups(pending, settings.group_size):
            written = process_group(service, group, task, target_lang, glossary)
            if redact is not None:
                written = [redact(record) for record in written]
            job.output.append(written)
            progress.add(written)
            release_free_memory()
            yield from written
        job.output.finish()
    finally:
        job.close()
    progress.finish(output)
