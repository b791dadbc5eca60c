"""Score summaries (ROUGE) or translations (BLEU, chrF) against references.

Run from the repository root, e.g.::

    python eval/score.py --task summarization --pred P --ref R [--ref R2] --lang zh --json
    python eval/score.py --task translation --hyp H --ref R [--ref R2] [--target-lang zh] --json
    python eval/score.py --task summarization --pred P --ref R --rouge-impl perl --stem
    python eval/score.py --task translation --hyp H --ref R --src S --metric comet

Inputs are line-aligned text files or JSONL files with ``id`` and ``text``
fields (matched by id when all are JSONL). Exit status: 0 scored, 1 bad input
(one-line message), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from dataclasses import replace

from summarize.errors import InputError, SummarizeError
from summarize.evaluation import (
    LSUM_SPLITTERS,
    ROUGE_IMPLS,
    AlignedItems,
    MetricInputs,
    TranslationScorer,
    build_metric,
    default_tokenizer,
    load_aligned,
    make_rouge,
    metric_names,
    read_texts,
    tokenizer_names,
)
from summarize.evaluation.chinese_scripts import (
    SCRIPT_CONVERSIONS,
    in_one_script,
    script_signature,
)
from summarize.evaluation.report import ROUGE_NAMES
from summarize.evaluation.term_accuracy import TermAccuracy
from summarize.glossary import Glossary


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface; its help text is the documentation."""
    parser = argparse.ArgumentParser(
        prog="eval/score.py",
        description="Score system outputs against references: ROUGE for summaries, BLEU/chrF for translations.",
    )
    parser.add_argument("--task", required=True, choices=["summarization", "translation"], help="what is scored")
    parser.add_argument("--pred", help="summaries to score (summarization): text file or JSONL")
    parser.add_argument("--hyp", help="translations to score (translation): text file or JSONL")
    parser.add_argument(
        "--ref", action="append", required=True, help="reference file; repeat for several references per item"
    )
    parser.add_argument("--lang", choices=["en", "zh"], default="en", help="summary language (summarization)")
    parser.add_argument(
        "--tokenizer",
        choices=tokenizer_names(),
        help="ROUGE tokenizer (default: en for --lang en, zh-char for --lang zh)",
    )
    parser.add_argument("--stem", action="store_true", help="Porter-stem Latin-script tokens (ROUGE)")
    parser.add_argument(
        "--lsum-splitter",
        choices=list(LSUM_SPLITTERS),
        default="lines",
        help="ROUGE-Lsum sentences: lines (the standard convention: one sentence per line; in JSONL, "
        "text may be a list of sentences) or summarize (the project's sentence splitter)",
    )
    parser.add_argument(
        "--target-lang",
        choices=["en", "zh"],
        help="translation target language (default: inferred from the references' script)",
    )
    parser.add_argument("--tokenize", help="sacrebleu BLEU tokenizer (default: zh for Chinese targets, else 13a)")
    parser.add_argument(
        "--bootstrap", type=int, default=0, metavar="N", help="add 95%% confidence intervals from N resamples"
    )
    parser.add_argument(
        "--rouge-impl",
        choices=list(ROUGE_IMPLS),
        default="rouge-score",
        help="ROUGE implementation: rouge-score (default) or perl (the official ROUGE-1.5.5 script, via Perl)",
    )
    parser.add_argument(
        "--metric",
        action="append",
        default=[],
        choices=metric_names(),
        help="also score with an extra metric (needs its package and weights); repeatable",
    )
    parser.add_argument("--src", help="source texts, aligned with the outputs (for COMET and --glossary)")
    parser.add_argument(
        "--glossary", metavar="PATH", help="also score term accuracy against this glossary (TSV/CSV; needs --src)"
    )
    parser.add_argument(
        "--chinese-script",
        choices=list(SCRIPT_CONVERSIONS),
        help="convert outputs and references into one Chinese script first (OpenCC), e.g. to score Simplified "
        "outputs against Traditional references (default: as written)",
    )
    parser.add_argument("--field", default="text", help="text field of JSONL inputs (default: text)")
    parser.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    return parser


def _check_usage(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.task == "summarization":
        if args.pred is None or args.hyp is not None:
            parser.error("--task summarization takes --pred (not --hyp)")
        if args.tokenize is not None or args.target_lang is not None:
            parser.error("--tokenize and --target-lang are for --task translation; use --lang/--tokenizer")
    else:
        if args.hyp is None or args.pred is not None:
            parser.error("--task translation takes --hyp (not --pred)")
        if args.tokenizer is not None or args.stem or args.lang != "en" or args.lsum_splitter != "lines":
            parser.error(
                "--lang, --tokenizer, --stem and --lsum-splitter are for --task summarization; "
                "use --target-lang/--tokenize"
            )
        if args.rouge_impl != "rouge-score":
            parser.error("--rouge-impl is for --task summarization")


def _score(args: argparse.Namespace) -> dict[str, object]:
    # First: a missing package, weights or a bad glossary fails fast.
    metrics = [(name, build_metric(name)) for name in args.metric]
    if args.glossary:
        metrics.append(("terms", TermAccuracy(Glossary.from_file(args.glossary))))
    if args.task == "summarization":
        written = load_aligned(args.pred, args.ref, field=args.field)
        items = _in_script(written, args.chinese_script)
        rouge = make_rouge(
            args.rouge_impl,
            args.tokenizer or default_tokenizer(args.lang),
            stem=args.stem,
            lsum_splitter=args.lsum_splitter,
            n_bootstrap=args.bootstrap,
        )
        scores = rouge.corpus_score(items.outputs, items.references).to_dict()
        target_lang = args.lang
    else:
        written = load_aligned(args.hyp, args.ref, field=args.field)
        items = _in_script(written, args.chinese_script)
        scorer = TranslationScorer(
            items.references, target_lang=args.target_lang, tokenize=args.tokenize, n_bootstrap=args.bootstrap
        )
        scores = scorer.score(items.outputs).to_dict()
        target_lang = scorer.target_lang
    if args.chinese_script:
        scores["signature"] = f"{scores['signature']}|{script_signature(args.chinese_script)}"
    if metrics:
        sources = read_texts(args.src, field=args.field) if args.src else []
        if args.src and len(sources) != len(items.outputs):
            raise InputError(f"{args.src} has {len(sources)} items but the outputs have {len(items.outputs)}")
        inputs = MetricInputs(sources, items.outputs, items.references, target_lang)
        for name, metric in metrics:
            # Term accuracy reads the outputs as the system wrote them, in the glossary's script.
            chosen = replace(inputs, outputs=written.outputs) if isinstance(metric, TermAccuracy) else inputs
            scores[name] = metric.score(chosen).to_dict()
    return scores


def _in_script(items: AlignedItems, script: str | None) -> AlignedItems:
    return in_one_script(items, script) if script else items


def _format(scores: dict[str, object]) -> str:
    lines = []
    for key, value in scores.items():
        if key in ROUGE_NAMES and isinstance(value, dict):
            line = f"{ROUGE_NAMES[key]:<11} P {value['precision']:.4f}  R {value['recall']:.4f}  F1 {value['f1']:.4f}"
            if "ci95" in value:
                low, high = value["ci95"]["f1"]
                line += f"  (F1 95% CI {low:.4f}-{high:.4f})"
            lines.append(line)
        elif isinstance(value, dict) and "value" in value:
            lines.append(f"{key:<11} {value['value']:.4f}  ({value['signature']})")
        elif key in ("bleu", "chrf"):
            line = f"{'BLEU' if key == 'bleu' else 'chrF2':<6} {value:.2f}"
            if f"{key}_ci95" in scores:
                low, high = scores[f"{key}_ci95"]  # type: ignore[misc]
                line += f"  (95% CI {low:.2f}-{high:.2f})"
            lines.append(line)
    lines.append(f"signature: {scores['signature']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv`, score, print; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_usage(parser, args)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scores = _score(args)
    except SummarizeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    print(json.dumps(scores, ensure_ascii=False) if args.json else _format(scores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
