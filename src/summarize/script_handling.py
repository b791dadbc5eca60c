"""How Traditional Chinese (``zh-Hant``) goes into models and comes out of them: the script wrapper
around any translator (:class:`ScriptTranslator`) or summarizer (:class:`ScriptSummarizer`).

Models are configured for ``en`` and ``zh`` only (:data:`~.text.MODEL_LANGUAGE`). A Traditional
article is read by the Chinese models, converted to Simplified first for translation models where
``translate.hant_input`` says so (a chat model reads it as written); whatever a model writes for a
``zh-Hant`` reader is converted to Traditional characters by ``translate.hant_variant``, glossary
target terms kept as the glossary writes them (Marian models with a ``>>cmn_Hant<<`` tag are also
asked for Traditional output: see :meth:`~.engines.base.Engine.target_tag`). Sentences an
extractive summary copies from the article are never converted.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, replace

from .chinese_script import (
    DEFAULT_HANT_VARIANT,
    HantInput,
    HantVariant,
    to_simplified,
    to_traditional,
)
from .engines.base import Length, Output, Summarizer, Translator
from .glossary import Glossary, TermCheck, check_terms, kept_terms
from .text import MODEL_LANGUAGE, Language


@dataclass(frozen=True)
class ScriptHandling:
    """The ``translate.hant_variant`` and ``translate.hant_input`` settings at work."""

    variant: HantVariant = DEFAULT_HANT_VARIANT
    model_input: HantInput = "simplified"

    def written(self, text: str, lang: Language, kept: Iterable[str] = ()) -> str:
        """Model output `text` in `lang`'s script (Traditional characters for ``zh-Hant``); the `kept`
        strings (glossary target terms) stay as written wherever they occur in it."""
        if lang != "zh-Hant":
            return text
        terms = sorted(set(filter(None, kept)), key=len, reverse=True)
        if not terms:
            return to_traditional(text, self.variant)
        parts = re.split(f"({'|'.join(map(re.escape, terms))})", text)
        return "".join(part if index % 2 else to_traditional(part, self.variant) for index, part in enumerate(parts))

    def written_answer(
        self, answer: str, glossary: Glossary | None, text: str, source: Language, target: Language
    ) -> str:
        """A chat model's `answer` for `text` in `target`'s script, the target terms of `glossary`'s terms
        found in `text` kept as the glossary writes them (the model was asked for them as written)."""
        kept = [term.target for term in glossary.terms_in(text, source, target)] if glossary else []
        return self.written(answer, target, kept)

    def rewritten(self, text: str, source: Language, target: Language) -> str:
        """Chinese `text` in `source`'s script, in `target`'s (``zh`` <-> ``zh-Hant``)."""
        if source == target:
            return text
        return to_simplified(text) if target == "zh" else self.written(text, target)

    def converts_input(self, lang: Language) -> bool:
        """Whether a translation model reads `lang` text converted to Simplified characters."""
        return lang == "zh-Hant" and self.model_input == "simplified"

    def model_text(self, text: str, lang: Language) -> str:
        """What a translation model reads of `text` in `lang`."""
        return to_simplified(text) if self.converts_input(lang) else text

    def model_glossary(self, glossary: Glossary | None, lang: Language) -> Glossary | None:
        """`glossary` with its Chinese source terms in the script the model reads (so that a
        Traditional term still marks its place in the Simplified text the model is given)."""
        if glossary is None or not self.converts_input(lang):
            return glossary
        return Glossary(
            replace(term, source=to_simplified(term.source)) if term.direction.startswith("zh") else term
            for term in glossary.terms
        )

    def check_terms(
        self, glossary: Glossary | None, text: str, output: str, source: Language, target: Language, as_model: bool = True
    ) -> tuple[TermCheck, ...]:
        """`glossary`'s terms found in `text`, each checked in `output`: found as a translation model is
        given them (in :meth:`model_text` by :meth:`model_glossary`; with `as_model` False, in `text` as
        written, as the chat model reads it), named as the glossary writes them."""
        if glossary is None or not (as_model and self.converts_input(source)):
            return check_terms(glossary, text, output, source, target)
        model = self.model_glossary(glossary, source)
        written = dict(zip(model.terms, glossary.terms, strict=True))
        found = model.terms_in(self.model_text(text, source), source, target)
        kept = kept_terms(output, [term.target for term in found])
        return tuple(TermCheck(written[term].source, term.target, term.target in kept) for term in found)


@dataclass(frozen=True)
class _ScriptWrapper:
    """What both wrappers keep of the engine they wrap: its labels (results report the wrapped engine)."""

    inner: Translator | Summarizer
    scripts: ScriptHandling

    @property
    def engine(self) -> str:
        return self.inner.engine

    @property
    def model(self) -> str:
        return self.inner.model


@dataclass(frozen=True)
class ScriptTranslator(_ScriptWrapper):
    """Any :class:`~.engines.base.Translator` with Traditional Chinese read and written as `scripts` says:
    the article given as the translator reads it, each translation written in the target's script."""

    inner: Translator

    def _given(self, text: str, source: Language, glossary: Glossary | None) -> tuple[str, Glossary | None]:
        if self.inner.reads_as_written:
            return text, glossary
        return self.scripts.model_text(text, source), self.scripts.model_glossary(glossary, source)

    def translate_documents(
        self, texts: Sequence[str], source: Language, target: Language, glossary: Glossary | None
    ) -> list[Output]:
        """One translation per text, in order, in `target`'s script."""
        given = [self._given(text, source, glossary)[0] for text in texts]
        model_glossary = self._given("", source, glossary)[1]
        outputs = self.inner.translate_documents(given, source, target, model_glossary)
        return [
            replace(output, text=self.scripts.written_answer(output.text, glossary, text, source, target))
            for output, text in zip(outputs, texts, strict=True)
        ]

    def stream_translation(
        self, text: str, source: Language, target: Language, glossary: Glossary | None
    ) -> Generator[str, None, Output]:
        """The translation so far, in `target`'s script, each time it grows; returns the whole as an output."""
        given, model_glossary = self._given(text, source, glossary)
        stream = self.inner.stream_translation(given, source, target, model_glossary)
        while True:
            try:
                partial = next(stream)
            except StopIteration as done:
                output: Output = done.value
                return replace(output, text=self.scripts.written_answer(output.text, glossary, text, source, target))
            yield self.scripts.written_answer(partial, glossary, text, source, target)

    def check_terms(
        self, glossary: Glossary | None, text: str, output: str, source: Language, target: Language
    ) -> tuple[TermCheck, ...]:
        """`glossary`'s terms in `text` checked in `output`, found where the translator was given them."""
        return self.scripts.check_terms(glossary, text, output, source, target, not self.inner.reads_as_written)


@dataclass(frozen=True)
class ScriptSummarizer(_ScriptWrapper):
    """Any :class:`~.engines.base.Summarizer` for an article in `lang`: the model reads it in its model
    language, and a summary the model wrote (not one of the article's own sentences) is in `lang`'s script."""

    inner: Summarizer

    @property
    def copies_sentences(self) -> bool:
        return self.inner.copies_sentences

    def summarize_documents(self, texts: Sequence[str], lang: str, length: Length) -> list[Output]:
        """One summary per text (all in `lang`), in order."""
        language: Language = lang  # type: ignore[assignment]
        outputs = self.inner.summarize_documents(texts, MODEL_LANGUAGE[language], length)
        if self.inner.copies_sentences:
            return outputs
        return [replace(output, text=self.scripts.written(output.text, language)) for output in outputs]
