"""Run systems over a dataset, save their outputs, score them, and build a report."""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import InputError
from .datasets import Dataset
from .report import Report, Scores, SystemScores
from .rouge import Rouge
from .systems import LeadMatchedSystem, System, check_labels
from .tokenizers import default_tokenizer
from .translation import TranslationScorer
from .versions import package_version


@dataclass
class SystemRun:
    """One system's outputs on a dataset and how long they took."""

    label: str
    description: str
    outputs: list[str]
    seconds: float


@dataclass(frozen=True)
class ScoringSettings:
    """How outputs are scored; the tokenizer defaults to the dataset's target language."""

    tokenizer: str | None = None
    stem: bool = False
    lsum_splitter: str = "lines"
    """ROUGE-Lsum sentences: ``lines`` (the standard convention) or ``summarize`` (the project's splitter)."""
    n_bootstrap: int = 0


def run_systems(
    dataset: Dataset, systems: Sequence[System], data_dir: Path | None = None, *, progress: bool = True
) -> list[SystemRun]:
    """Run each system over `dataset` (lead-match systems after the one they match), in the given order."""
    from tqdm.auto import tqdm

    check_labels(systems)
    order = sorted(systems, key=lambda system: isinstance(system, LeadMatchedSystem))
    runs: dict[str, SystemRun] = {}
    for system in order:
        if isinstance(system, LeadMatchedSystem):
            system.match(runs[system.matched].outputs, dataset.source_lang)
        with tqdm(total=len(dataset.examples), desc=system.label, unit="item", disable=not progress) as bar:
            started = time.perf_counter()
            outputs = system.outputs(dataset, data_dir, bar.update)
            seconds = time.perf_counter() - started
        runs[system.label] = SystemRun(system.label, system.description, outputs, seconds)
    return [runs[system.label] for system in systems]


def save_outputs(dataset: Dataset, runs: Sequence[SystemRun], folder: str | Path) -> list[Path]:
    """Write each run's outputs as ``<folder>/<label>.jsonl`` (``{"id", "text"}`` per line)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for run in runs:
        path = folder / f"{run.label}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for example, text in zip(dataset.examples, run.outputs):
                handle.write(json.dumps({"id": example.id, "text": text}, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def score_outputs(dataset: Dataset, outputs: Sequence[str], settings: ScoringSettings) -> dict[str, Scores]:
    """Score one system's outputs under each of the dataset's reference views."""
    result: dict[str, Scores] = {}
    for view in dataset.views:
        references = [view.select(example.references) for example in dataset.examples]
        if dataset.task == "summarization":
            rouge = Rouge(
                settings.tokenizer or default_tokenizer(dataset.target_lang),
                stem=settings.stem,
                lsum_splitter=settings.lsum_splitter,
                n_bootstrap=settings.n_bootstrap,
            )
            result[view.name] = rouge.corpus_score(outputs, references)
        else:
            scorer = TranslationScorer(
                references, target_lang=dataset.target_lang, n_bootstrap=settings.n_bootstrap
            )
            result[view.name] = scorer.score(outputs)
    return result


def build_report(
    dataset: Dataset,
    runs: Sequence[SystemRun],
    settings: ScoringSettings,
    *,
    baseline: str | None = None,
    compare: Sequence[tuple[str, str]] = (),
    notes: Sequence[str] = (),
) -> Report:
    """Score every run and gather the scores into a :class:`Report`.

    Every other system is compared with `baseline`, and each ``(system,
    baseline)`` pair of `compare` is compared too.
    """
    labels = [run.label for run in runs]
    pairs = [(label, baseline) for label in labels if label != baseline] if baseline is not None else []
    pairs += [pair for pair in compare if pair not in pairs]
    for label in {label for pair in pairs for label in pair} | ({baseline} if baseline else set()):
        if label not in labels:
            raise InputError(f"baseline or compared system {label!r} is not one of the systems in this run")
    items = len(dataset.examples)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        systems = [
            SystemScores(run.label, run.description, score_outputs(dataset, run.outputs, settings), run.seconds / items)
            for run in runs
        ]
    warned = list(dict.fromkeys(f"warning: {warning.message}" for warning in caught))
    report_settings: dict[str, object] = {
        "tokenizer": (
            settings.tokenizer or default_tokenizer(dataset.target_lang)
            if dataset.task == "summarization"
            else "sacrebleu default for the target"
        ),
        "stem": settings.stem,
        "lsum_splitter": settings.lsum_splitter,
        "bootstrap": settings.n_bootstrap,
        "summarize_version": package_version(),
    }
    return Report(
        dataset=dataset.name,
        description=dataset.description,
        task=dataset.task,
        items=items,
        created=datetime.now().isoformat(timespec="seconds"),
        settings=report_settings,
        systems=systems,
        comparisons_asked=pairs,
        notes=[*notes, *warned],
    )
