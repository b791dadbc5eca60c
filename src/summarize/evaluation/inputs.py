"""Reading system outputs and references for scoring.

Two formats, chosen by file extension:

- line-aligned text (any extension but ``.jsonl``/``.ndjson``): one item per
  line, UTF-8, ``\\n`` or ``\\r\\n`` line ends;
- JSONL: one object per line with an id field (``"id"``) and a text field
  (``"text"``). The text field holds a string, or a list of sentences (joined
  with newlines: ROUGE-Lsum's standard convention), or, in a reference file, a
  list of references each given as a list of sentences
  (``[["s1", "s2"], ["t1"]]``).

When the outputs and every reference file are JSONL, items are matched by id;
otherwise by position. Any mismatch is an :class:`InputError` that names both
files and both counts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..text import CONVERT_TO_UTF8, not_utf8_message

JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class AlignedItems:
    """Outputs and their references, aligned item by item."""

    outputs: list[str]
    references: list[list[str]]
    ids: list[str] | None = None
    """The item ids, when both sides were JSONL."""


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            not_utf8_message(str(path), error.object[error.start], f"at offset {error.start}", CONVERT_TO_UTF8)
        ) from None
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None


def read_lines(path: str | Path) -> list[str]:
    """The lines of a UTF-8 text file, without line ends (a final newline adds no empty item)."""
    text = _read_text(Path(path))
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in JSONL_SUFFIXES


def read_jsonl(path: str | Path, *, field: str = "text", id_field: str = "id") -> list[tuple[str, list[str]]]:
    """``(id, texts)`` for each non-blank line of a JSONL file (see the module docstring for `field`'s forms)."""
    path = Path(path)
    items: list[tuple[str, list[str]]] = []
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"{path}, line {number}: not valid JSON ({error.msg})") from None
        if not isinstance(row, dict):
            raise InputError(f"{path}, line {number}: expected a JSON object")
        if id_field not in row or not isinstance(row[id_field], (str, int)):
            raise InputError(f"{path}, line {number}: missing {id_field!r} (a string or an integer)")
        texts = _texts(row.get(field))
        if texts is None:
            raise InputError(
                f"{path}, line {number}: {field!r} must be a string, a non-empty list of sentences, "
                "or a list of references given as lists of sentences"
            )
        items.append((str(row[id_field]), texts))
    return items


def _sentences(value: object) -> str | None:
    """A string, or a non-empty list of sentence strings joined with newlines; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(sentence, str) for sentence in value):
        return "\n".join(value)
    return None


def _texts(value: object) -> list[str] | None:
    """The texts one JSONL field holds: one text (string or sentences), or several (a list of sentence lists)."""
    text = _sentences(value)
    if text is not None:
        return [text]
    if isinstance(value, list) and value and all(isinstance(item, list) for item in value):
        texts = [_sentences(item) for item in value]
        return None if None in texts else texts  # type: ignore[return-value]
    return None


def _by_id(path: Path, items: list[tuple[str, list[str]]]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for item_id, texts in items:
        if item_id in table:
            raise InputError(f"{path}: duplicate id {item_id!r}")
        table[item_id] = texts
    return table


def _unit(path: Path) -> str:
    return "items" if _is_jsonl(path) else "lines"


def load_aligned(
    output_path: str | Path,
    reference_paths: Sequence[str | Path],
    *,
    field: str = "text",
    id_field: str = "id",
) -> AlignedItems:
    """Read outputs and one or more reference files and align them (by id when all are JSONL)."""
    if not reference_paths:
        raise InputError("at least one reference file is needed")
    output_file = Path(output_path)
    reference_files = [Path(path) for path in reference_paths]
    if _is_jsonl(output_file) and all(_is_jsonl(path) for path in reference_files):
        return _align_by_id(output_file, reference_files, field, id_field)
    outputs = _read_items(output_file, field, id_field)
    references: list[list[str]] = [[] for _ in outputs]
    for reference_file in reference_files:
        reference_items = _read_items(reference_file, field, id_field)
        if len(reference_items) != len(outputs):
            raise InputError(
                f"{output_file} has {len(outputs)} {_unit(output_file)} but {reference_file} has "
                f"{len(reference_items)} {_unit(reference_file)}; they must be aligned one to one"
            )
        for item_references, texts in zip(references, reference_items, strict=True):
            item_references.extend(texts)
    for index, texts in enumerate(outputs):
        if len(texts) != 1:
            raise InputError(f"{output_file}: item {index + 1} must hold one output, not several")
    return AlignedItems(outputs=[texts[0] for texts in outputs], references=references)


def read_texts(path: str | Path, *, field: str = "text", id_field: str = "id") -> list[str]:
    """One text per item of a line-aligned text file or a JSONL file, in file order (e.g. sources for COMET)."""
    path = Path(path)
    items = _read_items(path, field, id_field)
    for index, texts in enumerate(items):
        if len(texts) != 1:
            raise InputError(f"{path}: item {index + 1} must hold one text, not several")
    return [texts[0] for texts in items]


def _read_items(path: Path, field: str, id_field: str) -> list[list[str]]:
    if _is_jsonl(path):
        return [texts for _, texts in read_jsonl(path, field=field, id_field=id_field)]
    return [[line] for line in read_lines(path)]


def _align_by_id(output_file: Path, reference_files: list[Path], field: str, id_field: str) -> AlignedItems:
    outputs = _by_id(output_file, read_jsonl(output_file, field=field, id_field=id_field))
    references: dict[str, list[str]] = {item_id: [] for item_id in outputs}
    for reference_file in reference_files:
        table = _by_id(reference_file, read_jsonl(reference_file, field=field, id_field=id_field))
        missing = [item_id for item_id in outputs if item_id not in table]
        extra = [item_id for item_id in table if item_id not in outputs]
        if missing or extra:
            detail = (
                f"{len(missing)} output ids have no reference (first: {missing[0]!r})"
                if missing
                else f"{len(extra)} reference ids have no output (first: {extra[0]!r})"
            )
            raise InputError(
                f"ids differ: {output_file} has {len(outputs)} items but {reference_file} has {len(table)}; {detail}"
            )
        for item_id, texts in table.items():
            references[item_id].extend(texts)
    for item_id, texts in outputs.items():
        if len(texts) != 1:
            raise InputError(f"{output_file}: item {item_id!r} must hold one output, not several")
    return AlignedItems(
        outputs=[texts[0] for texts in outputs.values()],
        references=[references[item_id] for item_id in outputs],
        ids=list(outputs),
    )
