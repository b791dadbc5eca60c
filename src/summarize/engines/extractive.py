"""The embedded extractive summarizer: no download, English and Chinese.

Sentences are scored by centrality (TextRank over TF-IDF cosine similarity)
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

DAMPING = 0.85
ITERATIONS = 50


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


def _tfidf_similarity(features: list[list[str]]) -> np.ndarray:
    vocabulary = {term: i for i, term in enumerate(sorted({t for terms in features for t in terms}))}
    count = len(features)
    matrix = np.zeros((count, max(1, len(vocabulary))))
    document_frequency = Counter(term for terms in features for term in set(terms))
    for row, terms in enumerate(features):
        for term, frequency in Counter(terms).items():
            idf = math.log((1 + count) / (1 + document_frequency[term])) + 1.0
            matrix[row, vocabulary[term]] = (1 + math.log(frequency)) * idf
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return matrix @ matrix.T


def _textrank(similarity: np.ndarray) -> np.ndarray:
    count = similarity.shape[0]
    weights = similarity.copy()
    np.fill_diagonal(weights, 0.0)
    totals = weights.sum(axis=1, keepdims=True)
    transition = np.divide(weights, totals, out=np.full_like(weights, 1.0 / count), where=totals > 0)
    scores = np.full(count, 1.0 / count)
    for _ in range(ITERATIONS):
        scores = (1 - DAMPING) / count + DAMPING * transition.T @ scores
    return scores / scores.max()


def _position_prior(count: int) -> np.ndarray:
    return 1.0 / np.sqrt(np.arange(1, count + 1))


def sentence_scores(similarity: np.ndarray, position_weight: float) -> np.ndarray:
    """Each sentence's score: TextRank centrality mixed with the lead-position prior."""
    count = similarity.shape[0]
    return (1 - position_weight) * _textrank(similarity) + position_weight * _position_prior(count)


def select_sentences(sentences: list[str], lang: str, count: int, settings: ExtractiveSettings) -> list[int]:
    """The indices of up to `count` sentences to keep, near-duplicates skipped, in article order."""
    if len(sentences) <= count:
        return list(range(len(sentences)))
    features = [sentence_features(sentence, lang, settings.chinese_tokens) for sentence in sentences]
    similarity = _tfidf_similarity(features)
    scores = sentence_scores(similarity, settings.position_weight)
    chosen: list[int] = []
    for index in sorted(range(len(sentences)), key=lambda index: (-scores[index], index)):
        if all(similarity[index, other] < settings.redundancy_threshold for other in chosen):
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
