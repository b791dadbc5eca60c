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
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ..charclasses import HAN_RUN as _HAN_RUN
from ..config import ExtractiveSettings
from ..text import has_balanced_quotes, join_sentences, length_units
from .base import LENGTH_SCALE, Length, Summary
from .page import Page, read_page

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
    """Each sentence's summed cosine similarity to every other sentence, scaled to a maximum of 1.

    The sum of similarities to all others is the similarity to the sum of all
    vectors less the sentence's own, so no sentence x sentence matrix is built.
    """
    total: Counter[str] = Counter()
    for vector in vectors:
        total.update(vector)
    return _scaled(np.array([cosine(vector, total) - (1.0 if vector else 0.0) for vector in vectors]))


def _scaled(scores: np.ndarray) -> np.ndarray:
    scores = scores.clip(min=0.0)
    peak = scores.max(initial=0.0)
    return scores / peak if peak > 0 else scores


def story_starts(page: Page) -> list[bool]:
    """Whether each sentence starts a story: the first sentence, and the first of each new section
    (a headline that follows story text: the next story of a digest)."""
    return [index == 0 or page.sections[index] != page.sections[index - 1] for index in range(len(page.sentences))]


def position_prior(starts: list[bool]) -> np.ndarray:
    """1/sqrt(position in its story), times 1/sqrt(the story's number): each story's lead counts, the first most."""
    prior = np.empty(len(starts))
    story = position = 0
    for index, start in enumerate(starts):
        if start and index:
            story, position = story + 1, 0
        position += 1
        prior[index] = 1.0 / math.sqrt(position * (story + 1))
    return prior


def sentence_scores(vectors: list[SparseVector], position_weight: float, prior: np.ndarray | None = None,
                    headline_similarity: np.ndarray | None = None) -> np.ndarray:
    """Each sentence's score: TF-IDF centrality (averaged with similarity to its headline, when the
    page has one) mixed with the lead-position prior (by default, one story: 1/sqrt(position))."""
    content = centrality(vectors)
    if headline_similarity is not None and headline_similarity.any():
        content = (content + _scaled(headline_similarity)) / 2
    if prior is None:
        prior = position_prior([index == 0 for index in range(len(vectors))])
    return (1 - position_weight) * content + position_weight * prior


def select(page: Page, lang: str, count: int, settings: ExtractiveSettings, max_units: int | None = None) -> list[int]:
    """The indices of the page's sentences to keep, in article order: the best-scored first, skipping
    near-duplicates and sentences with unbalanced quotes, until `count` sentences are chosen or the
    next one would pass `max_units` words (en) or characters (zh); at least one sentence.

    Time and memory are about linear in the text: sparse vectors, no pairwise
    matrix; each candidate is compared only with the (at most `count`) sentences
    already chosen.
    """
    sentences = page.sentences
    if not sentences:
        return []
    features = [sentence_features(text, lang, settings.chinese_tokens) for text in sentences + page.headlines]
    vectors = tfidf_vectors(features)
    sentence_vectors, headline_vectors = vectors[: len(sentences)], vectors[len(sentences):]
    headline_similarity = np.array(
        [cosine(vector, headline_vectors[section]) for vector, section in zip(sentence_vectors, page.sections)]
    )
    prior = position_prior(story_starts(page))
    scores = sentence_scores(sentence_vectors, settings.position_weight, prior, headline_similarity)
    eligible = [index for index, text in enumerate(sentences) if has_balanced_quotes(text)]
    eligible = eligible or list(range(len(sentences)))
    chosen: list[int] = []
    used = 0
    for index in sorted(eligible, key=lambda index: (-scores[index], index)):
        vector = sentence_vectors[index]
        if any(cosine(vector, sentence_vectors[other]) >= settings.redundancy_threshold for other in chosen):
            continue
        units = length_units(sentences[index], lang)
        if chosen and max_units is not None and used + units > max_units:
            break
        chosen.append(index)
        used += units
        if len(chosen) == count:
            break
    return sorted(chosen)


def select_sentences(sentences: list[str], lang: str, count: int, settings: ExtractiveSettings,
                     max_units: int | None = None) -> list[int]:
    """:func:`select` for plain sentences: one paragraph, one story, no headline."""
    page = Page(list(sentences), [0] * len(sentences), [0] * len(sentences), [""])
    return select(page, lang, count, settings, max_units)


class ExtractiveSummarizer:
    """Summarize by picking the article's own most central, earliest sentences, page furniture left out
    (a :class:`~.base.Summarizer`)."""

    engine = "extractive"
    model = "extractive"

    def __init__(self, settings: ExtractiveSettings) -> None:
        self.settings = settings

    def summarize(self, text: str, lang: str, sentence_count: int, max_units: int | None = None) -> str:
        """Return up to `sentence_count` sentences (and at most `max_units` words in English, characters
        in Chinese, beyond the first sentence) of normalized `text`, joined in article order."""
        page = read_page(text)
        keep = select(page, lang, sentence_count, self.settings, max_units)
        return join_sentences([page.sentences[index] for index in keep])

    def summarize_documents(self, texts: Sequence[str], lang: str, length: Length) -> list[Summary]:
        """One summary per text; `length` scales the configured sentence count and word/character budget."""
        scale = LENGTH_SCALE[length]
        count = max(1, round(self.settings.sentences * scale))
        units = max(1, round((self.settings.words if lang == "en" else self.settings.characters) * scale))
        return [Summary(self.summarize(text, lang, count, units), chunks=1) for text in texts]
