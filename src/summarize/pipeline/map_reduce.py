"""One map-reduce driver for every engine that generates summaries.

Round 1 summarizes every chunk of every unfinished document in one call; a document whose
text was one chunk is done. Each later round groups a document's partial summaries into
inputs that fit, and combines each group; a document left with one partial summary is done.
``summarize.max_rounds`` counts every round, the first included: in the last one, a document
whose parts still make more than one input keeps the first input's worth and leaves the
rest out, with a note, so every document gets a summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..engines.base import Output


class SummaryModel(Protocol):
    """What an engine gives the driver: how it cuts and groups text, and how it summarizes."""

    def chunks(self, text: str) -> list[str]:
        """`text` cut into inputs that each fit one request (the first round's inputs)."""
        ...

    def groups(self, parts: Sequence[str]) -> list[list[str]]:
        """Partial summaries grouped, in order, into inputs that each fit one request."""
        ...

    def summarize(self, chunks: Sequence[str]) -> list[Output]:
        """One summary per chunk of an article (first round), in order."""
        ...

    def combine(self, groups: Sequence[Sequence[str]]) -> list[Output]:
        """One summary per group of partial summaries (later rounds), in order."""
        ...


def rounds_note(inputs: int, max_rounds: int) -> str:
    """The note of a document cut short by the round limit: it was still `inputs` model inputs long."""
    return (
        f"the text was still {inputs} model inputs long in round {max_rounds} of {max_rounds} (summarize.max_rounds); "
        f"the last round summarized the first and left out the other {inputs - 1}"
    )


@dataclass
class _Document:
    parts: list[str]
    """The chunks (first round) or partial summaries (later rounds) still to combine."""
    chunks: int
    notes: list[str] = field(default_factory=list)


def map_reduce(model: SummaryModel, texts: Sequence[str], max_rounds: int) -> list[Output]:
    """One summary per text, in order, in at most `max_rounds` rounds (at least one is run)."""
    documents = []
    for text in texts:
        chunks = model.chunks(text)
        documents.append(_Document(chunks, len(chunks)))
    for round_number in range(1, max(1, max_rounds) + 1):
        pending = [document for document in documents if len(document.parts) > 1 or round_number == 1]
        if not pending:
            break
        last_round = round_number == max(1, max_rounds)
        inputs: list[list[str]] = []
        spans: list[tuple[_Document, int, int]] = []
        for document in pending:
            groups = [[part] for part in document.parts] if round_number == 1 else model.groups(document.parts)
            if last_round and len(groups) > 1:
                document.notes.append(rounds_note(len(groups), max_rounds))
                groups = groups[:1]
            spans.append((document, len(inputs), len(groups)))
            inputs.extend(groups)
        if round_number == 1:
            outputs = model.summarize([group[0] for group in inputs])
        else:
            outputs = model.combine(inputs)
        for document, start, count in spans:
            produced = outputs[start : start + count]
            document.parts = [output.text for output in produced]
            document.notes.extend(note for output in produced for note in output.notes)
    return [
        Output(document.parts[0] if document.parts else "", document.chunks, tuple(dict.fromkeys(document.notes)))
        for document in documents
    ]
