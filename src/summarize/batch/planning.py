"""Planning: validate each record, settle repeated ids, skip what is already done, group the rest."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Container, Iterable, Iterator
from typing import Any

from ..errors import InputError
from .records import BatchCounts, InputRecord, PendingRecord


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
