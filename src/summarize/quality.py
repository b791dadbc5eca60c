"""How far to trust a result: checks that need no model, each a flag that names its evidence, and a score.

A translation is checked against its source: left in the source language or copied from it, the wrong
Chinese script for the target, a length far outside the language pair's usual band, a repeated n-gram
loop, numbers, URLs and Latin-script names of the source missing from the output, glossary terms not kept.
A summary is checked against its article: numbers in it that the article does not hold (compared as
values, across languages: 4.2 million = 420万), names in a same-language summary that the article does
not hold, and sentences of a summary the model wrote that share few words with every article sentence
(an extractive summary's sentences are the article's own: none is checked). No check changes the output.
A translation by a model that can score its output also carries the model's own confidence (not part of the
score: it could not be calibrated without the real weights). What each check can and cannot tell: docs/quality.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .charclasses import HAN
from .chinese_script import count_scripts
from .glossary import TermCheck
from .text import MODEL_LANGUAGE, Language, split_sentences

PENALTIES: dict[str, float] = {
    "untranslated": 0.8,
    "wrong_script": 0.5,
    "repetition": 0.5,
    "length_ratio": 0.3,
    "number_missing": 0.3,
    "url_missing": 0.2,
    "name_missing": 0.2,
    "term_missing": 0.2,
    "number_unsupported": 0.3,
    "name_unsupported": 0.2,
    "sentence_unsupported": 0.3,
}
"""What each flag takes off the score of 1; the same code twice takes it off twice (the score stops at 0)."""
LENGTH_BANDS: dict[str, tuple[float, float]] = {"en-zh": (0.7, 5.0), "zh-en": (0.15, 1.5)}
"""Usual output length per source length for each pair: Chinese characters per English word (en->zh),
English words per Chinese character (zh->en); outside it the length is flagged."""
MIN_LENGTH_UNITS = 8
"""Shorter sources (in words or characters) get no length check: their ratio says little."""
LOOP_REPEATS = 4
"""An n-gram (1 to 4 tokens) repeated this many times in a row is a loop."""
SUPPORT_OVERLAP = 0.3
"""A summary sentence sharing less than this share of its words with every article sentence is unsupported."""

_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "千": 1e3, "万": 1e4, "亿": 1e8}
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(thousand|million|billion|trillion|千|万|亿)?", re.IGNORECASE
)
_URL = re.compile(r"https?://[^\s<>\"'）)]+")
_MONTH_NUMBER = re.compile(r"\d{1,2}(?=月)")
"""A month written as a number (3月): English writes it as a word (March), so it is no missing number."""
_CAPITALIZED = re.compile(r"\b[A-Z][a-z]{2,}(?:\s+[A-Z][a-z]{2,})*\b")
_WORD = re.compile(rf"[A-Za-z0-9]+|[{HAN}]")


@dataclass(frozen=True)
class Flag:
    """One doubt about a result: a code, and a one-line reason that names the evidence."""

    code: str
    reason: str


@dataclass(frozen=True)
class Quality:
    """A score in [0, 1] (1: no doubt found) and the flags that lowered it; for a translation by a model that
    gives it, the model's own confidence (the geometric mean of its output tokens' probabilities, 0 to 1)."""

    score: float
    flags: tuple[Flag, ...] = ()
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        flags = [{"code": flag.code, "reason": flag.reason} for flag in self.flags]
        return {"score": self.score, "flags": flags, "confidence": self.confidence}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Quality:
        """The quality that :meth:`to_dict` gave `data`."""
        flags = tuple(Flag(flag["code"], flag["reason"]) for flag in data.get("flags") or ())
        return cls(data["score"], flags, data.get("confidence"))


def combined(qualities: Iterable[Quality]) -> Quality | None:
    """Several outputs' qualities as one: the lowest score and confidence, every flag (None when there is none)."""
    found = list(qualities)
    if not found:
        return None
    confidences = [quality.confidence for quality in found if quality.confidence is not None]
    return Quality(
        min(quality.score for quality in found),
        tuple(flag for quality in found for flag in quality.flags),
        min(confidences) if confidences else None,
    )


def model_confidence(log_probabilities: Sequence[float]) -> float | None:
    """The model's confidence in a whole output from its pieces' mean token log-probabilities: the exponent of
    their mean (a geometric mean of token probabilities, 0 to 1), None without any."""
    if not log_probabilities:
        return None
    return round(math.exp(sum(log_probabilities) / len(log_probabilities)), 4)


def scored(flags: Iterable[Flag]) -> Quality:
    """The flags with their score: 1 minus each flag's :data:`PENALTIES`, at least 0."""
    found = tuple(flags)
    return Quality(round(max(0.0, 1.0 - sum(PENALTIES[flag.code] for flag in found)), 4), found)


# --------------------------------------------------------------------------- evidence


def number_values(text: str) -> dict[float, str]:
    """Each number of `text` as a value (scale words applied: 4.2 million = 420万 = 4200000) -> as written."""
    values: dict[float, str] = {}
    for match in _NUMBER.finditer(text):
        whole, fraction, scale = match.groups()
        value = float(whole.replace(",", "") + (f".{fraction}" if fraction else ""))
        if scale:
            value *= _SCALES[scale.lower()]
        values.setdefault(round(value, 6), match.group().strip())
    return values


def _units(text: str, lang: str) -> int:
    return len(re.findall(rf"[{HAN}]", text)) if MODEL_LANGUAGE.get(lang, lang) == "zh" else len(re.findall(r"[A-Za-z0-9]+", text))


def _tokens(text: str) -> list[str]:
    return [token.lower() for token in _WORD.findall(text)]


def _loop(tokens: Sequence[str]) -> str | None:
    """The first n-gram (1 to 4 tokens) repeated :data:`LOOP_REPEATS` times in a row, joined, or None."""
    for size in range(1, 5):
        for start in range(0, len(tokens) - size * LOOP_REPEATS + 1):
            gram = tokens[start : start + size]
            if all(tokens[start + size * k : start + size * (k + 1)] == gram for k in range(1, LOOP_REPEATS)):
                return " ".join(gram)
    return None


def _script_flag(output: str, target: Language) -> Flag | None:
    if MODEL_LANGUAGE.get(target) != "zh":
        return None
    counts = count_scripts(output)
    if target == "zh" and counts.is_traditional:
        return Flag("wrong_script", f"Simplified Chinese was asked, but {counts.traditional} characters are Traditional-only")
    if target == "zh-Hant" and counts.simplified > counts.traditional:
        return Flag("wrong_script", f"Traditional Chinese was asked, but {counts.simplified} characters are Simplified-only")
    return None


# --------------------------------------------------------------------------- translations


def translation_quality(
    source: str,
    output: str,
    source_lang: Language,
    target_lang: Language,
    terms: Sequence[TermCheck] = (),
    confidences: Sequence[float] = (),
) -> Quality:
    """The checks of a translation of `source` into `output` (see the module's docstring), with the model's
    confidence from its pieces' mean token log-probabilities (`confidences`, when the engine gives them)."""
    flags: list[Flag] = []
    source_model, target_model = MODEL_LANGUAGE[source_lang], MODEL_LANGUAGE[target_lang]
    if output.strip() and (output.strip() == source.strip() or _units(output, source_model) > 2 * max(1, _units(output, target_model))):
        flags.append(Flag("untranslated", f"the output is still in the source language ({source_model})"))
    script = _script_flag(output, target_lang)
    if script is not None:
        flags.append(script)
    band = LENGTH_BANDS.get(f"{source_model}-{target_model}")
    length = _units(source, source_model)
    if band is not None and length >= MIN_LENGTH_UNITS:
        ratio = _units(output, target_model) / length
        if not band[0] <= ratio <= band[1]:
            flags.append(Flag("length_ratio", f"output length is {ratio:.2f} of the source's, outside the usual {band[0]}-{band[1]}"))
    loop = _loop(_tokens(output))
    if loop is not None:
        flags.append(Flag("repetition", f"'{loop}' repeats {LOOP_REPEATS} times in a row"))
    kept = number_values(output)
    flags += [Flag("number_missing", f"the number {written} of the source is not in the output")
              for value, written in number_values(_MONTH_NUMBER.sub(" ", source)).items() if value not in kept]
    flags += [Flag("url_missing", f"the URL {url} of the source is not in the output")
              for url in dict.fromkeys(_URL.findall(source)) if url not in output]
    if source_model == "zh":  # a Latin word in Chinese text stays Latin in English; English names are often translated
        names = re.findall(r"[A-Za-z][A-Za-z0-9\-]*", source)
        flags += [Flag("name_missing", f"the name {name} of the source is not in the output")
                  for name in dict.fromkeys(names) if name.lower() not in output.lower()]
    flags += [Flag("term_missing", f"the glossary term {term.source} -> {term.target} was not kept")
              for term in terms if not term.found]
    return replace(scored(flags), confidence=model_confidence(confidences))


# --------------------------------------------------------------------------- summaries


def _names(text: str, lang: str) -> list[str]:
    """Names in `text`: capitalized words not opening a sentence (English), jieba's person, place and
    organization words (Chinese)."""
    if lang == "zh":
        import jieba.posseg

        return [word for word, tag in jieba.posseg.lcut(text) if tag in ("nr", "ns", "nt") and len(word) > 1]
    found = []
    for sentence in split_sentences(text):
        first = re.match(r"\W*\w+", sentence)
        for match in _CAPITALIZED.finditer(sentence):
            if first is None or match.start() >= first.end():
                found.append(match.group())
    return found


def summary_quality(
    article: str, summary: str, source_lang: Language, target_lang: Language, copies_sentences: bool
) -> Quality:
    """The checks of `summary` against `article` (see the module's docstring)."""
    flags: list[Flag] = []
    held = number_values(article)
    flags += [Flag("number_unsupported", f"the number {written} is not in the article")
              for value, written in number_values(summary).items() if value not in held]
    if copies_sentences:
        return scored(flags)
    source_model, target_model = MODEL_LANGUAGE[source_lang], MODEL_LANGUAGE[target_lang]
    if source_model == target_model:
        lowered = article.lower()
        flags += [Flag("name_unsupported", f"the name {name} is not in the article")
                  for name in dict.fromkeys(_names(summary, target_model)) if name.lower() not in lowered]
        article_sentences = [set(_tokens(sentence)) for sentence in split_sentences(article)]
        for index, sentence in enumerate(split_sentences(summary)):
            words = set(_tokens(sentence))
            if len(words) >= 4:
                best = max((len(words & other) / len(words) for other in article_sentences), default=0.0)
                if best < SUPPORT_OVERLAP:
                    flags.append(Flag("sentence_unsupported",
                                      f"summary sentence {index + 1} shares {best:.0%} of its words with the closest article sentence"))
    return scored(flags)
