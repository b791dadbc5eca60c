"""The embedded extractive summarizer: no download, English and Chinese.

Sentences are scored by centrality (mean TF-IDF cosine similarity to the others)
mixed with a lead-position prior, which news articles reward, where the text's
order looks informative (:mod:`.order`), and by centrality with order-free cues
elsewhere; the best are picked one at a time while skipping near-duplicates (past a
medium summary's count, each candidate's score is cut by its similarity to the picks
already made), and returned in article order.
English features are lower-cased words without stop words; Chinese features
are jieba words or character bigrams of the sentence in Simplified characters
(OpenCC ``t2s``: jieba's dictionary is Simplified, and a Traditional article then
scores as its Simplified twin does).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from itertools import pairwise

import numpy as np

from ..charclasses import HAN_RUN as _HAN_RUN
from ..chinese_script import to_simplified
from ..config import ExtractiveSettings
from ..text import (
    closing_quotes,
    has_balanced_quotes,
    join_sentences,
    length_unit,
    length_units,
)
from .base import LENGTH_SCALE, Length, Summary
from .order import (
    Introductions,
    introductions,
    opens_with_quotation,
    opens_with_reference,
    order_is_informative,
)
from .page import Page, read_page
from .stopwords import CHINESE_STOP_WORDS, ENGLISH_STOP_WORDS
from .stories import MAX_STORY_SIMILARITY, story_boundaries

_ENGLISH_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CLAUSE_END = re.compile(r"[,;:](?=\s)|\s[–—-](?=\s)|[，；：、]")
"""Where a sentence may be cut short: after a comma, semicolon or colon, or before a dash."""
CUT_MARK = "…"
"""Ends a sentence that was cut to fit the length budget."""
MIN_CLAUSE_SHARE = 0.5
"""A clause cut must keep at least this share of the budget; else the cut comes after the last word that fits."""
_LATIN_OR_NUMBER = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    return jieba


def sentence_features(sentence: str, lang: str, chinese_tokens: str = "jieba") -> list[str]:
    """The terms a sentence is compared by (see the module docstring)."""
    if lang == "en":
        return [word for word in _ENGLISH_WORD.findall(sentence.lower()) if word not in ENGLISH_STOP_WORDS]
    lowered = to_simplified(sentence).lower()
    latin = _LATIN_OR_NUMBER.findall(lowered)
    runs = _HAN_RUN.findall(lowered)
    if chinese_tokens == "char-bigram":
        han = [run[i : i + 2] for run in runs for i in range(max(1, len(run) - 1))]
    else:
        han = [word for run in runs for word in _jieba().lcut(run) if word not in CHINESE_STOP_WORDS]
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


INTRODUCTION_WEIGHT = 0.3
"""Added to content (0..1) for the sentence that introduces the most people by full name (others pro rata)."""
REFERENCE_PENALTY = 0.5
"""Content of a sentence opening with a pronoun or connective is cut by this share."""


def content_scores(vectors: list[SparseVector], headline_similarity: np.ndarray | None = None) -> np.ndarray:
    """TF-IDF centrality, averaged with similarity to the sentence's headline when the page has one."""
    content = centrality(vectors)
    if headline_similarity is not None and headline_similarity.any():
        content = (content + _scaled(headline_similarity)) / 2
    return content


def cue_scores(content: np.ndarray, sentences: Sequence[str], found: Introductions) -> np.ndarray:
    """Content helped by the order-free cues of :mod:`.order`: introducing people by full name counts for
    a sentence, opening with a pronoun or connective against it."""
    introduced = _scaled(found.counts)
    continues = np.array([opens_with_reference(sentence) for sentence in sentences], dtype=float)
    return (content + INTRODUCTION_WEIGHT * introduced) * (1 - REFERENCE_PENALTY * continues)


ONE_A_HEADED_STORY_POSITION_WEIGHT = 0.0
"""``position_weight`` of a summary with at most one sentence a headed story (a medium English summary of three,
a short Chinese one): each pick is its story's sentence nearest its headline and centre, since content counts
the headline. With six join orders on the tuning halves it scored higher than the prior: SummEval medium +0.008,
LCSTS short +0.008 (both had been below centrality with their whole interval), other rows unchanged."""

FOUND_STORY_POSITION_SHARE = 0.5
"""How much of ``position_weight`` counts on a page whose stories were found by cohesion, not headed: a found
story may start a sentence or two off, or hold two stories (chosen on the SummEval tuning half)."""


def sentence_scores(page: Page, vectors: list[SparseVector], settings: ExtractiveSettings,
                    headline_similarity: np.ndarray | None = None, stories_found: bool = False) -> np.ndarray:
    """Each sentence's score. Where the order looks informative (:func:`.order.order_is_informative`;
    always for a page of several stories, never for a list, or with ``order_check`` off): content mixed with the
    lead-position prior, ``(1 - weight) * content + weight * prior``, the weight ``position_weight`` (times
    :data:`FOUND_STORY_POSITION_SHARE` where `stories_found`). Elsewhere the prior is dropped and content is
    helped by order-free cues (:func:`cue_scores`)."""
    content = content_scores(vectors, headline_similarity)
    if settings.order_check:
        found = introductions(page.sentences)
        several_stories = len(set(page.sections)) > 1
        if page.is_list or (not several_stories and not order_is_informative(page.sentences, content, found)):
            return cue_scores(content, page.sentences, found)
    prior = position_prior(story_starts(page))
    weight = settings.position_weight * (FOUND_STORY_POSITION_SHARE if stories_found else 1.0)
    return (1 - weight) * content + weight * prior


def select(page: Page, lang: str, count: int, settings: ExtractiveSettings, max_units: int | None = None,
           short: bool = False) -> list[int]:
    """The indices of the page's sentences to keep, in article order (at least one): picked one by one, the
    first ``sentences`` (a medium summary's count) by score, later ones by score less ``diversity`` times the
    candidate's highest cosine with the sentences already picked (maximal marginal relevance: a long summary
    spreads over the text), near-duplicates (``redundancy_threshold``) and sentences with unbalanced quotes
    left out, until `count` sentences are picked or the next would pass `max_units` words (en) or
    characters (zh). A page of several stories (headed, or found by :func:`found_story_starts`, more loosely
    for a summary longer than a medium one) gives each story its share (:class:`StoryTurns`); there a
    sentence over the budget is passed over, since a shorter one from a story not covered yet may still fit,
    and while stories are left uncovered a pick leaves room for their shortest sentences, as many as can fit
    (:func:`leaving_room`). A summary of at most one sentence a headed story weighs position by
    :data:`ONE_A_HEADED_STORY_POSITION_WEIGHT`; else a `short` English one by ``short_english_position_weight``.
    A page whose stories were found keeps ``position_weight``: there the first sentences are where the finder
    saw a story start, and no headline helps the content score.

    Time and memory are about linear in the text: sparse vectors and an inverted index of their terms, no
    pairwise matrix; each pick costs one pass over the candidates.
    """
    sentences = page.sentences
    if not sentences:
        return []
    features = [sentence_features(text, lang, settings.chinese_tokens) for text in sentences + page.headlines]
    vectors = tfidf_vectors(features)
    sentence_vectors = vectors[: len(sentences)]
    headline_vector = dict(zip(page.headlines, vectors[len(sentences) :], strict=True))
    found_starts = found_story_starts(page, lang, features[: len(sentences)], long=count > settings.sentences)
    if found_starts:
        page = with_stories(page, found_starts)
    headline_vectors = [headline_vector.get(headline, {}) for headline in page.headlines]  # found stories have none
    headline_similarity = np.array(
        [cosine(vector, headline_vectors[section]) for vector, section in zip(sentence_vectors, page.sections, strict=True)]
    )
    stories = len(set(page.sections))
    if not found_starts:  # found stories keep the prior
        if stories > 1 and count <= stories:  # at most one sentence a headed story
            settings = replace(settings, position_weight=ONE_A_HEADED_STORY_POSITION_WEIGHT)
        elif short and lang == "en":
            settings = replace(settings, position_weight=settings.short_english_position_weight)
    scores = sentence_scores(page, sentence_vectors, settings, headline_similarity, stories_found=bool(found_starts))
    candidates = np.array([has_balanced_quotes(text) for text in sentences])
    if not candidates.any():
        candidates[:] = True
    units = np.array([length_units(text, lang) for text in sentences])
    sections = np.array(page.sections)
    several_stories = stories > 1
    turns = StoryTurns(page.sections) if several_stories and count >= stories else None
    similarity = SimilarityIndex(sentence_vectors)
    penalty = np.zeros(len(sentences))
    chosen: list[int] = []
    while len(chosen) < count and candidates.any():
        left = max_units - int(units[chosen].sum()) if max_units is not None else None
        room = left if chosen else None  # a first pick over the budget alone is cut to it
        pool = candidates & (units <= room) if several_stories and room is not None else candidates
        if turns is not None and left is not None:
            leaving = leaving_room(candidates, units, sections, left, set(sections[chosen].tolist()))
            pool = leaving if leaving.any() else pool
        if turns is not None and pool.any():
            pool = pool & (sections == turns.next_story(set(sections[pool].tolist())))
        if not pool.any():
            break
        diversity = settings.diversity if len(chosen) >= settings.sentences else 0.0  # a medium summary's picks: by score
        best = int(np.argmax(np.where(pool, scores - diversity * penalty, -np.inf)))
        if room is not None and units[best] > room:
            break  # one story: a lower-scored sentence that fits is not worth taking
        chosen.append(best)
        if turns is not None:
            turns.taken(int(sections[best]))
        similar = similarity.to(best)
        penalty = np.maximum(penalty, similar)
        candidates &= similar < settings.redundancy_threshold
        candidates[best] = False
    return sorted(chosen)


def leaving_room(candidates: np.ndarray, units: np.ndarray, sections: np.ndarray, room: int,
                 covered: set[int]) -> np.ndarray:
    """The candidates that fit `room` and leave enough of it for the shortest candidate of each story not
    `covered` yet but their own, or, where none does, of as many of those stories as can still fit (the
    shortest first); empty where none leaves room for one. A long first pick must not crowd the other
    stories out of the summary."""
    fitting = candidates & (units <= room)
    shortest = np.full(int(sections.max()) + 1, np.inf)
    np.minimum.at(shortest, sections[fitting], units[fitting])
    shortest[list(covered)] = np.inf
    waiting = np.sort(shortest[np.isfinite(shortest)])  # each uncovered story's shortest sentence
    own = shortest[sections]  # a candidate's own story's (infinite where covered)
    for count in range(len(waiting), 0, -1):
        # the `count` shortest of the other stories: a candidate whose own story is among them skips it
        reserve = np.where(own <= waiting[count - 1], waiting[: count + 1].sum() - own, waiting[:count].sum())
        leaving = fitting & (units <= room - reserve)
        if leaving.any():
            return leaving
    return np.zeros_like(fitting)


class SimilarityIndex:
    """Cosines of one sentence with all the others through an inverted index of the sentences' terms: each
    query costs the postings of its terms, not the whole text's vectors."""

    def __init__(self, vectors: list[SparseVector]) -> None:
        self.vectors = vectors
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for index, vector in enumerate(vectors):
            for term, weight in vector.items():
                self.postings.setdefault(term, []).append((index, weight))

    def to(self, index: int) -> np.ndarray:
        """Every sentence's cosine with sentence `index`."""
        similar = np.zeros(len(self.vectors))
        for term, weight in self.vectors[index].items():
            for other, other_weight in self.postings[term]:
                similar[other] += weight * other_weight
        return similar


class StoryTurns:
    """Whose turn it is in a summary of several stories: every story's first sentence, in story order, then
    each story's next ones in proportion to its length (a story of a third of the text every third place)."""

    def __init__(self, sections: list[int]) -> None:
        self.sizes = Counter(sections)
        self.total = len(sections)
        self.picked: Counter[int] = Counter()

    def next_story(self, open_stories: set[int]) -> int:
        """The story of the next pick among `open_stories` (those with a candidate left)."""
        return min(open_stories, key=lambda story: (self.picked[story] * self.total / self.sizes[story], story))

    def taken(self, story: int) -> None:
        """Count a pick from `story`."""
        self.picked[story] += 1


_NAME = re.compile(r"(?<=\w )[A-Z][a-z]+")
"""A capitalized word inside a sentence: a name, the strongest sign of which story a sentence belongs to."""

LONG_SUMMARY_STORY_SIMILARITY = 0.13
"""The most two neighbouring stories of a section without headline may share in a summary longer than a medium
one (:data:`.stories.MAX_STORY_SIMILARITY` elsewhere): two articles on one topic pasted together (two football
reports on one club) share 0.1-0.25, and as one story the long summary often keeps to the first. A long summary
spreads over the text anyway, so a single article cut in two loses little. Chosen among 0.12, 0.13, 0.15 and 0.2
on the SummEval tuning half with six join orders: one-paragraph joins with every story in the long summary
94.7 -> 97.0%, joined long summaries within 0.002 of before, single articles' long ones within 0.001 (0.15:
97.3%, joined long 0.002-0.005 lower; 0.2: single articles 0.005 lower). Headed sections keep the strict bar:
the headline says where their story starts (there 0.15 cost joined headed long summaries 0.006)."""

LONG_SUMMARY_MIN_SENTENCES = 20
"""Sections shorter than this keep the strict bar in long summaries too: there six sentences already spread over
a short article, and the looser bar cut 4 of the 50 single SummEval tuning articles (15-19 sentences; their long
summaries lost 0.001 on the tuning half, 0.003 on the held-out one) while no joined input of three articles has
fewer than 23 sentences."""


def found_story_starts(page: Page, lang: str, features: list[list[str]], long: bool = False) -> list[int]:
    """The sentences that start a story by :func:`.stories.story_boundaries`, searched in each of the page's
    sections (a headed section may still hold several stories: a photo caption read as a headline, or
    stories pasted under one headline); boundaries move to the page's paragraph breaks, and names count
    twice in the comparison. `long`: for a summary longer than a medium one, whose sections without a
    headline, of at least :data:`LONG_SUMMARY_MIN_SENTENCES`, are cut where neighbouring parts share at most
    :data:`LONG_SUMMARY_STORY_SIMILARITY`."""
    if lang == "en":
        features = [terms + [name.lower() for name in _NAME.findall(text)] for terms, text in zip(features, page.sentences, strict=True)]
    vectors = tfidf_vectors(features)
    openers = [not (opens_with_reference(text) or opens_with_quotation(text)) for text in page.sentences]
    starts = []
    for first, end in section_spans(page.sections):
        loose = long and not page.headlines[page.sections[first]] and end - first >= LONG_SUMMARY_MIN_SENTENCES
        found = story_boundaries(vectors[first:end], page.paragraphs[first:end], openers[first:end],
                                 LONG_SUMMARY_STORY_SIMILARITY if loose else MAX_STORY_SIMILARITY)
        starts += [first + start for start in found]
    return starts


def section_spans(sections: list[int]) -> list[tuple[int, int]]:
    """``(first, end)`` of each run of sentences in one section, in order."""
    edges = [0, *(index for index in range(1, len(sections)) if sections[index] != sections[index - 1]), len(sections)]
    return list(pairwise(edges))


def with_stories(page: Page, starts: list[int]) -> Page:
    """`page` with a new section (without headline) starting at each of `starts` (sorted, none the first
    sentence of a section): each headed section is cut at the starts inside it."""
    sections = [section + bisect_right(starts, index) for index, section in enumerate(page.sections)]
    added = Counter(page.sections[start] for start in starts)
    headlines = [title for section, headline in enumerate(page.headlines) for title in [headline] + [""] * added[section]]
    return Page(page.sentences, page.paragraphs, sections, headlines, page.is_list)


def select_sentences(sentences: list[str], lang: str, count: int, settings: ExtractiveSettings,
                     max_units: int | None = None) -> list[int]:
    """:func:`select` for plain sentences: one paragraph, one story, no headline."""
    page = Page(list(sentences), [0] * len(sentences), [0] * len(sentences), [""])
    return select(page, lang, count, settings, max_units)


def cut_to_budget(sentence: str, lang: str, max_units: int) -> str:
    """`sentence` cut to at most `max_units` words (en) or characters (zh), the cut mark and the quotes it
    leaves open closed: after its last clause (comma, semicolon, colon, dash) that fits and keeps at least
    half the budget, else after its last whole word that fits (Chinese words by jieba); never mid-word. A
    sentence that fits is returned as it is. Linear in the sentence."""
    if length_units(sentence, lang) <= max_units:
        return sentence
    room = max_units if lang == "en" else max_units - len(CUT_MARK)  # an English word carries the mark
    while True:
        kept = _prefix_within(sentence, lang, room)
        closers = closing_quotes(kept)
        if lang == "en" or len(closers) == 0 or length_units(kept, lang) + len(closers) <= room or room <= 1:
            return kept + CUT_MARK + closers
        room -= len(closers)


def _prefix_within(sentence: str, lang: str, room: int) -> str:
    """The start of `sentence` in at most `room` units: its last clause that fits and keeps half of it, else
    its last whole word that fits (inside the first word only when no word fits)."""
    fitting = 0
    for end, units in _word_ends(sentence, lang):
        if units > room:
            break
        fitting = end
    if not fitting:
        return sentence[: max(room, 0)]
    clause = max((match.start() for match in _CLAUSE_END.finditer(sentence, 0, fitting + 1)), default=0)
    if clause and length_units(sentence[:clause], lang) >= MIN_CLAUSE_SHARE * room:
        fitting = clause
    return sentence[:fitting].rstrip(" ,;:–—-，；：、")


def _word_ends(sentence: str, lang: str) -> Iterator[tuple[int, int]]:
    """``(position, units)`` where each word of `sentence` ends, with the words (en) or non-space characters
    (zh) up to there; English words are whitespace-separated, Chinese ones jieba's."""
    if lang == "en":
        for count, match in enumerate(length_unit("en").finditer(sentence), start=1):
            yield match.end(), count
        return
    position = units = 0
    for word in _jieba().cut(sentence):
        position += len(word)
        counted = length_units(word, "zh")
        if counted:
            units += counted
            yield position, units


class ExtractiveSummarizer:
    """Summarize by picking the article's own most central, earliest sentences, page furniture left out
    (a :class:`~.base.Summarizer`)."""

    engine = "extractive"
    model = "extractive"
    copies_sentences = True
    """Its summaries are the article's own sentences, in the article's own script."""

    def __init__(self, settings: ExtractiveSettings) -> None:
        self.settings = settings

    def summarize(self, text: str, lang: str, sentence_count: int, max_units: int | None = None,
                  short: bool = False) -> str:
        """Return up to `sentence_count` sentences of normalized `text`, joined in article order, in at most
        `max_units` words (English) or characters (Chinese): a first sentence longer than that alone is cut
        (:func:`cut_to_budget`). `short`: a "short" summary (:func:`select`)."""
        page = read_page(text)
        chosen = select(page, lang, sentence_count, self.settings, max_units, short)
        picked = [page.sentences[index] for index in chosen]
        if max_units is not None and len(picked) == 1:  # only a first pick may be over the budget alone
            picked = [cut_to_budget(picked[0], lang, max_units)]
        return "\n".join(picked) if page.is_list else join_sentences(picked)  # a list's items stay one a line

    def summarize_documents(self, texts: Sequence[str], lang: str, length: Length) -> list[Summary]:
        """One summary per text; `length` scales the configured sentence count and word/character budget
        (and a short English one weighs position by ``short_english_position_weight``: :func:`select`)."""
        scale = LENGTH_SCALE[length]
        count = max(1, round(self.settings.sentences * scale))
        units = max(1, round((self.settings.words if lang == "en" else self.settings.characters) * scale))
        return [Summary(self.summarize(text, lang, count, units, length == "short"), chunks=1) for text in texts]
