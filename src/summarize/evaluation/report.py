"""Evaluation reports: a markdown table, a JSON file and a PNG chart.

A report holds scores and settings only, never system outputs or dataset
text, so that it can be committed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union, cast

from .rouge import RougeResult
from .translation import TranslationResult

Scores = Union[RougeResult, TranslationResult]

ROUGE_NAMES = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L", "rougeLsum": "ROUGE-Lsum"}


@dataclass
class SystemScores:
    """One system's scores under each reference view of a dataset."""

    label: str
    description: str
    scores: dict[str, Scores]
    seconds_per_item: float | None = None


@dataclass
class Report:
    """The scores of several systems on one dataset, with the settings that produced them."""

    dataset: str
    description: str
    task: str
    items: int
    created: str
    """ISO date and time the report was made."""
    settings: dict[str, Any]
    systems: list[SystemScores]
    comparisons_asked: list[tuple[str, str]] = field(default_factory=list)
    """``(system, baseline)`` label pairs whose headline numbers are compared."""
    notes: list[str] = field(default_factory=list)

    @property
    def views(self) -> list[str]:
        """The reference views, in the order the dataset defines them."""
        return list(self.systems[0].scores) if self.systems else []

    def primary(self, system: SystemScores, view: str) -> float:
        """The headline number: ROUGE-1 F1 for summaries, BLEU for translations."""
        scores = system.scores[view]
        return scores.scores["rouge1"].f1 if isinstance(scores, RougeResult) else scores.bleu

    @property
    def primary_name(self) -> str:
        """Name of the headline number."""
        return "ROUGE-1 F1" if self.task == "summarization" else "BLEU"

    def comparisons(self) -> list[dict[str, Any]]:
        """For each asked pair and view: the system's headline number against its baseline's."""
        by_label = {system.label: system for system in self.systems}
        rows = []
        for label, baseline in self.comparisons_asked:
            for view in self.views:
                value, reference = self.primary(by_label[label], view), self.primary(by_label[baseline], view)
                rows.append(
                    {
                        "system": label,
                        "baseline": baseline,
                        "view": view,
                        "metric": self.primary_name,
                        "system_score": value,
                        "baseline_score": reference,
                        "difference": value - reference,
                        "at_or_above_baseline": value >= reference,
                    }
                )
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: settings, per-system scores by view, and the baseline comparisons."""
        return {
            "dataset": self.dataset,
            "description": self.description,
            "task": self.task,
            "items": self.items,
            "created": self.created,
            "settings": self.settings,
            "systems": [
                {
                    "label": system.label,
                    "description": system.description,
                    "seconds_per_item": system.seconds_per_item,
                    "scores": {view: scores.to_dict() for view, scores in system.scores.items()},
                }
                for system in self.systems
            ],
            "comparisons": self.comparisons(),
            "notes": self.notes,
        }


def _cell(value: float, ci: tuple[float, float] | None, digits: int) -> str:
    text = f"{value:.{digits}f}"
    return f"{text} [{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]" if ci else text


def _rouge_table(report: Report, view: str) -> list[str]:
    results = [cast(RougeResult, system.scores[view]) for system in report.systems]
    names = list(results[0].scores)
    lines = ["| system | " + " | ".join(f"{ROUGE_NAMES.get(n, n)} F1" for n in names) + " | R-1 P | R-1 R |"]
    lines.append("|---" * (len(names) + 3) + "|")
    for system, result in zip(report.systems, results):
        cells = [_cell(result.scores[n].f1, (result.scores[n].ci or {}).get("f1"), 4) for n in names]
        r1 = result.scores.get("rouge1")
        cells += [f"{r1.precision:.4f}", f"{r1.recall:.4f}"] if r1 else ["", ""]
        lines.append(f"| {system.label} | " + " | ".join(cells) + " |")
    return lines


def _translation_table(report: Report, view: str) -> list[str]:
    lines = ["| system | BLEU | chrF |", "|---|---|---|"]
    for system in report.systems:
        result = cast(TranslationResult, system.scores[view])
        lines.append(f"| {system.label} | {_cell(result.bleu, result.bleu_ci, 2)} | {_cell(result.chrf, result.chrf_ci, 2)} |")
    return lines


def render_markdown(report: Report) -> str:
    """The report as markdown: one table per reference view, signatures, systems, comparisons."""
    lines = [
        f"# {report.dataset}: {len(report.systems)} systems",
        "",
        f"{report.description}. Items scored: {report.items}. Created {report.created}.",
        "",
        "Settings: " + ", ".join(f"{key}={value}" for key, value in report.settings.items()),
        "",
    ]
    for view in report.views:
        lines += [f"## References: {view}", ""]
        lines += _rouge_table(report, view) if report.task == "summarization" else _translation_table(report, view)
        signatures = sorted({system.scores[view].signature for system in report.systems})
        lines += ["", "Signature: " + "; ".join(f"`{signature}`" for signature in signatures), ""]
    lines += ["## Systems", ""]
    for system in report.systems:
        timing = f" ({system.seconds_per_item * 1000:.1f} ms per item)" if system.seconds_per_item else ""
        lines.append(f"- **{system.label}**: {system.description}{timing}")
    comparisons = report.comparisons()
    if comparisons:
        lines += ["", "## Against the baselines", ""]
        for row in comparisons:
            verdict = "at or above" if row["at_or_above_baseline"] else "below"
            lines.append(
                f"- {row['system']} vs {row['baseline']}, {row['view']}: {row['metric']} {row['system_score']:.4f} vs "
                f"{row['baseline_score']:.4f} ({row['difference']:+.4f}), {verdict} the baseline"
            )
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def render_chart(report: Report, path: str | Path) -> None:
    """A PNG bar chart: one panel per reference view (stacked), one group of bars per system."""
    from matplotlib.figure import Figure  # lazy: the "eval" extra; no pyplot, no global backend

    views = report.views
    figure = Figure(figsize=(max(6.0, 0.9 * len(report.systems)), 4.0 * len(views)), layout="constrained")
    axes = figure.subplots(len(views), 1, squeeze=False)[:, 0]
    for axis, view in zip(axes, views):
        first = report.systems[0].scores[view]
        metrics = list(first.scores) if isinstance(first, RougeResult) else ["bleu", "chrf"]
        width = 0.8 / len(metrics)
        for k, metric in enumerate(metrics):
            values, errors = [], []
            for system in report.systems:
                result = system.scores[view]
                if isinstance(result, RougeResult):
                    score = result.scores[metric]
                    ci = (score.ci or {}).get("f1")
                    values.append(score.f1)
                else:
                    values.append(getattr(result, metric))
                    ci = getattr(result, f"{metric}_ci")
                errors.append((values[-1] - ci[0], ci[1] - values[-1]) if ci else (0.0, 0.0))
            positions = [i + (k - (len(metrics) - 1) / 2) * width for i in range(len(report.systems))]
            axis.bar(
                positions,
                values,
                width,
                label=ROUGE_NAMES.get(metric, metric.upper() if metric == "bleu" else "chrF"),
                yerr=list(zip(*errors)) if any(e != (0.0, 0.0) for e in errors) else None,
                capsize=2,
            )
        axis.set_xticks(range(len(report.systems)), [system.label for system in report.systems], rotation=30, ha="right")
        axis.set_title(f"{report.dataset}, references: {view}")
        axis.set_ylabel("F1" if isinstance(first, RougeResult) else "score (0-100)")
        axis.grid(axis="y", alpha=0.3)
        axis.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    figure.savefig(path, dpi=110)


def write_report(report: Report, folder: str | Path) -> dict[str, Path]:
    """Write ``report.md``, ``scores.json`` and ``chart.png`` into `folder` (created if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"markdown": folder / "report.md", "json": folder / "scores.json", "chart": folder / "chart.png"}
    paths["markdown"].write_text(render_markdown(report), encoding="utf-8")
    paths["json"].write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    render_chart(report, paths["chart"])
    return paths
