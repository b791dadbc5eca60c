"""Where one story ends and the next begins in a text of several stories pasted without headlines.

Lexical cohesion, as TextTiling measures it: at each gap between two sentences,
the TF-IDF cosine between the block of sentences before it and the block after
it. Inside a story the blocks share names and topic words; between two stories
they share little. Every gap where that similarity is a local minimum (among
the gaps with :data:`MIN_BLOCK_SENTENCES` sentences a side) below
:data:`MAX_RELATIVE_SIMILARITY` times the text's median gap similarity, with at
least :data:`MIN_STORY_SENTENCES` sentences on each side, is a candidate; then
the parts the candidates cut the text into are compared whole (up to
:data:`MAX_PART_SENTENCES` sentences each), and the candidate between the two
most alike neighbouring parts is dropped, again and again, until no two
neighbours share more than :data:`MAX_STORY_SIMILARITY` (cosine of their summed
vectors; a caller may allow more, to spread a long summary over two articles on
one topic): the parts of one article share its names and topic, those of two
stories do not, even two on one topic with another story between them. A part
whose two neighbours share more than :data:`MAX_RESUMED_SIMILARITY` is a
digression inside one story (background between the news and its follow-up),
and both its boundaries go.
A text of at most :data:`SHORT_TEXT_SENTENCES` sentences (three news briefs of a
few sentences each) is too short for blocks: every cut into two or three parts is
tried, and the one whose neighbouring parts share least is kept if they share
almost nothing (:data:`MAX_SHORT_STORY_SIMILARITY`).
Each story found in a longer text is searched again on its own (a short story
next to a long one hides in the long one's blocks), to :data:`MAX_DEPTH` levels.
Each boundary found then moves at most :data:`PLACE_SENTENCES` sentences to the
gap where the whole stories around it share least, and, where the text has
paragraphs, to a paragraph break at most :data:`SNAP_SENTENCES` sentences away
(a story starts a paragraph). The constants were chosen on the
SummEval tuning half (three articles joined, against single articles, as written
and cut into paragraphs: docs/extractive.md).

Cost: each gap sums two blocks of at most :data:`BLOCK_SENTENCES` sparse vectors,
and at most :data:`MAX_CANDIDATES` candidate gaps are kept, each part compared on
at most :data:`MAX_PART_SENTENCES` sentences a side (a dropped candidate costs
two comparisons, a dropped digression one pass over the parts), so one search is
linear in the text, and each of the at most :data:`MAX_DEPTH` levels of searches
inside found stories covers the text once; placing a boundary makes
2 x :data:`PLACE_SENTENCES` + 1 comparisons of bounded parts; a short text tries at
most 45 cuts.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from itertools import combinations, pairwise

BLOCK_SENTENCES = 8
"""Sentences compared on each side of a gap (fewer near the text's ends and in short texts)."""
MIN_STORY_SENTENCES = 5
"""The fewest sentences a story found this way may have."""
MIN_BLOCK_SENTENCES = 2
"""A gap is a local minimum among the gaps within a block of it with at least this many sentences on each side:
at the text's first and last gap one block is a single sentence, whose words say nothing of cohesion."""
MAX_RELATIVE_SIMILARITY = 0.7
"""A boundary's block similarity is at most this share of the text's median gap similarity."""
MAX_STORY_SIMILARITY = 0.1
"""The most two neighbouring stories may have in common (cosine of their summed TF-IDF vectors)."""
MAX_RESUMED_SIMILARITY = 0.25
"""The most the two parts around a story may share: more, and the story between them is a digression of one
story that resumes after it (stories on one topic pasted around another share at most 0.17 on the tuning half)."""
MAX_CANDIDATES = 64
"""Candidate gaps kept, lowest block similarity first."""
MAX_PART_SENTENCES = 64
"""The most sentences of each part compared whole at a candidate gap (stories are shorter; it bounds each check)."""
SHORT_TEXT_SENTENCES = 12
"""Texts of at most this many sentences, too short for blocks, are tried cut by cut instead."""
MIN_SPLIT_SENTENCES = 6
"""Shorter texts are one story (a news brief of four or five sentences may change subject and stay one)."""
MIN_SHORT_STORY_SENTENCES = 2
"""The fewest sentences a story of a short text may have."""
MAX_SHORT_STORY_SIMILARITY = 0.02
"""The most two neighbouring stories of a short text may have in common (few sentences share little by chance,
so the bar is lower than :data:`MAX_STORY_SIMILARITY`)."""
MAX_DEPTH = 3
"""Levels of searching again inside the stories found."""
SNAP_SENTENCES = 2
"""The farthest a boundary moves to reach a paragraph break."""
TIE_SENTENCES = 4
"""Sentences compared on each side of two paragraph breaks as near to a boundary."""
PLACE_SENTENCES = 2
"""The farthest a found boundary moves to the gap where the two whole stories around it share least."""

SparseVector = dict[str, float]


def _norm(vector: dict[str, float]) -> float:
    return math.sqrt(sum(weight * weight for weight in vector.values()))


def gap_similarities(vectors: list[SparseVector], block: int = BLOCK_SENTENCES) -> list[float]:
    """For each gap g (before sentence g, g from 1), the cosine between the summed vectors of the `block`
    sentences before it and the `block` after it; a running window keeps it linear."""
    similarities = []
    left: dict[str, float] = {}
    right: dict[str, float] = {}
    for vector in vectors[:block]:
        _shift(right, vector, 1.0)
    for gap in range(1, len(vectors)):
        _shift(left, vectors[gap - 1], 1.0)
        if gap - 1 - block >= 0:
            _shift(left, vectors[gap - 1 - block], -1.0)
        _shift(right, vectors[gap - 1], -1.0)
        if gap - 1 + block < len(vectors):
            _shift(right, vectors[gap - 1 + block], 1.0)
        similarities.append(_similarity(left, right) if left and right else 0.0)
    return similarities


def _shift(window: dict[str, float], vector: SparseVector, sign: float) -> None:
    """Add `vector` to (or take it from) a running window sum, dropping terms that leave it: the window keeps
    only its sentences' terms, so each gap costs the window's size, not the text's vocabulary."""
    for term, weight in vector.items():
        value = window.get(term, 0.0) + sign * weight
        if abs(value) < 1e-9:
            window.pop(term, None)
        else:
            window[term] = value


def story_boundaries(vectors: list[SparseVector], paragraphs: list[int] | None = None,
                     openers: list[bool] | None = None, max_similarity: float = MAX_STORY_SIMILARITY) -> list[int]:
    """The sentences that start a new story (0 excluded), in order; none for a single story. `paragraphs`
    numbers the paragraph each sentence is in (boundaries move to paragraph breaks); `openers` says which
    sentences may open a story in a short text (not a quotation or a "He said" that continues one);
    `max_similarity`: the most two neighbouring stories of a longer text may share."""
    if len(vectors) < MIN_SPLIT_SENTENCES:
        return []
    if len(vectors) <= SHORT_TEXT_SENTENCES:
        starts = _short_text_boundaries(vectors, openers or [True] * len(vectors))
    else:
        starts = _placed(vectors, _search(vectors, MAX_DEPTH, max_similarity))
    return _snapped(vectors, starts, paragraphs) if paragraphs else starts


def _short_text_boundaries(vectors: list[SparseVector], openers: list[bool]) -> list[int]:
    """Every cut of a short text into three, else two, parts of at least :data:`MIN_SHORT_STORY_SENTENCES`
    sentences, each part opening with one of the `openers`; the cut whose most similar neighbouring parts
    share least, if that is at most :data:`MAX_SHORT_STORY_SIMILARITY` (at most 45 cuts of 12 sentences)."""
    first, last = MIN_SHORT_STORY_SENTENCES, len(vectors) - MIN_SHORT_STORY_SENTENCES
    for count in (2, 1):
        best: tuple[float, tuple[int, ...]] | None = None
        for cuts in combinations(range(first, last + 1), count):
            edges = [0, *cuts, len(vectors)]
            too_short = any(end - start < MIN_SHORT_STORY_SENTENCES for start, end in pairwise(edges))
            if too_short or not all(openers[cut] for cut in cuts):
                continue
            parts = [_summed(vectors[start:end]) for start, end in pairwise(edges)]
            shared = max(_similarity(left, right) for left, right in pairwise(parts))
            if shared <= MAX_SHORT_STORY_SIMILARITY and (best is None or shared < best[0]):
                best = (shared, cuts)
        if best:
            return list(best[1])
    return []


def _search(vectors: list[SparseVector], depth: int, max_similarity: float) -> list[int]:
    """:func:`_boundaries`, then the same inside each story found, `depth` levels down."""
    starts = _boundaries(vectors, max_similarity)
    if not starts or depth == 0:
        return starts
    edges = [0, *starts, len(vectors)]
    inner = [first + start for first, end in pairwise(edges)
             for start in _search(vectors[first:end], depth - 1, max_similarity)]
    return sorted(set(starts) | set(inner))


def _placed(vectors: list[SparseVector], starts: list[int]) -> list[int]:
    """Each of `starts`, in order, moved at most :data:`PLACE_SENTENCES` sentences to the gap where the story
    before it and the one after it (each up to the next start, at most :data:`MAX_PART_SENTENCES` long) share
    least, keeping :data:`MIN_STORY_SENTENCES` a story: a block minimum is flat across a seam, and a story's
    last sentences (a caption, a sign-off) often share little with its own blocks, so the minimum of blocks
    falls a sentence or two early; the whole stories say which side those sentences belong to."""
    edges = [0, *starts, len(vectors)]
    for index in range(1, len(edges) - 1):
        start = edges[index]
        nearest = max(edges[index - 1] + MIN_STORY_SENTENCES, start - PLACE_SENTENCES)
        farthest = min(edges[index + 1] - MIN_STORY_SENTENCES, start + PLACE_SENTENCES)
        shared: dict[int, float] = {}
        for gap in range(nearest, farthest + 1):  # holds `start`: found starts are a story apart
            edges[index] = gap
            shared[gap] = _parts_similarity(vectors, edges, index)
        edges[index] = min(shared, key=lambda gap: (shared[gap], abs(gap - start), gap))
    return edges[1:-1]


def _snapped(vectors: list[SparseVector], starts: list[int], paragraphs: list[int]) -> list[int]:
    """Each of `starts` moved to the nearest paragraph break at most :data:`SNAP_SENTENCES` away, if there
    is one; of two as near, the one whose :data:`TIE_SENTENCES` sentences either side share least (a block
    minimum is often flat across a seam, so its exact place says little)."""
    breaks = [index for index in range(1, len(paragraphs)) if paragraphs[index] != paragraphs[index - 1]]
    moved = []
    for start in starts:
        near = breaks[bisect_left(breaks, start - SNAP_SENTENCES) : bisect_right(breaks, start + SNAP_SENTENCES)]
        moved.append(min(near, key=lambda index: (abs(index - start), _local_similarity(vectors, index), index))
                     if near else start)
    return sorted(set(moved))


def _local_similarity(vectors: list[SparseVector], gap: int) -> float:
    """The cosine of the :data:`TIE_SENTENCES` sentences before `gap` and as many after it, summed."""
    before = vectors[max(0, gap - TIE_SENTENCES) : gap]
    return _similarity(_summed(before), _summed(vectors[gap : gap + TIE_SENTENCES]))


def _boundaries(vectors: list[SparseVector], max_similarity: float) -> list[int]:
    """One search over the whole of `vectors` (see the module docstring)."""
    if len(vectors) < 2 * MIN_STORY_SENTENCES:
        return []
    block = max(MIN_STORY_SENTENCES, min(BLOCK_SENTENCES, len(vectors) // 4))
    similarities = gap_similarities(vectors, block)
    ordered = sorted(similarities)
    median = ordered[len(ordered) // 2]
    if median <= 0:
        return []
    limit = MAX_RELATIVE_SIMILARITY * median
    first, last = MIN_BLOCK_SENTENCES, len(vectors) - MIN_BLOCK_SENTENCES  # the gaps with blocks to compare
    candidates = sorted(
        (similarity, gap)
        for gap, similarity in enumerate(similarities, start=1)
        if similarity <= limit
        and MIN_STORY_SENTENCES <= gap <= len(vectors) - MIN_STORY_SENTENCES
        and similarity == min(similarities[max(first, gap - block) - 1 : min(last, gap + block)])
    )
    starts: list[int] = []
    for _, gap in candidates:
        if len(starts) == MAX_CANDIDATES:
            break
        if all(abs(gap - other) >= MIN_STORY_SENTENCES for other in starts):
            starts.append(gap)
    return _merged(vectors, sorted(starts), max_similarity)


def _merged(vectors: list[SparseVector], starts: list[int], max_similarity: float) -> list[int]:
    """`starts` less those between parts that share more than `max_similarity`, dropped one at
    a time, the most alike first: each part runs to the next start (at most :data:`MAX_PART_SENTENCES`), so
    two neighbouring stories on one topic are told apart by the stories around them, not by the whole rest
    of the text. A part whose two neighbours share more than :data:`MAX_RESUMED_SIMILARITY` is a digression
    in one story that resumes after it: both its starts are dropped, and the merging goes on."""
    edges = [0, *starts, len(vectors)]
    while True:
        shared = [_parts_similarity(vectors, edges, index) for index in range(1, len(edges) - 1)]
        while shared and max(shared) > max_similarity:
            most = shared.index(max(shared))
            del edges[most + 1], shared[most]
            for index in (most, most + 1):  # the parts next to the dropped start are one now
                if 1 <= index < len(edges) - 1:
                    shared[index - 1] = _parts_similarity(vectors, edges, index)
        resumed = [_parts_similarity(vectors, edges, index, skipped=1) for index in range(1, len(edges) - 2)]
        if not resumed or max(resumed) <= MAX_RESUMED_SIMILARITY:
            return edges[1:-1]
        digression = resumed.index(max(resumed)) + 1
        del edges[digression : digression + 2]


def _parts_similarity(vectors: list[SparseVector], edges: list[int], index: int, skipped: int = 0) -> float:
    """The cosine of the summed part that ends at ``edges[index]`` and the one that starts `skipped` parts
    later (0: the next one; 1: the part between them left out), each at most :data:`MAX_PART_SENTENCES` long
    and counted from the side that faces the other."""
    first, end = edges[index], edges[index + skipped]
    before = vectors[max(edges[index - 1], first - MAX_PART_SENTENCES) : first]
    after = vectors[end : min(edges[index + skipped + 1], end + MAX_PART_SENTENCES)]
    return _similarity(_summed(before), _summed(after))


def _summed(vectors: list[SparseVector]) -> dict[str, float]:
    total: dict[str, float] = {}
    for vector in vectors:
        _shift(total, vector, 1.0)
    return total


def _similarity(left: dict[str, float], right: dict[str, float]) -> float:
    norms = _norm(left) * _norm(right)
    smaller, larger = (left, right) if len(left) < len(right) else (right, left)
    return sum(weight * larger.get(term, 0.0) for term, weight in smaller.items()) / norms if norms > 1e-12 else 1.0
