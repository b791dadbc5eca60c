"""What a translation must keep of each document format: everything but the words."""

from __future__ import annotations

import io
from pathlib import Path

FIXTURES = Path(__file__).parent / "documents"
"""The team's test documents: news pages, Markdown files and subtitles."""


def html_tags(markup: str) -> list[tuple[str, tuple[tuple[str, str], ...], int]]:
    """Every element as (tag, attributes, depth), in document order."""
    from lxml import html

    root = html.fromstring(markup)
    return [
        (element.tag, tuple(sorted(element.attrib.items())), len(list(element.iterancestors())))
        for element in root.iter()
        if isinstance(element.tag, str)
    ]


def markdown_shape(source: str) -> list[tuple[str, str, int, list[str]]]:
    """The Markdown AST without its words: block tokens and the kinds of inline markup."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    return [
        (token.type, token.tag, token.nesting,
         [child.type for child in token.children or [] if child.type not in ("text", "softbreak")])
        for token in parser.parse(source)
    ]


def docx_layout(data: bytes) -> list[tuple]:
    """Paragraph styles, runs and their bold/italic, table shapes, headers and footers: everything but the words."""
    import docx

    from summarize.documents.docx import all_paragraphs

    document = docx.Document(io.BytesIO(data))
    return [
        *[(p.style.name, [(r.bold, r.italic) for r in p.runs]) for p in all_paragraphs(document)],
        *[(len(t.rows), len(t.columns)) for t in document.tables],
    ]


def word_document() -> bytes:
    """A short Word document: a heading, runs in three formats, a table, a header and a footer."""
    import docx

    document = docx.Document()
    document.core_properties.title = ""
    document.add_heading("Harbour Bridge reopens", level=1)
    paragraph = document.add_paragraph()
    paragraph.add_run("The bridge reopened ")
    paragraph.add_run("on Monday")  # same format as the run before: one group
    bold = paragraph.add_run(" after repairs")
    bold.bold = True
    paragraph.add_run(".")
    italic = document.add_paragraph().add_run("Commuters welcomed the news.")
    italic.italic = True
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Cost"
    table.cell(0, 1).text = "12 million"
    table.cell(1, 0).text = "Closed for"
    table.cell(1, 1).text = "eight months"
    table.cell(1, 1).paragraphs[0].add_run(" 2024").bold = True  # a group with no letters is kept as written
    document.sections[0].header.paragraphs[0].text = "Riverton Daily"
    document.sections[0].footer.paragraphs[0].text = "Page footer text"
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
