"""How Traditional Chinese (``zh-Hant``) goes into models and comes out of them.

Models are configured for ``en`` and ``zh`` only (:data:`~.text.MODEL_LANGUAGE`). A Traditional
article is read by the Chinese models, converted to Simplified first for translation models where
``translate.hant_input`` says so; whatever a model writes for a ``zh-Hant`` reader is converted to
Traditional characters by ``translate.hant_variant`` (Marian models with a ``>>cmn_Hant<<`` tag are
also asked for Traditional output: see :meth:`~.engines.base.Engine.target_tag`). Sentences an
extractive summary copies from the article are never converted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .chinese_script import DEFAULT_HANT_VARIANT, HantInput, HantVariant, to_simplified, to_traditional
from .engines.base import Engine
from .glossary import Glossary, TermCheck, check_terms, contains_term
from .sources import Draft
from .text import MODEL_LANGUAGE, Language
from .translate import Translation, stream_translation, translate_documents

if TYPE_CHECKING:
    from .engines.llm import ChatBackend
    from .engines.llm.documents import DocumentAnswer
    from .engines.llm.prompts import PromptFormat


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
        written = dict(zip(model.terms, glossary.terms))
        found = model.terms_in(self.model_text(text, source), source, target)
        return tuple(TermCheck(written[term].source, term.target, contains_term(output, term.target)) for term in found)

    def translate_documents(
        self, model: Engine, texts: Sequence[str], source: Language, target: Language, glossary: Glossary | None
    ) -> list[Translation]:
        """:func:`~.translate.translate_documents` with `source` read and `target` written as set here."""
        inputs = [self.model_text(text, source) for text in texts]
        return translate_documents(model, inputs, target, source, self.model_glossary(glossary, source), self.variant)

    def stream_translation(
        self, model: Engine, text: str, source: Language, target: Language, glossary: Glossary | None
    ) -> Iterator[str]:
        """:func:`~.translate.stream_translation` with `source` read and `target` written as set here."""
        glossary = self.model_glossary(glossary, source)
        yield from stream_translation(model, self.model_text(text, source), target, source, glossary, self.variant)

    def rewritten_drafts(self, drafts: Sequence[Draft], source: Language, target: Language) -> list[Draft]:
        """Summaries in `source`'s script rewritten in `target`'s (``zh`` <-> ``zh-Hant``), engine ``...+opencc``."""
        return [
            replace(draft, text=self.rewritten(draft.text, source, target), engine=f"{draft.engine}+opencc")
            for draft in drafts
        ]

    def llm_translations(
        self,
        backend: ChatBackend,
        texts: list[str],
        source: Language,
        target: Language,
        prompt_format: PromptFormat,
        glossary: Glossary | None,
    ) -> list[DocumentAnswer]:
        """The chat model's translations: the article named in its own script (the model reads it as written),
        the answer asked in the model language and written in `target`'s script."""
        from .engines.llm.documents import translate_documents as translate_with_llm

        languages = (source, MODEL_LANGUAGE[target])  # the article's script named, the answer converted
        answers = translate_with_llm(backend, texts, *languages, prompt_format, glossary)
        return [
            replace(answer, text=self.written_answer(answer.text, glossary, text, source, target))
            for answer, text in zip(answers, texts)
        ]

    def llm_stream(
        self,
        backend: ChatBackend,
        text: str,
        source: Language,
        target: Language,
        prompt_format: PromptFormat,
        glossary: Glossary | None,
    ) -> Iterator[str]:
        """The chat model's translation so far, as :meth:`llm_translations` writes it."""
        from .engines.llm.documents import stream_translation as stream_with_llm

        languages = (source, MODEL_LANGUAGE[target])  # the article's script named, the answer converted
        for partial in stream_with_llm(backend, text, *languages, prompt_format, glossary):
            yield self.written_answer(partial, glossary, text, source, target)
