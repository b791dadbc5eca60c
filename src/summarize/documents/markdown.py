"""Markdown: body text for summaries, and translations that keep the document's structure.

Headings, paragraphs, list items, quotes and table cells are translated; code blocks,
inline code, link targets, autolinks, inline HTML and emphasis markers are kept as
written. The text between two markers is translated on its own, so emphasis or a
link inside a sentence stays around the same words. The lines of a paragraph that
wraps over several lines are translated together and written as one line (the same
paragraph to a Markdown reader); a hard break keeps its line break.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from typing import Any

from ..text import collapse_whitespace, join_wrapped_lines
from .model import Document, Part, import_extra, is_translatable, respace

_KEPT_INLINE = re.compile(
    # Every unbounded part stops at the character that could open the next match, so no text is
    # scanned twice and a scan costs time linear in the content (see _kept_markup).
    r"(?P<backticks>`+)"  # a code span's opening run, matched to its closing run by _kept_markup
    r"|<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>|<[^<>\s@]+@[^<>\s]+>"  # autolinks
    r"|</?[A-Za-z][^<>]*>"  # inline HTML tags
    r"|\]\((?:[^()\[\]]|\([^()\[\]]*\))*\)"  # link targets, with one level of parentheses inside
    r"|\]\[[^\[\]]*\]|!?\[|\]"  # reference links, link and image brackets
    r"|\\[!-/:-@\[-`{-~]"  # backslash escapes
    r"|&(?:[A-Za-z][A-Za-z0-9]{0,31}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});"  # entities
    r"|[*~]+|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])"  # emphasis and strike-through delimiters
)
_BACKTICK_RUN = re.compile("`+")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")

Slot = str | tuple[str, int, str]
"""A literal piece of the output, or (leading space, index of a segment, trailing space):
where the segment's translation goes."""


def _parser() -> Any:
    return import_extra("markdown_it", "Markdown").MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _escape(translation: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", translation)


def _kept_markup(content: str) -> Iterator[tuple[int, int]]:
    """The (start, end) of each piece of inline markup kept as written, in order.

    A code span runs from a backtick run to the next run of the same length (CommonMark); a run
    that no run of its length follows is text. The runs are indexed once, so finding a span's end
    never scans the content again.
    """
    runs: dict[int, list[int]] = {}
    for run in _BACKTICK_RUN.finditer(content):
        runs.setdefault(run.end() - run.start(), []).append(run.start())
    position = 0
    while (match := _KEPT_INLINE.search(content, position)) is not None:
        start, end = match.span()
        if match["backticks"]:
            same_length = runs[end - start]
            closing = bisect.bisect_right(same_length, start)
            if closing == len(same_length):
                position = end
                continue
            end = same_length[closing] + (end - start)
        yield start, end
        position = end


def _split_edge_space(text: str) -> tuple[str, str, str]:
    """`text` as (leading whitespace, the rest stripped, trailing whitespace)."""
    core = text.strip()
    if not core:
        return text, "", ""
    leading = text[: len(text) - len(text.lstrip())]
    return leading, core, text[len(leading) + len(core) :]


def _inline_parts(content: str, segments: list[str]) -> list[Slot]:
    """Split inline Markdown into kept markup and text segments (appended to `segments`)."""
    parts: list[Slot] = []
    done = 0
    for start, end in [*_kept_markup(content), (len(content), len(content))]:
        text = content[done:start]
        if is_translatable(text):
            leading, core, trailing = _split_edge_space(text)
            segments.append(" ".join(core.split()))
            parts.append((leading, len(segments) - 1, trailing))
        elif text:
            parts.append(text)
        if start < end:
            parts.append(content[start:end])
        done = end
    return parts


def _hard_break(line: str) -> str:
    """The hard break that ends `line` (two spaces or more, or a backslash), or ``""``."""
    if line.endswith("\\"):
        return "\\"
    spaces = len(line) - len(line.rstrip(" "))
    return line[len(line) - spaces :] if spaces >= 2 else ""


def _hard_break_groups(content_lines: list[str]) -> list[tuple[int, int]]:
    """(first, last) line of each run of lines joined by soft breaks; a hard break ends a run."""
    groups, first = [], 0
    for index, line in enumerate(content_lines):
        if index == len(content_lines) - 1 or _hard_break(line):
            groups.append((first, index))
            first = index + 1
    return groups


def _closes(markup: str, open_delimiters: set[str]) -> bool:
    """Whether inline markup closes an element (``]...``, ``</tag>``, the second of a pair of
    emphasis delimiters); `open_delimiters` tracks the emphasis runs seen once so far."""
    if markup.startswith(("]", "</")):
        return True
    if markup.strip("*_~"):
        return False
    if markup in open_delimiters:
        open_delimiters.discard(markup)
        return True
    open_delimiters.add(markup)
    return False


def _prefix(raw_line: str, content_line: str) -> str:
    """What a block puts before its text on a line (list marker, ``>``, ``#``, indentation)."""
    kept = raw_line.rstrip()
    core = content_line.rstrip()
    return kept[: len(kept) - len(core)] if core and kept.endswith(core) else kept[: len(kept) - len(kept.lstrip())]


def _inline_blocks(tokens: list[Any]) -> Iterator[tuple[Any, Any]]:
    """Each inline token with the block token that opened it."""
    for position, token in enumerate(tokens):
        if token.type == "inline" and token.map is not None:
            yield tokens[position - 1], token


def _plain_text(inline: Any) -> str:
    return "".join(
        child.content if child.type in ("text", "code_inline") else "\n" if child.type.endswith("break") else ""
        for child in inline.children or []
    )


def read_markdown(source: str, name: str) -> Document:
    """A Markdown file as a :class:`Document`."""
    tokens = _parser().parse(source)
    lines = source.split("\n")
    segments: list[str] = []
    replacements: dict[int, tuple[int, list[list[Slot]]]] = {}
    """First line of a block -> (lines it replaces, the new lines as parts)."""
    cells: dict[int, list[tuple[str, list[Slot]]]] = {}
    """Line of a table row -> its cells' (source text, parts)."""
    paragraphs: list[str] = []
    metadata: dict[str, str] = {}
    for opener, inline in _inline_blocks(tokens):
        start, end = inline.map
        if opener.type == "heading_open":
            metadata.setdefault("title", collapse_whitespace(_plain_text(inline)))
        elif opener.type == "paragraph_open":
            paragraphs.append(collapse_whitespace(_plain_text(inline)))
        if opener.type in ("th_open", "td_open"):
            cells.setdefault(start, []).append((inline.content, _inline_parts(inline.content, segments)))
            continue
        content_lines = inline.content.split("\n")
        new_lines = []
        for first, last in _hard_break_groups(content_lines):
            hard_break = _hard_break(content_lines[last]) if last < len(content_lines) - 1 else ""
            group = content_lines[first : last + 1]
            group[-1] = group[-1].removesuffix(hard_break)  # the break is markup, not the last word's end
            joined = join_wrapped_lines("\n".join(text.strip() for text in group)).replace("\n", " ")
            prefix = _prefix(lines[start + first], content_lines[first])
            new_lines.append([prefix, *_inline_parts(joined, segments), hard_break])
        replacements[start] = (len(content_lines), new_lines)

    def fill(slots: Sequence[Slot], translations: Sequence[str]) -> str:
        parts: list[Part] = []
        open_delimiters: set[str] = set()
        for slot in slots:
            if isinstance(slot, str):
                parts.append(Part(slot, "markup", closes=_closes(slot, open_delimiters)))
            else:
                leading, index, trailing = slot
                parts.append(Part(leading + _escape(translations[index]) + trailing, "translation", segments[index]))
        return "".join(respace(parts))

    def rebuild(translations: Sequence[str]) -> bytes:
        output: list[str] = []
        index = 0
        while index < len(lines):
            if index in replacements:
                count, new_lines = replacements[index]
                output += [fill(parts, translations) for parts in new_lines]
                index += count
                continue
            line, cursor = lines[index], 0
            for text, parts in cells.get(index, []):
                at = line.find(text, cursor)
                if at >= 0:
                    translated = fill(parts, translations)
                    line = line[:at] + translated + line[at + len(text) :]
                    cursor = at + len(translated)
            output.append(line)
            index += 1
        return "\n".join(output).encode("utf-8")

    return Document("markdown", "\n\n".join(p for p in paragraphs if p), metadata, tuple(segments), rebuild)
