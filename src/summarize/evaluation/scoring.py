"""Scoring a dataset's outputs: every reference view, ROUGE implementation and extra metric, and paired tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Union, cast

from ..errors import InputError, ModelUnavailableError
from .datasets import Dataset
from .metric_registry import build_metric
from .metrics import ExtraMetric, MetricInputs, MetricScore
from .report import PERL_VIEW_SUFFIX, Scores, SystemScores
from .rouge import Rouge, RougeResult
from .rouge_perl import PerlRouge
from .significance import DEFAULT_SAMPLES, PairedBootstrap
from .tokenizers import default_tokenizer
from .translation import TranslationScorer

ROUGE_IMPLS = ("rouge-score", "perl")
"""ROUGE implementations: this package's rouge-score-equivalent scorer, and the official ROUGE-1.5.5."""

RougeScorer = Union[Rouge, PerlRouge]


@dataclass(frozen=True)
class ScoringSettings:
    """How outputs are scored; the tokenizer defaults to the dataset's target language."""

    tokenizer: str | None = None
    stem: bool = False
    lsum_splitter: str = "lines"
    """ROUGE-Lsum sentences: ``lines`` (the standard convention) or ``summarize`` (the project's splitter)."""
    n_bootstrap: int = 0
    rouge_impls: tuple[str, ...] = ("rouge-score",)
    """ROUGE implementations to report, side by side when there are two."""
    metrics: tuple[str, ...] = ()
    """Extra metrics by registered name (``comet``, ``bertscore``, ...)."""
    significance: int = DEFAULT_SAMPLES
    """Paired bootstrap resamples for the comparisons with baselines; 0 turns the test off."""

    def __post_init__(self) -> None:
        unknown = [impl for impl in self.rouge_impls if impl not in ROUGE_IMPLS]
        if unknown or not self.rouge_impls:
            raise InputError(f"unknown ROUGE implementation {unknown[0] if unknown else ''!r}; choose from: rouge-score, perl")
        if self.significance < 0:
            raise InputError(f"significance must be 0 (off) or a number of resamples, not {self.significance}")


def make_rouge(impl: str, tokenizer: str, *, stem: bool, lsum_splitter: str, n_bootstrap: int) -> RougeScorer:
    """The ROUGE scorer of implementation `impl` (``rouge-score`` or ``perl``)."""
    if impl not in ROUGE_IMPLS:
        raise InputError(f"unknown ROUGE implementation {impl!r}; choose from: {', '.join(ROUGE_IMPLS)}")
    scorer = Rouge if impl == "rouge-score" else PerlRouge
    return scorer(tokenizer, stem=stem, lsum_splitter=lsum_splitter, n_bootstrap=n_bootstrap)


def view_key(view: str, impl: str) -> str:
    """The name a view's scores go under: the view itself, or with the ROUGE-1.5.5 suffix."""
    return view if impl == "rouge-score" else view + PERL_VIEW_SUFFIX


class DatasetScorer:
    """Scores outputs on one dataset with fixed settings; reference statistics and models are set up once."""

    def __init__(self, dataset: Dataset, settings: ScoringSettings) -> None:
        self.dataset = dataset
        self.references = {
            view.name: [view.select(example.references) for example in dataset.examples] for view in dataset.views
        }
        self.sources = [example.source for example in dataset.examples]
        self.notes: list[str] = []
        self.rouge: dict[str, RougeScorer] = {}
        self.translation: dict[str, TranslationScorer] = {}
        if dataset.task == "summarization":
            tokenizer = settings.tokenizer or default_tokenizer(dataset.target_lang)
            self.rouge = {
                impl: make_rouge(
                    impl, tokenizer, stem=settings.stem, lsum_splitter=settings.lsum_splitter, n_bootstrap=settings.n_bootstrap
                )
                for impl in settings.rouge_impls
            }
        else:
            self.translation = {
                view: TranslationScorer(references, target_lang=dataset.target_lang, n_bootstrap=settings.n_bootstrap)
                for view, references in self.references.items()
            }
        self.metrics: dict[str, ExtraMetric] = {}
        for name in settings.metrics:
            try:
                self.metrics[name] = build_metric(name)
            except ModelUnavailableError as error:
                self.notes.append(f"{name} not computed: {error}")

    def score(self, outputs: Sequence[str]) -> tuple[dict[str, Scores], dict[str, dict[str, MetricScore]]]:
        """``(scores by view key, extra metric scores by view)`` of one system's outputs."""
        scores: dict[str, Scores] = {}
        extra: dict[str, dict[str, MetricScore]] = {}
        for view, references in self.references.items():
            if self.rouge:
                for impl, rouge in self.rouge.items():
                    scores[view_key(view, impl)] = rouge.corpus_score(outputs, references)
            else:
                scores[view] = self.translation[view].score(outputs)
            inputs = MetricInputs(self.sources, outputs, references, self.dataset.target_lang)
            extra[view] = {}
            for name, metric in list(self.metrics.items()):
                try:
                    extra[view][name] = metric.score(inputs)
                except ModelUnavailableError as error:
                    self.notes.append(f"{name} not computed: {error}")
                    del self.metrics[name]
        return scores, extra

    def p_values(
        self,
        system: SystemScores,
        baseline: SystemScores,
        outputs: tuple[Sequence[str], Sequence[str]],
        test: PairedBootstrap,
    ) -> dict[str, dict[str, float]]:
        """Paired bootstrap p-values of `system` against `baseline` for every view key and metric.

        `outputs` holds the two systems' outputs (system first), which BLEU and chrF re-read.
        """
        result: dict[str, dict[str, float]] = {}
        for key, scores in system.scores.items():
            if isinstance(scores, RougeResult):
                reference = cast(RougeResult, baseline.scores[key])  # same view key, same task
                result[key] = {
                    rouge_type: test.p_value(scores.item_f1(rouge_type), reference.item_f1(rouge_type))
                    for rouge_type in scores.scores
                }
            else:
                result[key] = self.translation[key].paired_p_values(outputs[0], outputs[1], test)
        for view, metrics in system.extra.items():
            for name, score in metrics.items():
                result.setdefault(view, {})[name] = test.p_value(score.items, baseline.extra[view][name].items)
        return result
