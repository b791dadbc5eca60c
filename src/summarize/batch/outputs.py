"""Crash-safe outputs: append-only JSON Lines, and Parquet journaled then converted atomically."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..text import Language
from .locking import LOCK_SUFFIX
from .readers import PARQUET_READ_ROWS, file_format, parquet_file, pyarrow_module
from .records import OutputRecord, Task, output_fields

if TYPE_CHECKING:
    import pyarrow

OUTPUT_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
JOURNAL_SUFFIX = ".partial.jsonl"
"""A Parquet output ``out.parquet`` is journaled in ``out.parquet.partial.jsonl`` until the job ends."""

TEMP_SUFFIX = ".tmp"
_PARQUET_WRITE_ROWS = 10_000


def job_files(output: Path) -> tuple[Path, ...]:
    """Every file a job on `output` writes: the output, its journal, their temp files and the lock file."""
    journal = Path(f"{output}{JOURNAL_SUFFIX}")
    return (
        output,
        journal,
        Path(f"{output}{TEMP_SUFFIX}"),
        Path(f"{journal}{TEMP_SUFFIX}"),
        Path(f"{output}{LOCK_SUFFIX}"),
    )


def write_error(path: Path, error: OSError, fix: str) -> InputError:
    """The one-line error for an output that cannot be written."""
    return InputError(f"cannot write output {path} ({error.strerror or error}); {fix}")


UNWRITABLE_FIX = "choose another --output"
RESUME_FIX = "fix that and run the same command again: the job resumes where it stopped"


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def cut_partial_line(path: Path) -> int:
    """Truncate `path` after its last newline (a record torn by a crash); return the bytes removed."""
    with path.open("rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        keep, position = 0, size
        while position > 0:
            step = min(1 << 16, position)
            handle.seek(position - step)
            newline = handle.read(step).rfind(b"\n")
            if newline >= 0:
                keep = position - step + newline + 1
                break
            position -= step
        if keep < size:
            handle.truncate(keep)
            handle.flush()
            os.fsync(handle.fileno())
    return size - keep


def check_written(record: Any, fields: frozenset[str], target_lang: Language | None, where: str) -> str:
    """The id of a record found in an existing output; :class:`InputError` if another job wrote it.

    A job without a target language (summaries in each article's own language)
    resumes records whose ``target_lang`` is their ``source_lang``.
    """
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        raise InputError(
            f"{where} is not a record written by summarize batch; move the file away or choose another --output"
        )
    wanted = record.get("source_lang") if target_lang is None else target_lang
    if set(record) != fields or record["target_lang"] != wanted:
        raise InputError(
            f"{where} was written by another job (fields: {', '.join(record)}; target_lang "
            f"{record.get('target_lang')!r}); resuming needs the same --task and --to, or choose another --output"
        )
    return record["id"]


class JsonlOutput:
    """An append-only JSON Lines output: every append is complete lines, flushed and fsync'ed."""

    def __init__(self, path: Path, task: Task, target_lang: Language | None) -> None:
        self.path = path
        self.fields = frozenset(output_fields(task))
        self.target_lang = target_lang
        self._handle: Any = None

    def recover(self) -> set[str]:
        """Cut a torn last line and return the ids already written."""
        if not self.path.exists():
            return set()
        cut_partial_line(self.path)
        ids: set[str] = set()
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                where = f"{self.path} line {number}"
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                ids.add(check_written(record, self.fields, self.target_lang, where))
        return ids

    def open(self) -> None:
        """Open (or create) the file for appending, so that a file that cannot be written stops the job at once."""
        if self._handle is not None:
            return
        created = not self.path.exists()
        self._handle = self.path.open("ab", buffering=0)
        if created:
            _fsync_dir(self.path.parent.resolve())

    def append(self, records: Sequence[OutputRecord]) -> None:
        """Write `records` as complete lines and make them durable (fsync) before returning."""
        if not records:
            return
        try:
            self.open()
            data = memoryview(
                "".join(json.dumps(record.to_dict(), ensure_ascii=False) + "\n" for record in records).encode("utf-8")
            )
            while data:
                data = data[self._handle.write(data) :]
            os.fsync(self._handle.fileno())
        except OSError as error:
            raise write_error(self.path, error, RESUME_FIX) from None

    def finish(self) -> None:
        """Close the file (every record is already durable); a job without records leaves an empty file."""
        try:
            self.open()
        except OSError as error:
            raise write_error(self.path, error, RESUME_FIX) from None
        self.close()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def output_schema(task: Task) -> pyarrow.Schema:
    """The Parquet schema of `task`'s output records."""
    pyarrow = pyarrow_module()
    term = pyarrow.struct([("source", pyarrow.string()), ("target", pyarrow.string()), ("found", pyarrow.bool_())])
    flag = pyarrow.struct([("code", pyarrow.string()), ("reason", pyarrow.string())])
    quality = pyarrow.struct([("score", pyarrow.float64()), ("flags", pyarrow.list_(flag)), ("confidence", pyarrow.float64())])
    special = {"notes": pyarrow.list_(pyarrow.string()), "terms": pyarrow.list_(term), "quality": quality}
    return pyarrow.schema([(name, special.get(name, pyarrow.string())) for name in output_fields(task)])


class ParquetOutput:
    """A Parquet output that a kill can never leave corrupt.

    Records go to the JSON Lines journal ``<output>.partial.jsonl`` (the same
    crash-safe appends as :class:`JsonlOutput`). When the job ends the journal is
    streamed into ``<output>.tmp``, which is fsync'ed and renamed over the output;
    then the journal is removed. A rerun finds either the journal (and goes on
    from it, converting again at the end) or the finished file (whose ids are
    skipped; it is turned back into a journal only if new records come).
    """

    def __init__(self, path: Path, task: Task, target_lang: Language | None) -> None:
        self.path = path
        self.task = task
        self.journal = JsonlOutput(Path(f"{path}{JOURNAL_SUFFIX}"), task, target_lang)
        self._reopen = False

    def recover(self) -> set[str]:
        """The ids already written, from the journal or else from the finished file."""
        if self.journal.path.exists():
            return self.journal.recover()
        if not self.path.exists():
            return set()
        ids: set[str] = set()
        for number, record in enumerate(self._finished_records(), start=1):
            where = f"{self.path} row {number}"
            ids.add(check_written(record, self.journal.fields, self.journal.target_lang, where))
        self._reopen = True
        return ids

    def _finished_records(self) -> Iterator[dict[str, Any]]:
        for batch in parquet_file(self.path).iter_batches(batch_size=PARQUET_READ_ROWS):
            yield from batch.to_pylist()

    def open(self) -> None:
        """Open the journal when there is one (a job that stopped before its end); else it is made on first use."""
        if self.journal.path.exists():
            self.journal.open()

    def _journal_from_finished(self) -> None:
        staging = Path(f"{self.journal.path}{TEMP_SUFFIX}")
        with staging.open("wb") as handle:
            for record in self._finished_records():
                handle.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staging, self.journal.path)
        _fsync_dir(self.path.parent.resolve())

    def append(self, records: Sequence[OutputRecord]) -> None:
        """Journal `records` durably."""
        if records and self._reopen:
            try:
                self._journal_from_finished()
            except OSError as error:
                raise write_error(self.journal.path, error, RESUME_FIX) from None
            self._reopen = False
        self.journal.append(records)

    def finish(self) -> None:
        """Convert the journal into the Parquet file (atomically) and remove the journal."""
        if self.path.exists() and not self.journal.path.exists():
            return
        self.journal.finish()
        try:
            self._convert()
        except OSError as error:
            raise write_error(self.path, error, RESUME_FIX) from None

    def _convert(self) -> None:
        pyarrow = pyarrow_module()
        schema = output_schema(self.task)
        staging = Path(f"{self.path}{TEMP_SUFFIX}")
        with self.journal.path.open("rb") as journal, pyarrow.parquet.ParquetWriter(staging, schema) as writer:
            for rows in iter(lambda: list(itertools.islice(journal, _PARQUET_WRITE_ROWS)), []):
                writer.write_table(pyarrow.Table.from_pylist([json.loads(row) for row in rows], schema=schema))
        with staging.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staging, self.path)
        _fsync_dir(self.path.parent.resolve())
        self.journal.path.unlink()
        _fsync_dir(self.path.parent.resolve())

    def close(self) -> None:
        self.journal.close()


Output = JsonlOutput | ParquetOutput


def _check_output_path(path: Path) -> None:
    """Raise :class:`InputError` when `path` cannot be an output file: a folder, a device, or under a file."""
    if path.is_dir():
        raise InputError(f"output {path} is a directory; give a file name ending in .jsonl or .parquet")
    if path.exists() and not path.is_file():
        raise InputError(f"output {path} is not a regular file; give a file name ending in .jsonl or .parquet")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(f"cannot write output {path} ({folder} is a file, not a folder); {UNWRITABLE_FIX}")


def open_output(path: str | Path, task: Task, target_lang: Language | None, inputs: Sequence[Path] = ()) -> Output:
    """The writer for `path` (JSON Lines or Parquet, by its name); nothing is opened yet."""
    path = Path(path)
    kind = file_format(path, OUTPUT_FORMATS, "output")
    _check_output_path(path)
    output, *others = (own.resolve() for own in job_files(path))
    for source in inputs:
        if source.resolve() == output:
            raise InputError(f"output {path} is also an input; choose another --output")
        if source.resolve() in others:
            raise InputError(
                f"input {source} is a file the job keeps beside its output {path} (journal, temp or lock file); "
                f"give another input or choose another --output"
            )
    return JsonlOutput(path, task, target_lang) if kind == "jsonl" else ParquetOutput(path, task, target_lang)
