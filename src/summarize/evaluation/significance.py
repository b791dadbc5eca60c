"""Paired bootstrap resampling: is a system's difference from a baseline more than chance?

The procedure is sacrebleu's paired bootstrap (``sacrebleu --paired-bs``, after
Koehn 2004 and multeval): draw `n_samples` resamples of the items with
replacement (numpy's ``default_rng(seed).choice``, seed 12345 as sacrebleu's
default), score both systems on each resample from their per-item statistics,
centre the absolute differences on their mean, and count how often a centred
difference reaches the real one. BLEU and chrF use sacrebleu's own sufficient
statistics; ROUGE and other per-item metrics (COMET, BERTScore, term accuracy)
use the per-item scores, whose mean is the corpus score.

One deliberate difference: a resampled difference *equal* to the real one
counts as reaching it (sacrebleu 2.6 counts only larger ones), so a system
compared with itself gets p = 1, not sacrebleu's 1/(n_samples + 1). Where no
resampled difference ties the real one, the p-values are sacrebleu's exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    import numpy as np

DEFAULT_SAMPLES = 1000
DEFAULT_SEED = 12345
SIGNIFICANCE_LEVEL = 0.05
"""Differences with p below this are marked significant in reports."""

ScoreFunction = Callable[[Any], float]
"""Corpus score from the per-item statistics of one resample (rows: items)."""


def mean_score(rows: np.ndarray) -> float:
    """The corpus score of per-item scores: their mean."""
    return float(rows.mean())


@dataclass(frozen=True)
class PairedBootstrap:
    """A paired bootstrap test with a fixed number of resamples and seed."""

    n_samples: int = DEFAULT_SAMPLES
    seed: int = DEFAULT_SEED

    def __post_init__(self) -> None:
        if self.n_samples < 1:
            raise InputError(f"the paired bootstrap needs at least 1 resample, not {self.n_samples}")

    @property
    def signature(self) -> str:
        """The test's settings, e.g. ``paired-bs|n:1000|seed:12345``."""
        return f"paired-bs|n:{self.n_samples}|seed:{self.seed}"

    def p_value(
        self,
        system: Sequence[float] | np.ndarray,
        baseline: Sequence[float] | np.ndarray,
        score: ScoreFunction = mean_score,
    ) -> float:
        """The p-value of the difference between `system` and `baseline` (per-item statistics, aligned rows)."""
        import numpy as np

        system, baseline = np.asarray(system), np.asarray(baseline)
        if system.shape != baseline.shape:
            raise InputError(
                f"paired test needs aligned items: system has {system.shape[0]} but baseline has {baseline.shape[0]}"
            )
        if system.shape[0] == 0:
            raise InputError("paired test needs at least one item")
        rng = np.random.default_rng(self.seed)
        indices = rng.choice(system.shape[0], size=(self.n_samples, system.shape[0]), replace=True)
        real = abs(score(baseline) - score(system))
        differences = np.abs(
            np.array([score(system[sample]) for sample in indices]) - np.array([score(baseline[sample]) for sample in indices])
        )
        centred = differences - differences.mean()
        return float((np.sum(centred >= real) + 1) / (self.n_samples + 1))
