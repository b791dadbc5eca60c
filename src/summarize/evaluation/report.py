"""Evaluation reports: a markdown table, a JSON file and a PNG chart.

A report holds scores and settings only, never system outputs or dataset
text, so that it can be committed. Differences from a baseline carry paired
bootstrap p-values (see ``significance``) for every metric, extra metrics
(COMET, BERTScore, a glossary's term accuracy, ...) included.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union, cast

from .metrics import MetricScore
from .rouge import RougeResult
from .significance import SIGNIFICANCE_LEVEL
from .translation import TranslationResult

Scores = Union[RougeResult, TranslationResult]

ROUGE_NAMES = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L", "rougeLsum": "ROUGE-Lsum"}
TRANSLATION_NAMES = {"bleu": "BLEU", "chrf": "chrF"}
PERL_VIEW_SUFFIX = " (ROUGE-1.5.5)"
"""Appended to a reference view's name for the scores of the official Perl ROUGE-1.5.5."""


@dataclass
class SystemScores:
    """One system's scores under each reference view of a dataset."""

    label: str
    description: str
    scores: dict[str, Scores]
    seconds_per_item: float | None = None
    extra: dict[str, dict[str, MetricScore]] = field(default_factory=dict)
    """Extra metrics per reference view: ``{view: {metric name: score}}``."""

    def values(self, view: str) -> dict[str, float]:
        """Every metric's corpus value under `view`: ROUGE F1s or BLEU/chrF, then the extra metrics."""
        scores = self.scores[view]
        if isinstance(scores, RougeResult):
            result = {name: score.f1 for name, score in scores.scores.items()}
        else:
            result = {"bleu": scores.bleu, "chrf": scores.chrf}
        result.update({name: score.value for name, score in self.extra.get(view, {}).items()})
        return result

    def title(self, view: str, metric: str) -> str:
        """The display name of `metric` (``ROUGE-1 F1``, ``BLEU``, ``COMET-22``, ...)."""
        if metric in ROUGE_NAMES:
            return f"{ROUGE_NAMES[metric]} F1"
        if metric in TRANSLATION_NAMES:
            return TRANSLATION_NAMES[metric]
        return self.extra[view][metric].title


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
    """``(system, baseline)`` label pairs that are compared."""
    notes: list[str] = field(default_factory=list)
    p_values: dict[tuple[str, str, str], dict[str, float]] = field(default_factory=dict)
    """Paired bootstrap p-values: ``{(system, baseline, view): {metric: p}}``."""
    test: str = ""
    """The significance test's signature (empty when none was run)."""

    @property
    def views(self) -> list[str]:
        """The reference views, in the order the dataset defines them."""
        return list(self.systems[0].scores) if self.systems else []

    @property
    def primary_metric(self) -> str:
        """Key of the headline number."""
        return "rouge1" if self.task == "summarization" else "bleu"

    @property
    def primary_name(self) -> str:
        """Name of the headline number."""
        return "ROUGE-1 F1" if self.task == "summarization" else "BLEU"

    def comparisons(self) -> list[dict[str, Any]]:
        """For each asked pair and view: every metric's difference from the baseline, with its p-value.

        The row's top-level fields are the headline number's; ``metrics`` holds them all.
        """
        by_label = {system.label: system for system in self.systems}
        rows = []
        for label, baseline in self.comparisons_asked:
            for view in self.views:
                system, reference = by_label[label], by_label[baseline]
                values, baseline_values = system.values(view), reference.values(view)
                p_values = self.p_values.get((label, baseline, view), {})
                metrics = {}
                for metric, value in values.items():
                    if metric not in baseline_values:
                        continue
                    p_value = p_values.get(metric)
                    metrics[metric] = {
                        "title": system.title(view, metric),
                        "system_score": value,
                        "baseline_score": baseline_values[metric],
                        "difference": value - baseline_values[metric],
                        "p_value": p_value,
                        "significant": None if p_value is None else p_value < SIGNIFICANCE_LEVEL,
                    }
                headline = metrics[self.primary_metric]
                rows.append(
                    {
                        "system": label,
                        "baseline": baseline,
                        "view": view,
                        "metric": self.primary_name,
                        "system_score": headline["system_score"],
                        "baseline_score": headline["baseline_score"],
                        "difference": headline["difference"],
                        "at_or_above_baseline": headline["difference"] >= 0,
                        "p_value": headline["p_value"],
                        "significant": headline["significant"],
                        "metrics": metrics,
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
                    "extra": {
                        view: {name: score.to_dict() for name, score in metrics.items()}
                        for view, metrics in system.extra.items()
                    },
                }
                for system in self.systems
            ],
            "significance_test": self.test,
            "comparisons": self.comparisons(),
            "notes": self.notes,
        }


def _cell(value: float, ci: tuple[float, float] | None, digits: int) -> str:
    text = f"{value:.{digits}f}"
    return f"{text} [{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]" if ci else text


def _extra_titles(report: Report, view: str) -> list[tuple[str, str]]:
    """``(name, title)`` of the extra metrics every system has under `view`, in the first system's order."""
    first = report.systems[0].extra.get(view, {})
    return [
        (name, score.title)
        for name, score in first.items()
        if all(name in system.extra.get(view, {}) for system in report.systems)
    ]


def _extra_cells(system: SystemScores, view: str, names: list[tuple[str, str]]) -> list[str]:
    return [f"{system.extra[view][name].value:.4f}" for name, _ in names]


def _rouge_table(report: Report, view: str) -> list[str]:
    results = [cast(RougeResult, system.scores[view]) for system in report.systems]
    names = list(results[0].scores)
    extras = _extra_titles(report, view)
    headings = [f"{ROUGE_NAMES.get(n, n)} F1" for n in names] + ["R-1 P", "R-1 R"] + [title for _, title in extras]
    lines = ["| system | " + " | ".join(headings) + " |", "|---" * (len(headings) + 1) + "|"]
    for system, result in zip(report.systems, results, strict=True):
        cells = [_cell(result.scores[n].f1, (result.scores[n].ci or {}).get("f1"), 4) for n in names]
        r1 = result.scores.get("rouge1")
        cells += [f"{r1.precision:.4f}", f"{r1.recall:.4f}"] if r1 else ["", ""]
        cells += _extra_cells(system, view, extras)
        lines.append(f"| {system.label} | " + " | ".join(cells) + " |")
    return lines


def _translation_table(report: Report, view: str) -> list[str]:
    extras = _extra_titles(report, view)
    headings = ["BLEU", "chrF"] + [title for _, title in extras]
    lines = ["| system | " + " | ".join(headings) + " |", "|---" * (len(headings) + 1) + "|"]
    for system in report.systems:
        result = cast(TranslationResult, system.scores[view])
        cells = [_cell(result.bleu, result.bleu_ci, 2), _cell(result.chrf, result.chrf_ci, 2)]
        cells += _extra_cells(system, view, extras)
        lines.append(f"| {system.label} | " + " | ".join(cells) + " |")
    return lines


def _side_by_side(report: Report, view: str) -> list[str]:
    """ROUGE F1 from rouge-score and from ROUGE-1.5.5 in adjacent columns, with their difference."""
    perl_view = view + PERL_VIEW_SUFFIX
    names = list(cast(RougeResult, report.systems[0].scores[view]).scores)
    headings = [f"{ROUGE_NAMES[n]} {impl}" for n in names for impl in ("rouge-score", "1.5.5", "diff")]
    lines = ["| system | " + " | ".join(headings) + " |", "|---" * (len(headings) + 1) + "|"]
    for system in report.systems:
        ours = cast(RougeResult, system.scores[view]).scores
        official = cast(RougeResult, system.scores[perl_view]).scores
        cells = []
        for name in names:
            cells += [f"{ours[name].f1:.4f}", f"{official[name].f1:.4f}", f"{ours[name].f1 - official[name].f1:+.4f}"]
        lines.append(f"| {system.label} | " + " | ".join(cells) + " |")
    return lines


def _difference_cell(entry: dict[str, Any]) -> str:
    text = f"{entry['difference']:+.4f}"
    if entry["p_value"] is None:
        return text
    return f"{text} (p={entry['p_value']:.3f}){' *' if entry['significant'] else ''}"


def _comparison_tables(report: Report) -> list[str]:
    """One table per view: each compared pair's difference and p-value for every metric."""
    rows = report.comparisons()
    lines = []
    if report.test:
        lines += [
            f"Differences (system minus baseline) with paired bootstrap p-values (`{report.test}`); "
            f"`*` marks p < {SIGNIFICANCE_LEVEL}.",
            "",
        ]
    for view in report.views:
        view_rows = [row for row in rows if row["view"] == view]
        if not view_rows:
            continue
        metrics = list(view_rows[0]["metrics"])
        titles = [view_rows[0]["metrics"][metric]["title"] for metric in metrics]
        lines += [f"### References: {view}", "", "| system | baseline | " + " | ".join(titles) + " |"]
        lines.append("|---" * (len(titles) + 2) + "|")
        for row in view_rows:
            cells = [_difference_cell(row["metrics"][metric]) for metric in metrics]
            lines.append(f"| {row['system']} | {row['baseline']} | " + " | ".join(cells) + " |")
        lines.append("")
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
        signatures += sorted({score.signature for system in report.systems for score in system.extra.get(view, {}).values()})
        lines += ["", "Signature: " + "; ".join(f"`{signature}`" for signature in signatures), ""]
    for view in report.views:
        if view + PERL_VIEW_SUFFIX in report.views:
            lines += [f"## rouge-score and ROUGE-1.5.5 side by side: {view}", ""]
            lines += _side_by_side(report, view) + [""]
    lines += ["## Systems", ""]
    for system in report.systems:
        timing = f" ({system.seconds_per_item * 1000:.1f} ms per item)" if system.seconds_per_item else ""
        lines.append(f"- **{system.label}**: {system.description}{timing}")
    if report.comparisons_asked:
        lines += ["", "## Against the baselines", ""] + _comparison_tables(report)
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def render_chart(report: Report, path: str | Path) -> None:
    """A PNG bar chart: one panel per reference view (stacked), one group of bars per system."""
    from matplotlib.figure import (
        Figure,  # lazy: the "eval" extra; no pyplot, no global backend
    )

    views = report.views
    figure = Figure(figsize=(max(6.0, 0.9 * len(report.systems)), 4.0 * len(views)), layout="constrained")
    axes = figure.subplots(len(views), 1, squeeze=False)[:, 0]
    for axis, view in zip(axes, views, strict=True):
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
                yerr=list(zip(*errors, strict=True)) if any(e != (0.0, 0.0) for e in errors) else None,
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
