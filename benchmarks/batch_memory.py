"""Peak memory (RSS) of ``summarize batch`` over 1,000 and 10,000 generated documents.

Each job runs as its own process (``python -m summarize batch ... --quiet``) on the
tiny test models (tests/tiny_models.py, seq2seq summaries forced to 4 tokens), so
what grows with the input would show: the input is streamed and the output appended
group by group, so the peak should not. Peak RSS is the child's ``ru_maxrss``
(os.wait4); the models and inputs are made by a helper process so that this
parent stays small (Linux counts a child's pre-exec memory, inherited from the
parent, in its ru_maxrss). For scale, the script also measures a process that only
loads the largest JSONL input into a list, which is what a non-streaming reader would hold.

Usage::

    python benchmarks/batch_memory.py --sizes 1000 10000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent

FORCED = {"num_beams": 1, "min_new_tokens": 4, "max_new_tokens": 4}


def build_config(folder: Path) -> Path:
    """Tiny models for every role; seq2seq summaries."""
    import yaml
    from tiny_models import build_tiny_bart, build_tiny_marian, build_tiny_mt5

    bart = build_tiny_bart(folder / "bart")
    mt5 = build_tiny_mt5(folder / "mt5")
    en_zh = build_tiny_marian(folder / "marian-en-zh", "en", "zh", (">>cmn_Hans<<",))
    zh_en = build_tiny_marian(folder / "marian-zh-en", "zh", "en")
    config = {
        "runtime": {"device": "cpu", "allow_download": False},
        "summarize": {
            "engine": "seq2seq",
            "models": {"en": {"model": str(bart), "generation": FORCED}, "zh": {"model": str(mt5), "generation": FORCED}},
        },
        "translate": {
            "models": {
                "en-zh": {"model": str(en_zh), "generation": FORCED},
                "zh-en": {"model": str(zh_en), "generation": FORCED},
            }
        },
    }
    path = folder / "tiny.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def write_input(path: Path, count: int, seed: int = 0) -> None:
    """`count` English articles of 8 to 16 sentences (about 1.5 KB), written one line at a time."""
    from tiny_models import ENGLISH_CORPUS

    from summarize import split_sentences

    sentences = [s for text in ENGLISH_CORPUS for s in split_sentences(text)]
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for index in range(count):
            text = " ".join(rng.choice(sentences) for _ in range(rng.randint(8, 16)))
            handle.write(json.dumps({"id": f"doc{index}", "text": text}) + "\n")


def peak_rss_mb(command: list[str]) -> tuple[float, float]:
    """Run `command`; return its peak RSS in MiB and its wall time in seconds."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed with status {status}")
    return usage.ru_maxrss / 1024, time.perf_counter() - started


def prepare(folder: Path, sizes: list[int]) -> None:
    """Build the tiny models and write the inputs (run in a helper process)."""
    sys.path.insert(0, str(ROOT / "tests"))
    build_config(folder / "models")
    for count in sizes:
        write_input(folder / f"in{count}.jsonl", count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--formats", nargs="+", default=["jsonl", "parquet"], choices=["jsonl", "parquet"])
    parser.add_argument("--prepare", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(Path(args.prepare), args.sizes)
        return

    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        sizes = [str(size) for size in args.sizes]
        subprocess.run([sys.executable, __file__, "--prepare", scratch, "--sizes", *sizes], check=True, capture_output=True)
        config = folder / "models" / "tiny.yaml"
        for count in args.sizes:
            source = folder / f"in{count}.jsonl"
            for kind in args.formats:
                out = folder / f"out{count}.{kind}"
                command = [sys.executable, "-m", "summarize", "batch", "--input", str(source), "--output", str(out)]
                command += ["--task", "summarize", "--to", "en", "--config", str(config), "--quiet"]
                peak, seconds = peak_rss_mb(command)
                rows.append((count, source.stat().st_size / 2**20, kind, peak, seconds, count / seconds))
                print(f"{count} docs -> {kind}: peak RSS {peak:.0f} MiB, {seconds:.0f}s", flush=True)
        largest = folder / f"in{max(args.sizes)}.jsonl"
        loader = f"import json; rows = [json.loads(line) for line in open({str(largest)!r}, encoding='utf-8')]"
        whole, _ = peak_rss_mb([sys.executable, "-c", loader])
        empty, _ = peak_rss_mb([sys.executable, "-c", "pass"])

    print()
    print("| documents | input (MiB) | output | peak RSS (MiB) | wall (s) | docs/s |")
    print("| ---: | ---: | --- | ---: | ---: | ---: |")
    for count, size, kind, peak, seconds, rate in rows:
        print(f"| {count:,} | {size:.1f} | {kind} | {peak:.0f} | {seconds:.0f} | {rate:.0f} |")
    print()
    print(
        f"For scale: a bare Python process peaks at {empty:.0f} MiB; one that only loads the "
        f"{max(args.sizes):,}-document input into a list peaks at {whole:.0f} MiB (+{whole - empty:.0f} MiB). "
        f"Load average {os.getloadavg()[0]:.1f} at the end."
    )


if __name__ == "__main__":
    main()
