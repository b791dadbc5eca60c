"""Run systems over an evaluation set, save their outputs, score them, and write a report.

Run from the repository root, e.g.::

    python eval/run.py --dataset summeval --system lead-3 \\
        --system extractive=config:configs/offline.yaml --system published:M22 --baseline lead-3

Outputs go to ``eval/outputs/<dataset>/<label>.jsonl`` (git-ignored: they hold
dataset text); the report (``report.md``, ``scores.json``, ``chart.png``, scores
only) goes to ``eval/results/<dataset>/<date>_<name>/``. Differences from the
baselines carry paired bootstrap p-values; ``--rouge-impl both`` puts
rouge-score and the official ROUGE-1.5.5 side by side; ``--metric`` adds an
extra metric (COMET-22, COMET-QE, BERTScore, or one a feature registered).
Exit status: 0 done, 1 bad input or data (one-line message), 2 bad usage.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from summarize.errors import SummarizeError
from summarize.evaluation import (
    DATASETS,
    LSUM_SPLITTERS,
    ROUGE_IMPLS,
    ScoringSettings,
    build_report,
    load_dataset,
    metric_names,
    parse_system,
    render_markdown,
    resolve_data_dir,
    run_systems,
    save_outputs,
    tokenizer_names,
    write_report,
)

MAX_NAME = 80


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface; its help text is the documentation."""
    parser = argparse.ArgumentParser(
        prog="eval/run.py",
        description="Run systems over an evaluation set, score them and write a report.",
        epilog="System specs: lead-N | lead-match:LABEL | config:PATH | published:ID, optionally LABEL=spec.",
    )
    parser.add_argument("--dataset", required=True, choices=sorted(DATASETS), help="evaluation set")
    parser.add_argument("--system", action="append", required=True, help="a system spec; repeat for several")
    parser.add_argument("--baseline", help="label of the system the others are compared with")
    parser.add_argument(
        "--compare", action="append", default=[], metavar="SYSTEM:BASELINE", help="compare one pair; repeatable"
    )
    parser.add_argument(
        "--data-dir", help="evaluation data folder (default: $SUMMARIZE_EVALDATA, else shared/evaldata beside the repository)"
    )
    parser.add_argument("--limit", type=int, help="score only the first N examples")
    parser.add_argument("--length", choices=["short", "medium", "long"], default="medium", help="summary length")
    parser.add_argument("--tokenizer", choices=tokenizer_names(), help="ROUGE tokenizer (default: by language)")
    parser.add_argument("--stem", action="store_true", help="Porter-stem Latin-script tokens (ROUGE)")
    parser.add_argument(
        "--lsum-splitter",
        choices=list(LSUM_SPLITTERS),
        default="lines",
        help="ROUGE-Lsum sentences: lines (the standard convention) or summarize (the project's splitter)",
    )
    parser.add_argument(
        "--rouge-impl",
        choices=[*ROUGE_IMPLS, "both"],
        default="rouge-score",
        help="ROUGE implementation: rouge-score (default), perl (the official ROUGE-1.5.5 script), or both side by side",
    )
    parser.add_argument(
        "--metric",
        action="append",
        default=[],
        choices=metric_names(),
        help="an extra metric (neural ones need their package and weights; missing ones become a note); repeatable",
    )
    parser.add_argument("--bootstrap", type=int, default=0, metavar="N", help="95%% confidence intervals, N resamples")
    parser.add_argument(
        "--significance",
        type=int,
        default=1000,
        metavar="N",
        help="paired bootstrap resamples for the p-values of differences from the baselines (default 1000; 0: off)",
    )
    parser.add_argument("--results-dir", default="eval/results", help="where reports go (default: eval/results)")
    parser.add_argument("--outputs-dir", default="eval/outputs", help="where outputs go (default: eval/outputs)")
    parser.add_argument("--name", help="report folder name after the date (default: the system labels)")
    parser.add_argument("--note", action="append", default=[], help="a line for the report's notes; repeatable")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv`, run, score and report; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    pairs = [tuple(pair.split(":", 1)) for pair in args.compare]
    if any(len(pair) != 2 or not all(pair) for pair in pairs):
        parser.error("--compare takes SYSTEM:BASELINE")
    try:
        settings = ScoringSettings(
            tokenizer=args.tokenizer,
            stem=args.stem,
            lsum_splitter=args.lsum_splitter,
            n_bootstrap=args.bootstrap,
            rouge_impls=ROUGE_IMPLS if args.rouge_impl == "both" else (args.rouge_impl,),
            metrics=tuple(args.metric),
            significance=args.significance,
        )
        data_dir = resolve_data_dir(args.data_dir, report=print)
        dataset = load_dataset(args.dataset, data_dir, args.limit)
        systems = [parse_system(spec, length=args.length) for spec in args.system]
        runs = run_systems(dataset, systems, data_dir, progress=not args.no_progress)
        save_outputs(dataset, runs, Path(args.outputs_dir) / dataset.name)
        command = "python eval/run.py " + shlex.join(sys.argv[1:] if argv is None else argv)
        report = build_report(
            dataset, runs, settings, baseline=args.baseline, compare=pairs, notes=[f"command: `{command}`", *args.note]
        )
        name = args.name or "+".join(run.label for run in runs)[:MAX_NAME]
        paths = write_report(report, Path(args.results_dir) / dataset.name / f"{date.today().isoformat()}_{name}")
    except SummarizeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(render_markdown(report))
    print("wrote " + ", ".join(str(path) for path in paths.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
