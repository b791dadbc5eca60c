"""BLEU and chrF for translations, through sacrebleu.

Chinese targets are tokenized with sacrebleu's ``zh`` tokenizer, other targets
with its default ``13a``; chrF uses sacrebleu's defaults (character 6-grams,
beta 2). The target language, unless given, is inferred from the references'
script (Chinese when Han characters make up at least a tenth of their
non-space characters), so BLEU on Chinese cannot silently be tokenized as
English; the signature records the target and whether it was inferred. Scores
are on sacrebleu's 0-100 scale and carry sacrebleu's signatures, so they can
be compared with published numbers (WMT, FLORES).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from .significance import PairedBootstrap
from .tokenizers import looks_chinese

TARGET_TOKENIZE = {"zh": "zh", "en": "13a"}
"""sacrebleu's BLEU tokenizer for each target language."""

SPACE_TOKENIZERS = ("13a", "intl", "none")
"""sacrebleu's BLEU tokenizers that leave a run of Chinese characters as one token."""


class ChineseTargetTokenizeWarning(UserWarning):
    """Chinese references are being scored with a BLEU tokenizer meant for space-separated text."""


class ChineseTokenizeOnOtherTextWarning(UserWarning):
    """References that are not Chinese are being scored with the BLEU tokenizer meant for Chinese."""


@dataclass(frozen=True)
class TranslationResult:
    """Corpus BLEU and chrF (0-100), optional bootstrap intervals, and the sacrebleu signatures."""

    bleu: float
    chrf: float
    bleu_signature: str
    chrf_signature: str
    target: str
    """``zh(inferred)`` or ``zh(given)``: the target language and where it came from."""
    bleu_ci: tuple[float, float] | None = None
    chrf_ci: tuple[float, float] | None = None

    @property
    def signature(self) -> str:
        """Both metrics' settings and the target: ``BLEU|nrefs:1|...|version:2.6.0 chrF2|... target:zh(inferred)``."""
        return f"BLEU|{self.bleu_signature} chrF2|{self.chrf_signature} target:{self.target}"

    def to_dict(self) -> dict[str, Any]:
        """``{"bleu": ..., "chrf": ..., "signature": "..."}`` as ``eval/score.py --json`` prints it."""
        result: dict[str, Any] = {"bleu": self.bleu, "chrf": self.chrf}
        if self.bleu_ci is not None and self.chrf_ci is not None:
            result["bleu_ci95"] = list(self.bleu_ci)
            result["chrf_ci95"] = list(self.chrf_ci)
        result["signature"] = self.signature
        return result


def _reference_streams(references: Sequence[str | Sequence[str]]) -> list[list[str | None]]:
    """Per-item references -> sacrebleu's reference streams (None where an item has fewer)."""
    items: list[list[str]] = []
    for index, item in enumerate(references):
        refs = [item] if isinstance(item, str) else list(item)
        if not refs or not all(isinstance(ref, str) for ref in refs):
            raise InputError(f"references for item {index} must be a string or a non-empty list of strings")
        items.append(refs)
    width = max((len(refs) for refs in items), default=0)
    return [[refs[k] if k < len(refs) else None for refs in items] for k in range(width)]


def _interval(score: Any, signature: str) -> tuple[float, float]:
    """The 95% bootstrap interval sacrebleu estimated for `score` (its JSON form is the public API)."""
    data = json.loads(score.format(width=4, signature=signature, is_json=True))
    if "confidence_mean" not in data:  # sacrebleu omits it when every resample scored 0
        return (0.0, 0.0)
    mean, half_width = data["confidence_mean"], data["confidence_var"]
    return (round(mean - half_width, 4), round(mean + half_width, 4))


def infer_target_lang(references: Sequence[str | Sequence[str]]) -> str:
    """``zh`` when the references look Chinese (see :func:`looks_chinese`), else ``en``."""
    texts = (text for item in references for text in ([item] if isinstance(item, str) else item))
    return "zh" if looks_chinese(text for text in texts if isinstance(text, str)) else "en"


class TranslationScorer:
    """BLEU and chrF against a fixed set of references, whose statistics are computed once.

    ``references[i]`` holds item i's reference(s). `target_lang` None infers
    the target from the references' script; `tokenize` overrides the BLEU
    tokenizer the target implies. Scoring many systems against the same
    references (as the WMT reproduction does) reuses the cached reference n-grams.
    """

    def __init__(
        self,
        references: Sequence[str | Sequence[str]],
        *,
        target_lang: str | None = None,
        tokenize: str | None = None,
        n_bootstrap: int = 0,
    ) -> None:
        import sacrebleu  # lazy: the "eval" extra

        if target_lang is not None and target_lang not in TARGET_TOKENIZE:
            raise InputError(f"unsupported target language {target_lang!r}; choose one of: en, zh")
        if tokenize is not None and tokenize not in sacrebleu.BLEU.TOKENIZERS:
            raise InputError(
                f"unknown BLEU tokenizer {tokenize!r}; choose one of: {', '.join(sacrebleu.BLEU.TOKENIZERS)}"
            )
        if n_bootstrap < 0 or n_bootstrap == 1:
            raise InputError(f"n_bootstrap must be 0 (off) or at least 2 resamples, not {n_bootstrap}")
        streams = _reference_streams(references)
        if not streams:
            raise InputError("nothing to score: there are no references")
        self.n_items = len(streams[0])
        inferred = target_lang is None
        self.target_lang = infer_target_lang(references) if target_lang is None else target_lang
        self.target = f"{self.target_lang}({'inferred' if inferred else 'given'})"
        self.tokenize = tokenize or TARGET_TOKENIZE[self.target_lang]
        if self.tokenize in SPACE_TOKENIZERS and looks_chinese(r for stream in streams for r in stream if r):
            warnings.warn(
                f"the references look Chinese but BLEU tokenize is {self.tokenize!r}, which leaves Chinese "
                "untokenized (BLEU will be far too low); use --target-lang zh (tokenize='zh')",
                ChineseTargetTokenizeWarning,
                stacklevel=2,
            )
        elif self.tokenize == "zh" and not looks_chinese(r for stream in streams for r in stream if r):
            warnings.warn(
                "the references are not Chinese but BLEU tokenize is 'zh' (from --target-lang zh or --tokenize zh), "
                "which splits them differently from the official scores (BLEU 0.04-0.20 lower on English "
                "references); use --target-lang en (tokenize='13a'), or leave both out to infer them",
                ChineseTokenizeOnOtherTextWarning,
                stacklevel=2,
            )
        self.n_bootstrap = n_bootstrap
        try:
            self._bleu = sacrebleu.BLEU(tokenize=self.tokenize, references=streams)
        except OSError as error:  # a SentencePiece tokenizer (flores101/200, spm) sacrebleu downloads on first use
            reason = getattr(error, "reason", None) or error
            raise InputError(
                f"BLEU tokenize {self.tokenize!r} needs a SentencePiece model that sacrebleu downloads on first use, "
                f"and it could not be fetched ({reason}); use tokenize 'zh' or '13a', or fetch it once on a "
                "connected machine (sacrebleu keeps it in ~/.sacrebleu)"
            ) from None
        self._chrf = sacrebleu.CHRF(references=streams)

    def _check(self, hypotheses: Sequence[str]) -> None:
        if len(hypotheses) != self.n_items:
            raise InputError(f"got {len(hypotheses)} hypotheses but {self.n_items} reference items; they must align")
        for index, hypothesis in enumerate(hypotheses):
            if not isinstance(hypothesis, str):
                raise InputError(f"hypothesis {index} must be a string, got {type(hypothesis).__name__}")

    def paired_p_values(
        self, system: Sequence[str], baseline: Sequence[str], test: PairedBootstrap
    ) -> dict[str, float]:
        """``{"bleu": p, "chrf": p}``: paired bootstrap over sacrebleu's per-segment sufficient statistics."""
        import numpy as np

        self._check(system)
        self._check(baseline)
        result = {}
        for name, metric in (("bleu", self._bleu), ("chrf", self._chrf)):
            # sacrebleu's own statistics and scoring, as its paired test uses them (float32 like sacrebleu).
            stats = [
                np.array(metric._extract_corpus_statistics(list(hypotheses), None), dtype="float32")
                for hypotheses in (system, baseline)
            ]
            result[name] = test.p_value(*stats, lambda rows, m=metric: m._compute_score_from_stats(rows.sum(0)).score)
        return result

    def score(self, hypotheses: Sequence[str]) -> TranslationResult:
        """Corpus BLEU and chrF of `hypotheses` (one per reference item, in order)."""
        self._check(hypotheses)
        n_bootstrap = self.n_bootstrap or 1
        bleu = self._bleu.corpus_score(list(hypotheses), None, n_bootstrap=n_bootstrap)
        chrf = self._chrf.corpus_score(list(hypotheses), None, n_bootstrap=n_bootstrap)
        bleu_signature = self._bleu.get_signature().format()
        chrf_signature = self._chrf.get_signature().format()
        bleu_ci = _interval(bleu, bleu_signature) if self.n_bootstrap else None
        chrf_ci = _interval(chrf, chrf_signature) if self.n_bootstrap else None
        return TranslationResult(
            bleu=bleu.score,
            chrf=chrf.score,
            bleu_signature=bleu_signature,
            chrf_signature=chrf_signature,
            bleu_ci=bleu_ci,
            chrf_ci=chrf_ci,
            target=self.target,
        )


def score_translation(
    hypotheses: Sequence[str],
    references: Sequence[str | Sequence[str]],
    *,
    target_lang: str | None = None,
    tokenize: str | None = None,
    n_bootstrap: int = 0,
) -> TranslationResult:
    """Corpus BLEU and chrF of `hypotheses` against `references` (``references[i]``: item i's refs).

    `target_lang` None infers the target language from the references' script.
    """
    if len(hypotheses) != len(references):
        raise InputError(
            f"got {len(hypotheses)} hypotheses but {len(references)} reference items; they must align"
        )
    scorer = TranslationScorer(references, target_lang=target_lang, tokenize=tokenize, n_bootstrap=n_bootstrap)
    return scorer.score(hypotheses)
