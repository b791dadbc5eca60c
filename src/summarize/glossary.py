"""User glossaries: terms read from a TSV/CSV file or a mapping, found in a text, enforced, checked.

A glossary line is ``source term<TAB>target term`` (or comma-separated in a ``.csv`` file),
with an optional third column naming the direction (``en-zh`` or ``zh-en``); without it, a
term applies to texts in the language its source term is written in. ``#`` starts a comment.

Matching: English terms case-insensitively (full Unicode case folding) and as whole words,
Chinese terms exactly; the longest term wins where two overlap ("New York Times" over "New
York"). Each direction's terms are matched by one trie built with the glossary
(:mod:`summarize.term_matching`), in time linear in the text for any number of terms.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .charclasses import HAN_CHAR
from .errors import InputError
from .term_matching import TermMatcher, fold, matcher_for
from .text import TRANSLATION_PAIRS as DIRECTIONS
from .text import decode_utf8, lone_surrogate_problem

MAX_TERMS = 5_000
"""The most terms one glossary may hold (a file, or the HTTP API's ``glossary`` object)."""
MAX_TERM_CHARACTERS = 200
"""The longest term, source or target (a name or a phrase; it also bounds each step of the matching)."""
_LINE_BREAK_OR_CONTROL = re.compile("[\x00-\x1f\x7f\u2028\u2029]")


@dataclass(frozen=True)
class Term:
    """One glossary entry."""

    source: str
    target: str
    direction: str
    """``en-zh`` or ``zh-en``."""


@dataclass(frozen=True)
class TermCheck:
    """A glossary term found in a source text, and whether its target term is in the output."""

    source: str
    target: str
    found: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _language_of(term: str) -> str:
    return "zh" if HAN_CHAR.search(term) else "en"


@dataclass(frozen=True)
class Match:
    """Where a term occurs in a text."""

    term: Term
    start: int
    end: int


class Glossary:
    """Terms by direction, with their matchers built once."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms = tuple(terms)
        self._matchers: dict[str, TermMatcher[Term]] = {}
        for direction in DIRECTIONS:
            english = direction[:2] != "zh"
            by_source = {term.source: term for term in self.terms if term.direction == direction}
            self._matchers[direction] = TermMatcher(by_source, whole_words=english, fold_case=english)

    def __len__(self) -> int:
        return len(self.terms)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str], argument: str = "glossary") -> Glossary:
        """A glossary from ``{source term: target term}`` (the HTTP API's ``glossary`` object); a bad
        entry raises :class:`InputError` naming it as ``glossary['source term']``."""
        if not isinstance(mapping, Mapping):
            raise InputError(f"{argument} must be an object of source term: target term, not {type(mapping).__name__}")
        if not mapping:
            raise InputError(f"{argument} is empty; give at least one source term: target term, or leave it out")
        _check_size(len(mapping), argument)
        entries = []
        for source, target in mapping.items():
            where = f"{argument}[{source!r}]"
            for side, value in (("source", source), ("target", target)):
                if not isinstance(value, str):
                    raise InputError(f"{where}: the {side} term must be a string, not {type(value).__name__}")
                problem = lone_surrogate_problem(value)
                if problem is not None:
                    raise InputError(f"{where}: the {side} term {problem}; send it encoded as UTF-8")
            entries.append((_entry([source, target], where), where))
        return cls(_checked(entries))

    @classmethod
    def from_file(cls, path: str | Path) -> Glossary:
        """Read a TSV (or ``.csv``) glossary; a bad line raises :class:`InputError` with its number."""
        name = str(path)
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise InputError(f"cannot read glossary {name}: {error.strerror or error}") from None
        text = decode_utf8(data, f"glossary {name}")
        delimiter = "," if name.lower().endswith(".csv") else "\t"
        entries = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            row = next(csv.reader([line], delimiter=delimiter))
            where = f"glossary {name} line {number}"
            entries.append((_entry(row, where), where))
        if not entries:
            raise InputError(f"glossary {name} has no terms (lines of 'source<TAB>target')")
        _check_size(len(entries), f"glossary {name}")
        return cls(_checked(entries))

    def matches(self, text: str, source_lang: str, target_lang: str) -> list[Match]:
        """The terms of this direction in `text`, left to right, without overlaps."""
        matcher = self._matchers.get(f"{source_lang[:2]}-{target_lang[:2]}")
        if not matcher:
            return []
        return [Match(term, start, end) for start, end, term in matcher.leftmost_longest(text)]

    def terms_in(self, text: str, source_lang: str, target_lang: str) -> list[Term]:
        """The terms of this direction found in `text`, each once, in order of first occurrence."""
        return list(dict.fromkeys(match.term for match in self.matches(text, source_lang, target_lang)))

    def check(self, source: str, output: str, source_lang: str, target_lang: str) -> tuple[TermCheck, ...]:
        """Each term of `source` once, and whether its target term appears in `output`."""
        found = self.terms_in(source, source_lang, target_lang)
        kept = kept_terms(output, [term.target for term in found])
        return tuple(TermCheck(term.source, term.target, term.target in kept) for term in found)


def check_terms(
    glossary: Glossary | None, source: str, output: str, source_lang: str, target_lang: str
) -> tuple[TermCheck, ...]:
    """:meth:`Glossary.check`, or no checks without a glossary."""
    return glossary.check(source, output, source_lang, target_lang) if glossary else ()


def merge_checks(checks: Iterable[TermCheck]) -> tuple[TermCheck, ...]:
    """The checks of a text's parts as one: each term once, in order, found only where every part kept it."""
    found: dict[tuple[str, str], bool] = {}
    for check in checks:
        key = (check.source, check.target)
        found[key] = found.get(key, True) and check.found
    return tuple(TermCheck(source, target, kept) for (source, target), kept in found.items())


def kept_terms(text: str, terms: Iterable[str]) -> set[str]:
    """Those of `terms` that occur in `text` by the matching rules (English whole-word and any case, Chinese
    exactly: each by the language it is written in)."""
    by_language: dict[str, list[str]] = {}
    for term in terms:
        by_language.setdefault(_language_of(term), []).append(term)
    return {term for language, group in by_language.items() for term in matcher_for(group, language).found(text)}


def _entry(row: list[str], where: str) -> Term:
    if len(row) not in (2, 3):
        raise InputError(f"{where}: expected 2 or 3 columns (source, target, optional direction), got {len(row)}")
    source, target = row[0].strip(), row[1].strip()
    if not source or not target:
        raise InputError(f"{where}: the {'source' if not source else 'target'} term is empty")
    for side, value in (("source", source), ("target", target)):
        if _LINE_BREAK_OR_CONTROL.search(value):
            raise InputError(f"{where}: the {side} term holds a line break or control character; give one line")
        if len(value) > MAX_TERM_CHARACTERS:
            raise InputError(
                f"{where}: the {side} term is {len(value):,} characters, over the limit of {MAX_TERM_CHARACTERS}"
            )
    direction = row[2].strip() if len(row) == 3 else "zh-en" if _language_of(source) == "zh" else "en-zh"
    if direction not in DIRECTIONS:
        raise InputError(f"{where}: direction {direction!r} is not one of {', '.join(DIRECTIONS)}")
    return Term(source, target, direction)


def _check_size(count: int, name: str) -> None:
    if count > MAX_TERMS:
        raise InputError(f"{name} has {count:,} terms, over the limit of {MAX_TERMS:,}; split it by topic")


def _checked(entries: list[tuple[Term, str]]) -> list[Term]:
    """Refuse a source term given twice (in any case) with different targets; drop exact repeats."""
    seen: dict[tuple[str, str], Term] = {}
    for term, where in entries:
        key = (term.direction, fold(term.source) if term.direction[:2] != "zh" else term.source)
        if key in seen and seen[key].target != term.target:
            raise InputError(
                f"{where}: {term.source!r} already has the target {seen[key].target!r} "
                f"(here {term.target!r}); keep one"
            )
        seen[key] = term
    return list(seen.values())
