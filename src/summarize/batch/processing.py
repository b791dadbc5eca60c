"""Processing: groups of planned records through batched service calls, into output records."""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, ModelUnavailableError, SummarizeError
from ..results import Result
from .planning import groups, plan_records
from .records import InputRecord, PendingRecord, Task, check_job, output_fields

if TYPE_CHECKING:
    from ..service import Service

FATAL_ERRORS = (ModelUnavailableError, ConfigError)
"""Errors that stop the job (a missing model or a bad setting fails every record alike)."""

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
