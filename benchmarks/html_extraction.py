"""Main-text extraction from news pages: trafilatura (the project's choice) against readability-lxml.

On each of the team's test pages (tests/documents/*.html, with tests/documents/pages.json
naming each story's first and last paragraph and the boilerplate blocks around it),
count what each extractor gets right: the story's first and last paragraph kept,
every boilerplate block (menus, cookie banners, related stories, footers) left out,
and the headline kept out of the text (it is metadata, not a summary sentence).

Usage::

    python benchmarks/html_extraction.py        # needs `pip install readability-lxml` for the comparison
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "documents"


def trafilatura_text(page: str) -> str:
    from summarize.documents import read_document

    return read_document(page.encode("utf-8"), "html").text


def readability_text(page: str) -> str:
    from readability import Document

    summary = Document(page).summary(html_partial=True)
    return " ".join(re.sub(r"<[^>]+>", " ", summary).split())


def score(text: str, expected: dict, title: str) -> dict[str, int]:
    return {
        "first paragraph kept": int(expected["first"] in text),
        "last paragraph kept": int(expected["last"] in text),
        "boilerplate left out": sum(block not in text for block in expected["boilerplate"]),
        "headline left out": int(title not in text),
    }


def main() -> int:
    from summarize.documents import read_document

    expectations = json.loads((PAGES / "pages.json").read_text(encoding="utf-8"))
    extractors = {"trafilatura": trafilatura_text}
    try:
        import readability  # noqa: F401

        extractors["readability-lxml"] = readability_text
    except ImportError:
        print("readability-lxml is not installed: only trafilatura is measured", file=sys.stderr)
    totals = {name: {} for name in extractors}
    possible: dict[str, int] = {}
    for page_name, expected in sorted(expectations.items()):
        page = (PAGES / page_name).read_text(encoding="utf-8")
        title = read_document(page.encode("utf-8"), "html").metadata.get("title", "")
        for name, extract in extractors.items():
            try:
                text = extract(page)
            except Exception as error:  # a failing extractor scores zero on the page, and says why
                print(f"{name} failed on {page_name}: {type(error).__name__}: {error}", file=sys.stderr)
                text = ""
            for check, value in score(text, expected, title).items():
                totals[name][check] = totals[name].get(check, 0) + value
        # The most each check can score on this page: the score of the page's own ideal text.
        ideal = f"{expected['first']} {expected['last']}"
        for check, value in score(ideal, expected, title).items():
            possible[check] = possible.get(check, 0) + value
    print("| check | " + " | ".join(extractors) + " |")
    print("|---|" + "---|" * len(extractors))
    for check, most in possible.items():
        print(f"| {check} | " + " | ".join(f"{totals[name][check]}/{most}" for name in extractors) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
