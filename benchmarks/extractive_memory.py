"""Peak memory (RSS) and time of one extractive summary at 1k / 10k / 50k sentences.

Each measurement runs in its own process: it builds the service from
``configs/offline.yaml`` (the embedded extractive engine), summarizes one short
article to warm up (imports, jieba's dictionary), records its RSS, then
summarizes one generated text of N sentences and records the peak RSS
(``ru_maxrss``) and the wall time of that call. Two kinds of text:

- ``zh-1char``: N one-character Chinese sentences ("好。"), the attack of the
  hardening issue (50,000 of them fit in ``limits.max_chars`` = 100,000);
- ``en``: N short English sentences from a small vocabulary, so that the
  sentences share terms (the case a sentence x sentence matrix is densest for);
- ``zh-topics``: N two-character Chinese sentences in topics of five (each topic
  its own three characters), so that the story finder finds a story every five
  sentences and searches again inside each (33,000 of them fit in 100,000
  characters).

``limits.max_chars`` is raised for the English sizes that exceed it. ``--length``
picks the summary's length (``long`` finds stories with a looser bar).

Usage::

    python benchmarks/extractive_memory.py --sizes 1000 10000 50000 [--length long]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from summarize.engines.base import LENGTH_SCALE, Length

ROOT = Path(__file__).resolve().parent.parent
WORDS = "council park river bridge money vote plan city water school road trains rain mayor repairs traffic".split()


def make_text(kind: str, count: int) -> str:
    """A text of `count` sentences of the given kind."""
    if kind == "zh-1char":
        characters = "好是的人我他们有来去大小上下"
        return "".join(characters[index % len(characters)] + "。" for index in range(count))
    if kind == "zh-topics":
        han = [chr(code) for code in range(0x4E00, 0x9FA5)]
        topic = [han[(3 * (index // 5) + offset) % len(han)] for index in range(count) for offset in range(3)]
        return "".join(topic[3 * index + index % 2] + topic[3 * index + 1 + index % 2] + "。" for index in range(count))
    rng = random.Random(count)
    sentences = (f"The {rng.choice(WORDS)} of the {rng.choice(WORDS)} was {rng.choice(WORDS)} and {rng.choice(WORDS)}." for _ in range(count))
    return " ".join(sentences)


def measure(kind: str, count: int, length: Length) -> dict[str, object]:
    """Run in the child: one warm-up summary, then one `length` summary of `count` sentences."""
    from summarize import Service
    from summarize.config import load_settings

    text = make_text(kind, count)
    settings = load_settings(ROOT / "configs" / "offline.yaml", {"limits.max_chars": max(100_000, len(text))})
    service = Service(settings)
    lang = "zh" if kind.startswith("zh") else "en"
    service.summarize(make_text(kind, 50) + ("河畔市议会周二通过计划。" if lang == "zh" else ""), source_lang=lang,
                      length=length)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = service.summarize(text, source_lang=lang, length=length)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "kind": kind,
        "sentences": count,
        "chars": len(text),
        "seconds": round(seconds, 2),
        "rss_before_mib": round(before / 1024, 1),
        "peak_rss_mib": round(peak / 1024, 1),
        "growth_mib": round((peak - before) / 1024, 1),
        "summary_chars": len(result.text),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--kinds", nargs="+", default=["zh-1char", "en", "zh-topics"])
    parser.add_argument("--length", choices=list(LENGTH_SCALE), default="medium")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]), args.length)))
        return
    print("| text | sentences | chars | seconds | RSS before (MiB) | peak RSS (MiB) | growth (MiB) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind in args.kinds:
        for count in args.sizes:
            output = subprocess.run(
                [sys.executable, __file__, "--child", kind, str(count), "--length", args.length],
                check=True, capture_output=True, text=True,
            ).stdout
            row = json.loads(output.strip().splitlines()[-1])
            print(
                f"| {row['kind']} | {row['sentences']:,} | {row['chars']:,} | {row['seconds']} | "
                f"{row['rss_before_mib']} | {row['peak_rss_mib']} | {row['growth_mib']} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
