"""The text nodes of an HTML page and where they are, found in one pass over the source.

A tokenizer after the HTML standard's, reduced to what a translation needs: where each text
node starts and ends, its text with character references decoded, and whether it lies inside
an element whose text is kept as written. Every step consumes the source it looks at, and a
construct that never ends (a tag with no ``>``, a comment with no ``-->``) runs to the end of
the file, as a browser reads it, so the time taken is linear in the page's size whatever its
markup. (The standard library's ``html.parser`` rescans the rest of the page for every such
construct: quadratic on a page of unterminated tags.) Elements nested deeper than a limit
are refused.
"""

from __future__ import annotations

import html
import re
import sys
from collections import Counter
from dataclasses import dataclass

from ..errors import InputError

UNTRANSLATED_ELEMENTS = frozenset(
    {"script", "style", "code", "pre", "kbd", "samp", "var", "noscript", "template", "textarea", "svg", "math"}
)
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
RAW_TEXT_ELEMENTS = frozenset({"script", "style"})
"""Elements whose content is text up to their end tag, never markup."""
_CLOSES_PARAGRAPH = (
    "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figcaption", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "menu", "nav", "ol", "p",
    "pre", "section", "table", "ul",
)
IMPLIED_ENDS: dict[str, frozenset[str]] = {
    **{tag: frozenset({"p"}) for tag in _CLOSES_PARAGRAPH},
    "li": frozenset({"li", "p"}),
    "dt": frozenset({"dt", "dd", "p"}),
    "dd": frozenset({"dt", "dd", "p"}),
    "tr": frozenset({"tr", "td", "th"}),
    "td": frozenset({"td", "th"}),
    "th": frozenset({"td", "th"}),
    "option": frozenset({"option"}),
}
"""The open elements a browser closes when an element opens: ``<li>one<li>two``, ``<td>a<td>b``, and
an open paragraph when a block starts (``<p>text<div>``)."""
PHRASING_ELEMENTS = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "em", "font", "i", "mark", "q", "s", "small", "span", "strong",
     "sub", "sup", "time", "u"}
)
"""Inline elements an implied end tag closes along with the element holding them."""
SIBLING_SEARCH_DEPTH = 16
"""How far down the open elements an implied end tag looks (a bound, so each tag costs constant time)."""

_TAG_NAME = re.compile(r"[^\s/>]*")
_ATTRIBUTE_NAME = re.compile(r"[^\s/>=][^\s/>=]*|=[^\s/>=]*")
_SPACE_OR_SLASH = re.compile(r"[\s/]*")
_EQUALS = re.compile(r"\s*=\s*")
_UNQUOTED_VALUE = re.compile(r"[^\s>]*")
_MARKUP_START = re.compile(r"<[A-Za-z/!?]")
_RAW_TEXT_ENDS = {tag: re.compile(f"</{tag}", re.IGNORECASE) for tag in RAW_TEXT_ELEMENTS}


@dataclass(frozen=True)
class TextNode:
    """A run of text between two pieces of markup: its span in the source and its decoded text."""

    start: int
    end: int
    text: str


def _line_of(source: str, offset: int) -> int:
    return source.count("\n", 0, offset) + 1


class _Tokenizer:
    def __init__(self, source: str, name: str, max_depth: int) -> None:
        self.source = source
        self.name = name
        self.max_depth = max_depth
        self.open: list[tuple[str, bool]] = []
        """Elements open here, innermost last: (tag, whether its text is kept as written)."""
        self.open_tags: Counter[str] = Counter()
        self.keeping = 0
        """How many open elements keep their text as written."""
        self.texts: list[TextNode] = []

    def run(self) -> list[TextNode]:
        source, position, size = self.source, 0, len(self.source)
        while position < size:
            markup = _MARKUP_START.search(source, position)
            start = markup.start() if markup else size
            if start > position:
                self._text(position, start)
            if markup is None:
                break
            position = self._markup(start)
        return self.texts

    def _text(self, start: int, end: int) -> None:
        if not self.keeping:
            self.texts.append(TextNode(start, end, html.unescape(self.source[start:end])))

    def _until(self, needle: str, start: int) -> int:
        """Just past the first `needle` at or after `start`, or the end of the source."""
        found = self.source.find(needle, start)
        return len(self.source) if found < 0 else found + len(needle)

    def _markup(self, start: int) -> int:
        """Read the markup at `start` (``<`` then a letter, ``/``, ``!`` or ``?``); where it ends."""
        source = self.source
        second = source[start + 1]
        if second == "!":
            if source.startswith("<!--", start):
                return self._until("-->", start + 4)
            return self._until(">", start + 2)
        if second == "?":
            return self._until(">", start + 2)
        if second == "/":
            return self._end_tag(start)
        return self._start_tag(start)

    def _end_tag(self, start: int) -> int:
        name_at = start + 2
        end = self._until(">", name_at)
        if not self.source[name_at : name_at + 1].isalpha():
            return end  # </> or a bogus comment
        tag = _TAG_NAME.match(self.source, name_at).group().lower()
        if self.open_tags[tag]:
            while self.open:
                closed, keeps = self.open.pop()
                self.open_tags[closed] -= 1
                self.keeping -= keeps
                if closed == tag:
                    break
        return end

    def _start_tag(self, start: int) -> int:
        source, size = self.source, len(self.source)
        name = _TAG_NAME.match(source, start + 1)
        tag, position = name.group().lower(), name.end()
        attributes: dict[str, str] = {}
        while True:
            position = _SPACE_OR_SLASH.match(source, position).end()
            if position >= size:
                return size  # a tag the file ends in is no tag
            if source[position] == ">":
                break
            attribute = _ATTRIBUTE_NAME.match(source, position)
            position = attribute.end()
            equals = _EQUALS.match(source, position)
            value = ""
            if equals:
                position = equals.end()
                quote = source[position : position + 1]
                if quote in ('"', "'"):
                    closing = source.find(quote, position + 1)
                    if closing < 0:
                        return size
                    value, position = source[position + 1 : closing], closing + 1
                else:
                    unquoted = _UNQUOTED_VALUE.match(source, position)
                    value, position = unquoted.group(), unquoted.end()
            attributes.setdefault(attribute.group().lower(), html.unescape(value))
        self_closing = source[position - 1] == "/"
        end = position + 1
        if tag in VOID_ELEMENTS or self_closing:
            return end
        self._open(tag, attributes, start)
        if tag in RAW_TEXT_ELEMENTS:
            closing = _RAW_TEXT_ENDS[tag].search(source, end)
            return closing.start() if closing else size
        return end

    def _close_implied(self, closed_by: frozenset[str]) -> None:
        """Close what an opening element implies: the nearest open elements of `closed_by`, with the
        inline elements above them (``<tr><td><b>x<tr>`` closes b, td and tr)."""
        cut = None
        for depth in range(len(self.open) - 1, max(-1, len(self.open) - 1 - SIBLING_SEARCH_DEPTH), -1):
            open_tag = self.open[depth][0]
            if open_tag in closed_by:
                cut = depth
            elif open_tag not in PHRASING_ELEMENTS:
                break
        while cut is not None and len(self.open) > cut:
            closed, keeps = self.open.pop()
            self.open_tags[closed] -= 1
            self.keeping -= keeps

    def _open(self, tag: str, attributes: dict[str, str], start: int) -> None:
        implied = IMPLIED_ENDS.get(tag)
        if implied:
            self._close_implied(implied)
        keeps = (
            tag in UNTRANSLATED_ELEMENTS
            or attributes.get("translate", "").lower() == "no"
            or "notranslate" in attributes.get("class", "").split()
        )
        self.open.append((tag, keeps))
        self.open_tags[tag] += 1
        self.keeping += keeps
        if len(self.open) > self.max_depth:
            raise InputError(
                f"{self.name} line {_line_of(self.source, start)}: elements nested more than {self.max_depth:,} deep "
                "(limits.document_depth); it was not read"
            )


def text_nodes(source: str, name: str, max_depth: int | None = None) -> list[TextNode]:
    """The text nodes of `source` outside elements whose text is kept as written, in order.

    Raises :class:`InputError` naming the line where elements are nested more than `max_depth` deep.
    """
    return _Tokenizer(source, name, sys.maxsize if max_depth is None else max_depth).run()
