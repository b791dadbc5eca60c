"""The embedded extractive summarizer: no download, English and Chinese.

Sentences are scored by centrality (mean TF-IDF cosine similarity to the others)
mixed with a lead-position prior, which news articles reward; the best are
picked greedily while skipping near-duplicates, and returned in article order.
English features are lower-cased words without stop words; Chinese features
are jieba words or character bigrams.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

import numpy as np

from ..charclasses import HAN_RUN as _HAN_RUN
from ..config import ExtractiveSettings
from ..text import join_sentences, split_sentences

_ENGLISH_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_LATIN_OR_NUMBER = re.compile(r"[a-z0-9]+")

_ENGLISH_STOP_WORDS = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being has have had "
    "do does did it its it's this that these those he she they we you i his her their our your my him them us "
    "who whom which what when where why how not no so than then there here also just very can could will would "
    "shall should may might must said says say about into over after before more most up out".split()
)
_CHINESE_STOP_WORDS = frozenset("的 了 是 在 和 与 及 也 都 就 而 这 那 有 为 对 将 被 把 从 等 之 其 中 上 下 着 我 你 他 她 它 们".split())


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    return jieba


def sentence_features(sentence: str, lang: str, chinese_tokens: str = "jieba") -> list[str]:
    """The terms a sentence is compared by (see the module docstring)."""
    lowered = sentence.lower()
    if lang == "en":
        return [word for word in _ENGLISH_WORD.findall(lowered) if word not in _ENGLISH_STOP_WORDS]
    latin = _LATIN_OR_NUMBER.findall(lowered)
    runs = _HAN_RUN.findall(lowered)
    if chinese_tokens == "char-bigram":
        han = [run[i : i + 2] for run in runs for i in range(max(1, len(run) - 1))]
    else:
        han = [word for run in runs for word in _jieba().lcut(run) if word not in _CHINESE_STOP_WORDS]
    return latin + han


SparseVector = dict[str, float]
"""A unit-length TF-IDF vector: term -> weight, only the terms a sentence has."""


def tfidf_vectors(features: list[list[str]]) -> list[SparseVector]:
    """One sparse, unit-length TF-IDF vector per sentence (cost linear in the number of terms)."""
    count = len(features)
    document_frequency = Counter(term for terms in features for term in set(terms))
    vectors = []
    for terms in features:
        weights = {
            term: (1 + math.log(frequency)) * (math.log((1 + count) / (1 + document_frequency[term])) + 1.0)
            for term, frequency in Counter(terms).items()
        }
        norm = math.sqrt(sum(weight * weight for weight in weights.values()))
        vectors.append({term: weight / norm for term, weight in weights.items()} if norm else {})
    return vectors


def cosine(left: SparseVector, right: SparseVector) -> float:
    """The cosine similarity of two unit-length sparse vectors."""
    if len(left) > len(right):
        left, right = right, left
    return sum(weight * right.get(term, 0.0) for term, weight in left.items())


def centrality(vectors: list[SparseVector]) -> np.ndarray:
    """Each sentence's mean cosine similarity to every other sentence, scaled to a maximum of 1.

    The sum of similarities to all others is the similarity to the sum of all
    vectors less the sentence's own, so no sentence x sentence matrix is built.
    """
    total: Counter[str] = Counter()
    for vector in vectors:
        total.update(vector)
    scores = np.array([cosine(vector, total) - (1.0 if vector else 0.0) for vector in vectors]).clip(min=0.0)
    peak = scores.max(initial=0.0)
    return scores / peak if peak > 0 else scores


def _position_prior(count: int) -> np.ndarray:
    return 1.0 / np.sqrt(np.arange(1, count + 1))


def sentence_scores(vectors: list[SparseVector], position_weight: float) -> np.ndarray:
    """Each sentence's score: TF-IDF centrality mixed with the lead-position prior."""
    return (1 - position_weight) * centrality(vectors) + position_weight * _position_prior(len(vectors))


def select_sentences(sentences: list[str], lang: str, count: int, settings: ExtractiveSettings) -> list[int]:
    """The indices of up to `count` sentences to keep, near-duplicates skipped, in article order.

    Time and memory are about linear in the text: sparse vectors, no pairwise
    matrix; each candidate is compared only with the (at most `count`) sentences
    already chosen.
    """
    if len(sentences) <= count:
        return list(range(len(sentences)))
    vectors = tfidf_vectors([sentence_features(sentence, lang, settings.chinese_tokens) for sentence in sentences])
    scores = sentence_scores(vectors, settings.position_weight)
    chosen: list[int] = []
    for index in sorted(range(len(sentences)), key=lambda index: (-scores[index], index)):
        if all(cosine(vectors[index], vectors[other]) < settings.redundancy_threshold for other in chosen):
            chosen.append(index)
        if len(chosen) == count:
            break
    return sorted(chosen)


class ExtractiveSummarizer:
    """Summarize by picking the article's own most central, earliest sentences."""

    name = "extractive"

    def __init__(self, settings: ExtractiveSettings) -> None:
        self.settings = settings

    def summarize(self, text: str, lang: str, sentence_count: int) -> str:
        """Return up to `sentence_count` sentences of `text` (normalized), joined in article order."""
        sentences = split_sentences(text)
        keep = select_sentences(sentences, lang, sentence_count, self.settings)
        return join_sentences([sentences[index] for index in keep])
