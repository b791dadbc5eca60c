"""The service facade: every shell (Python, CLI, batch, UI, HTTP, eval) goes through it.

It validates input at the boundary, detects languages, picks the engine per
task from the config (falling back to the extractive summary under ``auto``),
and returns typed :class:`Result` objects in input order.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from .config import Settings, load_settings
from .documents import Document, is_translatable, looks_like_html
from .documents.isolation import DocumentLimits, DocumentReader
from .documents.model import check_text_size, with_document_notes
from .engines.base import LENGTH_SCALE, Length, Output
from .engines.extractive import ExtractiveSummarizer
from .engines.llm import ChatBackend
from .engines.page import page_notes
from .errors import InputError, InputItemsError
from .glossary import Glossary, merge_checks
from .pipeline.engines import Engines, summaries_in
from .quality import summary_quality, translation_quality
from .results import Result
from .script_handling import ScriptHandling, ScriptTranslator
from .sources import Draft, Source, check_language, contradiction_note, naming
from .store import ModelStore, default_store
from .text import (
    OTHER_LANGUAGE,
    Detection,
    Language,
    detect_language,
    lone_surrogate_problem,
    normalize_text,
    same_model_language,
)
from .wording import Argument, Message

log = logging.getLogger(__name__)


def _copies(engine: str) -> bool:
    """Whether a summary by `engine` is the article's own sentences (the extractive engine's, not translated)."""
    return engine in ("extractive", "extractive+opencc")


PAGE_READ_NOTE = "the text is an HTML page: its story was summarized, without its tags, menus and banners"


class Service:
    """Summarize and translate English and Chinese text as the settings say."""

    def __init__(self, settings: Settings | None = None, store: ModelStore | None = None) -> None:
        self.settings = settings or Settings()
        self.store = store or default_store()
        self.extractive = ExtractiveSummarizer(self.settings.summarize.extractive)
        self.scripts = ScriptHandling(self.settings.translate.hant_variant, self.settings.translate.hant_input)
        if self.settings.runtime.cpu_threads:
            import torch

            torch.set_num_threads(self.settings.runtime.cpu_threads)

    @classmethod
    def from_config(cls, path: str | Path | None = None, **overrides: Any) -> Service:
        """Build a service from a YAML file, the environment and dotted overrides."""
        return cls(load_settings(path, overrides))

    # ------------------------------------------------------------------ validation

    def check_text(self, text: Any, argument: str = "text") -> str:
        """Validate one input text and return it normalized; raise :class:`InputError` otherwise."""
        name = Argument(argument)
        if not isinstance(text, str):
            raise InputError(Message(name, f" must be a string, not {type(text).__name__}"))
        problem = lone_surrogate_problem(text)
        if problem is not None:
            raise InputError(Message(name, f" {problem}; send the text encoded as UTF-8"))
        normalized = normalize_text(text)
        if not normalized:
            raise InputError(Message(name, " is empty; give the article text"))
        limit = self.settings.limits.max_chars
        if len(normalized) > limit:
            raise InputError(
                Message(
                    name, f" has {len(normalized):,} characters, over the limit of {limit:,} "
                    "(limits.max_chars); split it or raise the limit",
                )
            )
        return normalized

    def detect(self, text: str) -> Detection:
        """The language of `text` (validated first)."""
        return detect_language(self.check_text(text))

    def _sources(
        self, texts: Sequence[Any], target_lang: Any, source_lang: Any, same_as_source: bool
    ) -> list[Source]:
        if isinstance(texts, (str, bytes)) or not isinstance(texts, Sequence):
            raise InputError(f"texts must be a list of strings, not {type(texts).__name__}")
        if target_lang is not None:
            check_language(target_lang, "target_lang")
        if source_lang is not None:
            check_language(source_lang, "source_lang")
        sources, problems = [], []
        for index, raw in enumerate(texts):
            argument = "text" if len(texts) == 1 else f"texts[{index}]"
            try:
                sources.append(self._source(raw, argument, target_lang, source_lang, same_as_source))
            except InputError as error:
                if len(texts) == 1:
                    raise
                problems.append((index, naming(argument, error.args[0])))
        if problems:
            raise InputItemsError(problems)
        return sources

    def _source(
        self, raw: Any, argument: str, target_lang: Any, source_lang: Any, same_as_source: bool
    ) -> Source:
        notes: list[str] = []
        if same_as_source and isinstance(raw, str) and looks_like_html(raw):
            raw, notes = self._page_text(raw, argument)
        text = self.check_text(raw, argument)
        if same_as_source and not notes:  # a pasted page: its title and date, as a document's notes give them
            notes = list(page_notes(text))
        detection = None if source_lang else detect_language(text)
        source = source_lang or detection.language
        target = target_lang or source
        if not same_as_source and same_model_language(target, source):
            raise InputError(
                Message(
                    Argument(argument), f" is already in {source!r}; translation goes en->zh or zh->en, so set ",
                    Argument("target_lang"), " to the other language",
                )
            )
        given_notes = notes + (contradiction_note(source_lang, text) if source_lang else [])
        return Source(text, source, target, detection, given_notes)

    def _page_text(self, page: str, argument: str) -> tuple[str, list[str]]:
        """The story of an HTML page given as text, read as ``--format html`` reads a file (the summary
        of its tags and cookie banner would be no summary), and the notes saying so."""
        document = self.documents.read(page, "html", argument)
        text = document.text or "\n\n".join(document.segments)
        if not text.strip():
            raise InputError(Message(Argument(argument), " is an HTML page with no text to summarize"))
        return text, [PAGE_READ_NOTE, *document.notes]

    # ------------------------------------------------------------------ summaries

    def summarize(
        self,
        text: str,
        target_lang: Language | None = None,
        *,
        source_lang: Language | None = None,
        length: Length = "medium",
        glossary: Glossary | None = None,
    ) -> Result:
        """Summarize one article, in its own language or in `target_lang`."""
        return self.summarize_batch([text], target_lang, source_lang=source_lang, length=length, glossary=glossary)[0]

    def summarize_batch(
        self,
        texts: Sequence[str],
        target_lang: Language | None = None,
        *,
        source_lang: Language | None = None,
        length: Length = "medium",
        glossary: Glossary | None = None,
    ) -> list[Result]:
        """Summarize many articles; model calls are batched across them; results in input order.
        A summary in the other language enforces and checks `glossary` (default: ``translate.glossary``)
        like a translation does (``Result.terms``)."""
        glossary = glossary or self.glossary
        if length not in LENGTH_SCALE:
            raise InputError(Message(Argument("length"), f" {length!r} is not supported; use 'short', 'medium' or 'long'"))
        started = time.perf_counter()
        sources = self._sources(texts, target_lang, source_lang, same_as_source=True)
        if not sources:
            return []
        drafts: dict[int, Draft] = {}
        for lang in dict.fromkeys(source.source for source in sources):
            indices = [index for index, source in enumerate(sources) if source.source == lang]
            pipeline = self.engines.summaries(lang, glossary)
            made = pipeline.summarize([sources[i].text for i in indices], [sources[i].target for i in indices], length)
            drafts.update(zip(indices, made, strict=True))
        seconds = (time.perf_counter() - started) / len(sources)
        return [
            Result(
                text=drafts[index].text,
                task="summarize",
                source_lang=source.source,
                target_lang=source.target,
                engine=drafts[index].engine,
                model=drafts[index].model,
                chunks=drafts[index].chunks,
                seconds=round(seconds, 4),
                source_mixed=source.detection is not None and source.detection.is_mixed,
                notes=tuple(source.notes) + drafts[index].notes,
                terms=drafts[index].terms,
                quality=summary_quality(
                    source.text, drafts[index].text, source.source, source.target, _copies(drafts[index].engine)
                ),
            )
            for index, source in enumerate(sources)
        ]

    def summarize_bilingual(
        self, text: str, *, source_lang: Language | None = None, length: Length = "medium",
        glossary: Glossary | None = None,
    ) -> tuple[Result, Result]:
        """The article's summary in its own language, then that summary translated into the other language.

        The second result is what ``summarize(text, other_language)`` returns (the same cross-lingual path,
        engines, models, notes and errors), without summarizing the article twice.
        """
        started = time.perf_counter()
        summary = self.summarize(text, source_lang=source_lang, length=length)
        pair = (summary.source_lang, OTHER_LANGUAGE[summary.source_lang])
        draft = Draft(summary.text, summary.engine, summary.model, summary.chunks, summary.notes)
        (done,) = summaries_in(self.engines, *pair, [draft], glossary or self.glossary)
        translated = replace(
            summary,
            target_lang=pair[1],
            text=done.text,
            engine=done.engine,
            model=done.model,
            notes=done.notes,
            terms=done.terms,
            seconds=round(time.perf_counter() - started, 4),
            quality=summary_quality(text, done.text, pair[0], pair[1], _copies(done.engine)),
        )
        return summary, translated

    @cached_property
    def engines(self) -> Engines:
        """The configured engines (chosen once, by configuration: see :mod:`.pipeline.engines`)."""
        return Engines(self.settings, self.store, self.scripts, self.extractive)

    def llm(self) -> ChatBackend:
        """The chat model of the ``llm`` section (loaded, or connected, once per process by the store)."""
        return self.engines.llm()

    # ------------------------------------------------------------------ translations

    @cached_property
    def glossary(self) -> Glossary | None:
        """The glossary of ``translate.glossary``, read once (None when none is set)."""
        path = self.settings.translate.glossary
        return Glossary.from_file(path) if path else None

    def translate(
        self,
        text: str,
        target_lang: Language,
        *,
        source_lang: Language | None = None,
        glossary: Glossary | None = None,
    ) -> Result:
        """Translate one article into `target_lang` ("en", "zh" or "zh-Hant"), keeping its paragraphs."""
        return self.translate_batch([text], target_lang, source_lang=source_lang, glossary=glossary)[0]

    def translate_batch(
        self,
        texts: Sequence[str],
        target_lang: Language,
        *,
        source_lang: Language | None = None,
        glossary: Glossary | None = None,
    ) -> list[Result]:
        """Translate many articles; sentences of all of them are batched together; results in input order.
        `glossary` (default: ``translate.glossary``) terms are enforced and checked (``Result.terms``)."""
        glossary = glossary or self.glossary
        check_language(target_lang, "target_lang")
        started = time.perf_counter()
        sources = self._sources(texts, target_lang, source_lang, same_as_source=False)
        if not sources:
            return []
        results: dict[int, Result] = {}
        for source_language in dict.fromkeys(source.source for source in sources):
            indices = [i for i, s in enumerate(sources) if s.source == source_language]
            translator = self.engines.translator(source_language, target_lang)
            group = [sources[i].text for i in indices]
            outputs = translator.translate_documents(group, source_language, target_lang, glossary)
            for index, output in zip(indices, outputs, strict=True):
                results[index] = self._translation_result(sources[index], output, translator, glossary)
        seconds = round((time.perf_counter() - started) / len(sources), 4)
        return [replace(results[index], seconds=seconds) for index in range(len(sources))]

    def _translation_result(
        self, source: Source, output: Output, translator: ScriptTranslator, glossary: Glossary | None
    ) -> Result:
        """The translation's :class:`Result`, with `glossary`'s terms in `source` checked in its text."""
        terms = translator.check_terms(glossary, source.text, output.text, source.source, source.target)
        return Result(
            text=output.text,
            task="translate",
            source_lang=source.source,
            target_lang=source.target,
            engine=translator.engine,
            model=translator.model,
            chunks=output.chunks,
            seconds=0.0,
            source_mixed=source.detection is not None and source.detection.is_mixed,
            notes=(*source.notes, *output.notes),
            terms=terms,
            quality=translation_quality(source.text, output.text, source.source, source.target, terms, output.confidences),
        )

    def translate_stream(
        self,
        text: str,
        target_lang: Language,
        *,
        source_lang: Language | None = None,
        glossary: Glossary | None = None,
    ) -> Iterator[str | Result]:
        """Yield the translation so far each time it grows (for live display), then the final :class:`Result`,
        the one :meth:`translate` returns; `glossary`'s terms (default: ``translate.glossary``) enforced."""
        check_language(target_lang, "target_lang")
        glossary = glossary or self.glossary
        started = time.perf_counter()
        (source,) = self._sources([text], target_lang, source_lang, same_as_source=False)
        translator = self.engines.translator(source.source, source.target)
        output = yield from translator.stream_translation(source.text, source.source, source.target, glossary)
        result = self._translation_result(source, output, translator, glossary)
        yield replace(result, seconds=round(time.perf_counter() - started, 4))

    # ------------------------------------------------------------------ documents

    @cached_property
    def documents(self) -> DocumentReader:
        """Reads documents in worker processes within ``limits`` (size, nesting, seconds)."""
        limits = self.settings.limits
        return DocumentReader(
            DocumentLimits(limits.max_document_bytes, limits.document_depth, limits.document_seconds, limits.max_chars)
        )

    def _check_document_size(self, characters: int, name: str) -> None:
        check_text_size(characters, self.settings.limits.max_chars, name)

    def summarize_document(
        self,
        data: bytes,
        format_name: str,
        target_lang: Language | None = None,
        *,
        source_lang: Language | None = None,
        length: Length = "medium",
        name: str = "document",
        glossary: Glossary | None = None,
    ) -> Result:
        """Summarize a document's main text (an HTML page's story, a Markdown or Word body, the subtitles'
        sentences), `glossary` as :meth:`summarize`; its title and date go into ``notes``, not the summary."""
        document: Document = self.documents.read(data, format_name, name)
        if not document.text.strip():
            raise InputError(f"{name} has no main text to summarize (no paragraphs found)")
        self._check_document_size(len(document.text), name)
        result = self.summarize(document.text, target_lang, source_lang=source_lang, length=length, glossary=glossary)
        return replace(result, notes=with_document_notes(document.notes, result.notes))

    def translate_document(
        self,
        data: bytes,
        format_name: str,
        target_lang: Language,
        *,
        source_lang: Language | None = None,
        name: str = "document",
        glossary: Glossary | None = None,
    ) -> DocumentTranslation:
        """Translate a document's text and write it back in its own format, structure kept
        (see :mod:`summarize.documents` for what each format keeps); `glossary` as :meth:`translate_batch`
        takes it, its terms checked over the whole document (``result.terms``)."""
        check_language(target_lang, "target_lang")
        document: Document = self.documents.read(data, format_name, name)
        wanted = [segment for segment in document.segments if is_translatable(segment)]
        if not wanted:
            raise InputError(f"{name} has no text to work on (no paragraphs, cells or subtitles with words)")
        self._check_document_size(sum(len(segment) for segment in wanted), name)
        source = source_lang or self.detect(document.text or "\n".join(wanted)).language
        if same_model_language(source, target_lang):
            raise InputError(Message(f"{name} is already in {source!r}; set ", Argument("target_lang"), " to the other language"))
        results = self.translate_batch(wanted, target_lang, source_lang=source, glossary=glossary)
        translated = iter(result.text for result in results)
        translations = [next(translated) if is_translatable(segment) else segment for segment in document.segments]
        result = replace(
            results[0],
            text="\n".join(result.text for result in results),
            chunks=sum(result.chunks for result in results),
            seconds=round(sum(result.seconds for result in results), 4),
            notes=tuple(dict.fromkeys(note for result in results for note in result.notes)),
            terms=merge_checks(term for result in results for term in result.terms),
        )
        # Each segment's confidence back to its mean log-probability: the document's is their geometric mean.
        confidences = [math.log(r.quality.confidence) for r in results if r.quality and r.quality.confidence]
        result = replace(result, quality=translation_quality(
            "\n".join(wanted), result.text, results[0].source_lang, target_lang, result.terms, confidences
        ))
        return DocumentTranslation(document.rebuild(translations), document.format, result)


@dataclass(frozen=True)
class DocumentTranslation:
    """A translated document in its own format, and the :class:`Result` describing the translation
    (its ``text`` holds the translated segments, one per line)."""

    data: bytes
    format: str
    result: Result
