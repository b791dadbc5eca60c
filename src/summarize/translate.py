"""Document translation: sentence by sentence, batched across documents, paragraphs kept."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .chunking import split_to_fit
from .engines.seq2seq import Seq2SeqModel
from .text import join_sentences, paragraph_separator, split_paragraphs, split_sentences


OUTPUT_RATIO = 2
"""A translation may be this many times longer than its source, in tokens (plus ``OUTPUT_SLACK``)."""
OUTPUT_SLACK = 8


def output_cap(source_tokens: int, configured: int | None) -> int:
    """``max_new_tokens`` for a source of this length: ``OUTPUT_RATIO`` times its length
    bucket (16, 32, 64... tokens) plus ``OUTPUT_SLACK``, never above `configured`."""
    bucket = max(16, 1 << max(0, source_tokens - 1).bit_length())
    cap = OUTPUT_RATIO * bucket + OUTPUT_SLACK
    return min(cap, configured) if configured else cap


def translate_segments(model: Seq2SeqModel, segments: Sequence[str], target_lang: str) -> list[str]:
    """Translate segments, each output capped by its source's length (see :func:`output_cap`),
    so that a model that starts repeating itself on a short sentence stops early."""
    configured = model.spec.generation.get("max_new_tokens")
    groups: dict[int, list[int]] = {}
    for index, count in enumerate(model.count_tokens(list(segments))):
        groups.setdefault(output_cap(count, configured), []).append(index)
    outputs = [""] * len(segments)
    for cap, indices in sorted(groups.items()):
        translated = model.generate([segments[index] for index in indices], target_lang, {"max_new_tokens": cap})
        for index, text in zip(indices, translated):
            outputs[index] = text
    return outputs


@dataclass(frozen=True)
class Translation:
    """A translated document and the number of segments sent to the model."""

    text: str
    segments: int


def segment(model: Seq2SeqModel, text: str) -> list[list[list[str]]]:
    """Paragraphs -> sentences -> model-sized pieces (a sentence over the budget is cut)."""
    budget = model.content_budget
    layout: list[list[list[str]]] = []
    for paragraph in split_paragraphs(text):
        sentences = split_sentences(paragraph)
        counts = model.count_tokens(sentences)
        layout.append(
            [split_to_fit(s, model.count_tokens, budget) if c > budget else [s] for s, c in zip(sentences, counts)]
        )
    return layout


def translate_documents(model: Seq2SeqModel, texts: Sequence[str], target_lang: str) -> list[Translation]:
    """Translate many documents with one model; all their sentences go through one batched call."""
    layouts = [segment(model, text) for text in texts]
    flat = [piece for layout in layouts for paragraph in layout for sentence in paragraph for piece in sentence]
    outputs = iter(translate_segments(model, flat, target_lang))
    translations = []
    for text, layout in zip(texts, layouts):
        paragraphs = [
            join_sentences([join_sentences([next(outputs) for _ in sentence]) for sentence in paragraph])
            for paragraph in layout
        ]
        segments = sum(len(sentence) for paragraph in layout for sentence in paragraph)
        translations.append(Translation(paragraph_separator(text).join(paragraphs), segments))
    return translations


def stream_translation(model: Seq2SeqModel, text: str, target_lang: str) -> Iterator[str]:
    """Yield the translation so far after each sentence, paragraphs kept."""
    separator = paragraph_separator(text)
    done: list[str] = []
    for layout in segment(model, text):
        sentences: list[str] = []
        for pieces in layout:
            sentences.append(join_sentences(translate_segments(model, pieces, target_lang)))
            yield separator.join([*done, join_sentences(sentences)])
        done.append(join_sentences(sentences))
