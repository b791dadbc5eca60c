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
        *[(p.style.name, [(r.bold, r.italic, r.underline) for r in p.runs]) for p in all_paragraphs(document)],
        *[(len(t.rows), len(t.columns), t.style.name if t.style else None) for t in _tables(document)],
    ]


def _tables(container) -> list:
    """Every table in `container`, nested tables (in document order) after the table holding them."""
    found = []
    for table in container.tables:
        found.append(table)
        for row in table.rows:
            for cell in row.cells:
                found.extend(_tables(cell))
    return found


def _saved(document) -> bytes:
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


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
    return _saved(document)


def chinese_word_document() -> bytes:
    """A Chinese Word document: a title, a bold run inside a sentence, a bulleted list, a styled table, a footer."""
    import docx

    document = docx.Document()
    document.core_properties.title = "老城菜市场重新开门"
    document.add_heading("老城菜市场重新开门", level=1)
    paragraph = document.add_paragraph()
    paragraph.add_run("经过半年的改造，")
    paragraph.add_run("老城菜市场").bold = True
    paragraph.add_run("本周重新开门营业。")
    document.add_paragraph("摊位从八十个增加到一百二十个。", style="List Bullet")
    document.add_paragraph("市场新装了空调和排水系统。", style="List Bullet")
    table = document.add_table(rows=3, cols=2, style="Table Grid")
    for row, (label, value) in zip(table.rows, [("项目", "数据"), ("摊位", "一百二十个"), ("投资", "三百万元")]):
        row.cells[0].text, row.cells[1].text = label, value
    document.sections[0].footer.paragraphs[0].text = "山城日报"
    return _saved(document)


def report_word_document() -> bytes:
    """An English report: bold-italic and underlined runs, a numbered list, a table with a merged
    row and a table nested in a cell, a header of two runs in two formats."""
    import docx

    document = docx.Document()
    document.core_properties.title = ""
    document.add_heading("Council passes the budget", level=2)
    paragraph = document.add_paragraph("The council ")
    both = paragraph.add_run("approved the budget")
    both.bold, both.italic = True, True
    paragraph.add_run(" on Tuesday").underline = True
    paragraph.add_run(" after a long debate.")
    document.add_paragraph("Schools get more money.", style="List Number")
    document.add_paragraph("Road repairs are delayed.", style="List Number")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Spending by department"
    table.cell(1, 0).text = "Schools"
    table.cell(1, 1).text = "Roads"
    inner = table.cell(1, 2).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "Parks"
    inner.cell(0, 1).text = "Libraries"
    header = document.sections[0].header.paragraphs[0]
    header.add_run("City Hall ")
    header.add_run("Bulletin").italic = True
    return _saved(document)


WORD_DOCUMENTS = {"bridge_en.docx": word_document, "market_zh.docx": chinese_word_document, "budget_en.docx": report_word_document}
"""The team's Word documents, built with python-docx (the language is in the name)."""
