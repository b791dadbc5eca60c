"""The one place where the configuration picks the engines, and the summary pipelines built from them.

``summarize.engine`` and ``translate.engine`` name entries of :data:`SUMMARY_ENGINES` and
:data:`TRANSLATION_ENGINES`; nothing else in the service asks which engine is configured. A summary in
another language is a composite (the article summarized, then the summary translated, or its script
rewritten for ``zh`` <-> ``zh-Hant``) unless the engine writes the other language itself (the chat
model, in one step). Every translator and summarizer is wrapped by the script handling
(:mod:`summarize.script_handling`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from ..config import LLM_ENGINE, ModelSettings
from ..engines.base import Length, Summarizer, Translator
from ..engines.extractive import ExtractiveSummarizer
from ..engines.page import story_text
from ..errors import ModelUnavailableError
from ..glossary import Glossary, check_terms
from ..script_handling import ScriptHandling, ScriptSummarizer, ScriptTranslator
from ..sources import ALSO_A_NOTE, Draft, fallback_note, summary_drafts
from ..summarizer import AbstractiveSummarizer
from ..text import MODEL_LANGUAGE, Language, same_model_language
from ..translate import Seq2SeqTranslator

if TYPE_CHECKING:
    from ..config import Settings
    from ..engines.llm import ChatBackend
    from ..store import ModelStore

log = logging.getLogger(__name__)


class SummaryPipeline(Protocol):
    """Summaries of articles in one language, each in its own target language."""

    def summarize(self, texts: Sequence[str], targets: Sequence[Language], length: Length) -> list[Draft]:
        """One draft per text, in order."""
        ...


class Engines:
    """The configured engines of one service: loaded through the model store on first use."""

    def __init__(self, settings: Settings, store: ModelStore, scripts: ScriptHandling, extractive: ExtractiveSummarizer) -> None:
        self.settings = settings
        self.store = store
        self.scripts = scripts
        self.extractive = extractive
        self._logged_fallbacks: set[tuple[str, str, float | None]] = set()

    # ------------------------------------------------------------------ chat model and translators

    def llm(self) -> ChatBackend:
        """The chat model of the ``llm`` section (loaded, or connected, once per process by the store)."""
        return self.store.get_llm(self.settings.llm, self.settings.runtime)

    def translator(self, source: Language, target: Language) -> ScriptTranslator:
        """The configured translator for `source` -> `target`, in its script wrapper."""
        return ScriptTranslator(TRANSLATION_ENGINES[self.settings.translate.engine](self, source, target), self.scripts)

    def summaries(self, source: Language, glossary: Glossary | None) -> SummaryPipeline:
        """The configured summary pipeline for articles in `source`."""
        return SUMMARY_ENGINES[self.settings.summarize.engine](self, source, glossary)

    # ------------------------------------------------------------------ same-language summarizers

    def model_summarizer(self, lang: Language, fallback: bool) -> tuple[Summarizer, tuple[str, ...]]:
        """The summarization model for `lang`; with `fallback` (``auto``), the extractive summarizer and a
        note when the model is not configured or cannot be loaded."""
        model_lang = MODEL_LANGUAGE[lang]
        spec = self.settings.summarize.models.get(model_lang)
        if spec is None:
            message = f"no summarization model is configured for {model_lang!r} (summarize.models.{model_lang})"
            if not fallback:
                raise ModelUnavailableError(message)
            return self.extractive, (f"{message}; extractive summary",)
        role = f"summarize.models.{model_lang}"
        try:
            model = self.store.get(spec, role, self.settings.runtime)
        except ModelUnavailableError as error:
            if not fallback:
                raise
            self._log_fallback(role, spec, error)
            return self.extractive, (fallback_note(spec.model, error),)
        return AbstractiveSummarizer(model, self.settings.summarize.max_rounds), ()

    def _log_fallback(self, role: str, spec: ModelSettings, error: ModelUnavailableError) -> None:
        """Log the first extractive fallback after each failed load of `spec` (the store tries it again
        after ``runtime.retry_failed_load_seconds``), so the server's log says why summaries are extractive."""
        failure = self.store.failure(role, spec, self.settings.runtime)
        mark = (role, spec.model, failure.at if failure is not None else None)
        if mark not in self._logged_fallbacks:
            self._logged_fallbacks.add(mark)
            log.warning(
                "%s: extractive summaries instead of %r until it loads: %s", role, spec.model, error,
                extra={ALSO_A_NOTE: True},
            )


@dataclass(frozen=True)
class ComposedSummaries:
    """Summaries in the article's language by a same-language summarizer; a summary for another target
    is that summary in the target (:func:`summaries_in`)."""

    engines: Engines
    source: Language
    glossary: Glossary | None
    summarizer: Callable[[Engines, Language], tuple[Summarizer, tuple[str, ...]]]

    def summarize(self, texts: Sequence[str], targets: Sequence[Language], length: Length) -> list[Draft]:
        summarizer, notes = self.summarizer(self.engines, self.source)
        wrapped = ScriptSummarizer(summarizer, self.engines.scripts)
        given = texts if summarizer.copies_sentences else [story_text(text) for text in texts]  # it reads the page itself
        drafts = summary_drafts(wrapped, given, self.source, length, notes)
        for target in dict.fromkeys(targets):
            if target == self.source:
                continue
            indices = [index for index, wanted in enumerate(targets) if wanted == target]
            done = summaries_in(self.engines, self.source, target, [drafts[index] for index in indices], self.glossary)
            for index, draft in zip(indices, done, strict=True):
                drafts[index] = draft
        return drafts


def summaries_in(
    engines: Engines, source: Language, target: Language, drafts: Sequence[Draft], glossary: Glossary | None
) -> list[Draft]:
    """`drafts` (summaries in `source`) in `target`: translated, with `glossary`'s terms enforced and checked
    (engine ``<summarizer>+<translator>``), or for the other Chinese script rewritten (``<summarizer>+opencc``)."""
    scripts = engines.scripts
    if same_model_language(source, target):  # zh <-> zh-Hant: the script changes, not the language
        return [
            replace(draft, text=scripts.rewritten(draft.text, source, target), engine=f"{draft.engine}+opencc")
            for draft in drafts
        ]
    try:
        translator = engines.translator(source, target)
    except ModelUnavailableError as error:
        raise ModelUnavailableError(f"a {source}->{target} summary needs the translation model: {error}") from None
    translations = translator.translate_documents([draft.text for draft in drafts], source, target, glossary)
    return [
        replace(
            draft,
            text=translation.text,
            engine=f"{draft.engine}+{translator.engine}",
            model=f"{draft.model} + {translator.model}",
            notes=(*draft.notes, *translation.notes),
            terms=translator.check_terms(glossary, draft.text, translation.text, source, target),
        )
        for translation, draft in zip(translations, drafts, strict=True)
    ]


@dataclass(frozen=True)
class OneStepSummaries:
    """Summaries by the chat model, a cross-lingual one in one step (with `glossary`'s terms in the
    prompt, and checked against the article: a term the summary leaves out shows ``found: false``);
    ``summarize.extractive.sentences`` is the medium length."""

    engines: Engines
    source: Language
    glossary: Glossary | None

    def summarize(self, texts: Sequence[str], targets: Sequence[Language], length: Length) -> list[Draft]:
        from ..engines.llm.documents import LLMSummarizer

        settings, scripts = self.engines.settings, self.engines.scripts
        drafts: list[Draft | None] = [None] * len(texts)
        for target in dict.fromkeys(targets):
            indices = [index for index, wanted in enumerate(targets) if wanted == target]
            cross_lingual = self.glossary if not same_model_language(self.source, target) else None
            summarizer = LLMSummarizer(
                self.engines.llm(), settings.summarize.extractive.sentences, MODEL_LANGUAGE[target],
                settings.summarize.max_rounds, cross_lingual,
            )
            group = [story_text(texts[index]) for index in indices]
            for index, draft in zip(indices, summary_drafts(summarizer, group, self.source, length), strict=True):
                text = scripts.written_answer(draft.text, cross_lingual, texts[index], self.source, target)
                terms = check_terms(cross_lingual, texts[index], text, self.source, target)
                drafts[index] = replace(draft, text=text, terms=terms)
        return [draft for draft in drafts if draft is not None]


def _seq2seq_translator(engines: Engines, source: Language, target: Language) -> Seq2SeqTranslator:
    pair = f"{MODEL_LANGUAGE[source]}-{MODEL_LANGUAGE[target]}"
    spec = engines.settings.translate.models.get(pair)  # type: ignore[call-overload]
    if spec is None:
        raise ModelUnavailableError(f"no translation model is configured for {pair} (translate.models.{pair})")
    generator = engines.store.get(spec, f"translate.models.{pair}", engines.settings.runtime)
    return Seq2SeqTranslator(generator, confidence=engines.settings.translate.confidence)


def _llm_translator(engines: Engines, source: Language, target: Language) -> Translator:
    from ..engines.llm.documents import LLMTranslator
    from ..engines.llm.prompts import translation_format

    backend = engines.llm()
    return LLMTranslator(backend, translation_format(engines.settings.llm.prompt_format, backend.name))


TRANSLATION_ENGINES: dict[str, Callable[[Engines, Language, Language], Translator]] = {
    "seq2seq": _seq2seq_translator,
    LLM_ENGINE: _llm_translator,
}
"""``translate.engine`` -> the translator for a language pair."""

SUMMARY_ENGINES: dict[str, Callable[[Engines, Language, Glossary | None], SummaryPipeline]] = {
    "extractive": lambda engines, source, glossary: ComposedSummaries(
        engines, source, glossary, lambda engines, lang: (engines.extractive, ())
    ),
    "seq2seq": lambda engines, source, glossary: ComposedSummaries(
        engines, source, glossary, lambda engines, lang: engines.model_summarizer(lang, fallback=False)
    ),
    "auto": lambda engines, source, glossary: ComposedSummaries(
        engines, source, glossary, lambda engines, lang: engines.model_summarizer(lang, fallback=True)
    ),
    LLM_ENGINE: OneStepSummaries,
}
"""``summarize.engine`` -> the summary pipeline for articles in one language."""
