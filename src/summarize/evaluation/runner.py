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
from .inputs import load_aligned
from .report import Report, SystemScores
from .rouge import Rouge, RougeResult
from .scoring import DatasetScorer, ScoringSettings
from .significance import PairedBootstrap
from .systems import LeadMatchedSystem, System, check_labels
from .tokenizers import default_tokenizer
from .versions import package_version


@dataclass
class SystemRun:
    """One system's outputs on a dataset and how long they took."""

    label: str
    description: str
    outputs: list[str]
    seconds: float


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
            for example, text in zip(dataset.examples, run.outputs, strict=True):
                handle.write(json.dumps({"id": example.id, "text": text}, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


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
    baseline)`` pair of `compare` is compared too, with paired bootstrap
    p-values for every metric unless ``settings.significance`` is 0. Warnings
    raised while scoring and extra metrics that could not run become notes.
    """
    labels = [run.label for run in runs]
    pairs = [(label, baseline) for label in labels if label != baseline] if baseline is not None else []
    pairs += [pair for pair in compare if pair not in pairs]
    for label in {label for pair in pairs for label in pair} | ({baseline} if baseline else set()):
        if label not in labels:
            raise InputError(f"baseline or compared system {label!r} is not one of the systems in this run")
    items = len(dataset.examples)
    scorer = DatasetScorer(dataset, settings)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        systems = []
        for run in runs:
            scores, extra = scorer.score(run.outputs)
            systems.append(SystemScores(run.label, run.description, scores, run.seconds / items, extra))
    warned = list(dict.fromkeys(f"warning: {warning.message}" for warning in caught))
    test = PairedBootstrap(settings.significance) if settings.significance and pairs else None
    p_values = {}
    if test is not None:
        by_label = {system.label: system for system in systems}
        outputs = {run.label: run.outputs for run in runs}
        for label, other in pairs:
            tested = scorer.p_values(by_label[label], by_label[other], (outputs[label], outputs[other]), test)
            p_values.update({(label, other, view): values for view, values in tested.items()})
    report_settings: dict[str, object] = {
        "tokenizer": (
            settings.tokenizer or default_tokenizer(dataset.target_lang)
            if dataset.task == "summarization"
            else "sacrebleu default for the target"
        ),
        "stem": settings.stem,
        "lsum_splitter": settings.lsum_splitter,
        "rouge": "+".join(settings.rouge_impls),
        "bootstrap": settings.n_bootstrap,
        "significance": test.signature if test else "none",
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
        notes=[*notes, *warned, *scorer.notes],
        p_values=p_values,
        test=test.signature if test else "",
    )


def score_summary_files(
    predictions: str | Path, references: Sequence[str | Path], lang: str, tokenizer: str | None = None
) -> RougeResult:
    """ROUGE of a predictions file against aligned reference files (several give several references per item).

    The tokenizer defaults to the one for `lang`; warnings (Chinese scored as English) are in the result's notes.
    """
    items = load_aligned(predictions, references)
    return Rouge(tokenizer or default_tokenizer(lang)).corpus_score(items.outputs, items.references)
