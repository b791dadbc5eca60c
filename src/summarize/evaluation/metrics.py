"""Extra metrics beside ROUGE and BLEU/chrF: what one is and what it returns.

An extra metric scores a corpus item by item and reports the mean, so that a
report can show it as a column and test its differences from a baseline with
the paired bootstrap. The registry of names is in ``metric_registry``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class MetricScore:
    """A corpus score that is the mean of per-item scores, with its signature."""

    title: str
    """The column heading, e.g. ``COMET-22``."""
    value: float
    items: tuple[float, ...]
    signature: str

    def to_dict(self) -> dict[str, Any]:
        """``{"value": ..., "signature": ...}`` (per-item scores stay out of reports)."""
        return {"value": self.value, "signature": self.signature}


@dataclass(frozen=True)
class MetricInputs:
    """What an extra metric may look at: sources, outputs, references per item, and the target language."""

    sources: Sequence[str]
    outputs: Sequence[str]
    references: Sequence[Sequence[str]]
    target_lang: str


class ExtraMetric(Protocol):
    """A metric built by its registered factory; building it checks that its package and weights are there."""

    title: str

    def score(self, inputs: MetricInputs) -> MetricScore:
        """Score every item; the corpus value is the mean."""
        ...


def mean_metric_score(title: str, items: Sequence[float], signature: str) -> MetricScore:
    """A :class:`MetricScore` whose value is the mean of `items` (0 for no items)."""
    values = tuple(float(value) for value in items)
    return MetricScore(title, sum(values) / len(values) if values else 0.0, values, signature)
