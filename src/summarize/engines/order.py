"""Whether a text's sentence order tells where its main points are, and cues that do not need it.

News is written lead-first, so the extractive engine's position prior pays off
on news; on text whose order carries no information (a shuffled article, notes,
a list of remarks) the same prior picks whatever happens to come first. The
prior is trusted only where the order looks like a news story's
(:func:`order_is_informative`); elsewhere the engine scores by content alone,
helped by two cues that hold in any order: a sentence that introduces a person
by full name whom other sentences call by surname is lead-like
(:func:`introductions`), and a sentence that opens with a pronoun or a
connective continues another one (:func:`opens_with_reference`).

The constants were chosen on the SummEval tuning half (docs/extractive.md).
Cost is linear in the text: one pass over each sentence's words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..text import OPENING_QUOTES
from .stopwords import ENGLISH_STOP_WORDS

MIN_SENTENCES = 10
"""Below this many sentences the order cannot be judged: the lead prior is trusted (short news items, pages)."""
MIN_RANK_CORRELATION = -0.20
"""The lead prior is dropped when centrality clearly rises with position (Spearman, sign flipped, below this)."""
MIN_LATE_INTRODUCTIONS = 2
"""People called by surname before their full name that alone show a mixed-up order (if no fewer than those in order)."""
WEAK_RANK_CORRELATION = 0.10
"""A single late introduction shows a mixed-up order only with centrality not falling with position (below this)."""

_FULL_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+")
_WORD = re.compile(r"[A-Za-z]+")
_NOT_A_FIRST_NAME = ENGLISH_STOP_WORDS | frozenset("mr mrs ms dr new north south east west".split())
_QUOTATION_MARKS = OPENING_QUOTES + "\"'‘"
"""The marks a quotation opens with: curly and corner quotes, and straight ones (which open and close)."""
_REFERENCE_START = re.compile(
    rf"^[{re.escape(_QUOTATION_MARKS)}(]?"
    r"(?:(?:he|she|it|they|him|his|her|hers|their|its|them|but|however|and|also|this|these|those|that|then|"
    r"meanwhile|still|yet|so|or|there|here|such|both|another|other|others|the latter|the former)\b|(?:他们|她们|它们|他們|她們|它們|他|她|它|但是|但|而且|此外|同时|同時|因此|不过|不過))",
    re.IGNORECASE,
)


def opens_with_quotation(sentence: str) -> bool:
    """True for a sentence that opens with a quotation mark (straight, curly or corner): reported speech, which
    goes on with a story rather than starting one."""
    return sentence.lstrip()[:1] in _QUOTATION_MARKS


def opens_with_reference(sentence: str) -> bool:
    """True for a sentence that opens with a pronoun or a connective ("He said...", "But...", "此外"):
    it continues another sentence, so it is a poor lead and a poor summary sentence on its own."""
    return bool(_REFERENCE_START.match(sentence.strip()))


def _surnames_named_in_full(sentence: str) -> set[str]:
    """The last words of the capitalized multi-word names in `sentence` ("Maria Lopez" -> "Lopez")."""
    surnames = set()
    for match in _FULL_NAME.finditer(sentence):
        words = match.group().split()
        while words and words[0].lower() in _NOT_A_FIRST_NAME:
            words = words[1:]
        if len(words) >= 2:
            surnames.add(words[-1])
    return surnames


def _surnames_named_alone(sentence: str, surnames: set[str]) -> set[str]:
    """The `surnames` that `sentence` uses without a capitalized word before them ("Lopez said")."""
    words = _WORD.findall(sentence)
    alone = set()
    for index, word in enumerate(words):
        if word in surnames:
            before = words[index - 1] if index else ""
            if not before[:1].isupper() or before.lower() in _NOT_A_FIRST_NAME:
                alone.add(word)
    return alone


@dataclass(frozen=True)
class Introductions:
    """Who is introduced where: ``counts[i]`` people are named in full in sentence i and by surname alone
    elsewhere; ``late`` people are called by surname before the first sentence that names them in full,
    ``in_order`` people only after it."""

    counts: np.ndarray
    late: int
    in_order: int


def introductions(sentences: Sequence[str]) -> Introductions:
    """Find the people each sentence introduces by full name (English capitalized names; none in Chinese)."""
    full = [_surnames_named_in_full(sentence) for sentence in sentences]
    surnames = set().union(*full)
    alone = [_surnames_named_alone(sentence, surnames) for sentence in sentences] if surnames else [set()] * len(full)
    elsewhere = {name: sum(name in found for found in alone) for name in surnames}
    counts = np.array(
        [sum(1 for name in names if elsewhere[name] > (name in alone[index])) for index, names in enumerate(full)],
        dtype=float,
    )
    first_full: dict[str, int] = {}
    first_alone: dict[str, int] = {}
    for index, (names, bare) in enumerate(zip(full, alone, strict=True)):
        for name in names:
            first_full.setdefault(name, index)
        for name in bare:
            first_alone.setdefault(name, index)
    late = sum(1 for name, index in first_alone.items() if index < first_full[name])
    return Introductions(counts, late, len(first_alone) - late)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 0, tied values sharing their average rank."""
    order = np.argsort(values, kind="stable")
    _, first, counts = np.unique(values[order], return_index=True, return_counts=True)
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(first + (counts - 1) / 2, counts)
    return ranks


def centrality_falls_with_position(centrality: np.ndarray) -> float:
    """Spearman's rank correlation between earliness and centrality: near 1 when the most central
    sentences come first, near 0 when the order is unrelated to content."""
    if len(centrality) < 3 or centrality.std() == 0:
        return 0.0
    return float(-np.corrcoef(np.arange(len(centrality)), _ranks(centrality))[0, 1])


def order_is_informative(sentences: Sequence[str], centrality: np.ndarray, found: Introductions) -> bool:
    """Whether to trust the lead prior: a short text (fewer than :data:`MIN_SENTENCES`), or one without a
    clear sign of a mixed-up order. A clear sign alone is enough: a first sentence that continues another,
    centrality rising with position (below :data:`MIN_RANK_CORRELATION`), or at least
    :data:`MIN_LATE_INTRODUCTIONS` people called by surname before their full name, no fewer than those
    introduced in order (a famous name may come bare first). A weak sign needs a second one: one late
    introduction counts only where centrality does not clearly fall with position (below
    :data:`WEAK_RANK_CORRELATION`)."""
    if len(sentences) < MIN_SENTENCES:
        return True
    correlation = centrality_falls_with_position(centrality)
    mixed_up = found.late >= MIN_LATE_INTRODUCTIONS and found.late >= found.in_order
    weakly_mixed_up = found.late > 0 and correlation < WEAK_RANK_CORRELATION
    return not (
        mixed_up or weakly_mixed_up or opens_with_reference(sentences[0]) or correlation < MIN_RANK_CORRELATION
    )
