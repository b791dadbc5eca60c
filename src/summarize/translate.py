"""Translation with a generation engine: sentence by sentence (a sentence over the model's input
budget cut to fit), glossary terms held in placeholders, output capped by the source's length;
the document driver (:mod:`.pipeline.translation`) batches the pieces and keeps the paragraphs."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field

from .chunking import split_to_fit
from .engines.base import TRANSLATION_OUTPUT_RATIO, Engine, Output, Scored
from .glossary import Glossary
from .pipeline import translation
from .text import Language, is_wide, split_paragraphs, split_sentences

OUTPUT_SLACK = 8
"""Tokens a translation may take beyond ``TRANSLATION_OUTPUT_RATIO`` times its source's."""


def output_cap(source_tokens: int, configured: int | None) -> int:
    """``max_new_tokens`` for a source of this length: ``TRANSLATION_OUTPUT_RATIO`` times its length
    bucket (16, 32, 64... tokens) plus ``OUTPUT_SLACK``, never above `configured`."""
    bucket = max(16, 1 << max(0, source_tokens - 1).bit_length())
    cap = TRANSLATION_OUTPUT_RATIO * bucket + OUTPUT_SLACK
    return min(cap, configured) if configured else cap


def translate_segments(model: Engine, segments: Sequence[str], target_lang: str) -> list[str]:
    """Translate segments, each output capped by its source's length (see :func:`output_cap`),
    so that a model that starts repeating itself on a short sentence stops early."""
    return [text for text, _ in scored_segments(model, segments, target_lang)]


def scored_segments(model: Engine, segments: Sequence[str], target_lang: str) -> list[Scored]:
    """:func:`translate_segments` with the confidence each generation gave (:meth:`Engine.generate_scored`)."""
    configured = model.spec.generation.get("max_new_tokens")
    groups: dict[int, list[int]] = {}
    for index, count in enumerate(model.count_tokens(list(segments))):
        groups.setdefault(output_cap(count, configured), []).append(index)
    outputs: list[Scored] = [("", None)] * len(segments)
    for cap, indices in sorted(groups.items()):
        translated = model.generate_scored([segments[index] for index in indices], target_lang, {"max_new_tokens": cap})
        for index, scored in zip(indices, translated, strict=True):
            outputs[index] = scored
    return outputs


PLACEHOLDER_BASE = 7001
"""Glossary terms become numbers (7001, 7002, ...) before translation: translation models copy
numbers through, and the number is replaced by the target term afterwards."""


def _placeholders(piece: str, glossary: Glossary, source_lang: str, target_lang: str) -> tuple[str, dict[str, str]]:
    """`piece` with each glossary term replaced by a number no other number in it uses."""
    matches = glossary.matches(piece, source_lang, target_lang)
    if not matches:
        return piece, {}
    used = set(re.findall(r"\d+", piece))
    numbers = (str(n) for n in range(PLACEHOLDER_BASE, PLACEHOLDER_BASE + 10 * len(matches) + len(used) + 1))
    tokens = [number for number in numbers if number not in used][: len(matches)]
    prepared = piece
    for match, token in reversed(list(zip(matches, tokens, strict=True))):
        prepared = prepared[: match.start] + token + prepared[match.end :]
    return prepared, {token: match.term.target for match, token in zip(matches, tokens, strict=True)}


def _restore(output: str, mapping: dict[str, str]) -> str | None:
    """`output` with each placeholder replaced by its term; None when one did not come back."""
    for token, term in mapping.items():
        pattern = re.compile(rf"( ?)(?<!\d){token}(?!\d)( ?)")
        match = pattern.search(output)
        if match is None:
            return None
        before, after = output[: match.start()], output[match.end() :]
        left = "" if before and is_wide(before[-1]) and is_wide(term[0]) else match.group(1)
        right = "" if after and is_wide(after[0]) and is_wide(term[-1]) else match.group(2)
        output = before + left + term + right + after
    return output


def translate_with_glossary(
    model: Engine,
    pieces: Sequence[str],
    source_lang: str,
    target_lang: str,
    glossary: Glossary | None,
) -> list[str]:
    """Translate pieces with the glossary's terms held in placeholders; a piece whose placeholder
    the model lost is translated again as written (``Result.terms`` then shows whether the term
    made it)."""
    return [text for text, _ in scored_with_glossary(model, pieces, source_lang, target_lang, glossary)]


def scored_with_glossary(
    model: Engine, pieces: Sequence[str], source_lang: str, target_lang: str, glossary: Glossary | None
) -> list[Scored]:
    """:func:`translate_with_glossary` with the confidence each generation gave (a term's placeholder
    version's, where it was kept)."""
    if not glossary:
        return scored_segments(model, pieces, target_lang)
    planned = [_placeholders(piece, glossary, source_lang, target_lang) for piece in pieces]
    outputs = scored_segments(model, [prepared for prepared, _ in planned], target_lang)
    lost = []
    for index, ((output, score), (_, mapping)) in enumerate(zip(outputs, planned, strict=True)):
        restored = _restore(output, mapping) if mapping else output
        if restored is None:
            lost.append(index)
        else:
            outputs[index] = (restored, score)
    retried = scored_segments(model, [pieces[index] for index in lost], target_lang)
    for index, output in zip(lost, retried, strict=True):
        outputs[index] = output
    return outputs


def segment(model: Engine, text: str) -> list[list[str]]:
    """Paragraphs -> their model-sized pieces: each sentence, or the parts of one over the budget."""
    budget = model.content_budget
    layout: list[list[str]] = []
    for paragraph in split_paragraphs(text):
        sentences = split_sentences(paragraph)
        counts = model.count_tokens(sentences)
        layout.append([
            piece
            for sentence, count in zip(sentences, counts, strict=True)
            for piece in (split_to_fit(sentence, model.count_tokens, budget) if count > budget else [sentence])
        ])
    return layout


@dataclass(frozen=True)
class SentencePieces:
    """A generation engine as the document driver reads it (:class:`~.pipeline.translation.PieceTranslator`):
    each paragraph's sentences, cut to the model's budget, translated with `glossary`'s terms held."""

    model: Engine
    target_lang: str
    source_lang: str = ""
    glossary: Glossary | None = None
    confidence: bool = True
    """Give each translated piece the model's confidence; off: none."""
    generated_scores: dict[str, float | None] = field(default_factory=dict, compare=False, repr=False)
    """The generation's own score of each piece streamed so far, for :meth:`score_pieces`."""

    def layout(self, text: str) -> list[list[str]]:
        return segment(self.model, text)

    def translate_pieces(self, pieces: Sequence[str]) -> list[Output]:
        scored = scored_with_glossary(self.model, pieces, self.source_lang, self.target_lang, self.glossary)
        texts = [text for text, _ in scored]
        scores = self._confidences(pieces, texts, [score for _, score in scored])
        return [Output(text, 1, confidences=() if score is None else (score,)) for text, score in zip(texts, scores, strict=True)]

    def stream_piece(self, piece: str) -> Iterator[str]:
        ((text, score),) = scored_with_glossary(self.model, [piece], self.source_lang, self.target_lang, self.glossary)
        self.generated_scores[piece] = score
        yield text

    def score_pieces(self, pieces: Sequence[str], translations: Sequence[str]) -> list[float | None]:
        return self._confidences(pieces, translations, [self.generated_scores.get(piece) for piece in pieces])

    def _confidences(self, pieces: Sequence[str], texts: Sequence[str], generated: list[float | None]) -> list[float | None]:
        """The generation's own scores where it gave them, the model's scores after generation elsewhere
        (:meth:`~.engines.base.Engine.score_outputs`); none when not `confidence`."""
        if not self.confidence:
            return [None] * len(pieces)
        missing = [index for index, score in enumerate(generated) if score is None]
        if missing:
            scored = self.model.score_outputs([pieces[i] for i in missing], [texts[i] for i in missing], self.target_lang)
            for index, score in zip(missing, scored, strict=True):
                generated[index] = score
        return generated


def translate_documents(
    model: Engine,
    texts: Sequence[str],
    target_lang: str,
    source_lang: str = "",
    glossary: Glossary | None = None,
    confidence: bool = True,
) -> list[Output]:
    """Translate many documents with one model; all their sentences go through one batched call
    (with `glossary`'s terms held in placeholders, see :func:`translate_with_glossary`); each
    output's ``chunks`` is the number of pieces sent to the model, its ``confidences`` the model's
    score of each (unless not `confidence`)."""
    pieces = SentencePieces(model, target_lang, source_lang, glossary, confidence)
    return translation.translate_documents(pieces, texts)


def stream_translation(
    model: Engine,
    text: str,
    target_lang: str,
    source_lang: str = "",
    glossary: Glossary | None = None,
    confidence: bool = True,
) -> Generator[str, None, Output]:
    """Yield the translation so far after each piece, paragraphs kept; return the whole."""
    pieces = SentencePieces(model, target_lang, source_lang, glossary, confidence)
    return (yield from translation.stream_translation(pieces, text))


@dataclass(frozen=True)
class Seq2SeqTranslator:
    """A generation engine (transformers or CTranslate2) as a :class:`~.engines.base.Translator`."""

    generator: Engine
    engine: str = "seq2seq"
    confidence: bool = True
    """Score each translation for the model's confidence (``translate.confidence``)."""
    reads_as_written = False
    """It reads a Traditional article as ``translate.hant_input`` converts it."""

    @property
    def model(self) -> str:
        return self.generator.name

    def translate_documents(
        self, texts: Sequence[str], source: Language, target: Language, glossary: Glossary | None
    ) -> list[Output]:
        return translate_documents(self.generator, texts, target, source, glossary, self.confidence)

    def stream_translation(
        self, text: str, source: Language, target: Language, glossary: Glossary | None
    ) -> Generator[str, None, Output]:
        return (yield from stream_translation(self.generator, text, target, source, glossary, self.confidence))
