"""quickmt's shape against opus-mt-en-zh's, each through the project's default path, same machine, same run.

Two random-weight models of the real sizes, built once into ``--work`` with tokenizers trained on
``../shared/evaldata`` text: quickmt-en-zh's (CTranslate2 Transformer, 12 encoder and 2 decoder layers,
d_model 768, 16 heads, FFN 4096, 32k SentencePiece pieces a side, in quickmt's folder layout, run by the
project's CTranslate2-native engine: int8 on CPU) and opus-mt-en-zh's (Marian, 6+6 layers, d_model 512,
vocabulary 65,001, run by the default transformers engine). Each translates the first ``--sentences``
FLORES-200 devtest English sentences with outputs forced to ``--new-tokens`` tokens (random weights
would stop anywhere), greedy and with 4 beams, in a fresh process (its peak resident memory is its own),
then scores its outputs for their confidence after generation as a transformers model's results are
(teacher-forced: ``Engine.score_outputs``), timed apart; quickmt's scores come with its generation
(``return_scores``), in its generation time.

Usage::

    python benchmarks/quickmt_speed.py                     # writes benchmarks/RESULTS-quickmt.md
    python benchmarks/quickmt_speed.py --sentences 50 --output -
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

SHAPES = ("quickmt-en-zh", "opus-mt-en-zh")
BEAMS = (1, 4)


def build(shape: str, folder: Path, data: Path) -> None:
    """Build the random-weight model of `shape` into `folder` (once)."""
    from speed import build_marian, training_corpus

    if (folder / "BUILT").is_file():
        return
    print(f"[build] {shape} into {folder} ...", file=sys.stderr, flush=True)
    if shape == "opus-mt-en-zh":
        build_marian(folder, data, "en", "zh")
    else:
        from tiny_models import build_quickmt_layout

        build_quickmt_layout(
            folder, training_corpus(data, "en"), training_corpus(data, "zh"),
            layers=(12, 2), d_model=768, heads=16, ffn=4096, vocab_size=32_000,
        )
    (folder / "BUILT").write_text("1")


def peak_mib() -> int:
    """This process's peak resident memory (VmHWM: ru_maxrss would carry the parent's over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def run_one(shape: str, folder: str, data: str, sentences: int, new_tokens: int, beams: int) -> dict[str, float]:
    """In a child process: load through the project's default path, translate, time it."""
    from speed import _flores

    from summarize.config import ModelSettings, RuntimeSettings
    from summarize.engines.loader import load_seq2seq

    texts = _flores(Path(data), "devtest", "en")[:sentences]
    model = load_seq2seq(ModelSettings(model=folder), "benchmark", RuntimeSettings(device="cpu", allow_download=False))
    settings = {"num_beams": beams, "min_new_tokens": new_tokens, "max_new_tokens": new_tokens}
    model.generate(texts[:4], "zh", settings)  # warm-up
    started = time.perf_counter()
    outputs = model.generate(texts, "zh", settings)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    model.score_outputs(texts, outputs, "zh")  # the confidence every translation result carries
    scoring = time.perf_counter() - started
    return {
        "engine": type(model).__name__,
        "seconds": round(seconds, 2),
        "sentences_per_s": round(len(texts) / seconds, 2),
        "scoring_s": round(scoring, 2),
        "peak_mib": peak_mib(),
        "outputs": len(outputs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default=str(Path.home() / ".cache" / "summarize-bench"))
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "evaldata"))
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--output", default=str(Path(__file__).with_name("RESULTS-quickmt.md")))
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = Path(args.work)
    if args.one:
        shape, folder, beams = args.one
        print(json.dumps(run_one(shape, folder, args.data_dir, args.sentences, args.new_tokens, int(beams))))
        return
    rows = {}
    for shape in SHAPES:
        build(shape, work / shape, Path(args.data_dir))
    for beams in BEAMS:
        for shape in SHAPES:
            command = [sys.executable, __file__, "--one", shape, str(work / shape), str(beams), "--data-dir", args.data_dir,
                       "--sentences", str(args.sentences), "--new-tokens", str(args.new_tokens)]
            rows[(shape, beams)] = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
            print(shape, beams, rows[(shape, beams)], file=sys.stderr, flush=True)
    lines = [
        "| beams | model shape (engine) | sentences/s | seconds | confidence scoring s (share of generation) | peak MiB |",
        "|---|---|---|---|---|---|",
    ]
    for beams in BEAMS:
        for shape in SHAPES:
            row = rows[(shape, beams)]
            share = row["scoring_s"] / row["seconds"]
            lines.append(
                f"| {beams} | {shape} ({row['engine']}) | {row['sentences_per_s']} | {row['seconds']} "
                f"| {row['scoring_s']} ({share:.0%}) | {row['peak_mib']} |"
            )
    for beams in BEAMS:
        ratio = rows[("quickmt-en-zh", beams)]["sentences_per_s"] / rows[("opus-mt-en-zh", beams)]["sentences_per_s"]
        lines.append(f"\nBeams {beams}: quickmt's shape translates {ratio:.2f}x the sentences per second of opus-mt's.")
    header = (
        f"Command: `python benchmarks/quickmt_speed.py --sentences {args.sentences} --new-tokens {args.new_tokens}`, "
        f"{time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, CPU only.\n\n"
    )
    text = header + "\n".join(lines) + "\n"
    if args.output == "-":
        print(text)
    else:
        Path(args.output).write_text("# quickmt vs opus-mt, real sizes, random weights\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    main()
