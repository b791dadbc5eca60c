"""Readers for the evaluation sets in the shared evaluation-data folder.

The folder is found from an explicit argument, else ``$SUMMARIZE_EVALDATA``,
else ``shared/evaldata`` beside the repository root (where it sits next to a
checkout of this project), else ``../shared/evaldata`` from the working directory. The data is read in place and never
copied. Sets:

- ``summeval``: 100 CNN/DailyMail test articles, 11 references each (index 0
  the original highlights), and 12 published systems' summaries;
- ``lcsts``: LCSTS part II, Chinese Weibo news and headline summaries;
- ``wmt22-en-zh`` / ``wmt22-zh-en``: WMT22 general test sets, references A and
  B, participating systems' outputs and the official automatic scores;
- ``flores-en-zh`` / ``flores-zh-en``: FLORES-200 devtest, one reference.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..text import TRANSLATION_PAIRS as DIRECTIONS
from .inputs import read_lines

DATA_ENV = "SUMMARIZE_EVALDATA"
SHARED_DATA_DIR = Path("shared") / "evaldata"
REPOSITORY_ROOT = Path(__file__).resolve().parents[3]
"""The checkout this package runs from (``src/summarize/evaluation/`` is three levels below it)."""

_SUMMEVAL = Path("summeval-cnndm") / "model_output_annotations"
_LCSTS = Path("lcsts-zh") / "data" / "LCSTS"
_WMT22 = Path("wmt22-general-enzh")
_FLORES = Path("flores200-eng-zho") / "data" / "flores200_dataset"


@dataclass(frozen=True)
class Example:
    """One source text and its references."""

    id: str
    source: str
    references: tuple[str, ...]


@dataclass(frozen=True)
class ReferenceView:
    """A named choice of references to score against: the first `count` (all when None)."""

    name: str
    count: int | None = None

    def select(self, references: tuple[str, ...]) -> list[str]:
        """The references this view keeps."""
        return list(references if self.count is None else references[: self.count])


@dataclass(frozen=True)
class Dataset:
    """An evaluation set: its task, languages, examples, and the reference views it is scored with."""

    name: str
    task: str
    """``summarization`` or ``translation``."""
    source_lang: str
    target_lang: str
    examples: list[Example]
    views: tuple[ReferenceView, ...]
    description: str


def resolve_data_dir(data_dir: str | Path | None = None, report: Callable[[str], None] | None = None) -> Path:
    """The evaluation-data folder: `data_dir`, else ``$SUMMARIZE_EVALDATA``, else ``shared/evaldata``
    beside the repository this package runs from, else ``../shared/evaldata`` from the working
    directory. `report` (e.g. ``print``) is told which folder was used and why."""
    if data_dir is not None:
        candidates = [(Path(data_dir), "--data-dir")]
    elif os.environ.get(DATA_ENV):
        candidates = [(Path(os.environ[DATA_ENV]), f"${DATA_ENV}")]
    else:
        candidates = [
            (REPOSITORY_ROOT.parent / SHARED_DATA_DIR, "shared/evaldata beside the repository root"),
            (Path.cwd().parent / SHARED_DATA_DIR, "../shared/evaldata from the working directory"),
        ]
    found = next(((folder, origin) for folder, origin in candidates if folder.is_dir()), None)
    if found is None:
        folder, origin = candidates[0]
        raise InputError(
            f"evaluation data folder {str(folder)!r} (from {origin}) does not exist; pass --data-dir or set {DATA_ENV}"
        )
    if report is not None:
        report(f"evaluation data: {found[0]} (from {found[1]})")
    return found[0]


def _require(path: Path, what: str) -> Path:
    if not path.exists():
        raise InputError(f"{what} not found at {path}; is the evaluation data folder complete?")
    return path


def _limited(examples: list[Example], limit: int | None) -> list[Example]:
    if limit is not None and limit < 1:
        raise InputError(f"limit must be a positive number of examples, not {limit}")
    return examples if limit is None else examples[:limit]


def _summeval_rows(model_id: str, data_dir: Path) -> list[dict[str, object]]:
    path = _require(data_dir / _SUMMEVAL / f"{model_id}_outputs_annotations.jsonl", f"SummEval system {model_id}")
    return [json.loads(line) for line in read_lines(path) if line.strip()]


def summeval_models(data_dir: str | Path | None = None) -> list[str]:
    """The SummEval system ids present (``M8`` ... ``M23``), in numeric order."""
    folder = _require(resolve_data_dir(data_dir) / _SUMMEVAL, "SummEval")
    ids = [path.name.split("_", 1)[0] for path in folder.glob("M*_outputs_annotations.jsonl")]
    return sorted(ids, key=lambda model_id: int(model_id[1:]))


def load_summeval(data_dir: str | Path | None = None, limit: int | None = None) -> Dataset:
    """The 100 SummEval CNN/DM articles (sorted by id), with their 11 references."""
    folder = resolve_data_dir(data_dir)
    rows = _summeval_rows(summeval_models(folder)[0], folder)
    examples = sorted(
        (Example(str(row["id"]), str(row["text"]), tuple(row["references"])) for row in rows),  # type: ignore[arg-type]
        key=lambda example: example.id,
    )
    return Dataset(
        name="summeval",
        task="summarization",
        source_lang="en",
        target_lang="en",
        examples=_limited(examples, limit),
        views=(ReferenceView("ref0", 1), ReferenceView("all11")),
        description="SummEval: 100 CNN/DailyMail test articles; ref0 = original highlights, all11 = 11 references",
    )


def summeval_outputs(model_id: str, data_dir: str | Path | None = None) -> dict[str, str]:
    """A published SummEval system's summaries by article id (``decoded`` field)."""
    rows = _summeval_rows(model_id, resolve_data_dir(data_dir))
    return {str(row["id"]): str(row["decoded"]) for row in rows}


def load_lcsts(data_dir: str | Path | None = None, limit: int | None = None) -> Dataset:
    """LCSTS part II (10,666 pairs): Weibo news texts and their headline summaries, in file order."""
    folder = resolve_data_dir(data_dir) / _LCSTS
    sources = read_lines(_require(folder / "test.src.txt", "LCSTS sources"))
    targets = read_lines(_require(folder / "test.tgt.txt", "LCSTS summaries"))
    if len(sources) != len(targets):
        raise InputError(f"LCSTS files differ in length: {len(sources)} sources, {len(targets)} summaries")
    examples = [Example(str(i), src, (tgt,)) for i, (src, tgt) in enumerate(zip(sources, targets, strict=True))]
    return Dataset(
        name="lcsts",
        task="summarization",
        source_lang="zh",
        target_lang="zh",
        examples=_limited(examples, limit),
        views=(ReferenceView("ref"),),
        description="LCSTS part II: Sina Weibo short news and headline-style summaries",
    )


def _direction(direction: str) -> tuple[str, str]:
    if direction not in DIRECTIONS:
        raise InputError(f"unknown direction {direction!r}; choose one of: {', '.join(DIRECTIONS)}")
    source, target = direction.split("-")
    return source, target


def load_wmt22(direction: str, data_dir: str | Path | None = None, limit: int | None = None) -> Dataset:
    """The WMT22 general test set for ``en-zh`` or ``zh-en``, with references A and B."""
    source_lang, target_lang = _direction(direction)
    folder = resolve_data_dir(data_dir) / _WMT22 / "txt"
    prefix = f"generaltest2022.{direction}"
    sources = read_lines(_require(folder / "sources" / f"{prefix}.src.{source_lang}", "WMT22 sources"))
    refs = [
        read_lines(_require(folder / "references" / f"{prefix}.ref.{name}.{target_lang}", f"WMT22 reference {name}"))
        for name in ("A", "B")
    ]
    if any(len(ref) != len(sources) for ref in refs):
        raise InputError(f"WMT22 {direction}: references and sources differ in length")
    examples = [Example(str(i), src, (a, b)) for i, (src, a, b) in enumerate(zip(sources, *refs, strict=True))]
    return Dataset(
        name=f"wmt22-{direction}",
        task="translation",
        source_lang=source_lang,
        target_lang=target_lang,
        examples=_limited(examples, limit),
        views=(ReferenceView("refA", 1), ReferenceView("refA+B")),
        description=f"WMT22 general test set {direction} ({len(sources)} segments), references A and B",
    )


def wmt22_systems(direction: str, data_dir: str | Path | None = None) -> list[str]:
    """Names of the WMT22 systems whose outputs are present for `direction`, sorted."""
    _, target_lang = _direction(direction)
    folder = resolve_data_dir(data_dir) / _WMT22 / "txt" / "system-outputs"
    prefix = f"generaltest2022.{direction}.hyp."
    return sorted(path.name[len(prefix) : -len(target_lang) - 1] for path in folder.glob(f"{prefix}*.{target_lang}"))


def wmt22_outputs(direction: str, system: str, data_dir: str | Path | None = None) -> list[str]:
    """One WMT22 system's translations for `direction`, one per segment."""
    _, target_lang = _direction(direction)
    folder = resolve_data_dir(data_dir) / _WMT22 / "txt" / "system-outputs"
    return read_lines(_require(folder / f"generaltest2022.{direction}.hyp.{system}.{target_lang}", f"WMT22 {system}"))


def wmt22_official_scores(data_dir: str | Path | None = None) -> dict[tuple[str, str, str], float]:
    """``scores/automatic-scores.tsv`` for en-zh and zh-en: ``(direction, system, metric) -> score``."""
    path = _require(resolve_data_dir(data_dir) / _WMT22 / "scores" / "automatic-scores.tsv", "WMT22 scores")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {
        (row["pair"], row["system"], row["metric"]): float(row["score"])
        for row in rows
        if row["pair"] in DIRECTIONS
    }


def flores_file(code: str, split: str = "devtest", data_dir: str | Path | None = None) -> Path:
    """Where FLORES-200's file for language `code` (``zho_Hant``...) lies; it may not be there."""
    return resolve_data_dir(data_dir) / _FLORES / split / f"{code}.{split}"


def load_flores(
    direction: str, data_dir: str | Path | None = None, limit: int | None = None, split: str = "devtest"
) -> Dataset:
    """FLORES-200 ``eng_Latn``/``zho_Hans`` for ``en-zh`` or ``zh-en`` (split ``dev`` or ``devtest``)."""
    codes = {"en": "eng_Latn", "zh": "zho_Hans"}
    source_lang, target_lang = _direction(direction)
    if split not in ("dev", "devtest"):
        raise InputError(f"unknown FLORES split {split!r}; choose dev or devtest")
    folder = resolve_data_dir(data_dir) / _FLORES / split
    sources = read_lines(_require(folder / f"{codes[source_lang]}.{split}", "FLORES-200 source"))
    targets = read_lines(_require(folder / f"{codes[target_lang]}.{split}", "FLORES-200 target"))
    if len(sources) != len(targets):
        raise InputError(f"FLORES-200 {split}: {len(sources)} source lines but {len(targets)} target lines")
    examples = [Example(str(i), src, (tgt,)) for i, (src, tgt) in enumerate(zip(sources, targets, strict=True))]
    return Dataset(
        name=f"flores-{direction}",
        task="translation",
        source_lang=source_lang,
        target_lang=target_lang,
        examples=_limited(examples, limit),
        views=(ReferenceView("ref"),),
        description=f"FLORES-200 {split} {direction} ({len(sources)} sentences)",
    )


DATASETS: dict[str, Callable[[str | Path | None, int | None], Dataset]] = {
    "summeval": load_summeval,
    "lcsts": load_lcsts,
    "wmt22-en-zh": lambda data_dir, limit: load_wmt22("en-zh", data_dir, limit),
    "wmt22-zh-en": lambda data_dir, limit: load_wmt22("zh-en", data_dir, limit),
    "flores-en-zh": lambda data_dir, limit: load_flores("en-zh", data_dir, limit),
    "flores-zh-en": lambda data_dir, limit: load_flores("zh-en", data_dir, limit),
}
"""Dataset readers by name, as ``eval/run.py --dataset`` takes them."""


def load_dataset(name: str, data_dir: str | Path | None = None, limit: int | None = None) -> Dataset:
    """Read the dataset registered as `name` (see :data:`DATASETS`)."""
    if name not in DATASETS:
        raise InputError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    return DATASETS[name](data_dir, limit)
