"""Abstractive summaries of any length with a generation engine: map-reduce over model-sized chunks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .chunking import chunk_sentences, fit_sentences
from .config import DEFAULT_MAX_ROUNDS
from .engines.base import LENGTH_SCALE, Engine, Length, Output, Summary
from .pipeline.map_reduce import map_reduce
from .text import join_sentences, split_sentences


def chunk_text(model: Engine, text: str) -> list[str]:
    """Cut `text` into chunks of whole sentences that each fit the model's input budget."""
    budget = model.content_budget
    pieces, counts = fit_sentences(split_sentences(text), model.count_tokens, budget)
    return [join_sentences([pieces[i] for i in chunk]) for chunk in chunk_sentences(pieces, counts, budget)]


@dataclass(frozen=True)
class Seq2SeqSummaryModel:
    """A generation engine as the map-reduce driver reads it (:class:`~.pipeline.map_reduce.SummaryModel`):
    chunks of whole sentences, and partial summaries re-cut as one text of sentences."""

    model: Engine
    lang: str
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def chunks(self, text: str) -> list[str]:
        return chunk_text(self.model, text)

    def groups(self, parts: Sequence[str]) -> list[list[str]]:
        return [[chunk] for chunk in chunk_text(self.model, join_sentences(list(parts)))]

    def summarize(self, chunks: Sequence[str]) -> list[Output]:
        return [Output(text, 1) for text in self.model.generate(list(chunks), self.lang, self.overrides)]

    def combine(self, groups: Sequence[Sequence[str]]) -> list[Output]:
        return self.summarize([join_sentences(list(group)) for group in groups])


def summarize_documents(
    model: Engine,
    texts: Sequence[str],
    lang: str,
    overrides: Mapping[str, Any] | None = None,
    max_rounds: int = DEFAULT_MAX_ROUNDS,
) -> list[Summary]:
    """Summarize many documents with one model, batching all their chunks together in each
    map-reduce round (:func:`~.pipeline.map_reduce.map_reduce`)."""
    return map_reduce(Seq2SeqSummaryModel(model, lang, overrides or {}), texts, max_rounds)


@dataclass(frozen=True)
class AbstractiveSummarizer:
    """Map-reduce summaries with a generation engine: a :class:`~.engines.base.Summarizer`."""

    generator: Engine
    max_rounds: int = DEFAULT_MAX_ROUNDS
    engine: str = "seq2seq"
    copies_sentences = False

    @property
    def model(self) -> str:
        return self.generator.name

    def summarize_documents(self, texts: Sequence[str], lang: str, length: Length) -> list[Summary]:
        """One summary per text; `length` scales the configured ``max_new_tokens``/``min_new_tokens``."""
        overrides = {
            key: max(1, round(value * LENGTH_SCALE[length]))
            for key, value in self.generator.spec.generation.items()
            if key in ("max_new_tokens", "min_new_tokens")
        }
        return summarize_documents(self.generator, texts, lang, overrides, self.max_rounds)
