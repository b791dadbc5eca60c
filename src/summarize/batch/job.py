"""The local runner: a whole job here, from input files to a durable, resumable output."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from .outputs import Output, open_output
from .planning import groups, plan_records
from .processing import process_group, release_free_memory
from .progress import Progress
from .readers import check_inputs, count_records, expand_inputs, read_records
from .records import Task, check_job

if TYPE_CHECKING:
    from ..service import Service


@dataclass
class PreparedJob:
    """What both engines need before the first record: inputs checked, output recovered."""

    paths: list[Path]
    output: Output
    done: set[str]
    text_field: str
    id_field: str


def prepare_job(
    inputs: Sequence[str | Path],
    output: str | Path,
    task: Task,
    target_lang: str,
    text_field: str,
    id_field: str,
) -> PreparedJob:
    """Check the job, expand and check the inputs, and recover the output (cutting a torn line)."""
    check_job(task, target_lang)
    if not text_field or not id_field:
        raise InputError("--text-field and --id-field must not be empty")
    paths = expand_inputs(inputs)
    check_inputs(paths, text_field)
    writer = open_output(output, task, target_lang, paths)
    return PreparedJob(paths, writer, writer.recover(), text_field, id_field)


def run_batch(
    inputs: Sequence[str | Path],
    output: str | Path,
    task: Task,
    target_lang: str,
    *,
    service: Service | None = None,
    text_field: str | None = None,
    id_field: str | None = None,
    progress: Progress | None = None,
) -> Iterator[dict[str, Any]]:
    """Run a batch job here, resuming from what `output` already holds; yield each record once it is on disk.

    Records come (and are written) in input order. `text_field` and `id_field`
    default to ``batch.text_field`` / ``batch.id_field``. Nothing happens until
    the first record is asked for; stopping early leaves a valid, resumable output.
    """
    if service is None:
        from ..service import Service

        service = Service()
    settings = service.settings.batch
    progress = progress or Progress(quiet=True)
    job = prepare_job(inputs, output, task, target_lang, text_field or settings.text_field, id_field or settings.id_field)
    try:
        progress.start(max(count_records(job.paths) - len(job.done), 0) if progress.wants_total else None)
        records = read_records(job.paths, job.text_field, job.id_field)
        pending = plan_records(
            records, lambda value: service.check_text(value, job.text_field), job.done, progress.counts
        )
        for group in groups(pending, settings.group_size):
            written = process_group(service, group, task, target_lang)
            job.output.append(written)
            progress.add(written)
            release_free_memory()
            yield from written
        job.output.finish()
    finally:
        job.output.close()
    progress.finish(output)
