"""ROUGE-1/2/L/Lsum for English and Chinese summaries.

The scoring rules are rouge-score's (and so ROUGE-1.5.5's): n-gram overlap
with clipped counts; ROUGE-L from the longest common subsequence; ROUGE-Lsum
from the union LCS of each reference sentence against all prediction
sentences, without counting a token twice. What differs is around them: the
tokenizer is chosen by name (``en`` equals rouge-score's, ``zh-char`` and
``zh-jieba`` keep Chinese), and each corpus score carries a signature of its
settings.

ROUGE-Lsum follows the standard convention by default: sentences are the lines
of the inputs (``lsum:lines``). The project's splitter is an explicit option
(``lsum_splitter="summarize"``, ``lsum:summarize``); it barely splits
lowercased, tokenized text. Asking for Lsum on inputs without a single newline
warns, since Lsum then equals ROUGE-L.

With several references, a document's score for each ROUGE type is the one
against the reference with the best F1 (rouge-score's ``score_multi``); the
corpus score is the mean of the document scores, optionally with a bootstrap
confidence interval.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Union

from ..errors import InputError
from .tokenizers import Tokenizer, get_tokenizer, looks_chinese
from .versions import package_version

ROUGE_TYPES: tuple[str, ...] = ("rouge1", "rouge2", "rougeL", "rougeLsum")
_ROUGE_N = re.compile(r"rouge([1-9])$")


class ChineseWithEnglishTokenizerWarning(UserWarning):
    """Chinese text is being scored with a tokenizer that drops Chinese characters."""


class LsumWithoutNewlinesWarning(UserWarning):
    """ROUGE-Lsum was asked for with the line convention on inputs that have no newline."""


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 of one prediction, each in 0..1."""

    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class CorpusScore:
    """Mean precision, recall and F1 over documents, with optional bootstrap intervals."""

    precision: float
    recall: float
    f1: float
    ci: dict[str, tuple[float, float]] | None = None
    """``{"precision": (low, high), ...}`` at the scorer's confidence level, when bootstrapped."""

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict: precision, recall, f1 and, when bootstrapped, ``ci95``."""
        result: dict[str, object] = {"precision": self.precision, "recall": self.recall, "f1": self.f1}
        if self.ci is not None:
            result["ci95"] = {name: list(bounds) for name, bounds in self.ci.items()}
        return result


@dataclass(frozen=True)
class RougeResult:
    """Corpus ROUGE scores, the per-document scores behind them, and their signature."""

    scores: dict[str, CorpusScore]
    signature: str
    documents: list[dict[str, Score]] = field(repr=False)
    notes: tuple[str, ...] = ()
    """What the reader should know about these scores (also issued as warnings), e.g. Chinese scored as English."""

    def item_f1(self, rouge_type: str) -> list[float]:
        """Each document's F1 for `rouge_type`, in order (what the paired bootstrap resamples)."""
        return [document[rouge_type].f1 for document in self.documents]

    def to_dict(self) -> dict[str, object]:
        """``{"rouge1": {...}, ..., "signature": "..."}`` as ``eval/score.py --json`` prints it."""
        result: dict[str, object] = {name: score.to_dict() for name, score in self.scores.items()}
        result["signature"] = self.signature
        return result


def lines_as_sentences(text: str) -> list[str]:
    """Sentences are the lines of the text (rouge-score's convention for rougeLsum)."""
    return text.split("\n")


def project_sentences(text: str) -> list[str]:
    """Sentences as the project's splitter cuts them (English and Chinese)."""
    from ..text import split_sentences

    return split_sentences(text)


LSUM_SPLITTERS: dict[str, Callable[[str], list[str]]] = {"lines": lines_as_sentences, "summarize": project_sentences}
"""ROUGE-Lsum's sentence splitters by name: ``lines`` (the standard convention, the default) and ``summarize``."""

Splitter = Union[str, Callable[[str], list[str]]]


def resolve_splitter(splitter: Splitter) -> tuple[str, Callable[[str], list[str]]]:
    """``(name for the signature, function)`` of a splitter given by name or as a function."""
    if isinstance(splitter, str):
        if splitter not in LSUM_SPLITTERS:
            raise InputError(f"unknown Lsum sentence splitter {splitter!r}; choose one of: {', '.join(LSUM_SPLITTERS)}")
        return splitter, LSUM_SPLITTERS[splitter]
    names = {function: name for name, function in LSUM_SPLITTERS.items()}
    return names.get(splitter) or getattr(splitter, "__name__", "custom"), splitter


def warn_if_no_newlines(predictions: Sequence[str], references: Sequence[Sequence[str]], *, stacklevel: int) -> None:
    """Warn when ROUGE-Lsum under the line convention gets predictions or references without any newline."""
    sides = [
        side
        for side, texts in (("prediction", predictions), ("reference", [r for refs in references for r in refs]))
        if not any("\n" in text.strip("\n") for text in texts)
    ]
    if sides:
        warnings.warn(
            f"ROUGE-Lsum asked for but no {' and no '.join(sides)} contains a newline, so Lsum equals ROUGE-L; "
            "put one sentence per line (in JSONL, \"text\" may be a list of sentences) "
            "or split with the project's splitter (--lsum-splitter summarize)",
            LsumWithoutNewlinesWarning,
            stacklevel=stacklevel + 1,
        )


def _fmeasure(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


def _ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _score_ngrams(reference: Sequence[str], prediction: Sequence[str], n: int) -> Score:
    reference_ngrams = _ngrams(reference, n)
    prediction_ngrams = _ngrams(prediction, n)
    overlap = sum((reference_ngrams & prediction_ngrams).values())
    precision = overlap / max(sum(prediction_ngrams.values()), 1)
    recall = overlap / max(sum(reference_ngrams.values()), 1)
    return Score(precision, recall, _fmeasure(precision, recall))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (bit-parallel, Allison-Dix)."""
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for i, token in enumerate(a):
        masks[token] = masks.get(token, 0) | (1 << i)
    full = (1 << len(a)) - 1
    row = full
    for token in b:
        matches = row & masks.get(token, 0)
        row = ((row + matches) | (row - matches)) & full
    return len(a) - bin(row).count("1")


def _score_lcs(reference: Sequence[str], prediction: Sequence[str]) -> Score:
    if not reference or not prediction:
        return Score(0.0, 0.0, 0.0)
    length = lcs_length(reference, prediction)
    precision = length / len(prediction)
    recall = length / len(reference)
    return Score(precision, recall, _fmeasure(precision, recall))


def _lcs_indices(reference: Sequence[str], candidate: Sequence[str]) -> list[int]:
    """Indices into `reference` of one LCS, chosen exactly as rouge-score's backtrack does."""
    table = [[0] * (len(candidate) + 1)]
    for token in reference:
        above = table[-1]
        row = [0]
        for j, other in enumerate(candidate):
            if token == other:
                row.append(above[j] + 1)
            else:
                left = row[j]
                up = above[j + 1]
                row.append(up if up > left else left)
        table.append(row)
    indices: list[int] = []
    i, j = len(reference), len(candidate)
    while i > 0 and j > 0:
        if reference[i - 1] == candidate[j - 1]:
            indices.append(i - 1)
            i -= 1
            j -= 1
        elif table[i][j - 1] > table[i - 1][j]:
            j -= 1
        else:
            i -= 1
    indices.reverse()
    return indices


def _score_summary_lcs(reference: list[list[str]], prediction: list[list[str]]) -> Score:
    reference_total = sum(map(len, reference))
    prediction_total = sum(map(len, prediction))
    if not reference_total or not prediction_total:
        return Score(0.0, 0.0, 0.0)
    reference_left = Counter(token for sentence in reference for token in sentence)
    prediction_left = Counter(token for sentence in prediction for token in sentence)
    hits = 0
    for sentence in reference:
        union = sorted(set().union(*(_lcs_indices(sentence, candidate) for candidate in prediction)))
        for token in (sentence[i] for i in union):
            if reference_left[token] > 0 and prediction_left[token] > 0:
                hits += 1
                reference_left[token] -= 1
                prediction_left[token] -= 1
    precision = hits / prediction_total
    recall = hits / reference_total
    return Score(precision, recall, _fmeasure(precision, recall))


class _Tokenized:
    """One text's tokens and per-sentence tokens, computed once and only when needed."""

    def __init__(self, text: str, tokenizer: Tokenizer, splitter: Callable[[str], list[str]]) -> None:
        self.text = text
        self._tokenizer = tokenizer
        self._splitter = splitter
        self._tokens: list[str] | None = None
        self._sentences: list[list[str]] | None = None

    @property
    def tokens(self) -> list[str]:
        if self._tokens is None:
            self._tokens = self._tokenizer(self.text)
        return self._tokens

    @property
    def sentences(self) -> list[list[str]]:
        if self._sentences is None:
            self._sentences = [self._tokenizer(s) for s in self._splitter(self.text) if s]
        return self._sentences


def as_references(value: object, index: int | None) -> list[str]:
    """One item's references as a list, or the :class:`InputError` that says what is wrong with them."""
    where = "" if index is None else f" for item {index}"
    references = [value] if isinstance(value, str) else value
    if not isinstance(references, Sequence) or not references:
        raise InputError(f"references{where} must be a string or a non-empty list of strings")
    for reference in references:
        if not isinstance(reference, str):
            raise InputError(f"references{where} must be strings, got {type(reference).__name__}")
    return list(references)


def check_options(rouge_types: Sequence[str], n_bootstrap: int) -> list[int]:
    """The n-gram orders among `rouge_types`, after checking every type and the bootstrap count."""
    orders = []
    for rouge_type in rouge_types:
        order = _ROUGE_N.match(rouge_type)
        if rouge_type not in ("rougeL", "rougeLsum") and not order:
            raise InputError(f"unknown ROUGE type {rouge_type!r}; use rouge1..rouge9, rougeL or rougeLsum")
        if order:
            orders.append(int(order.group(1)))
    if n_bootstrap < 0:
        raise InputError(f"n_bootstrap must be 0 (off) or a positive number of resamples, not {n_bootstrap}")
    return sorted(orders)


def check_corpus(predictions: Sequence[str], references: Sequence[str | Sequence[str]]) -> list[list[str]]:
    """Each item's references as a list, after checking that the corpus is aligned, non-empty and all strings."""
    if len(predictions) != len(references):
        raise InputError(f"got {len(predictions)} predictions but {len(references)} reference items; they must align")
    if not predictions:
        raise InputError("nothing to score: the corpus is empty")
    for index, prediction in enumerate(predictions):
        if not isinstance(prediction, str):
            raise InputError(f"prediction {index} must be a string, got {type(prediction).__name__}")
    return [as_references(item, index) for index, item in enumerate(references)]


def count_references(reference_lists: list[list[str]]) -> int | str:
    """The signature's ``nrefs``: the number of references per item, or ``var`` when it varies."""
    counts = {len(refs) for refs in reference_lists}
    return counts.pop() if len(counts) == 1 else "var"


class Rouge:
    """A ROUGE scorer with fixed settings (tokenizer, stemming, types, Lsum splitter, bootstrap).

    ``Rouge(tokenizer="zh-char").corpus_score(predictions, references)`` scores
    a corpus; ``references[i]`` is one reference string or a list of them.
    `lsum_splitter` is ``"lines"`` (sentences are lines: the standard
    convention), ``"summarize"`` (the project's splitter) or a function.
    """

    def __init__(
        self,
        tokenizer: str = "en",
        *,
        stem: bool = False,
        rouge_types: Sequence[str] = ROUGE_TYPES,
        lsum_splitter: Splitter = "lines",
        n_bootstrap: int = 0,
        seed: int = 12345,
        confidence: float = 0.95,
    ) -> None:
        check_options(rouge_types, n_bootstrap)
        if not 0 < confidence < 1:
            raise InputError(f"confidence must be between 0 and 1, not {confidence}")
        self.tokenizer = get_tokenizer(tokenizer, stem=stem)
        self.rouge_types = tuple(rouge_types)
        self.splitter_name, self.sentence_splitter = resolve_splitter(lsum_splitter)
        self.n_bootstrap = n_bootstrap
        self.seed = seed
        self.confidence = confidence

    def signature(self, n_refs: int | str) -> str:
        """The settings string, e.g. ``nrefs:1|tok:zh-char|stem:no|lsum:lines|...``."""
        parts = [
            f"nrefs:{n_refs}",
            f"tok:{self.tokenizer.signature}",
            f"stem:{'yes' if self.tokenizer.stem else 'no'}",
            f"lsum:{self.splitter_name}",
            "multiref:best-f1",
            "agg:mean",
        ]
        if self.n_bootstrap:
            parts += [f"bs:{self.n_bootstrap}", f"ci:{self.confidence:g}", f"seed:{self.seed}"]
        parts.append(f"version:{package_version()}")
        return "|".join(parts)

    def _warn_if_chinese(self, texts: list[str]) -> tuple[str, ...]:
        """Warn (and return the message) when Chinese text meets the 'en' tokenizer."""
        if self.tokenizer.name != "en" or not looks_chinese(texts):
            return ()
        message = (
            "Chinese text scored with the 'en' tokenizer, which drops Chinese characters "
            "(scores will be near 0); use tokenizer 'zh-char' or 'zh-jieba' (--lang zh)"
        )
        warnings.warn(message, ChineseWithEnglishTokenizerWarning, stacklevel=3)
        return (message,)

    def _score_pair(self, reference: _Tokenized, prediction: _Tokenized) -> dict[str, Score]:
        result = {}
        for rouge_type in self.rouge_types:
            if rouge_type == "rougeL":
                result[rouge_type] = _score_lcs(reference.tokens, prediction.tokens)
            elif rouge_type == "rougeLsum":
                result[rouge_type] = _score_summary_lcs(reference.sentences, prediction.sentences)
            else:
                result[rouge_type] = _score_ngrams(reference.tokens, prediction.tokens, int(rouge_type[5:]))
        return result

    def _score_document(self, prediction: str, references: list[str]) -> dict[str, Score]:
        predicted = _Tokenized(prediction, self.tokenizer, self.sentence_splitter)
        per_reference = [
            self._score_pair(_Tokenized(reference, self.tokenizer, self.sentence_splitter), predicted)
            for reference in references
        ]
        return {
            rouge_type: max((scores[rouge_type] for scores in per_reference), key=lambda score: score.f1)
            for rouge_type in self.rouge_types
        }

    def score(self, prediction: str, references: str | Sequence[str]) -> dict[str, Score]:
        """Score one prediction against one or several references (best reference per type).

        Only :meth:`corpus_score` warns about Lsum without newlines: one short summary often is one line.
        """
        if not isinstance(prediction, str):
            raise InputError(f"prediction must be a string, got {type(prediction).__name__}")
        reference_list = as_references(references, None)
        self._warn_if_chinese([prediction, *reference_list])
        return self._score_document(prediction, reference_list)

    def corpus_score(
        self, predictions: Sequence[str], references: Sequence[str | Sequence[str]]
    ) -> RougeResult:
        """Mean document scores over a corpus; ``references[i]`` holds item i's reference(s)."""
        reference_lists = check_corpus(predictions, references)
        notes = self._warn_if_chinese([*predictions, *(r for refs in reference_lists for r in refs)])
        if "rougeLsum" in self.rouge_types and self.sentence_splitter is lines_as_sentences:
            warn_if_no_newlines(predictions, reference_lists, stacklevel=2)
        documents = [self._score_document(p, refs) for p, refs in zip(predictions, reference_lists, strict=True)]
        signature = self.signature(count_references(reference_lists))
        return RougeResult(self._aggregate(documents), signature, documents, notes)

    def _aggregate(self, documents: list[dict[str, Score]]) -> dict[str, CorpusScore]:
        import numpy as np

        fields = ("precision", "recall", "f1")
        samples = None
        if self.n_bootstrap:
            rng = np.random.default_rng(self.seed)
            samples = rng.integers(0, len(documents), size=(self.n_bootstrap, len(documents)))
        low_q, high_q = 50 * (1 - self.confidence), 50 * (1 + self.confidence)
        result = {}
        for rouge_type in self.rouge_types:
            values = np.array([[getattr(doc[rouge_type], name) for name in fields] for doc in documents])
            means = values.mean(axis=0)
            ci = None
            if samples is not None:
                resampled = values[samples].mean(axis=1)
                low, high = np.percentile(resampled, [low_q, high_q], axis=0)
                ci = {name: (float(low[k]), float(high[k])) for k, name in enumerate(fields)}
            result[rouge_type] = CorpusScore(float(means[0]), float(means[1]), float(means[2]), ci)
        return result
