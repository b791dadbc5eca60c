"""Document translation: sentence by sentence, batched across documents, paragraphs kept."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .chinese_script import DEFAULT_HANT_VARIANT, HantVariant, to_traditional
from .chunking import split_to_fit
from .engines.base import TRANSLATION_OUTPUT_RATIO, Engine
from .glossary import Glossary
from .text import is_wide, join_sentences, paragraph_separator, split_paragraphs, split_sentences


OUTPUT_SLACK = 8
"""Tokens a translation may take beyond ``TRANSLATION_OUTPUT_RATIO`` times its source's."""


def output_cap(source_tokens: int, configured: int | None) -> int:
    """``max_new_tokens`` for a source of this length: ``TRANSLATION_OUTPUT_RATIO`` times its length
    bucket (16, 32, 64... tokens) plus ``OUTPUT_SLACK``, never above `configured`."""
    bucket = max(16, 1 << max(0, source_tokens - 1).bit_length())
    cap = TRANSLATION_OUTPUT_RATIO * bucket + OUTPUT_SLACK
    return min(cap, configured) if configured else cap


def translate_segments(
    model: Engine, segments: Sequence[str], target_lang: str, hant_variant: HantVariant = DEFAULT_HANT_VARIANT
) -> list[str]:
    """Translate segments, each output capped by its source's length (see :func:`output_cap`),
    so that a model that starts repeating itself on a short sentence stops early. Output for
    ``zh-Hant`` is converted to Traditional characters by `hant_variant`."""
    configured = model.spec.generation.get("max_new_tokens")
    groups: dict[int, list[int]] = {}
    for index, count in enumerate(model.count_tokens(list(segments))):
        groups.setdefault(output_cap(count, configured), []).append(index)
    outputs = [""] * len(segments)
    for cap, indices in sorted(groups.items()):
        translated = model.generate([segments[index] for index in indices], target_lang, {"max_new_tokens": cap})
        for index, text in zip(indices, translated):
            outputs[index] = to_traditional(text, hant_variant) if target_lang == "zh-Hant" else text
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
    for match, token in reversed(list(zip(matches, tokens))):
        prepared = prepared[: match.start] + token + prepared[match.end :]
    return prepared, {token: match.term.target for match, token in zip(matches, tokens)}


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
    hant_variant: HantVariant = DEFAULT_HANT_VARIANT,
) -> list[str]:
    """Translate pieces with the glossary's terms held in placeholders; a piece whose placeholder
    the model lost is translated again as written (``Result.terms`` then shows whether the term
    made it)."""
    if not glossary:
        return translate_segments(model, pieces, target_lang, hant_variant)
    planned = [_placeholders(piece, glossary, source_lang, target_lang) for piece in pieces]
    outputs = translate_segments(model, [prepared for prepared, _ in planned], target_lang, hant_variant)
    lost = []
    for index, (output, (_, mapping)) in enumerate(zip(outputs, planned)):
        restored = _restore(output, mapping) if mapping else output
        if restored is None:
            lost.append(index)
        else:
            outputs[index] = restored
    retried = translate_segments(model, [pieces[index] for index in lost], target_lang, hant_variant)
    for index, output in zip(lost, retried):
        outputs[index] = output
    return outputs


@dataclass(frozen=True)
class Translation:
    """A translated document and the number of segments sent to the model."""

    text: str
    segments: int


def segment(model: Engine, text: str) -> list[list[list[str]]]:
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


def translate_documents(
    model: Engine,
    texts: Sequence[str],
    target_lang: str,
    source_lang: str = "",
    glossary: Glossary | None = None,
    hant_variant: HantVariant = DEFAULT_HANT_VARIANT,
) -> list[Translation]:
    """Translate many documents with one model; all their sentences go through one batched call
    (with `glossary`'s terms held in placeholders, see :func:`translate_with_glossary`)."""
    layouts = [segment(model, text) for text in texts]
    flat = [piece for layout in layouts for paragraph in layout for sentence in paragraph for piece in sentence]
    outputs = iter(translate_with_glossary(model, flat, source_lang, target_lang, glossary, hant_variant))
    translations = []
    for text, layout in zip(texts, layouts):
        paragraphs = [
            join_sentences([join_sentences([next(outputs) for _ in sentence]) for sentence in paragraph])
            for paragraph in layout
        ]
        segments = sum(len(sentence) for paragraph in layout for sentence in paragraph)
        translations.append(Translation(paragraph_separator(text).join(paragraphs), segments))
    return translations


def stream_translation(
    model: Engine,
    text: str,
    target_lang: str,
    source_lang: str = "",
    glossary: Glossary | None = None,
    hant_variant: HantVariant = DEFAULT_HANT_VARIANT,
) -> Iterator[str]:
    """Yield the translation so far after each sentence, paragraphs kept."""
    separator = paragraph_separator(text)
    done: list[str] = []
    for layout in segment(model, text):
        sentences: list[str] = []
        for pieces in layout:
            translated = translate_with_glossary(model, pieces, source_lang, target_lang, glossary, hant_variant)
            sentences.append(join_sentences(translated))
            yield separator.join([*done, join_sentences(sentences)])
        done.append(join_sentences(sentences))
