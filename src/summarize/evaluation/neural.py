"""Neural metrics: COMET-22, a reference-free COMET QE score, and BERTScore.

Each is optional. Building one checks its package and, where it can before
scoring, its weights in the local Hugging Face cache; a missing piece raises
:class:`~summarize.errors.ModelUnavailableError` with one line saying what to
install or download. Nothing is downloaded here: weights come from the cache
(``hf download MODEL`` on a connected machine, or a copied cache).

- ``comet``: COMET-22, ``Unbabel/wmt22-comet-da`` (Apache-2.0), through the
  ``unbabel-comet`` package; sources, outputs and the first reference.
- ``comet-qe``: COMET QE, ``Unbabel/wmt20-comet-qe-da`` (Apache-2.0): sources and
  outputs only. The newer CometKiwi models are CC-BY-NC-SA and gated, so they
  are not the default.
- ``bertscore``: BERTScore F1 through the ``bert-score`` package (extra
  ``neural``) with its per-language defaults: ``roberta-large`` layer 17 for
  English, ``bert-base-chinese`` layer 8 for Chinese; best reference per item.

unbabel-comet 2.2.7 (the latest release seen) requires transformers<5 and
huggingface-hub<1, so it cannot share an environment with this project until a
release supports transformers 5; its message says so.
"""

from __future__ import annotations

import importlib.util
from importlib.metadata import version
from pathlib import Path

from ..errors import InputError, ModelUnavailableError
from .metrics import MetricInputs, MetricScore, mean_metric_score

COMET_BATCH_SIZE = 16
BERTSCORE_MODELS = {"en": ("roberta-large", 17), "zh": ("bert-base-chinese", 8)}
"""BERTScore's own default model and layer per language."""


def _require_package(module: str, title: str, install: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise ModelUnavailableError(f"{title} is not available: the {install}")


def _cached_snapshot(model_id: str, title: str) -> Path:
    """The local snapshot folder of `model_id`, or the one-line error that says how to get it."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(model_id, local_files_only=True))
    except LocalEntryNotFoundError:
        raise ModelUnavailableError(
            f"{title} is not available: the weights of {model_id} are not in the local Hugging Face cache; "
            f"run `hf download {model_id}` on a connected machine (or copy its cache)"
        ) from None


_COMET_PACKAGE = (
    "unbabel-comet package is not installed (pip install unbabel-comet); its 2.2.7 release requires "
    "transformers<5, so until a release supports transformers 5 it needs an environment of its own"
)


class _Comet:
    """A COMET model from the local cache, scored in-process with unbabel-comet."""

    title = "COMET"
    model_id = ""
    uses_reference = True

    def __init__(self) -> None:
        _require_package("comet", self.title, _COMET_PACKAGE)
        self.checkpoint = _cached_snapshot(self.model_id, self.title) / "checkpoints" / "model.ckpt"
        if not self.checkpoint.is_file():
            raise ModelUnavailableError(
                f"{self.title} is not available: {self.checkpoint} is missing; run `hf download {self.model_id}` again"
            )

    def score(self, inputs: MetricInputs) -> MetricScore:
        """Segment scores from the model; the corpus value is their mean."""
        import torch
        from comet import load_from_checkpoint

        if len(inputs.sources) != len(inputs.outputs):
            raise InputError(
                f"{self.title} needs one source per output (--src): got {len(inputs.sources)} sources "
                f"for {len(inputs.outputs)} outputs"
            )
        rows = []
        for index, (source, output) in enumerate(zip(inputs.sources, inputs.outputs, strict=True)):
            row = {"src": source, "mt": output}
            if self.uses_reference:
                row["ref"] = inputs.references[index][0]
            rows.append(row)
        model = load_from_checkpoint(str(self.checkpoint))
        prediction = model.predict(
            rows, batch_size=COMET_BATCH_SIZE, gpus=1 if torch.cuda.is_available() else 0, progress_bar=False
        )
        references = "ref:first" if self.uses_reference else "ref:none"
        signature = f"model:{self.model_id}|{references}|agg:mean|comet:{version('unbabel-comet')}"
        return mean_metric_score(self.title, prediction.scores, signature)


class Comet22(_Comet):
    """COMET-22 (``Unbabel/wmt22-comet-da``): source, output and reference."""

    title = "COMET-22"
    model_id = "Unbabel/wmt22-comet-da"


class CometQE(_Comet):
    """Reference-free COMET QE (``Unbabel/wmt20-comet-qe-da``, Apache-2.0): source and output only."""

    title = "COMET-QE"
    model_id = "Unbabel/wmt20-comet-qe-da"
    uses_reference = False


class BERTScore:
    """BERTScore F1 with bert-score's default model for the target language (weights checked when scoring)."""

    title = "BERTScore"

    def __init__(self) -> None:
        _require_package(
            "bert_score", self.title, "bert-score package is not installed: pip install 'bilingual-summarize[neural]'"
        )

    def score(self, inputs: MetricInputs) -> MetricScore:
        """Per-item F1 against the best of the item's references; the corpus value is their mean."""
        if inputs.target_lang not in BERTSCORE_MODELS:
            raise InputError(f"BERTScore has defaults for en and zh, not {inputs.target_lang!r}")
        model_id, layers = BERTSCORE_MODELS[inputs.target_lang]
        _cached_snapshot(model_id, self.title)
        from bert_score import BERTScorer
        from bert_score.utils import get_hash

        scorer = BERTScorer(model_type=model_id, num_layers=layers, lang=inputs.target_lang)
        _, _, f1 = scorer.score(list(inputs.outputs), [list(refs) for refs in inputs.references])
        model_hash = get_hash(model_id, layers, False, False, False, False)
        signature = f"{model_hash}|bert-score:{version('bert-score')}|multiref:best|agg:mean"
        return mean_metric_score(self.title, f1.tolist(), signature)
