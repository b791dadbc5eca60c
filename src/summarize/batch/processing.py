"""Processing: groups of planned records through batched service calls, into output records."""

from __future__ import annotations

import ctypes
import functools
import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from ..documents.model import with_document_notes
from ..errors import ConfigError, ModelUnavailableError, SummarizeError
from ..glossary import Glossary
from ..quality import combined
from ..results import Result
from ..text import SUPPORTED_LANGUAGES, Language, same_model_language
from .extraction import main_text_reader
from .planning import groups, plan_records
from .records import InputRecord, OutputRecord, PendingRecord, Task, check_job

if TYPE_CHECKING:
    from ..service import Service

log = logging.getLogger(__name__)

FATAL_ERRORS = (ConfigError,)
"""Errors that stop the job: a bad setting fails every record alike.

A missing model is not one of them: it fails the records that need it (each gets
an error record) while the other language's records go on; the preflight
(:func:`summarize.batch.preflight.check_models`) stops a job before it starts
when no record could succeed."""

Outcome = Result | str
"""A result, or the error message of a text that failed."""


def _message(error: Exception) -> str:
    return str(error) if isinstance(error, SummarizeError) else f"{type(error).__name__}: {error}"


def _run_one(method: Callable[..., list[Result]], text: str, target_lang: Language | None) -> Outcome:
    try:
        return method([text], target_lang)[0]
    except FATAL_ERRORS:
        raise
    except Exception as error:  # noqa: BLE001 - any failure of one record becomes its error record
        return _message(error)


def _run_group(
    method: Callable[..., list[Result]], texts: list[str], target_lang: Language | None
) -> list[Outcome]:
    """One batched call; if it fails, one call per text so each text gets its own outcome."""
    if len(texts) <= 1:
        return [_run_one(method, text, target_lang) for text in texts]
    try:
        return list(method(texts, target_lang))
    except FATAL_ERRORS:
        raise
    except ModelUnavailableError as error:  # the cause is known and the same for every text: no retry, no warning
        return [_message(error)] * len(texts)
    except SummarizeError:  # a bad text among them: each is tried alone below, where its own error is kept
        log.debug("a batched call of %d texts was refused; trying them one by one", len(texts), exc_info=True)
    except Exception as error:  # noqa: BLE001 - an unexpected failure: said once, then each text tried alone
        log.warning("a batch of %d texts failed unexpectedly (%s); each is tried alone", len(texts), _message(error),
                    exc_info=True)
    return [_run_one(method, text, target_lang) for text in texts]


def _joined(parts: Iterable[str]) -> str:
    return "; ".join(part for part in parts if part)


def _output_record(
    record: PendingRecord,
    task: Task,
    target_lang: Language | None,
    language: str,
    summary: Outcome | None,
    translation: Outcome | None,
) -> OutputRecord:
    """The output record of one planned record and its outcomes (None where there was no call)."""
    outcomes = [outcome for outcome in (summary, translation) if outcome is not None]
    results = [outcome for outcome in outcomes if isinstance(outcome, Result)]
    checked = summary if task == "summarize" else translation  # whose glossary terms the record reports

    def produced(outcome: Outcome | None, wanted: bool) -> str | None:
        if not wanted:
            return None
        return outcome.text if isinstance(outcome, Result) else ""

    return OutputRecord(
        id=record.id,
        summary=produced(summary, task in ("summarize", "both")),
        translation=produced(translation, task in ("translate", "both")),
        source_lang=language,
        target_lang=target_lang or language,
        engine=_joined(result.engine for result in results),
        model=_joined(result.model for result in results),
        error=_joined([record.error, *(outcome for outcome in outcomes if isinstance(outcome, str))]),
        notes=with_document_notes(record.notes, [note for result in results for note in result.notes]),
        terms=checked.terms if isinstance(checked, Result) else (),
        quality=combined(result.quality for result in results if result.quality is not None) if not record.error else None,
    )


def process_group(
    service: Service,
    records: Sequence[PendingRecord],
    task: Task,
    target_lang: Language | None,
    glossary: Glossary | None = None,
) -> list[OutputRecord]:
    """Output records for `records`, in order; the valid texts go through batched service calls.

    ``summarize`` gives each text's summary in `target_lang` (None: in the text's
    own language); ``translate`` its translation; ``both`` both. The texts of each
    language go through their own calls, so a language whose model is missing
    fails only its own records. A text already in `target_lang` cannot be
    translated: it gets the service's message without a model call. `glossary` (default: the
    service's ``translate.glossary``) is enforced and checked in every translation.
    """
    valid = [index for index, record in enumerate(records) if not record.error]
    languages = {index: service.detect(records[index].text).language for index in valid}
    summaries: dict[int, Outcome] = {}
    translations: dict[int, Outcome] = {}
    summarize = functools.partial(service.summarize_batch, glossary=glossary)
    translate = functools.partial(service.translate_batch, glossary=glossary)
    for language in SUPPORTED_LANGUAGES:
        indices = [index for index in valid if languages[index] == language]
        texts = [records[index].text for index in indices]
        if task in ("summarize", "both"):
            summaries.update(zip(indices, _run_group(summarize, texts, target_lang), strict=True))
        if task in ("translate", "both") and same_model_language(language, target_lang):
            translations.update((i, _run_one(translate, text, target_lang)) for i, text in zip(indices, texts, strict=True))
        elif task in ("translate", "both"):
            translations.update(zip(indices, _run_group(translate, texts, target_lang), strict=True))
    return [
        _output_record(record, task, target_lang, languages.get(index, ""), summaries.get(index), translations.get(index))
        for index, record in enumerate(records)
    ]


def process_records(
    service: Service,
    records: Iterable[InputRecord],
    task: Task,
    target_lang: Language | None = None,
    *,
    group_size: int | None = None,
    text_field: str | None = None,
    text_format: str = "text",
) -> Iterator[OutputRecord]:
    """Output records for input records, in input order, without any file output (the core of a job).

    `text_format` ``html`` (or ``markdown``, ``srt``) reads each text as such a document and works on
    its main text (:mod:`summarize.batch.extraction`).
    """
    check_job(task, target_lang)
    field = text_field or service.settings.batch.text_field
    read_text = main_text_reader(text_format, field, service.documents)
    pending = plan_records(records, lambda value: service.check_text(value, field), read_text=read_text)
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
