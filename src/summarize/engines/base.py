"""The engine contract, documented once: what summaries and translations are made with.

Two roles, read by the document code and the service:

- A **generation engine** (:class:`Engine`) is one loaded model behind its
  tokenizer. The document code (:mod:`summarize.summarizer`,
  :mod:`summarize.translate`) cuts text to :attr:`Engine.content_budget` tokens
  with :meth:`Engine.count_tokens` and calls :meth:`Engine.generate`, which
  returns one output per input, in input order. Subclasses implement
  :meth:`Engine.generate_distinct` and nothing else is required; the family's
  quirks (input limit, target-language tag, whitespace), the configs and the
  generation settings are handled here. Siblings: the transformers engine
  (:class:`~.seq2seq.TransformersModel`), the CTranslate2 engine
  (:class:`~.ctranslate2.CTranslate2Model`).
- A **summarizer** (:class:`Summarizer`) turns whole documents into summaries
  of a requested :data:`Length`: the extractive engine
  (:class:`~.extractive.ExtractiveSummarizer`), map-reduce over a generation
  engine (:class:`summarize.summarizer.AbstractiveSummarizer`) and the chat-model
  engine (:class:`~.llm.documents.LLMSummarizer`) conform.

The chat-model (``llm``) engine is not an :class:`Engine`: it answers
conversations (task instructions plus the article as delimited data), not a text
and a target tag, and its endpoint backend has no tokenizer or Hugging Face
configs. Its local and endpoint backends share :class:`~.llm.backend.ChatBackend`
instead (docs/llm.md, "Where it plugs in").
"""

from __future__ import annotations

import copy
import re
from abc import ABC, abstractmethod
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from ..config import ModelSettings, RuntimeSettings
from ..errors import ModelUnavailableError
from ..families import ModelFamily, family_for
from ..text import MODEL_LANGUAGE, Language

if TYPE_CHECKING:
    from ..glossary import Glossary

Length = Literal["short", "medium", "long"]
LENGTH_SCALE: dict[str, float] = {"short": 0.5, "medium": 1.0, "long": 2.0}
"""How each summary length scales the configured sentence count or token limits."""
TRANSLATION_OUTPUT_RATIO = 2
"""A translation may take this many times its source's tokens (every engine sizes its pieces and
``max_new_tokens`` by it)."""

_TAG = re.compile(r"^>>[A-Za-z_]+<<$")


@dataclass(frozen=True)
class Output:
    """What a summarizer or translator gives for one text: its summary or translation, the number of
    chunks or pieces its input was cut into, and notes."""

    text: str
    chunks: int
    notes: tuple[str, ...] = ()
    confidences: tuple[float, ...] = ()
    """A translation's pieces' confidence in order: the model's mean token log-probability of each piece's
    output (:meth:`Engine.score_outputs`); empty where the engine gives none."""


Scored = tuple[str, float | None]
"""An output and the confidence its generation gave it (mean token log-probability), or None."""

Summary = Output
"""A summary is an :class:`Output` (the name the summarizers' contract reads)."""


class Summarizer(Protocol):
    """Anything that summarizes whole documents: results report its ``engine`` and ``model``."""

    @property
    def engine(self) -> str:
        """The engine label results carry: ``extractive``, ``seq2seq``, ..."""
        ...

    @property
    def model(self) -> str:
        """The model label results carry (a model id, or the engine's own name)."""
        ...

    @property
    def copies_sentences(self) -> bool:
        """Whether its summaries are the article's own sentences (never rewritten in another script)."""
        ...

    def summarize_documents(self, texts: Sequence[str], lang: str, length: Length) -> list[Summary]:
        """One summary per text, in input order; `texts` are all in `lang`."""
        ...


class Translator(Protocol):
    """Anything that translates whole documents, paragraphs kept: results report its ``engine`` and
    ``model``. Implementations: :class:`summarize.translate.Seq2SeqTranslator` (transformers and
    CTranslate2 engines), :class:`~.llm.documents.LLMTranslator`; the script wrapper
    (:class:`summarize.script_handling.ScriptTranslator`) goes around either."""

    @property
    def engine(self) -> str:
        """The engine label results carry: ``seq2seq``, ``llm``."""
        ...

    @property
    def model(self) -> str:
        """The model label results carry."""
        ...

    @property
    def reads_as_written(self) -> bool:
        """Whether it reads a Traditional Chinese article as written (a chat model), rather than as
        ``translate.hant_input`` converts it for a translation model."""
        ...

    def translate_documents(
        self, texts: Sequence[str], source: Language, target: Language, glossary: Glossary | None
    ) -> list[Output]:
        """One translation per text, in input order (``chunks``: the pieces sent to the model)."""
        ...

    def stream_translation(
        self, text: str, source: Language, target: Language, glossary: Glossary | None
    ) -> Generator[str, None, Output]:
        """The translation so far each time it grows; returns the whole as :meth:`translate_documents` would."""
        ...


class Engine(ABC):
    """One loaded model behind its tokenizer, with its family's quirks and its configs.

    Attributes every engine has: ``name`` (the model id results report),
    ``family`` (:class:`~summarize.families.ModelFamily`), ``tokenizer`` (a
    Hugging Face tokenizer), ``config`` and ``generation_config`` (the model's
    Hugging Face configs), ``spec`` (its :class:`ModelSettings`) and ``runtime``.
    """

    def __init__(
        self,
        name: str,
        family: ModelFamily,
        tokenizer: Any,
        config: Any,
        generation_config: Any,
        spec: ModelSettings,
        runtime: RuntimeSettings,
    ) -> None:
        self.name = name
        self.family = family
        self.tokenizer = tokenizer
        self.config = config
        self.generation_config = generation_config
        self.spec = spec
        self.runtime = runtime
        self.max_input_tokens = self._input_limit()
        """Tokens of one input, special tokens included."""
        self._knows_tags = any(_TAG.match(token) for token in tokenizer.get_vocab())

    # ------------------------------------------------------------------ what subclasses implement

    @abstractmethod
    def generate_distinct(
        self, texts: Sequence[str], target_lang: str, overrides: Mapping[str, Any] | None = None
    ) -> list[str]:
        """One output per input text, in input order; the texts are all different and not prepared yet
        (call :meth:`prepare` on each). Never samples: see :meth:`generation_settings`."""

    def generate_distinct_scored(
        self, texts: Sequence[str], target_lang: str, overrides: Mapping[str, Any] | None = None
    ) -> list[Scored]:
        """:meth:`generate_distinct` with the confidence the generation itself gives each output (its mean token
        log-probability; None for an engine whose generation gives none: see :meth:`score_outputs`)."""
        return [(text, None) for text in self.generate_distinct(texts, target_lang, overrides)]

    def score_outputs(self, texts: Sequence[str], outputs: Sequence[str], target_lang: str) -> list[float | None]:
        """The model's own confidence in each output as the translation of its text, scored after generation:
        the mean log-probability of the output's tokens given the text (teacher-forced), or None where this
        engine does not score after generation."""
        return [None] * len(texts)

    # ------------------------------------------------------------------ the contract's shared part

    def generate(
        self, texts: Sequence[str], target_lang: str, overrides: Mapping[str, Any] | None = None
    ) -> list[str]:
        """Generate one output per input text, in input order; identical texts are generated once
        (news batches repeat lines such as "Advertisement" or a dateline)."""
        distinct = list(dict.fromkeys(texts))
        outputs = dict(zip(distinct, self.generate_distinct(distinct, target_lang, overrides), strict=True))
        return [outputs[text] for text in texts]

    def generate_scored(
        self, texts: Sequence[str], target_lang: str, overrides: Mapping[str, Any] | None = None
    ) -> list[Scored]:
        """:meth:`generate` with each output's confidence from the generation itself (see
        :meth:`generate_distinct_scored`)."""
        distinct = list(dict.fromkeys(texts))
        outputs = dict(zip(distinct, self.generate_distinct_scored(distinct, target_lang, overrides), strict=True))
        return [outputs[text] for text in texts]

    def with_spec(self, spec: ModelSettings) -> Engine:
        """A view of the same loaded weights with other settings (generation, input budget, tag)."""
        view = copy.copy(self)
        view.spec = spec
        view.max_input_tokens = view._input_limit()
        return view

    def _input_limit(self) -> int:
        limits = [self.spec.max_input_tokens or self.family.max_input_tokens]
        positions = getattr(self.config, "max_position_embeddings", None)
        if positions:
            limits.append(positions)
        tokenizer_limit = getattr(self.tokenizer, "model_max_length", None)
        if tokenizer_limit and tokenizer_limit < 1_000_000:
            limits.append(tokenizer_limit)
        return min(limits)

    @property
    def content_budget(self) -> int:
        """Tokens of text that fit in one input, after special tokens and the target tag."""
        reserved = self.tokenizer.num_special_tokens_to_add() + (1 if self._knows_tags else 0)
        return self.max_input_tokens - reserved

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token counts of `texts` without special tokens."""
        if not texts:
            return []
        encoded = self.tokenizer(texts, add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def target_tag(self, target_lang: str) -> str | None:
        """The tag put before each source text for `target_lang`, if this model needs one.

        For ``zh-Hant``: the family's Traditional tag (``>>cmn_Hant<<``) where the vocabulary has
        it, else the ``zh`` tag (:mod:`..translate` converts the output to Traditional either way)."""
        if not self._knows_tags:
            return None
        vocabulary = self.tokenizer.get_vocab()
        traditional = self.family.target_tags.get(target_lang) if target_lang == "zh-Hant" else None
        if traditional in vocabulary:
            return traditional
        tag = self.spec.target_token or self.family.target_tags.get(MODEL_LANGUAGE.get(target_lang, target_lang))
        if tag is None or tag not in vocabulary:
            raise ModelUnavailableError(
                f"model {self.name!r} needs a target-language tag but has no {tag or target_lang!r} tag; "
                f"set target_token in its config entry to one of its >>xx<< tokens"
            )
        return tag

    def prepare(self, text: str, target_lang: str) -> str:
        """Apply the family's input quirks to one source text."""
        if self.family.collapse_whitespace:
            text = " ".join(text.split())
        tag = self.target_tag(target_lang)
        return f"{tag} {text}" if tag else text

    def generation_settings(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The configured ``generate()`` arguments with `overrides` on top; never sampling."""
        settings = {**self.spec.generation, **(overrides or {})}
        if "min_new_tokens" in settings and "max_new_tokens" in settings:
            settings["min_new_tokens"] = min(settings["min_new_tokens"], settings["max_new_tokens"])
        if settings.get("num_beams", 1) == 1:
            # Beam-only options would make generate() warn on every greedy call.
            settings.pop("early_stopping", None)
            settings.pop("length_penalty", None)
        settings["do_sample"] = False
        return settings


# --------------------------------------------------------------------------- loading helpers


def read_model_files(source: Any, name: str, options: Mapping[str, Any]) -> tuple[Any, ModelFamily, Any]:
    """The Hugging Face config, family and tokenizer of a model folder or hub id."""
    from transformers import AutoConfig, AutoTokenizer

    config = AutoConfig.from_pretrained(source, **options)
    family = family_for(config.model_type, name)
    return config, family, AutoTokenizer.from_pretrained(source, **options)


@contextmanager
def quiet_progress_bars() -> Iterator[None]:
    """No transformers progress bars inside the block (loads and conversions say what they do)."""
    from transformers.utils import logging as transformers_logging

    bars_were_enabled = transformers_logging.is_progress_bar_enabled()
    transformers_logging.disable_progress_bar()
    try:
        yield
    finally:
        if bars_were_enabled:
            transformers_logging.enable_progress_bar()
