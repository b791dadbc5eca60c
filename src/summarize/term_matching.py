"""Finding many terms in a text in one pass: a trie of the terms, walked over the case-folded text.

A glossary may hold thousands of terms with long shared prefixes; one regular
expression alternating between them backtracks through every term at every
position. The trie is built once per set of terms and costs, per start position,
one step per character that still matches some term.

Case is folded with Unicode's full case folding (``ß`` matches ``SS``), and a
dotted capital ``İ`` matches a plain ``i``/``I`` (``İstanbul`` is ``Istanbul``);
matches are reported at the positions of the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Generic, TypeVar

from .charclasses import HAN

Value = TypeVar("Value")
_WORD = re.compile(rf"[^\W_{HAN}]+")
"""A run of word characters; a Chinese character is not one (as in 苹果的iPhone手机, iPhone is a word)."""
_COMBINING_DOT_ABOVE = "\u0307"
_END = ""
"""The trie key that holds a term's value (no character is the empty string)."""


def fold(text: str) -> str:
    """`text` as terms are compared: full Unicode case folding, the dot of a folded ``İ`` dropped."""
    return text.casefold().replace("i" + _COMBINING_DOT_ABOVE, "i")


class _FoldedText:
    """A text folded for matching, with the way back to the original positions."""

    def __init__(self, text: str, fold_case: bool) -> None:
        self.length = len(text)
        self._origin: list[int] | None = None
        if not fold_case:
            self.folded = text
        elif text.isascii():
            self.folded = text.lower()
        else:
            pieces, origin = [], []
            for index, character in enumerate(text):
                folded = fold(character)
                pieces.append(folded)
                origin.extend([index] * len(folded))
            origin.append(len(text))
            self.folded = "".join(pieces)
            self._origin = origin

    def original(self, index: int) -> int:
        """The original position of folded position `index` (the text's length at its end)."""
        return index if self._origin is None else self._origin[index]

    def starts_character(self, index: int) -> bool:
        """Whether an original character begins (or the text ends) at folded position `index`."""
        origin = self._origin
        return origin is None or index == 0 or origin[index] != origin[index - 1]


class TermMatcher(Generic[Value]):
    """Terms (with a value each) found in texts: whole words or anywhere, any case or exactly."""

    def __init__(self, terms: Mapping[str, Value], whole_words: bool, fold_case: bool) -> None:
        """`terms` maps each term to what a match reports; terms equal after folding keep the last value."""
        self.whole_words = whole_words
        self.fold_case = fold_case
        self._root: dict[str, dict] = {}
        for term, value in terms.items():
            key = fold(term) if fold_case else term
            if not key:
                continue
            node = self._root
            for character in key:
                node = node.setdefault(character, {})
            node[_END] = value  # type: ignore[assignment]

    def __bool__(self) -> bool:
        return bool(self._root)

    def leftmost_longest(self, text: str) -> Iterator[tuple[int, int, Value]]:
        """``(start, end, value)`` of the terms in `text`, left to right without overlaps, the longest term
        where several start at the same place (as a regex alternation of the terms, longest first)."""
        folded, word = self._prepare(text)
        resume = 0
        for start in self._starts(folded, word):
            if start < resume:
                continue
            best = None
            for end, value in self._walk(folded, word, start):
                best = (end, value)
            if best is not None:
                resume = best[0]
                yield folded.original(start), folded.original(best[0]), best[1]

    def found(self, text: str) -> list[Value]:
        """The values of every term that occurs in `text`, overlapping ones included, each once."""
        folded, word = self._prepare(text)
        values: dict[Value, None] = {}
        for start in self._starts(folded, word):
            for _, value in self._walk(folded, word, start):
                values[value] = None
        return list(values)

    # ------------------------------------------------------------------ the walk

    def _prepare(self, text: str) -> tuple[_FoldedText, bytearray | None]:
        word = None
        if self.whole_words:
            word = bytearray(len(text) + 1)
            for match in _WORD.finditer(text):
                word[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
        return _FoldedText(text, self.fold_case), word

    def _starts(self, folded: _FoldedText, word: bytearray | None) -> Iterator[int]:
        """Folded positions where a term may start: an original character's start, after a non-word character
        (or the text's start) for whole words, and a first character of some term."""
        first = self._root
        text = folded.folded
        for index, character in enumerate(text):
            if character not in first or not folded.starts_character(index):
                continue
            if word is not None:
                position = folded.original(index)
                if position and word[position - 1]:
                    continue
            yield index

    def _walk(self, folded: _FoldedText, word: bytearray | None, start: int) -> Iterator[tuple[int, Value]]:
        """``(end, value)`` of every term that starts at `start` and ends where a match may end, shortest first."""
        text = folded.folded
        node = self._root
        index = start
        while index < len(text):
            node = node.get(text[index])  # type: ignore[assignment]
            if node is None:
                return
            index += 1
            if _END in node and folded.starts_character(index) and (word is None or not word[folded.original(index)]):
                yield index, node[_END]  # type: ignore[misc]


def matcher_for(terms: Iterable[str], language: str) -> TermMatcher[str]:
    """A matcher of `terms` by the glossary's rules for `language`: English whole words in any case, Chinese
    exactly."""
    english = language != "zh"
    return TermMatcher({term: term for term in terms}, whole_words=english, fold_case=english)
