"""Neural metrics are optional: each missing package or missing weights gives one line saying what to do.

No weights can be downloaded here, so these tests cover the absent paths: unbabel-comet is not
installed (its releases require transformers<5), bert-score is (extra ``neural``) but its models
are not in the Hugging Face cache. Scoring with real weights is not tested here.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from summarize.errors import InputError, ModelUnavailableError
from summarize.evaluation import (
    MetricInputs,
    build_metric,
    metric_names,
    register_metric,
)
from summarize.evaluation.metrics import mean_metric_score

COMET_MISSING = (
    "the unbabel-comet package is not installed (pip install unbabel-comet); its 2.2.7 release requires "
    "transformers<5, so until a release supports transformers 5 it needs an environment of its own"
)
needs_no_comet = pytest.mark.skipif(importlib.util.find_spec("comet") is not None, reason="unbabel-comet is installed")


@pytest.fixture
def empty_hub_cache(tmp_path, monkeypatch):
    """A Hugging Face cache with nothing in it (weights a developer may have cached stay out of the test)."""
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    return tmp_path


def test_registered_metrics():
    assert metric_names() == ["bertscore", "comet", "comet-qe"]


@needs_no_comet
@pytest.mark.parametrize("name, title", [("comet", "COMET-22"), ("comet-qe", "COMET-QE")])
def test_comet_without_its_package(name, title):
    with pytest.raises(ModelUnavailableError) as error:
        build_metric(name)
    assert str(error.value) == f"{title} is not available: {COMET_MISSING}"
    assert "\n" not in str(error.value)


def test_bertscore_without_its_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "bert_score", None)  # what an environment without bert-score looks like
    with pytest.raises(ModelUnavailableError) as error:
        build_metric("bertscore")
    assert str(error.value) == (
        "BERTScore is not available: the bert-score package is not installed: pip install 'bilingual-summarize[neural]'"
    )


@pytest.mark.parametrize("lang, model", [("en", "roberta-large"), ("zh", "bert-base-chinese")])
def test_bertscore_without_its_weights_names_the_model_to_download(empty_hub_cache, lang, model):
    pytest.importorskip("bert_score", reason="bert-score is in the neural extra")
    metric = build_metric("bertscore")
    with pytest.raises(ModelUnavailableError) as error:
        metric.score(MetricInputs([], ["A summary."], [["A reference."]], lang))
    assert str(error.value) == (
        f"BERTScore is not available: the weights of {model} are not in the local Hugging Face cache; "
        f"run `hf download {model}` on a connected machine (or copy its cache)"
    )


def test_bertscore_refuses_other_languages():
    pytest.importorskip("bert_score", reason="bert-score is in the neural extra")
    with pytest.raises(InputError, match="^BERTScore has defaults for en and zh, not 'fr'$"):
        build_metric("bertscore").score(MetricInputs([], ["x"], [["y"]], "fr"))


def test_unknown_metric():
    with pytest.raises(InputError, match="^unknown metric 'bleurt'; choose one of: bertscore, comet, comet-qe$"):
        build_metric("bleurt")


class _Length:
    """A stand-in extra metric (as a glossary's term accuracy would register): output length in words."""

    title = "words"

    def score(self, inputs: MetricInputs):
        return mean_metric_score(self.title, [len(text.split()) for text in inputs.outputs], "words|agg:mean")


def test_registered_metric_is_built_by_name(monkeypatch):
    from summarize.evaluation import metric_registry

    monkeypatch.setattr(metric_registry, "_REGISTRY", dict(metric_registry._REGISTRY))
    register_metric("words", _Length)
    score = build_metric("words").score(MetricInputs([], ["a b c", "d"], [["x"], ["y"]], "en"))
    assert (score.value, score.items, score.to_dict()) == (2.0, (3.0, 1.0), {"value": 2.0, "signature": "words|agg:mean"})
