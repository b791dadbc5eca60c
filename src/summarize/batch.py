"""File-to-file batch jobs: JSONL, CSV and Parquet in; JSONL or Parquet out; resumable.

A job is a pipeline of streaming steps, so memory stays flat however large the input:

1. :func:`read_records` reads the input files one record at a time (globs and
   several files allowed) and gives each record its id: the id field, or
   ``<file>:<line>`` when it has none.
2. :func:`plan_records` validates each text with :meth:`Service.check_text`, turns
   a repeated id into an error record, and skips the ids already in the output.
3. :func:`process_group` sends a group of records (``batch.group_size``) through one
   :meth:`Service.summarize_batch` / :meth:`Service.translate_batch` call, so the
   model sees segments of many documents sorted by length; when the group call
   fails it retries record by record, so one bad record cannot sink its neighbours.
4. The output writer appends each group as complete JSON lines with flush and
   fsync. On restart it cuts a torn last line, collects the ids already written
   and the job carries on: after a kill at any moment, rerunning the same command
   gives exactly one record per input id. Parquet output is journaled the same
   way in ``<output>.partial.jsonl`` and converted at the end (temp file, then rename).

:func:`run_batch` runs the whole job here and yields each record once it is on disk;
``summarize.batch_ray`` runs the same steps on a Ray cluster.
"""

from __future__ import annotations

import csv
import ctypes
import functools
import glob
import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from .errors import ConfigError, InputError, ModelUnavailableError, SummarizeError
from .results import Result
from .text import SUPPORTED_LANGUAGES

if TYPE_CHECKING:
    import pyarrow

    from .service import Service

Task = Literal["summarize", "translate", "both"]
TASKS: tuple[Task, ...] = ("summarize", "translate", "both")

INPUT_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
OUTPUT_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
JOURNAL_SUFFIX = ".partial.jsonl"
"""A Parquet output ``out.parquet`` is journaled in ``out.parquet.partial.jsonl`` until the job ends."""

FATAL_ERRORS = (ModelUnavailableError, ConfigError)
"""Errors that stop the job (a missing model or a bad setting fails every record alike)."""

_PARQUET_READ_ROWS = 1024
_PARQUET_WRITE_ROWS = 10_000


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class InputRecord:
    """One input record as read, before validation."""

    location: str
    """``<file>:<line>`` (for Parquet, the 1-based row number)."""
    id: str
    """The id field as a string, or `location` when the record has none."""
    text: Any
    """The raw value of the text field (None when absent)."""
    error: str = ""
    """What is wrong with the record itself (not JSON, no text field, bad id), or empty."""


@dataclass(frozen=True)
class PendingRecord:
    """A record ready for the model, or an error record to write as it is."""

    id: str
    text: str
    """The validated text (empty when `error` is set)."""
    error: str = ""


@dataclass
class BatchCounts:
    """How many records a job processed, failed and skipped."""

    done: int = 0
    """Records written with an empty ``error``."""
    failed: int = 0
    """Error records written."""
    skipped: int = 0
    """Input records already in the output from an earlier run."""


def output_fields(task: Task) -> tuple[str, ...]:
    """The keys of every output record of `task`, in order."""
    produced = {"summarize": ("summary",), "translate": ("translation",), "both": ("summary", "translation")}[task]
    return ("id", *produced, "source_lang", "target_lang", "engine", "model", "error", "notes")


def check_job(task: Any, target_lang: Any) -> None:
    """Raise :class:`InputError` unless `task` and `target_lang` are supported."""
    if task not in TASKS:
        raise InputError(f"task {task!r} is not supported; use 'summarize', 'translate' or 'both'")
    if target_lang not in SUPPORTED_LANGUAGES:
        raise InputError(f"target_lang {target_lang!r} is not supported; use 'en' or 'zh'")


# --------------------------------------------------------------------------- reading


def _format(path: Path, formats: dict[str, str], role: str) -> str:
    found = formats.get(path.suffix.lower())
    if found is None:
        names = ", ".join(sorted(formats))
        raise InputError(f"cannot tell the format of {role} {path} from its name; use a name ending in {names}")
    return found


def expand_inputs(patterns: Sequence[str | Path]) -> list[Path]:
    """Input files from paths and glob patterns, in the order given (each glob sorted), without repeats."""
    if not patterns:
        raise InputError("no input given; name at least one file or glob pattern (--input)")
    paths: list[Path] = []
    for pattern in patterns:
        text = str(pattern)
        if any(char in text for char in "*?["):
            matches = [Path(match) for match in sorted(glob.glob(text, recursive=True)) if Path(match).is_file()]
            if not matches:
                raise InputError(f"input pattern {text!r} matches no file")
            paths.extend(matches)
            continue
        path = Path(text)
        if path.is_dir():
            raise InputError(f"cannot read {text}: it is a directory; give its files, e.g. '{text}/*.jsonl'")
        if not path.is_file():
            raise InputError(f"cannot read {text}: no such file")
        paths.append(path)
    unique = list(dict.fromkeys(paths))
    for path in unique:
        _format(path, INPUT_FORMATS, "input")
    return unique


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401  (makes pyarrow.parquet available)
    except ImportError:
        raise InputError(
            "Parquet files need pyarrow: pip install 'bilingual-summarize[batch]'"
        ) from None
    return pyarrow


def _parquet_file(path: Path) -> Any:
    pyarrow = _pyarrow()
    try:
        return pyarrow.parquet.ParquetFile(path)
    except (OSError, pyarrow.ArrowException) as error:
        raise InputError(f"cannot read {path} as Parquet: {error}") from None


def _csv_header(path: Path) -> list[str]:
    with _open_csv(path) as handle:
        try:
            return next(csv.reader(handle), [])
        except UnicodeDecodeError:
            raise InputError(f"{path} is not UTF-8 text; convert it to UTF-8") from None


def check_inputs(paths: Sequence[Path], text_field: str) -> None:
    """Raise :class:`InputError` when a CSV or Parquet file has no `text_field` column."""
    for path in paths:
        kind = INPUT_FORMATS[path.suffix.lower()]
        if kind == "csv":
            columns = _csv_header(path)
            if not columns:
                continue
        elif kind == "parquet":
            columns = _parquet_file(path).schema_arrow.names
        else:
            continue
        if text_field not in columns:
            raise InputError(
                f"{path} has no {text_field!r} column (columns: {', '.join(columns)}); "
                f"name the text column with --text-field"
            )


def _record(location: str, data: dict[str, Any], text_field: str, id_field: str) -> InputRecord:
    raw_id = data.get(id_field)
    key, error = location, ""
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int, type(None))):
        error = f"field {id_field!r} must be a string or a whole number, not {type(raw_id).__name__}"
    elif raw_id is not None and raw_id != "":
        key = str(raw_id)
    if not error and text_field not in data:
        error = f"record has no {text_field!r} field"
    return InputRecord(location=location, id=key, text=data.get(text_field), error=error)


_JSON_KINDS = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}


def _read_jsonl(path: Path, text_field: str, id_field: str) -> Iterator[InputRecord]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            location = f"{path}:{number}"
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as error:
                message = f"line is not UTF-8 text (byte 0x{raw[error.start]:02x} at column {error.start + 1})"
                yield InputRecord(location, location, None, message)
                continue
            try:
                data = json.loads(line.lstrip("\ufeff") if number == 1 else line)
            except json.JSONDecodeError as error:
                yield InputRecord(location, location, None, f"line is not valid JSON: {error.msg} at column {error.colno}")
                continue
            if not isinstance(data, dict):
                kind = _JSON_KINDS.get(type(data), "null")
                yield InputRecord(location, location, None, f"line holds {kind}, not a JSON object")
                continue
            yield _record(location, data, text_field, id_field)


def _open_csv(path: Path) -> TextIO:
    return path.open("r", encoding="utf-8-sig", newline="")


def _read_csv(path: Path, text_field: str, id_field: str) -> Iterator[InputRecord]:
    # A long article is one long field; the csv module refuses fields over 128 KiB by default.
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
    with _open_csv(path) as handle:
        reader = csv.reader(handle)
        line = 0
        try:
            header = next(reader, None)
            line = reader.line_num
            for row in reader:
                start, line = line + 1, reader.line_num
                if not row:
                    continue
                yield _record(f"{path}:{start}", dict(zip(header or [], row)), text_field, id_field)
        except UnicodeDecodeError:
            raise InputError(f"{path} is not UTF-8 text; convert it to UTF-8") from None
        except csv.Error as error:
            raise InputError(f"{path} is not valid CSV (line {line + 1}): {error}") from None


def _read_parquet(path: Path, text_field: str, id_field: str) -> Iterator[InputRecord]:
    parquet = _parquet_file(path)
    columns = [name for name in dict.fromkeys((text_field, id_field)) if name in parquet.schema_arrow.names]
    row = 0
    for batch in parquet.iter_batches(batch_size=_PARQUET_READ_ROWS, columns=columns):
        for data in batch.to_pylist():
            row += 1
            yield _record(f"{path}:{row}", data, text_field, id_field)


_READERS: dict[str, Callable[[Path, str, str], Iterator[InputRecord]]] = {
    "jsonl": _read_jsonl,
    "csv": _read_csv,
    "parquet": _read_parquet,
}


def read_records(paths: Iterable[Path], text_field: str = "text", id_field: str = "id") -> Iterator[InputRecord]:
    """Stream the records of every input file, in file order then line order.

    Blank JSONL and CSV lines are not records. A line that is not a JSON object,
    or a record without the text field or with an unusable id, comes back with
    its `error` set rather than stopping the job.
    """
    for path in paths:
        yield from _READERS[_format(path, INPUT_FORMATS, "input")](path, text_field, id_field)


def count_records(paths: Iterable[Path]) -> int:
    """How many records :func:`read_records` will yield (for progress and ETA), reading nothing into memory."""
    total = 0
    for path in paths:
        kind = _format(path, INPUT_FORMATS, "input")
        if kind == "parquet":
            total += _parquet_file(path).metadata.num_rows
        elif kind == "jsonl":
            with path.open("rb") as handle:
                total += sum(1 for line in handle if line.strip())
        else:
            total += sum(1 for _ in _read_csv(path, "", ""))
    return total


# --------------------------------------------------------------------------- planning


def plan_records(
    records: Iterable[InputRecord],
    check_text: Callable[[Any], str],
    done: Container[str] = frozenset(),
    counts: BatchCounts | None = None,
) -> Iterator[PendingRecord]:
    """Validate records, settle repeated ids, and skip the ids in `done` (counted in `counts.skipped`).

    The first record with an id owns it; a later record with the same id gets an
    error record under its ``<file>:<line>`` instead, so output ids stay unique.
    `check_text` is :meth:`Service.check_text` (with the field name as argument),
    so the messages are the service's own.
    """
    seen: set[str] = set()
    for record in records:
        key, error = record.id, record.error
        if key in seen:
            key = record.location
            error = f"duplicate id {record.id!r}: an earlier record has the same id; this one was not processed"
        seen.add(key)
        if key in done:
            if counts is not None:
                counts.skipped += 1
            continue
        if not error:
            try:
                check_text(record.text)
            except InputError as problem:
                error = str(problem)
        yield PendingRecord(id=key, text="" if error else record.text, error=error)


def groups(items: Iterable[PendingRecord], size: int) -> Iterator[list[PendingRecord]]:
    """Consecutive lists of `size` items (the last may be shorter)."""
    iterator = iter(items)
    while group := list(itertools.islice(iterator, size)):
        yield group


# --------------------------------------------------------------------------- processing

Outcome = Result | str
"""A result, or the error message of a text that failed."""


def _message(error: Exception) -> str:
    return str(error) if isinstance(error, SummarizeError) else f"{type(error).__name__}: {error}"


def _run_one(method: Callable[..., list[Result]], text: str, target_lang: str) -> Outcome:
    try:
        return method([text], target_lang)[0]
    except FATAL_ERRORS:
        raise
    except Exception as error:  # noqa: BLE001 - any failure of one record becomes its error record
        return _message(error)


def _run_group(method: Callable[..., list[Result]], texts: list[str], target_lang: str) -> list[Outcome]:
    """One batched call; if it fails, one call per text so each text gets its own outcome."""
    if len(texts) <= 1:
        return [_run_one(method, text, target_lang) for text in texts]
    try:
        return list(method(texts, target_lang))
    except FATAL_ERRORS:
        raise
    except Exception:  # noqa: BLE001 - retried one by one just below, where each error is kept
        return [_run_one(method, text, target_lang) for text in texts]


def _blank(record: PendingRecord, task: Task, target_lang: str) -> dict[str, Any]:
    output: dict[str, Any] = dict.fromkeys(output_fields(task), "")
    output.update(id=record.id, target_lang=target_lang, error=record.error, notes=[])
    return output


def _join(first: str, second: str) -> str:
    return f"{first}; {second}" if first else second


def _fill(output: dict[str, Any], field: str, outcome: Outcome) -> None:
    if isinstance(outcome, str):
        output["error"] = _join(output["error"], outcome)
        return
    output[field] = outcome.text
    output["source_lang"] = outcome.source_lang
    output["engine"] = _join(output["engine"], outcome.engine)
    output["model"] = _join(output["model"], outcome.model)
    output["notes"] = list(dict.fromkeys([*output["notes"], *outcome.notes]))


def process_group(
    service: Service, records: Sequence[PendingRecord], task: Task, target_lang: str
) -> list[dict[str, Any]]:
    """Output records for `records`, in order; the valid texts go through batched service calls.

    ``summarize`` gives each text's summary in `target_lang`; ``translate`` its
    translation; ``both`` both (``engine`` and ``model`` then read
    "summary's; translation's"). A text already in `target_lang` cannot be
    translated: it gets the service's message without a model call.
    """
    outputs = [_blank(record, task, target_lang) for record in records]
    valid = [index for index, record in enumerate(records) if not record.error]
    if task in ("summarize", "both"):
        outcomes = _run_group(service.summarize_batch, [records[i].text for i in valid], target_lang)
        for index, outcome in zip(valid, outcomes):
            _fill(outputs[index], "summary", outcome)
    if task in ("translate", "both"):
        languages = {index: service.detect(records[index].text).language for index in valid}
        other = [index for index in valid if languages[index] != target_lang]
        same = [index for index in valid if languages[index] == target_lang]
        outcomes = _run_group(service.translate_batch, [records[i].text for i in other], target_lang)
        outcomes += [_run_one(service.translate_batch, records[index].text, target_lang) for index in same]
        for index, outcome in zip(other + same, outcomes):
            if isinstance(outcome, str):
                outputs[index]["source_lang"] = outputs[index]["source_lang"] or languages[index]
            _fill(outputs[index], "translation", outcome)
    return outputs


def process_records(
    service: Service,
    records: Iterable[InputRecord],
    task: Task,
    target_lang: str,
    *,
    group_size: int | None = None,
    text_field: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Output records for input records, in input order, without any file output (the core of a job)."""
    check_job(task, target_lang)
    field = text_field or service.settings.batch.text_field
    pending = plan_records(records, lambda value: service.check_text(value, field))
    for group in groups(pending, group_size or service.settings.batch.group_size):
        yield from process_group(service, group, task, target_lang)


@functools.lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (e.g. musl): nothing to trim
        return None


def release_free_memory() -> None:
    """Hand freed heap pages back to the OS (glibc; a no-op elsewhere).

    Between groups the model's buffers of varying sizes are freed, but glibc keeps
    the pages: without this, a job's RSS crept up by ~100 MB over its first few
    thousand documents before levelling off (benchmarks/RESULTS-batch.md). It
    takes microseconds, once per group.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


# --------------------------------------------------------------------------- output


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


def check_written(record: Any, fields: frozenset[str], target_lang: str, where: str) -> str:
    """The id of a record found in an existing output; :class:`InputError` if another job wrote it."""
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        raise InputError(
            f"{where} is not a record written by summarize batch; move the file away or choose another --output"
        )
    if set(record) != fields or record["target_lang"] != target_lang:
        raise InputError(
            f"{where} was written by another job (fields: {', '.join(record)}; target_lang "
            f"{record.get('target_lang')!r}); resuming needs the same --task and --to, or choose another --output"
        )
    return record["id"]


class JsonlOutput:
    """An append-only JSON Lines output: every append is complete lines, flushed and fsync'ed."""

    def __init__(self, path: Path, task: Task, target_lang: str) -> None:
        self.path = path
        self.fields = frozenset(output_fields(task))
        self.target_lang = target_lang
        self._handle: Any = None

    def recover(self) -> set[str]:
        """Cut a torn last line and return the ids already written."""
        if self.path.is_dir():
            raise InputError(f"output {self.path} is a directory; give a file name ending in .jsonl or .parquet")
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

    def append(self, records: Sequence[dict[str, Any]]) -> None:
        """Write `records` as complete lines and make them durable before returning."""
        if not records:
            return
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            created = not self.path.exists()
            self._handle = self.path.open("ab")
            if created:
                _fsync_dir(self.path.parent.resolve())
        data = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
        self._handle.write(data.encode("utf-8"))
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def finish(self) -> None:
        """Close the file (every record is already durable); a job without records leaves an empty file."""
        if self._handle is None and not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.touch()
        self.close()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def output_schema(task: Task) -> pyarrow.Schema:
    """The Parquet schema of `task`'s output records."""
    pyarrow = _pyarrow()
    return pyarrow.schema(
        [
            (name, pyarrow.list_(pyarrow.string()) if name == "notes" else pyarrow.string())
            for name in output_fields(task)
        ]
    )


class ParquetOutput:
    """A Parquet output that a kill can never leave corrupt.

    Records go to the JSON Lines journal ``<output>.partial.jsonl`` (the same
    crash-safe appends as :class:`JsonlOutput`). When the job ends the journal is
    streamed into ``<output>.tmp``, which is fsync'ed and renamed over the output;
    then the journal is removed. A rerun finds either the journal (and goes on
    from it, converting again at the end) or the finished file (whose ids are
    skipped; it is turned back into a journal only if new records come).
    """

    def __init__(self, path: Path, task: Task, target_lang: str) -> None:
        self.path = path
        self.task = task
        self.journal = JsonlOutput(Path(f"{path}{JOURNAL_SUFFIX}"), task, target_lang)
        self._reopen = False

    def recover(self) -> set[str]:
        """The ids already written, from the journal or else from the finished file."""
        if self.path.is_dir():
            raise InputError(f"output {self.path} is a directory; give a file name ending in .jsonl or .parquet")
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
        for batch in _parquet_file(self.path).iter_batches(batch_size=_PARQUET_READ_ROWS):
            yield from batch.to_pylist()

    def _journal_from_finished(self) -> None:
        staging = Path(f"{self.journal.path}.tmp")
        with staging.open("wb") as handle:
            for record in self._finished_records():
                handle.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staging, self.journal.path)
        _fsync_dir(self.path.parent.resolve())

    def append(self, records: Sequence[dict[str, Any]]) -> None:
        """Journal `records` durably."""
        if records and self._reopen:
            self._journal_from_finished()
            self._reopen = False
        self.journal.append(records)

    def finish(self) -> None:
        """Convert the journal into the Parquet file (atomically) and remove the journal."""
        if self.path.exists() and not self.journal.path.exists():
            return
        self.journal.finish()
        pyarrow = _pyarrow()
        schema = output_schema(self.task)
        staging = Path(f"{self.path}.tmp")
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


def open_output(path: str | Path, task: Task, target_lang: str, inputs: Sequence[Path] = ()) -> Output:
    """The writer for `path` (JSON Lines or Parquet, by its name)."""
    path = Path(path)
    kind = _format(path, OUTPUT_FORMATS, "output")
    resolved = path.resolve()
    if any(resolved == source.resolve() for source in inputs):
        raise InputError(f"output {path} is also an input; choose another --output")
    return JsonlOutput(path, task, target_lang) if kind == "jsonl" else ParquetOutput(path, task, target_lang)


# --------------------------------------------------------------------------- progress


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Progress:
    """A job's counts and their display.

    On a terminal: a tqdm bar with documents per second and time left. Otherwise:
    a plain line every `interval` seconds. `quiet` shows neither. The final line
    (done, failed, skipped) is always written.
    """

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False, interval: float = 10.0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.interval = interval
        self.counts = BatchCounts()
        self.total: int | None = None
        self._bar: Any = None
        self._started = time.monotonic()
        self._last_line = self._started

    @property
    def wants_total(self) -> bool:
        """Whether a record count is worth its pass over the input (for the bar and the ETA)."""
        return not self.quiet

    def start(self, total: int | None) -> None:
        """Start the clock; `total` is the number of records left to process, if known."""
        self.total = total
        self._started = self._last_line = time.monotonic()
        if not self.quiet and self.stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="doc", desc="batch", file=self.stream, dynamic_ncols=True)

    def skip(self, count: int) -> None:
        """Count records found already done."""
        self.counts.skipped += count

    def add(self, records: Sequence[dict[str, Any]]) -> None:
        """Count records just written."""
        failed = sum(1 for record in records if record["error"])
        self.counts.failed += failed
        self.counts.done += len(records) - failed
        if self._bar is not None:
            self._bar.update(len(records))
            self._bar.set_postfix(failed=self.counts.failed, refresh=False)
            return
        now = time.monotonic()
        if not self.quiet and now - self._last_line >= self.interval:
            self._last_line = now
            print(self.status_line(now - self._started), file=self.stream, flush=True)

    def status_line(self, elapsed: float) -> str:
        """One plain progress line."""
        processed = self.counts.done + self.counts.failed
        rate = processed / elapsed if elapsed > 0 else 0.0
        line = f"batch: {processed:,}"
        if self.total is not None:
            line += f"/{self.total:,}"
        line += f" records ({self.counts.failed:,} failed), {rate:.1f} docs/s"
        if self.total is not None and rate > 0:
            line += f", about {_duration(max(self.total - processed, 0) / rate)} left"
        return line

    def finish(self, output: Path | str) -> str:
        """Close the bar and write (and return) the final line."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elapsed = time.monotonic() - self._started
        counts = self.counts
        line = (
            f"batch: {counts.done:,} done, {counts.failed:,} failed, {counts.skipped:,} skipped "
            f"(already in the output) in {_duration(elapsed)}; output: {output}"
        )
        print(line, file=self.stream, flush=True)
        return line


# --------------------------------------------------------------------------- the job


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
        from .service import Service

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
