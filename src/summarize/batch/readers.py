"""Reading a job's input files (JSONL, CSV, Parquet) one record at a time."""

from __future__ import annotations

import csv
import glob
import json
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from ..errors import InputError
from ..text import first_lone_surrogate, not_utf8_message
from ..wording import Argument, Message
from .records import InputRecord

INPUT_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
PARQUET_READ_ROWS = 1024


def file_format(path: Path, formats: dict[str, str], role: str) -> str:
    found = formats.get(path.suffix.lower())
    if found is None:
        names = ", ".join(sorted(formats))
        raise InputError(f"cannot tell the format of {role} {path} from its name; use a name ending in {names}")
    return found


def expand_inputs(patterns: Sequence[str | Path], exclude: Collection[Path] = ()) -> list[Path]:
    """Input files from paths and glob patterns, in the order given (each glob sorted), without repeats.

    A glob never matches the files in `exclude` (the job's own output, journal,
    temp and lock files), so a rerun does not read what the job wrote.
    """
    if not patterns:
        raise InputError("no input given; name at least one file or glob pattern (--input)")
    excluded = {path.resolve() for path in exclude}
    paths: list[Path] = []
    for pattern in patterns:
        text = str(pattern)
        if any(char in text for char in "*?["):
            matches = [
                Path(match)
                for match in sorted(glob.glob(text, recursive=True))
                if Path(match).is_file() and Path(match).resolve() not in excluded
            ]
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
        file_format(path, INPUT_FORMATS, "input")
    return unique


def pyarrow_module() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401  (makes pyarrow.parquet available)
    except ImportError:
        raise InputError(
            "Parquet files need pyarrow: pip install 'bilingual-summarize[batch]'"
        ) from None
    return pyarrow


def parquet_file(path: Path) -> Any:
    pyarrow = pyarrow_module()
    try:
        return pyarrow.parquet.ParquetFile(path)
    except (OSError, pyarrow.ArrowException) as error:
        raise InputError(f"cannot read {path} as Parquet: {error}") from None


def _undecodable_byte(values: Iterable[str]) -> int | None:
    """The first byte that a ``surrogateescape`` decoding could not read, or None."""
    for value in values:
        for char in value:
            if "\udc80" <= char <= "\udcff":
                return ord(char) - 0xDC00
    return None


def _csv_header(path: Path) -> list[str]:
    with _open_csv(path) as handle:
        try:
            header = next(csv.reader(handle, strict=True), [])
        except csv.Error as error:
            raise InputError(f"{path} is not valid CSV (line 1): {error}") from None
    byte = _undecodable_byte(header)
    if byte is not None:
        raise InputError(not_utf8_message(f"the header of {path}", byte, fix="convert the file to UTF-8"))
    return header


def check_inputs(paths: Sequence[Path], text_field: str) -> None:
    """Raise :class:`InputError` when a CSV or Parquet file has no `text_field` column."""
    for path in paths:
        kind = INPUT_FORMATS[path.suffix.lower()]
        if kind == "csv":
            columns = _csv_header(path)
            if not columns:
                continue
        elif kind == "parquet":
            columns = parquet_file(path).schema_arrow.names
        else:
            continue
        if text_field not in columns:
            raise InputError(
                Message(
                    f"{path} has no {text_field!r} column (columns: {', '.join(columns)}); name the text column with ",
                    Argument("text_field"),
                )
            )


def _lone_surrogate(value: Any) -> str | None:
    """The first lone surrogate in a string (a JSON ``\\ud800`` escape decodes to one), or None."""
    index = first_lone_surrogate(value) if isinstance(value, str) else None
    return None if index is None else value[index]


def _record(location: str, data: dict[str, Any], text_field: str, id_field: str) -> InputRecord:
    raw_id, text = data.get(id_field), data.get(text_field)
    key, error = location, ""
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int, type(None))):
        error = f"field {id_field!r} must be a string or a whole number, not {type(raw_id).__name__}"
    elif raw_id is not None and raw_id != "":
        key = str(raw_id)
    if not error and text_field not in data:
        error = f"record has no {text_field!r} field"
    for field, value in ((id_field, key), (text_field, text)):
        surrogate = _lone_surrogate(value)
        if not error and surrogate is not None:
            error = (
                f"field {field!r} holds a lone surrogate (U+{ord(surrogate):04X}), which is not text; "
                f"fix the \\u{ord(surrogate):04x} escape"
            )
    if error:
        return InputRecord(location=location, id=location if _lone_surrogate(key) else key, text=None, error=error)
    return InputRecord(location=location, id=key, text=text)


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
                message = not_utf8_message("line", raw[error.start], f"at column {error.start + 1}")
                yield InputRecord(location, location, None, message)
                continue
            try:
                data = json.loads(line.lstrip("\ufeff") if number == 1 else line)
            except json.JSONDecodeError as error:
                yield InputRecord(location, location, None, f"line is not valid JSON: {error.msg} at column {error.colno}")
                continue
            except ValueError:  # the only other ValueError json raises: a number too long to convert
                message = f"line holds a number of over {sys.get_int_max_str_digits():,} digits; write it as a string"
                yield InputRecord(location, location, None, message)
                continue
            except RecursionError:
                yield InputRecord(location, location, None, "line is nested too deeply to read (arrays or objects)")
                continue
            if not isinstance(data, dict):
                kind = _JSON_KINDS.get(type(data), "null")
                yield InputRecord(location, location, None, f"line holds {kind}, not a JSON object")
                continue
            yield _record(location, data, text_field, id_field)


def _open_csv(path: Path) -> TextIO:
    # Undecodable bytes become lone surrogates, so that a bad row becomes that row's error record.
    return path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="")


def _read_csv(path: Path, text_field: str, id_field: str) -> Iterator[InputRecord]:
    """The rows of a CSV file; a row that is not valid CSV or not UTF-8 is an error record, and reading goes on."""
    # A long article is one long field; the csv module refuses fields over 128 KiB by default.
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
    header = _csv_header(path)
    with _open_csv(path) as handle:
        reader = csv.reader(handle, strict=True)
        next(reader, None)
        line = reader.line_num
        while True:
            start = line + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                line = reader.line_num
                location = f"{path}:{start}"
                yield InputRecord(location, location, None, _csv_error(str(error), start, line))
                continue
            line = reader.line_num
            if not row:
                continue
            location = f"{path}:{start}"
            byte = _undecodable_byte(row)
            if byte is not None:
                yield InputRecord(location, location, None, not_utf8_message("row", byte))
                continue
            yield _record(location, dict(zip(header, row, strict=False)), text_field, id_field)


def _csv_error(message: str, start: int, end: int) -> str:
    if message == "unexpected end of data":
        return (
            f"unterminated quote: the quoted field opened on line {start} is never closed, "
            f"so lines {start}-{end} (the rest of the file) were not read; close the quote"
        )
    lines = f"line {start}" if start == end else f"lines {start}-{end}"
    return f"row is not valid CSV ({lines}): {message}"


def _read_parquet(path: Path, text_field: str, id_field: str) -> Iterator[InputRecord]:
    """The rows of a Parquet file, one row group at a time; the rows of a row group that cannot be read are error records."""
    parquet = parquet_file(path)
    columns = [name for name in dict.fromkeys((text_field, id_field)) if name in parquet.schema_arrow.names]
    groups = parquet.metadata.num_row_groups
    row = 0
    for group in range(groups):
        end = row + parquet.metadata.row_group(group).num_rows
        try:
            for batch in parquet.iter_batches(batch_size=PARQUET_READ_ROWS, row_groups=[group], columns=columns):
                for data in batch.to_pylist():
                    row += 1
                    yield _record(f"{path}:{row}", data, text_field, id_field)
        except (OSError, pyarrow_module().ArrowException) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            message = f"Parquet row group {group + 1} of {groups} (rows {row + 1}-{end}) cannot be read: {reason}"
            for unread in range(row + 1, end + 1):
                yield InputRecord(f"{path}:{unread}", f"{path}:{unread}", None, message)
        row = end


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
        yield from _READERS[file_format(path, INPUT_FORMATS, "input")](path, text_field, id_field)


def count_records(paths: Iterable[Path]) -> int:
    """How many records :func:`read_records` will yield (for progress and ETA), reading nothing into memory."""
    total = 0
    for path in paths:
        kind = file_format(path, INPUT_FORMATS, "input")
        if kind == "parquet":
            total += parquet_file(path).metadata.num_rows
        elif kind == "jsonl":
            with path.open("rb") as handle:
                total += sum(1 for line in handle if line.strip())
        else:
            total += sum(1 for _ in _read_csv(path, "", ""))
    return total
