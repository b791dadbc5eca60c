"""How well the quality checks (src/summarize/quality.py) find the outputs a person should read.

Translations: every WMT22 en->zh and zh->en system output, segment by segment, from ../shared/evaldata:
the quality score against the segment's chrF to reference A (Spearman), and how many of the worst 10%
of segments by chrF carry at least one flag (recall) against how many of all segments do (the base
rate), per flag too. Summaries: SummEval's annotated CNN/DM summaries (12 systems, 100 articles): the score against the
experts' mean consistency (Spearman), and the precision and recall of the unsupported-content flags
(number, name, sentence) for the summaries the experts scored lowest (mean consistency under 3).
The checks have no parameter fitted to this data; the segments are still split in two halves (even and
odd positions), and the report gives both, so that a later tuning can use one and report the other.

Usage::

    python eval/quality_check.py                     # writes eval/results/quality/<date>/report.md and .json
    python eval/quality_check.py --data-dir DIR --output -
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from summarize.quality import summary_quality, translation_quality  # noqa: E402

PAIRS = {"en-zh": ("en", "zh"), "zh-en": ("zh", "en")}
UNSUPPORTED = ("number_unsupported", "name_unsupported", "sentence_unsupported")
LOW_CONSISTENCY = 3.0


def _lines(path: Path) -> list[str]:
    """The lines of a line-aligned file (a final line break ends the last line, it adds none)."""
    text = path.read_text(encoding="utf-8")
    return text.removesuffix("\n").split("\n")


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def spearman(x: list[float], y: list[float]) -> float:
    """Spearman's rank correlation (average ranks for ties)."""
    rx, ry = _ranks(x), _ranks(y)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return round(cov / var, 4) if var else 0.0


def translation_rows(data: Path, pair: str) -> list[dict]:
    import sacrebleu

    source_lang, target_lang = PAIRS[pair]
    txt = data / "wmt22-general-enzh" / "txt"
    sources = _lines(txt / "sources" / f"generaltest2022.{pair}.src.{source_lang}")
    references = _lines(txt / "references" / f"generaltest2022.{pair}.ref.A.{target_lang}")
    rows = []
    for hyp_file in sorted((txt / "system-outputs").glob(f"generaltest2022.{pair}.hyp.*.{target_lang}")):
        system = hyp_file.name.split(".hyp.")[1].rsplit(".", 1)[0]
        for index, (source, hypothesis, reference) in enumerate(zip(sources, _lines(hyp_file), references, strict=True)):
            if not source.strip() or not hypothesis.strip():
                continue
            quality = translation_quality(source, hypothesis, source_lang, target_lang)
            rows.append({
                "system": system, "index": index, "half": index % 2, "score": quality.score,
                "codes": [flag.code for flag in quality.flags],
                "chrf": sacrebleu.sentence_chrf(hypothesis, [reference]).score,
            })
    return rows


def summarize_translations(rows: list[dict]) -> dict:
    report = {}
    for half in (0, 1):
        part = [row for row in rows if row["half"] == half]
        cut = sorted(row["chrf"] for row in part)[len(part) // 10]
        worst = [row for row in part if row["chrf"] <= cut]
        flagged = [row for row in part if row["codes"]]
        per_flag = {}
        for code in sorted({code for row in part for code in row["codes"]}):
            having = [row for row in part if code in row["codes"]]
            per_flag[code] = {
                "segments": len(having),
                "in_worst_10pct": round(sum(row["chrf"] <= cut for row in having) / len(having), 4),
            }
        report[f"half {half}"] = {
            "segments": len(part),
            "spearman_score_chrf": spearman([row["score"] for row in part], [row["chrf"] for row in part]),
            "worst_10pct_flagged": round(sum(bool(row["codes"]) for row in worst) / len(worst), 4),
            "all_flagged": round(len(flagged) / len(part), 4),
            "flagged_in_worst_10pct": round(sum(row["chrf"] <= cut for row in flagged) / len(flagged), 4) if flagged else 0.0,
            "per_flag": per_flag,
        }
    return report


def summary_rows(data: Path) -> list[dict]:
    rows = []
    for path in sorted((data / "summeval-cnndm" / "model_output_annotations").glob("M*_outputs_annotations.jsonl")):
        for position, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            record = json.loads(line)
            consistency = statistics.fmean(a["consistency"] for a in record["expert_annotations"])
            quality = summary_quality(record["text"], record["decoded"], "en", "en", copies_sentences=False)
            rows.append({"system": path.name.split("_")[0], "half": position % 2, "score": quality.score,
                         "codes": [flag.code for flag in quality.flags], "consistency": consistency})
    return rows


def summarize_summaries(rows: list[dict]) -> dict:
    report = {}
    for half in (0, 1):
        part = [row for row in rows if row["half"] == half]
        low = [row for row in part if row["consistency"] < LOW_CONSISTENCY]
        flagged = [row for row in part if any(code in UNSUPPORTED for code in row["codes"])]
        hits = [row for row in flagged if row["consistency"] < LOW_CONSISTENCY]
        report[f"half {half}"] = {
            "summaries": len(part),
            "low_consistency": len(low),
            "spearman_score_consistency": spearman([row["score"] for row in part], [row["consistency"] for row in part]),
            "unsupported_flag_precision": round(len(hits) / len(flagged), 4) if flagged else 0.0,
            "unsupported_flag_recall": round(len(hits) / len(low), 4) if low else 0.0,
            "base_rate_low": round(len(low) / len(part), 4),
            "flags": dict(Counter(code for row in part for code in row["codes"])),
        }
    return report


def render(report: dict, command: str) -> str:
    lines = ["# Quality checks against human and reference judgments", "", f"Command: `{command}`, {report['date']}.", ""]
    for pair in PAIRS:
        lines += [f"## WMT22 {pair} (all systems, segment level, chrF against reference A)", "",
                  "| half | segments | Spearman(score, chrF) | worst 10% flagged | all flagged | flagged that are in the worst 10% |",
                  "|---|---|---|---|---|---|"]
        for half, row in report["translation"][pair].items():
            lines.append(f"| {half} | {row['segments']} | {row['spearman_score_chrf']} | {row['worst_10pct_flagged']} | "
                         f"{row['all_flagged']} | {row['flagged_in_worst_10pct']} |")
        lines += ["", "Per flag (half 1): " + ", ".join(
            f"{code} {value['segments']} segments, {value['in_worst_10pct']:.0%} in the worst 10%"
            for code, value in report["translation"][pair]["half 1"]["per_flag"].items()), ""]
    count = sum(row["summaries"] for row in report["summaries"].values())
    lines += [f"## SummEval ({count:,} summaries, experts' mean consistency)", "",
              "| half | summaries | low (< 3) | Spearman(score, consistency) | unsupported-flag precision | recall | base rate of low |",
              "|---|---|---|---|---|---|---|"]
    for half, row in report["summaries"].items():
        lines.append(f"| {half} | {row['summaries']} | {row['low_consistency']} | {row['spearman_score_consistency']} | "
                     f"{row['unsupported_flag_precision']} | {row['unsupported_flag_recall']} | {row['base_rate_low']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "evaldata"))
    parser.add_argument("--output", default=None, help="folder for report.md and report.json (- prints the report)")
    args = parser.parse_args()
    data = Path(args.data_dir)
    report = {
        "date": time.strftime("%Y-%m-%d"),
        "translation": {pair: summarize_translations(translation_rows(data, pair)) for pair in PAIRS},
        "summaries": summarize_summaries(summary_rows(data)),
    }
    text = render(report, "python eval/quality_check.py")
    if args.output == "-":
        print(text)
        return
    folder = Path(args.output or ROOT / "eval" / "results" / "quality" / report["date"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.md").write_text(text, encoding="utf-8")
    (folder / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
