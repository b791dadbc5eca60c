"""Planning: validate each record, settle repeated ids, skip what is already done, group the rest."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Container, Iterable, Iterator
from typing import Any

from ..errors import InputError
from .records import BatchCounts, InputRecord, PendingRecord


def _free_id(location: str, taken: Container[str]) -> str:
    """`location`, or the first of ``<location>#2``, ``#3``... that no earlier record took."""
    candidate, number = location, 1
    while candidate in taken:
        number += 1
        candidate = f"{location}#{number}"
    return candidate


def plan_records(
    records: Iterable[InputRecord],
    check_text: Callable[[Any], str],
    done: Container[str] = frozenset(),
    counts: BatchCounts | None = None,
    read_text: Callable[[InputRecord], InputRecord] | None = None,
) -> Iterator[PendingRecord]:
    """Validate records, keep ids unique, and skip the ids in `done` (counted in `counts.skipped`).

    The first record with an id owns it. A later record with the same explicit id
    gets an error record under its ``<file>:<line>`` instead. A record without an
    id whose ``<file>:<line>`` an earlier record took as its explicit id is
    processed as ``<file>:<line>#2``. Ids depend only on the input, so a rerun
    gives every record the id it had. `check_text` is :meth:`Service.check_text`
    (with the field name as argument), so the messages are the service's own.
    `read_text` (see :func:`summarize.batch.extraction.main_text_reader`) reads each record to
    process (not those skipped) before its text is checked.
    """
    generated_ids: dict[str, bool] = {}
    """Every id given so far, and whether it was generated from a location."""
    for record in records:
        key, error = record.id, record.error
        generated = record.id == record.location
        if key in generated_ids:
            earlier = "an earlier record without an id has it as its location" if generated_ids[key] else (
                "an earlier record has the same id"
            )
            key = _free_id(record.location, generated_ids)
            if not generated:
                error = f"duplicate id {record.id!r}: {earlier}; this one was not processed"
        generated_ids[key] = generated
        if key in done:
            if counts is not None:
                counts.skipped += 1
            continue
        if not error and read_text is not None:
            record = read_text(record)
            error = record.error
        if not error:
            try:
                check_text(record.text)
            except InputError as problem:
                error = str(problem)
        yield PendingRecord(id=key, text="" if error else record.text, error=error, notes=() if error else record.notes)


def groups(items: Iterable[PendingRecord], size: int) -> Iterator[list[PendingRecord]]:
    """Consecutive lists of `size` items (the last may be shorter)."""
    iterator = iter(items)
    while group := list(itertools.islice(iterator, size)):
        yield group
