"""Extra metrics by name, for ``eval/score.py --metric`` and ``eval/run.py --metric``.

The neural metrics are registered from the start; other features add theirs
with :func:`register_metric` (e.g. a glossary's term accuracy).
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import InputError
from .metrics import ExtraMetric
from .neural import BERTScore, Comet22, CometQE

MetricFactory = Callable[[], ExtraMetric]
"""Builds a metric, or raises :class:`~summarize.errors.ModelUnavailableError` with a one-line fix."""

_REGISTRY: dict[str, MetricFactory] = {"comet": Comet22, "comet-qe": CometQE, "bertscore": BERTScore}


def register_metric(name: str, factory: MetricFactory) -> None:
    """Register `factory` under `name` (replacing any earlier one)."""
    _REGISTRY[name] = factory


def metric_names() -> list[str]:
    """The registered extra metrics' names."""
    return sorted(_REGISTRY)


def build_metric(name: str) -> ExtraMetric:
    """The metric registered as `name`, built (which checks that its package and weights are there)."""
    if name not in _REGISTRY:
        raise InputError(f"unknown metric {name!r}; choose one of: {', '.join(metric_names())}")
    return _REGISTRY[name]()
