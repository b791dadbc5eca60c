"""CTranslate2-native translation models with SentencePiece files (quickmt's layout): an :class:`~.base.Engine`.

quickmt's EN<->ZH models (``quickmt/quickmt-en-zh``, ``quickmt/quickmt-zh-en``, CC-BY-4.0) are CTranslate2
models with no transformers config: the folder holds CTranslate2's ``model.bin`` and ``config.json``, its
vocabulary (``shared_vocabulary.json``, or ``source_vocabulary.json`` and ``target_vocabulary.json``), and
the SentencePiece models the text is cut with: ``src.spm.model`` and ``tgt.spm.model``, or one
``joint.spm.model``. A folder of that layout is recognized by its files (:func:`summarize.hub.is_native_folder`) and
translated as quickmt's own ``translator.py`` does: the source model's pieces in (no language tag), the
best hypothesis's pieces decoded by the target model ("▁" becomes a space). Everything the other engines
do around a model (sentence splitting, glossary placeholders, output caps, batching by length, zh-Hant
output, documents) works unchanged, since this is an :class:`~.base.Engine` like them.

Compute type: ``runtime.dtype: auto`` runs int8 on CPU and float16 on CUDA (the published models'
speed figures are CTranslate2 int8); a set dtype or ``runtime.quantization`` is honoured as for the
converted engines. ``model.bin`` is CTranslate2's own weight format, which runs no code when read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..chunking import plan_batches
from ..config import ModelSettings, RuntimeSettings
from ..errors import ConfigError, ModelUnavailableError
from ..families import ModelFamily
from ..hub import JOINT_SPM, SEPARATE_SPM
from .base import Engine, Scored
from .ctranslate2 import mean_token_log_probability
from .devices import choose_device, cpu_cores
from .workers import worker_layout

MAX_MISSING_PIECES = 0.05
"""A SentencePiece model whose pieces are missing from the vocabulary beyond this share is not the model's."""

QUICKMT = ModelFamily(name="quickmt", model_types=frozenset(), max_input_tokens=512)
"""CTranslate2-native models with SentencePiece files: no target tags, no whitespace quirks."""


@dataclass(frozen=True)
class SentencePieceTokenizer:
    """The source and target SentencePiece models, as the engine contract reads a tokenizer: counts of the
    source model's pieces; no language tags; `specials` tokens the model adds to each input."""

    source: Any
    target: Any
    specials: int
    model_max_length: int

    def __call__(self, texts: Sequence[str], add_special_tokens: bool = True, **_: Any) -> dict[str, list[list[int]]]:
        ids = [self.source.encode(text) for text in texts]
        return {"input_ids": ids}

    def num_special_tokens_to_add(self) -> int:
        return self.specials

    def get_vocab(self) -> dict[str, int]:
        return {}  # no >>xx<< tags: the model translates one pair

    def pieces(self, text: str) -> list[str]:
        """`text` as the source model's pieces, quickmt's input (``encode(..., out_type=str)``)."""
        return self.source.encode(text, out_type=str)

    def decode(self, pieces: Sequence[str]) -> str:
        """Output pieces as text by the target model ("▁" becomes a space)."""
        return self.target.decode(list(pieces)).strip()


class QuickMTModel(Engine):
    """A CTranslate2-native translation model with its SentencePiece models."""

    def __init__(self, name: str, tokenizer: SentencePieceTokenizer, translator: Any, spec: ModelSettings,
                 runtime: RuntimeSettings, replicas: int, compute_type: str) -> None:
        super().__init__(name, QUICKMT, tokenizer, None, None, spec, runtime)
        self.translator = translator
        self.replicas = replicas
        self.compute_type = compute_type
        """The CTranslate2 compute type it runs with (int8 on CPU, float16 on CUDA by default)."""

    def decoding_options(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """CTranslate2 ``translate_batch`` options for the configured generation settings."""
        settings = self.generation_settings(overrides)
        longest = max(1, int(settings.get("max_new_tokens", 256)))
        return {
            "beam_size": int(settings.get("num_beams", 1)),
            "length_penalty": float(settings.get("length_penalty", 1.0)),
            "no_repeat_ngram_size": int(settings.get("no_repeat_ngram_size", 0)),
            "repetition_penalty": float(settings.get("repetition_penalty", 1.0)),
            "max_decoding_length": longest,
            "min_decoding_length": min(int(settings.get("min_new_tokens", 0)), longest),
            "max_input_length": 0,
        }

    def generate_distinct(
        self, texts: Sequence[str], target_lang: str, overrides: Mapping[str, Any] | None = None
    ) -> list[str]:
        """One translation per text, in input order (length-sorted token-budget batches)."""
        return [text for text, _ in self.generate_distinct_scored(texts, target_lang, overrides)]

    def generate_distinct_scored(
        self, texts: Sequence[str], target_lang: str, overrides: Mapping[str, Any] | None = None
    ) -> list[Scored]:
        """One translation per text with CTranslate2's own score of it (:func:`.ctranslate2.mean_token_log_probability`)."""
        if not texts:
            return []
        tokenizer: SentencePieceTokenizer = self.tokenizer
        sources = [tokenizer.pieces(self.prepare(text, target_lang))[: self.content_budget] for text in texts]
        options = self.decoding_options(overrides)
        batches = plan_batches([len(pieces) for pieces in sources], self.runtime.batch_tokens,
                               self.runtime.max_batch_size, self.replicas)
        pending = [
            (batch, self.translator.translate_batch(
                [sources[i] for i in batch], asynchronous=True, return_scores=True, **options
            ))
            for batch in batches
        ]
        outputs: list[Scored] = [("", None)] * len(texts)
        for batch, results in pending:
            for index, waiting in zip(batch, results, strict=True):
                result = waiting.result()
                outputs[index] = (tokenizer.decode(result.hypotheses[0]),
                                  mean_token_log_probability(result, options["length_penalty"]))
        return outputs


def _spm_files(folder: Path, name: str, role: str) -> tuple[Path, Path]:
    if all((folder / file).is_file() for file in SEPARATE_SPM):
        return folder / SEPARATE_SPM[0], folder / SEPARATE_SPM[1]
    if (folder / JOINT_SPM).is_file():
        return folder / JOINT_SPM, folder / JOINT_SPM
    present = [file for file in SEPARATE_SPM if (folder / file).is_file()]
    missing = [file for file in SEPARATE_SPM if file not in present] if present else [f"{SEPARATE_SPM[0]} and {SEPARATE_SPM[1]} (or {JOINT_SPM})"]
    raise ModelUnavailableError(
        f"model {name!r} ({role}) is a CTranslate2 model without its SentencePiece model: {', '.join(missing)} "
        f"is missing from the folder; add the file the model was trained with, or set {role}.model to a full folder"
    )


def _vocabulary(folder: Path, side: str) -> list[str]:
    for stem in (f"{side}_vocabulary", "shared_vocabulary"):
        if (folder / f"{stem}.json").is_file():
            return json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
        if (folder / f"{stem}.txt").is_file():
            return (folder / f"{stem}.txt").read_text(encoding="utf-8").splitlines()
    return []


def _check_matches(processor: Any, vocabulary: list[str], file: Path, name: str, role: str) -> None:
    """Refuse a SentencePiece model whose pieces the model's vocabulary mostly does not have."""
    if not vocabulary:
        return
    known = set(vocabulary)
    pieces = [processor.id_to_piece(index) for index in range(processor.get_piece_size())]
    missing = sum(piece not in known for piece in pieces)
    if missing > MAX_MISSING_PIECES * len(pieces):
        raise ModelUnavailableError(
            f"model {name!r} ({role}): {file.name} does not match the model's vocabulary ({missing:,} of its "
            f"{len(pieces):,} pieces are not in it); use the SentencePiece model the model was trained with"
        )


def native_compute_type(runtime: RuntimeSettings, device: str, supported: set[str]) -> str:
    """int8 on CPU and float16 on CUDA for ``runtime.dtype: auto`` (float32 where those are not supported);
    otherwise the dtype and quantization asked for."""
    from .ctranslate2 import compute_type

    if runtime.dtype == "auto" and runtime.quantization == "none":
        preferred = "int8" if device == "cpu" else "float16"
        return preferred if preferred in supported else "float32"
    return compute_type(runtime, device, QUICKMT, supported)


def load_quickmt(folder: Path, spec: ModelSettings, role: str, runtime: RuntimeSettings) -> QuickMTModel:
    """Load a CTranslate2-native model folder; a missing or mismatched SentencePiece file is one line naming it."""
    import sentencepiece

    from .ctranslate2 import import_ctranslate2

    ctranslate2 = import_ctranslate2()
    device = choose_device(runtime.device)
    if device not in ("cpu", "cuda"):
        raise ConfigError(f"model {spec.model!r} ({role}) is a CTranslate2 model: it runs on cpu or cuda, not {device!r}; set runtime.device")
    source_file, target_file = _spm_files(folder, spec.model, role)
    source = sentencepiece.SentencePieceProcessor(model_file=str(source_file))
    target = sentencepiece.SentencePieceProcessor(model_file=str(target_file))
    _check_matches(source, _vocabulary(folder, "source"), source_file, spec.model, role)
    _check_matches(target, _vocabulary(folder, "target"), target_file, spec.model, role)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8")) if (folder / "config.json").is_file() else {}
    specials = int(bool(config.get("add_source_bos"))) + int(bool(config.get("add_source_eos")))
    limit = spec.max_input_tokens or QUICKMT.max_input_tokens
    tokenizer = SentencePieceTokenizer(source, target, specials, limit)
    chosen = native_compute_type(runtime, device, set(ctranslate2.get_supported_compute_types(device)))
    replicas, threads_each = worker_layout(runtime.inter_threads, runtime.cpu_threads, device, cpu_cores())
    try:
        translator = ctranslate2.Translator(
            str(folder), device=device, compute_type=chosen, inter_threads=replicas, intra_threads=threads_each
        )
    except (RuntimeError, ValueError, OSError) as error:
        raise ModelUnavailableError(f"model {spec.model!r} ({role}) could not be loaded by CTranslate2: {error}") from None
    return QuickMTModel(spec.model, tokenizer, translator, spec, runtime, replicas, chosen)
