"""The web demo's glossary upload: a TSV/CSV file read as a :class:`Glossary`, and a result's terms shown.

The file handlers that take it are wrapped with :func:`summarize.web.demo.uploads.uploads_only`, so only a
file uploaded to this server is ever opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import gradio as gr

from ...glossary import Glossary, TermCheck

GLOSSARY_TYPES = [".tsv", ".csv", ".txt"]


def glossary_input(elem_id: str) -> gr.File:
    """The optional glossary upload of a tab."""
    return gr.File(
        label="Glossary (optional): a .tsv or .csv of source term, target term; see docs/glossary.md",
        file_types=GLOSSARY_TYPES,
        elem_id=elem_id,
    )


def read_glossary(path: str | None) -> Glossary | None:
    """The uploaded glossary (None when none was given); a bad line raises :class:`InputError` with its number."""
    return Glossary.from_file(Path(path)) if path else None


def describe_terms(terms: Sequence[TermCheck]) -> str:
    """The glossary terms of a result as Markdown: each term and its target as code (shown literally; a
    backtick in a term is shown as '), and whether the output has the target."""
    if not terms:
        return ""
    kept = sum(term.found for term in terms)
    lines = [f"**Glossary terms:** {kept} of {len(terms)} kept"]
    for term in terms:
        mark = "✓" if term.found else "✗ not in the output:"
        lines.append(f"- {mark} {_code(term.source)} → {_code(term.target)}")
    return "\n".join(lines)


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"
