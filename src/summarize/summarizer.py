"""Abstractive summaries of any length: map-reduce over model-sized chunks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .chunking import chunk_sentences, fit_sentences
from .engines.base import LENGTH_SCALE, Engine, Length, Summary
from .text import join_sentences, split_sentences


@dataclass
class _Document:
    text: str
    chunks: int = 0
    summary: str | None = None
    notes: list[str] = field(default_factory=list)


def chunk_text(model: Engine, text: str) -> list[str]:
    """Cut `text` into chunks of whole sentences that each fit the model's input budget."""
    budget = model.content_budget
    pieces, counts = fit_sentences(split_sentences(text), model.count_tokens, budget)
    return [join_sentences([pieces[i] for i in chunk]) for chunk in chunk_sentences(pieces, counts, budget)]


def summarize_documents(
    model: Engine,
    texts: Sequence[str],
    lang: str,
    overrides: Mapping[str, Any] | None = None,
    max_rounds: int = 4,
) -> list[Summary]:
    """Summarize many documents with one model, batching all their chunks together.

    Each round summarizes every chunk of every unfinished document in one
    ``generate`` call; a document whose text fits in one chunk is done, the
    others continue with their joined chunk summaries. After `max_rounds`
    rounds the remaining input is truncated to the model's limit (with a note).
    """
    documents = [_Document(text) for text in texts]
    for round_number in range(1, max_rounds + 1):
        pending = [document for document in documents if document.summary is None]
        if not pending:
            break
        inputs: list[str] = []
        spans: list[tuple[_Document, int, int]] = []
        for document in pending:
            chunks = chunk_text(model, document.text)
            if round_number == max_rounds and len(chunks) > 1:
                document.notes.append(
                    f"input still {len(chunks)} chunks after {max_rounds - 1} map-reduce rounds; "
                    f"the last round was truncated to {model.max_input_tokens} tokens"
                )
                chunks = [document.text]
            document.chunks = document.chunks or len(chunks)
            spans.append((document, len(inputs), len(chunks)))
            inputs.extend(chunks)
        outputs = model.generate(inputs, lang, overrides)
        for document, start, count in spans:
            if count == 1:
                document.summary = outputs[start]
            else:
                document.text = join_sentences(outputs[start : start + count])
    return [Summary(document.summary or "", document.chunks, tuple(document.notes)) for document in documents]


@dataclass(frozen=True)
class AbstractiveSummarizer:
    """Map-reduce summaries with a generation engine: a :class:`~.engines.base.Summarizer`."""

    generator: Engine
    max_rounds: int = 4
    engine: str = "seq2seq"

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
