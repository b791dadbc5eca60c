"""How long the main command takes offline with the default config, against configs/offline.yaml.

Each case runs ``python -m summarize summarize examples/article_en.txt`` in a fresh process,
interleaved with the others, and times it from start to exit (wall clock). The Hugging Face cache
is an empty temporary folder (a fresh machine); the project's cache folder (where an unreachable
Hub is remembered) is another temporary folder. Cases:

- ``offline.yaml``: ``--config configs/offline.yaml`` (never looks for a model);
- ``default, HF_HUB_OFFLINE=1``: the default config, told it is offline;
- ``default, Hub unreachable, remembered``: the default config on a machine without network, after
  an earlier call remembered the unreachable Hub (every call within 10 minutes of a probe);
- ``default, Hub unreachable, first call``: the memory removed before each run: one TCP probe.

Run from the repository root: ``python benchmarks/offline_start.py --repeats 7``; it prints a
markdown table of medians. Without network access the probe fails as it does offline; with it,
pass ``--endpoint http://127.0.0.1:9`` (a closed port) to stand in for an unreachable Hub.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "examples" / "article_en.txt"
MEMORY_FILE = "hub-unreachable"


def timed_run(extra: list[str], env: dict[str, str]) -> float:
    command = [sys.executable, "-m", "summarize", "summarize", str(ARTICLE), *extra]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode != 0 or not done.stdout.startswith("The city council"):
        raise SystemExit(f"{command} failed: {done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--endpoint", help="HF_ENDPOINT to probe (default: the real Hub)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as hf_home, tempfile.TemporaryDirectory() as cache:
        base = {key: value for key, value in os.environ.items() if key not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
        base.update(HF_HOME=hf_home, SUMMARIZE_RUNTIME__CACHE_DIR=cache, PYTHONPATH=str(ROOT / "src"))
        if args.endpoint:
            base["HF_ENDPOINT"] = args.endpoint
        memory = Path(cache) / MEMORY_FILE
        cases = {
            "offline.yaml": (["--config", "configs/offline.yaml"], base, False),
            "default, HF_HUB_OFFLINE=1": ([], {**base, "HF_HUB_OFFLINE": "1"}, False),
            "default, Hub unreachable, remembered": ([], base, False),
            "default, Hub unreachable, first call": ([], base, True),
        }
        timed_run([], base)  # warm the disk cache and write the memory once
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.repeats):
            for name, (extra, env, forget) in cases.items():
                if forget:
                    memory.unlink(missing_ok=True)
                times[name].append(timed_run(extra, env))
    baseline = statistics.median(times["offline.yaml"])
    print("| case | median s | min s | max s | median - offline.yaml s |\n| --- | --- | --- | --- | --- |")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.2f} | {min(values):.2f} | {max(values):.2f} | {median - baseline:+.2f} |")


if __name__ == "__main__":
    main()
