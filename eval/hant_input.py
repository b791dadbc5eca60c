"""Which Chinese script does the zh-en translation model read best? FLORES-200 zh->en, three ways.

Run from the repository root with the real models (they need the Hub or a local cache)::

    python eval/hant_input.py [--config configs/default.yaml] [--set KEY=VALUE] [--limit 200] [--json]

It translates the FLORES-200 devtest Chinese side into English three times and scores each run
with BLEU and chrF against ``eng_Latn``:

- ``simplified``: the ``zho_Hans`` sentences (the reference point);
- ``hant-as-written``: Traditional sentences given to the model as written (``translate.hant_input: traditional``);
- ``hant-converted``: the same Traditional sentences converted to Simplified first (``translate.hant_input: simplified``).

The Traditional sentences are FLORES-200's own ``zho_Hant`` file when the data folder has it;
otherwise they are made from ``zho_Hans`` with OpenCC ``s2twp`` (then said in the output: such
a set measures how the model reads OpenCC-Traditional text, not human Traditional writing, and
converting it back is close to lossless, which flatters ``hant-converted``). Put the better
setting in ``translate.hant_input``. Exit status: 0 scored, 1 bad input or missing model.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from summarize import Service, load_settings
from summarize.chinese_script import to_traditional
from summarize.cli import parse_overrides
from summarize.errors import SummarizeError
from summarize.evaluation import TranslationScorer, load_flores, read_lines
from summarize.evaluation.datasets import flores_file

RUNS = ("simplified", "hant-as-written", "hant-converted")


def flores_chinese(data_dir: str | None, split: str, limit: int | None) -> tuple[list[str], list[str], list[str], str]:
    """FLORES-200 ``zho_Hans``, Traditional and ``eng_Latn`` lines, and where the Traditional ones came from."""
    dataset = load_flores("zh-en", data_dir, limit, split)
    simplified = [example.source for example in dataset.examples]
    english = [example.references[0] for example in dataset.examples]
    human = flores_file("zho_Hant", split, data_dir)
    if human.is_file():
        return simplified, read_lines(human)[: len(simplified)], english, f"FLORES-200 zho_Hant.{split}"
    traditional = [to_traditional(line, "s2twp") for line in simplified]
    return simplified, traditional, english, f"zho_Hans.{split} converted with OpenCC s2twp (no zho_Hant file here)"


def measure(
    service_for: dict[str, Service], simplified: list[str], traditional: list[str], english: list[str]
) -> dict[str, dict[str, object]]:
    """BLEU and chrF of each run."""
    scorer = TranslationScorer([[line] for line in english], target_lang="en")
    inputs = {
        "simplified": (simplified, "zh"),
        "hant-as-written": (traditional, "zh-Hant"),
        "hant-converted": (traditional, "zh-Hant"),
    }
    scores = {}
    for run in RUNS:
        texts, source_lang = inputs[run]
        results = service_for[run].translate_batch(texts, "en", source_lang=source_lang)
        result = scorer.score([r.text for r in results])
        scores[run] = {"bleu": round(result.bleu, 2), "chrf": round(result.chrf, 2), "signature": result.signature}
    return scores


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eval/hant_input.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", help="YAML settings (default: the built-in defaults: the real models)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a setting")
    parser.add_argument("--data-dir", help="evaluation data (default: $SUMMARIZE_EVALDATA or ../shared/evaldata)")
    parser.add_argument("--split", choices=["dev", "devtest"], default="devtest")
    parser.add_argument("--limit", type=int, help="only the first N sentences")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    try:
        overrides = parse_overrides(args.set)
        simplified, traditional, english, origin = flores_chinese(args.data_dir, args.split, args.limit)
        base = load_settings(args.config, overrides)
        service_for = {}
        for run, hant_input in zip(RUNS, ("simplified", "traditional", "simplified")):
            service_for[run] = Service(load_settings(args.config, {**overrides, "translate.hant_input": hant_input}))
        scores = measure(service_for, simplified, traditional, english)
    except (SummarizeError, OSError) as error:
        print(f"eval/hant_input.py: error: {error}", file=sys.stderr)
        return 1
    report = {
        "model": base.translate.models["zh-en"].model,
        "sentences": len(english),
        "traditional_source": origin,
        "scores": scores,
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(f"model {report['model']}, {report['sentences']} sentences; Traditional side: {origin}")
        for run, score in scores.items():
            print(f"{run:<16} BLEU {score['bleu']:6.2f}  chrF {score['chrf']:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
