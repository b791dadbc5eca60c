"""One document translation driver for every engine: paragraphs kept, pieces batched across
documents, and streamed piece by piece.

An engine gives its pieces (:meth:`PieceTranslator.layout`: a seq2seq model's sentences cut to its
input budget, a chat model's paragraph parts with the text before them as context) and how it
translates them; the driver sends every piece of every document in one call, and puts each
translation back in its paragraph (pieces joined as sentences are, paragraphs by the document's
own separator).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from typing import Protocol, TypeVar

from ..engines.base import Output
from ..text import join_sentences, paragraph_separator

PieceT = TypeVar("PieceT")


class PieceTranslator(Protocol[PieceT]):
    """What an engine gives the driver (its languages and glossary are its own)."""

    def layout(self, text: str) -> list[list[PieceT]]:
        """`text`'s paragraphs, each as the pieces it is translated in."""
        ...

    def translate_pieces(self, pieces: Sequence[PieceT]) -> list[Output]:
        """One translation per piece, in order (with the notes of its making)."""
        ...

    def stream_piece(self, piece: PieceT) -> Iterator[str]:
        """The translation of one piece so far, growing; the last one yielded is the whole."""
        ...

    def score_pieces(self, pieces: Sequence[PieceT], translations: Sequence[str]) -> list[float | None]:
        """The model's confidence in each piece's translation (mean token log-probability; None where it has none)."""
        ...


def _paragraph(translations: Sequence[str]) -> str:
    """Translated pieces of one paragraph joined as sentences are (an empty one adds nothing)."""
    return join_sentences([text for text in translations if text])


def translate_documents(translator: PieceTranslator[PieceT], texts: Sequence[str]) -> list[Output]:
    """One translation per text, in order; every piece of every text goes through one call."""
    layouts = [translator.layout(text) for text in texts]
    flat = [piece for layout in layouts for paragraph in layout for piece in paragraph]
    outputs = iter(translator.translate_pieces(flat))
    translations = []
    for text, layout in zip(texts, layouts, strict=True):
        notes: list[str] = []
        confidences: list[float] = []
        paragraphs = []
        for paragraph in layout:
            done = [next(outputs) for _ in paragraph]
            notes.extend(note for output in done for note in output.notes)
            confidences.extend(confidence for output in done for confidence in output.confidences)
            paragraphs.append(_paragraph([output.text for output in done]))
        pieces = sum(len(paragraph) for paragraph in layout)
        joined = paragraph_separator(text).join(paragraphs)
        translations.append(Output(joined, pieces, tuple(dict.fromkeys(notes)), tuple(confidences)))
    return translations


def stream_translation(translator: PieceTranslator[PieceT], text: str) -> Generator[str, None, Output]:
    """The translation so far, each time it grows, paragraphs kept; the last one is the whole, which
    the generator also returns as an :class:`Output` (``chunks``: the pieces)."""
    separator = paragraph_separator(text)
    done: list[str] = []
    shown = None
    layout = translator.layout(text)
    pieces = sum(len(paragraph) for paragraph in layout)
    translated: list[str] = []
    for paragraph in layout:
        finished: list[str] = []
        for piece in paragraph:
            partial = ""
            for partial in translator.stream_piece(piece):
                current = separator.join([*done, _paragraph([*finished, partial])])
                if current != shown:
                    shown = current
                    yield current
            finished.append(partial)
        translated.extend(finished)
        done.append(_paragraph(finished))
    whole = separator.join(done)
    if whole != shown:
        yield whole
    scores = translator.score_pieces([piece for paragraph in layout for piece in paragraph], translated)
    return Output(whole, pieces, confidences=tuple(score for score in scores if score is not None))
