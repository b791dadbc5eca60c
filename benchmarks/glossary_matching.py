"""Glossary matching time: the trie (``summarize.term_matching``) against one regex alternation of the terms.

Three glossaries over a 100,000-character text (the request limit):

- ``shared prefixes``: 5,000 long English terms that share an 88-character prefix, over a text where half
  the sentences hold one of them and the others stop after the prefix (the outside probe's shape);
- ``ordinary``: 5,000 distinct short English terms over English text that holds some of them;
- ``self-similar (worst)``: Chinese terms of 1 to 199 repeats of one character ending in another, over a text
  of that character only: every start walks the longest term and fails, the trie's worst case (its cost
  grows with the text times the longest term, which ``MAX_TERM_CHARACTERS`` bounds).

The regex column is what the glossary did before (one alternation, longest first, whole words); it is
stopped after ``--regex-limit`` seconds. Each figure is the best of ``--repeats`` runs of ``matches()``
and ``check()`` on one core of this machine.

Usage::

    python benchmarks/glossary_matching.py                 # writes benchmarks/RESULTS-glossary.md
    python benchmarks/glossary_matching.py --output -
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

from summarize.charclasses import HAN
from summarize.glossary import Glossary

ROOT = Path(__file__).resolve().parent.parent
TEXT_CHARACTERS = 100_000
PREFIX = "International Committee for the Coordination of Regional Development Programmes of the "


def shared_prefixes() -> tuple[dict[str, str], str, str]:
    terms = {f"{PREFIX}Province Number {index}": f"第{index}号省" for index in range(5_000)}
    rng = random.Random(1)
    sentences = []
    while sum(map(len, sentences)) < TEXT_CHARACTERS:
        if rng.random() < 0.5:
            sentences.append(f"The {PREFIX}Province Number {rng.randrange(6_000)} met on Monday. ")
        else:
            sentences.append(f"The {PREFIX}Province met again. ")
    return terms, "".join(sentences)[:TEXT_CHARACTERS], "en"


def ordinary() -> tuple[dict[str, str], str, str]:
    rng = random.Random(2)
    words = [f"{rng.choice('bcdfghklmnprst')}{rng.choice('aeiou')}{rng.choice('lmnrst')}{index}" for index in range(5_000)]
    terms = {f"{word} agency": f"{index}号机构" for index, word in enumerate(words)}
    sentences = []
    while sum(map(len, sentences)) < TEXT_CHARACTERS:
        sentences.append(f"Officials of the {rng.choice(words)} agency and {rng.choice(words)} said so on Friday. ")
    return terms, "".join(sentences)[:TEXT_CHARACTERS], "en"


def self_similar() -> tuple[dict[str, str], str, str]:
    terms = {"的" * count + "是": f"x{count}" for count in range(1, 200)}
    return terms, "的" * TEXT_CHARACTERS, "zh"


CASES: dict[str, Callable[[], tuple[dict[str, str], str, str]]] = {
    "shared prefixes": shared_prefixes,
    "ordinary": ordinary,
    "self-similar (worst)": self_similar,
}


def _regex_scan(terms: list[str], text: str, language: str) -> int:
    alternation = "|".join(re.escape(term) for term in sorted(set(terms), key=len, reverse=True))
    if language == "zh":
        pattern = re.compile(alternation)
    else:
        pattern = re.compile(rf"(?<![^\W_{HAN}])(?:{alternation})(?![^\W_{HAN}])", re.IGNORECASE)
    return sum(1 for _ in pattern.finditer(text))


def _timed_regex(case: str, limit: float) -> float | None:
    """Seconds of the old regex scan of `case` in a child process, None when it passed `limit`."""
    terms, text, language = CASES[case]()
    with multiprocessing.Pool(1) as pool:
        started = time.perf_counter()
        job = pool.apply_async(_regex_scan, (list(terms), text, language))
        try:
            job.get(timeout=limit)
        except multiprocessing.TimeoutError:
            pool.terminate()
            return None
        return time.perf_counter() - started


def measure(case: str, repeats: int, regex_limit: float) -> dict[str, object]:
    terms, text, language = CASES[case]()
    target = "zh" if language == "en" else "en"
    started = time.perf_counter()
    glossary = Glossary.from_mapping(terms)
    build = time.perf_counter() - started
    match_times, check_times = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        found = glossary.matches(text, language, target)
        match_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        glossary.check(text, text, language, target)
        check_times.append(time.perf_counter() - started)
    return {
        "case": case,
        "terms": len(terms),
        "matches": len(found),
        "build": build,
        "match": min(match_times),
        "check": min(check_times),
        "regex": _timed_regex(case, regex_limit),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--regex-limit", type=float, default=120.0)
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "RESULTS-glossary.md"))
    options = parser.parse_args()
    rows = [measure(case, options.repeats, options.regex_limit) for case in CASES]
    lines = [
        "# Glossary matching over a 100,000-character text",
        "",
        f"`python benchmarks/glossary_matching.py` on {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}. Seconds, best of {options.repeats}.",
        "",
        "| glossary | terms | matches | build | matches() | check() | one regex (before) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        regex = f"{row['regex']:.2f}" if row["regex"] is not None else f"> {options.regex_limit:g} (stopped)"
        lines.append(
            f"| {row['case']} | {row['terms']:,} | {row['matches']:,} | {row['build']:.3f} | {row['match']:.3f} "
            f"| {row['check']:.3f} | {regex} |"
        )
    report = "\n".join(lines) + "\n"
    if options.output == "-":
        print(report, end="")
    else:
        Path(options.output).write_text(report, encoding="utf-8")
        print(report, end="")


if __name__ == "__main__":
    main()
