"""SubRip subtitles (.srt): cues read strictly, translated cue by cue, timings kept byte for byte.

A sentence that runs over several cues is translated as one text and split back over
those cues in proportion to their source lengths, at word boundaries (English) or
between characters (Chinese), preferring a cut after punctuation.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from ..errors import InputError
from ..text import join_sentences
from .model import Document

_TIMING = re.compile(  # hours of 2 to 4 digits: a longer number is no subtitle time, and int() refuses 4,300 digits
    r"(?P<start>\d{2,4}:[0-5]\d:[0-5]\d[,.]\d{3}) --> (?P<end>\d{2,4}:[0-5]\d:[0-5]\d[,.]\d{3})(?P<settings>(?: .*)?)"
)
_SENTENCE_END = re.compile("[.!?。！？…♪][\"'”’」』)）]*$")
_PREFERRED_CUT = re.compile("[,;:，、；：。！？.!?]")
TIMING_FORMAT = "HH:MM:SS,mmm --> HH:MM:SS,mmm"


@dataclass(frozen=True)
class Cue:
    """One subtitle: its number and timing line exactly as written, and its text lines."""

    number: str
    timing: str
    lines: tuple[str, ...]

    @cached_property
    def text(self) -> str:  # read a few times for each cue: joined once
        return join_sentences([line.strip() for line in self.lines if line.strip()])


def _milliseconds(stamp: str) -> int:
    hours, minutes, rest = stamp.split(":")
    seconds, millis = re.split("[,.]", rest)
    return ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def parse_cues(text: str, name: str) -> list[Cue]:
    """The cues of an SRT file; a malformed cue raises :class:`InputError` naming its line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cues: list[Cue] = []
    index = 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        number = lines[index].strip()
        if not number.isdigit():
            raise InputError(f"{name} line {index + 1}: expected a cue number, got {number[:40]!r}")
        if index + 1 >= len(lines) or not (match := _TIMING.fullmatch(lines[index + 1].strip())):
            got = lines[index + 1].strip()[:60] if index + 1 < len(lines) else ""
            found = f"bad timing {got!r}" if got else f"cue {number} has no timing line"
            raise InputError(f"{name} line {index + 2}: {found}; expected {TIMING_FORMAT}")
        if _milliseconds(match["end"]) < _milliseconds(match["start"]):
            raise InputError(f"{name} line {index + 2}: cue {number} ends before it starts")
        end = index + 2
        while end < len(lines) and lines[end].strip():
            end += 1
        cues.append(Cue(number, lines[index + 1].strip(), tuple(lines[index + 2 : end])))
        index = end
    if not cues:
        raise InputError(f"{name} has no subtitles (no cue number and timing line found)")
    return cues


def sentence_groups(cues: Sequence[Cue]) -> list[list[int]]:
    """Runs of consecutive cues that make up whole sentences (a cue not ending one continues)."""
    groups: list[list[int]] = []
    current: list[int] = []
    for position, cue in enumerate(cues):
        current.append(position)
        if not cue.text or _SENTENCE_END.search(cue.text):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _cut_points(text: str) -> list[int]:
    """Offsets where `text` may be cut: after a space, or between two wide characters."""
    points = []
    for offset in range(1, len(text)):
        before, after = text[offset - 1], text[offset]
        if before == " " or (not before.isascii() and not after.isascii() and not after.isspace()):
            points.append(offset)
    return points


def _last_visible(text: str) -> list[str]:
    """For each offset of `text` (and its end), the last character before it that is not whitespace."""
    last, seen = [""], ""
    for char in text:
        if not char.isspace():
            seen = char
        last.append(seen)
    return last


def _nearest(points: Sequence[int], low: int, high: int, goal: float, allowed: Callable[[int], bool]) -> int | None:
    """The point of ``points[low:high]`` nearest `goal` that is `allowed` (the first of a tie), or None."""
    best = None
    for point in points[low:high]:
        if allowed(point) and (best is None or abs(point - goal) < abs(best - goal)):
            best = point
    return best


def split_in_proportion(text: str, weights: Sequence[int]) -> list[str]:
    """Cut `text` into ``len(weights)`` pieces sized like `weights`; joining the pieces
    (with the spaces at the cuts) gives `text` back. Pieces are empty only when `text`
    has fewer cut points than it needs. Time grows with the text's length, not with
    its length times the number of pieces."""
    if len(weights) == 1:
        return [text]
    points = _cut_points(text)
    last_visible = _last_visible(text)
    total = sum(weights) or len(weights)
    window = max(2, len(text) // (2 * len(weights)))
    cuts: list[int] = []
    running = 0
    for weight in weights[:-1]:
        running += weight or 1
        goal = len(text) * running / total
        first = bisect.bisect_right(points, cuts[-1]) if cuts else 0
        if first == len(points):
            cuts.append(cuts[-1] if cuts else 0)
            continue
        near = bisect.bisect_left(points, goal, first)
        preferred = _nearest(
            points,
            bisect.bisect_left(points, goal - window, first),
            bisect.bisect_right(points, goal + window, first),
            goal,
            lambda point: bool(_PREFERRED_CUT.match(last_visible[point])),
        )
        nearest = _nearest(points, max(first, near - 1), near + 1, goal, lambda point: True)
        cuts.append(preferred if preferred is not None else nearest)
    bounds = [0, *cuts, len(text)]
    return [text[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False)]


def read_srt(text: str, name: str) -> Document:
    """An SRT file as a :class:`Document`: one segment per sentence group of cues."""
    cues = parse_cues(text, name)
    groups = sentence_groups(cues)
    segments = [join_sentences([cues[i].text for i in group if cues[i].text]) for group in groups]

    def rebuild(translations: Sequence[str]) -> bytes:
        texts = [""] * len(cues)
        for group, translation in zip(groups, translations, strict=True):
            pieces = split_in_proportion(translation, [len(cues[i].text) for i in group])
            for position, piece in zip(group, pieces, strict=True):
                texts[position] = piece if cues[position].text else ""
        blocks = [
            "\n".join([cue.number, cue.timing, *([piece] if piece else [])]) for cue, piece in zip(cues, texts, strict=True)
        ]
        return ("\n\n".join(blocks) + "\n").encode("utf-8")

    return Document("srt", "\n".join(segments), {}, tuple(segments), rebuild)
