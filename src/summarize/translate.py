"""Document translation: sentence by sentence, batched across documents, paragraphs kept."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .chunking import split_to_fit
from .engines.seq2seq import Seq2SeqModel
from .text import join_sentences, paragraph_separator, split_paragraphs, split_sentences


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
    outputs = iter(model.generate(flat, target_lang))
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
            sentences.append(join_sentences(model.generate(pieces, target_lang)))
            yield separator.join([*done, join_sentences(sentences)])
        done.append(join_sentences(sentences))
