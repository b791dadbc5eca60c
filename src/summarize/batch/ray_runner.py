"""The Ray runner of batch jobs (``summarize batch --engine ray``, extra ``[ray]``).

The same job as :func:`summarize.batch.run_batch`, through Ray Data:

- **read**: a Ray ``Datasource`` whose one read task streams the input files
  through the same reader and planner as the local engine (validation, repeated
  ids, ids already in the output) and yields blocks of ``batch.group_size`` rows.
  It runs on the driver's node, so the input files only need to be there.
- **map_batches**: :class:`BatchWorker`, an actor class; each actor builds one
  :class:`Service` (models load once per worker, on its first batch) and runs
  :func:`summarize.batch.process_group` on each block. ``batch.ray.workers``
  actors, each reserving ``cpus_per_worker`` CPUs and ``gpus_per_worker`` GPUs.
- **write**: the driver streams the result blocks (``iter_batches``) into the
  same crash-safe writer as the local engine. Ray's own file sinks write files in
  place, so a killed job could leave a torn Parquet file; this way the output,
  the resume rules and the progress display are the local engine's. Result
  records are small next to the articles, so one writer keeps up.

``RAY_ADDRESS`` (or running under ``ray job submit``) connects to an existing
cluster (this package travels with the job, see :mod:`summarize.ray_cluster`);
otherwise a local Ray runtime is started for the job and stopped after.
Output order follows the blocks as they finish, not the input order.
"""

from __future__ import annotations

import contextlib
import logging
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import RaySettings, Settings, load_settings
from ..errors import ConfigError, InputError
from ..ray_cluster import (
    actor_runtime_env,
    check_address,
    connect,
    require_token_for_local_runtime,
)
from ..text import Language
from .extraction import main_text_reader
from .job import PreparedJob, prepare_job
from .outputs import output_schema
from .planning import groups, plan_records
from .processing import FATAL_ERRORS, process_group, release_free_memory
from .progress import Progress
from .readers import count_records, read_records
from .records import OutputRecord, PendingRecord, Task

if TYPE_CHECKING:
    import pyarrow

def _ray() -> Any:
    require_token_for_local_runtime()
    try:
        import ray
        import ray.data  # noqa: F401  (makes ray.data available)
    except ImportError:
        raise InputError("--engine ray needs Ray Data: pip install 'bilingual-summarize[ray]'") from None
    return ray


def _pending_schema() -> pyarrow.Schema:
    import pyarrow

    return pyarrow.schema([
        ("id", pyarrow.string()), ("text", pyarrow.string()), ("error", pyarrow.string()), ("notes", pyarrow.list_(pyarrow.string()))
    ])


def worker_count(settings: RaySettings, resources: dict[str, float]) -> int:
    """Actors to start: ``settings.workers``, or as many as the cluster's resources allow when it is 0."""
    if settings.gpus_per_worker > 0 and resources.get("GPU", 0) < settings.gpus_per_worker:
        raise ConfigError(
            f"batch.ray.gpus_per_worker is {settings.gpus_per_worker:g} but the Ray cluster has "
            f"{resources.get('GPU', 0):g} GPUs; set it to 0 to run on CPUs"
        )
    if settings.workers:
        return settings.workers
    if settings.gpus_per_worker > 0:
        return max(1, math.floor(resources["GPU"] / settings.gpus_per_worker))
    return max(1, math.floor(resources.get("CPU", 1) / settings.cpus_per_worker))


def _datasource_class() -> type:
    """The read side, defined on first use so that importing this module does not import Ray."""
    from ray.data.block import BlockMetadata
    from ray.data.datasource import Datasource, ReadTask

    class PendingRecords(Datasource):
        """Input files -> planned records (one read task, streamed in blocks of `group_size` rows)."""

        def __init__(self, paths: list[Path], text_field: str, id_field: str, settings: Settings, done: set[str],
                     text_format: str):
            super().__init__()
            self.paths, self.text_field, self.id_field, self.text_format = paths, text_field, id_field, text_format
            self.settings, self.done = settings, done

        @property
        def supports_distributed_reads(self) -> bool:
            return False  # the input files need only be on the driver's node

        def estimate_inmemory_data_size(self) -> int | None:
            return None

        def get_read_tasks(self, parallelism: int, per_task_row_limit: int | None = None, data_context: Any = None):
            metadata = BlockMetadata(
                num_rows=None, size_bytes=None, exec_stats=None, input_files=[str(path) for path in self.paths]
            )
            return [ReadTask(self._read, metadata, schema=_pending_schema())]

        def _read(self) -> Iterator[pyarrow.Table]:
            import pyarrow

            from ..service import Service
            from ..store import ModelStore

            checker = Service(self.settings, store=ModelStore())  # validation only: loads no model
            records = read_records(self.paths, self.text_field, self.id_field)
            read_text = main_text_reader(self.text_format, self.text_field, checker.documents)
            pending = plan_records(
                records, lambda value: checker.check_text(value, self.text_field), self.done, read_text=read_text
            )
            for group in groups(pending, self.settings.batch.group_size):
                yield pyarrow.Table.from_pylist([asdict(record) for record in group], schema=_pending_schema())

    return PendingRecords


_BLANK_ROW = {"fatal_type": "", "fatal_message": ""}
_FATAL_BY_NAME = {error.__name__: error for error in FATAL_ERRORS}


def _result_schema(task: Task) -> pyarrow.Schema:
    """Output records plus the error (if any) that must stop the job."""
    import pyarrow

    schema = output_schema(task)
    for name in _BLANK_ROW:
        schema = schema.append(pyarrow.field(name, pyarrow.string()))
    return schema


def _records(block: pyarrow.Table) -> list[OutputRecord]:
    """The output records of a result block; raise the job-stopping error a worker reported."""
    for kind, message in zip(block.column("fatal_type").to_pylist(), block.column("fatal_message").to_pylist(), strict=True):
        if kind:
            raise _FATAL_BY_NAME[kind](message)
    return [OutputRecord.from_dict(row) for row in block.drop_columns(list(_BLANK_ROW)).to_pylist()]


class BatchWorker:
    """The map step: one per Ray actor; builds the service once and processes blocks of records."""

    def __init__(self, settings: Settings, task: Task, target_lang: Language | None) -> None:
        from ..service import Service

        self.service = Service(settings)
        self.task = task
        self.target_lang = target_lang

    def __call__(self, block: pyarrow.Table) -> pyarrow.Table:
        import pyarrow

        schema = _result_schema(self.task)
        records = [PendingRecord(**{**row, "notes": tuple(row["notes"] or ())}) for row in block.to_pylist()]
        try:
            outputs = process_group(self.service, records, self.task, self.target_lang)
        except FATAL_ERRORS as error:
            # Ray re-raises a worker's exception without its cause; pass the error on as data instead.
            stop = {**_BLANK_ROW, "fatal_type": type(error).__name__, "fatal_message": str(error)}
            return pyarrow.Table.from_pylist([stop], schema=schema)
        release_free_memory()
        return pyarrow.Table.from_pylist([{**record.to_dict(), **_BLANK_ROW} for record in outputs], schema=schema)


QUIET_LOGGERS = ("ray", "ray.data")
"""Ray's Python loggers on the driver, kept to errors unless ``verbose``."""


@contextlib.contextmanager
def _ray_logs(verbose: bool) -> Iterator[None]:
    """Ray's own log lines on the driver: all of them when `verbose`, else errors only (levels restored after)."""
    if verbose:
        yield
        return
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _dataset(ray: Any, job: PreparedJob, settings: Settings, task: Task, target_lang: Language | None) -> Any:
    """The Ray Data pipeline of a prepared job: planned records -> :class:`BatchWorker` actors -> result blocks."""
    ray.data.DataContext.get_current().enable_progress_bars = False
    source = _datasource_class()(job.paths, job.text_field, job.id_field, settings, job.done, job.text_format)
    ray_settings = settings.batch.ray
    with warnings.catch_warnings():
        # Ray 2.60 has no named parameter for max_restarts yet and warns that the keyword goes in 2.64
        # (pyproject pins ray below that).
        warnings.filterwarnings("ignore", message="`ray_remote_args` is deprecated")
        return ray.data.read_datasource(source, num_cpus=0).map_batches(
            BatchWorker,
            fn_constructor_kwargs={"settings": settings, "task": task, "target_lang": target_lang},
            batch_size=settings.batch.group_size,
            batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=worker_count(ray_settings, ray.cluster_resources())),
            num_cpus=ray_settings.cpus_per_worker,
            num_gpus=ray_settings.gpus_per_worker,
            runtime_env=actor_runtime_env(ray),
            # Ray's default restarts actors whose arguments live in the object store, and warns about each
            # such pool on the terminal; here a worker that dies stops the job, and rerunning it resumes.
            max_restarts=0,
        )


def run_batch_ray(
    inputs: Sequence[str | Path],
    output: str | Path,
    task: Task,
    target_lang: Language | None = None,
    *,
    settings: Settings | None = None,
    text_field: str | None = None,
    id_field: str | None = None,
    progress: Progress | None = None,
    verbose: bool = False,
    text_format: str = "text",
) -> Iterator[OutputRecord]:
    """Run a batch job through Ray Data; yield each record once it is on disk (records as blocks finish).

    Same inputs, `text_format`, output format, resume rules, preflight and error records as
    :func:`summarize.batch.run_batch`. Ray's own log lines are kept to errors
    unless `verbose`.
    """
    ray = _ray()
    settings = settings or load_settings()
    progress = progress or Progress(quiet=True)
    check_address()  # before the output file is opened
    job = prepare_job(
        inputs,
        output,
        task,
        target_lang,
        settings,
        text_field or settings.batch.text_field,
        id_field or settings.batch.id_field,
        text_format,
    )
    joined = None
    with _ray_logs(verbose):
        try:
            total = count_records(job.paths)
            joined = connect(ray, verbose)
            progress.start(max(total - len(job.done), 0) if progress.wants_total else None)
            dataset = _dataset(ray, job, settings, task, target_lang)
            processed = 0
            for block in dataset.iter_batches(batch_size=None, batch_format="pyarrow"):
                written = _records(block)
                job.output.append(written)
                progress.add(written)
                processed += len(written)
                yield from written
            job.output.finish()
            progress.skip(total - processed)
        finally:
            job.close()
            if joined is not None:
                ray.shutdown()  # stops a local runtime; only disconnects from a joined cluster
    progress.finish(output)
