"""Seconds and peak memory of reading and rebuilding documents built to be costly, at doubling sizes.

Each format's shapes (tests/hostile_documents.py: backtick runs, unclosed links, nesting, unclosed
tags, one sentence over thousands of cues, Word files of many paragraphs...) are built at sizes that
double up to the upload limit (``server.max_upload_bytes``, 5 MB; a Word file's size is that of its
document XML, which zips to a few percent of it). Each measurement runs in a fresh interpreter, so
its peak resident memory is its own: it reads the file as the service does (``read_document``) and
rebuilds it with every segment as its own translation.

Usage::

    python benchmarks/document_scaling.py                # every shape; writes RESULTS-documents.md
    python benchmarks/document_scaling.py --max-bytes 640000 --output -   # a quick look, printed
    python benchmarks/document_scaling.py --shape "srt/cues in one sentence" --output -   # one shape, printed
    python benchmarks/document_scaling.py --shape "html/just under the upload limit" --max-chars 100000 --output -

``--max-chars`` reads as the service does with its text limit (``limits.max_chars``): a document whose
text is over it is refused as soon as the reader knows it, a refusal being a result too.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile_documents import SHAPES, as_bytes  # noqa: E402

SMALLEST = 78_125
"""The first size; doubling it six times gives 5,000,000."""
LINEAR_RATIO = 2.5
"""A curve is about linear when doubling the size at most multiplies the time by this."""


def measure(format_name: str, shape: str, size: int, max_chars: int | None = None) -> dict[str, float]:
    """Build one file, then read and rebuild it here; seconds of each and this process's peak memory."""
    from summarize.documents import read_document

    data = as_bytes(SHAPES[format_name][shape](size))
    limits = {"max_chars": max_chars} if max_chars else {}
    started = time.perf_counter()
    try:
        document = read_document(data, format_name, "benchmark", max_depth=512, **limits)
    except Exception as error:  # a refusal (e.g. nesting over the limit) is a result too
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {"bytes": len(data), "read_s": time.perf_counter() - started, "peak_mib": peak, "refused": str(error)[:80]}
    read = time.perf_counter() - started
    started = time.perf_counter()
    document.rebuild(list(document.segments))
    rebuilt = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"bytes": len(data), "read_s": read, "rebuild_s": rebuilt, "peak_mib": peak, "segments": len(document.segments)}


def measured(format_name: str, shape: str, size: int, max_chars: int | None = None) -> dict[str, float]:
    command = [sys.executable, __file__, "--one", format_name, shape, str(size), "--max-chars", str(max_chars or 0)]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def selected(names: list[str] | None) -> list[tuple[str, str]]:
    """The (format, shape) pairs named ``format/shape`` in `names`, or every one."""
    every = [(format_name, shape) for format_name, shapes in SHAPES.items() for shape in shapes]
    if not names:
        return every
    unknown = [name for name in names if tuple(name.split("/", 1)) not in every]
    if unknown:
        raise SystemExit(f"no such shape: {', '.join(unknown)}; the shapes are: {', '.join('/'.join(pair) for pair in every)}")
    return [tuple(name.split("/", 1)) for name in names]


def report(max_bytes: int, limit_seconds: float, shapes: list[tuple[str, str]], max_chars: int | None = None) -> str:
    sizes = []
    size = SMALLEST
    while size <= max_bytes:
        sizes.append(size)
        size *= 2
    lines = [
        "| format | shape | " + " | ".join(f"{size / 1e6:g} MB" for size in sizes) + " | worst doubling | peak MiB at the top |",
        "|---|---|" + "---|" * len(sizes) + "---|---|",
    ]
    slowest = 0.0
    for format_name, shape in shapes:
        rows = [measured(format_name, shape, size, max_chars) for size in sizes]
        totals = [row["read_s"] + row.get("rebuild_s", 0.0) for row in rows]
        slowest = max(slowest, *totals)
        ratios = [later / earlier for earlier, later in zip(totals, totals[1:], strict=False) if earlier >= 0.05]
        worst = f"{max(ratios):.2f}x" if ratios else "-"
        cells = [f"{total:.2f} s" + (" (refused)" if "refused" in row else "") for row, total in zip(rows, totals, strict=True)]
        peak = rows[-1].get("peak_mib")
        lines.append(f"| {format_name} | {shape} | " + " | ".join(cells) + f" | {worst} | {peak:.0f} |" if peak
                     else f"| {format_name} | {shape} | " + " | ".join(cells) + f" | {worst} | - |")
        print(lines[-1], file=sys.stderr, flush=True)
    lines.append("")
    lines.append(
        f"Slowest read + rebuild: {slowest:.1f} s (limits.document_seconds: {limit_seconds:g} s); "
        f"a curve is about linear when each doubling costs at most {LINEAR_RATIO}x (ratios over times under 0.05 s are left out)."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--one", nargs=3, metavar=("FORMAT", "SHAPE", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--max-bytes", type=int, default=5_000_000)
    parser.add_argument("--shape", action="append", metavar="FORMAT/SHAPE", help="only this shape (repeatable)")
    parser.add_argument("--max-chars", type=int, default=0, help="read with this text limit (limits.max_chars)")
    parser.add_argument("--output", help="where the table goes: RESULTS-documents.md, or - to print it (the default with --shape)")
    args = parser.parse_args()
    output = args.output or ("-" if args.shape else str(Path(__file__).with_name("RESULTS-documents.md")))
    if args.one:
        format_name, shape, size = args.one
        print(json.dumps(measure(format_name, shape, int(size), args.max_chars or None)))
        return
    from summarize.config import LimitSettings

    table = report(args.max_bytes, LimitSettings().document_seconds, selected(args.shape), args.max_chars or None)
    if output == "-":
        print(table)
    else:
        Path(output).write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
