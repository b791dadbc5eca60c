"""A job's progress: counts, a bar on a terminal or plain lines elsewhere, and the final line."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from .records import BatchCounts, OutputRecord


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Progress:
    """A job's counts and their display.

    On a terminal: a tqdm bar with documents per second and time left. Otherwise:
    a plain line every `interval` seconds. `quiet` shows neither. The final line
    (done, failed, skipped) is always written.
    """

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False, interval: float = 10.0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.interval = interval
        self.counts = BatchCounts()
        self.total: int | None = None
        self._bar: Any = None
        self._started = time.monotonic()
        self._last_line = self._started

    @property
    def wants_total(self) -> bool:
        """Whether a record count is worth its pass over the input (for the bar and the ETA)."""
        return not self.quiet

    def start(self, total: int | None) -> None:
        """Start the clock; `total` is the number of records left to process, if known."""
        self.total = total
        self._started = self._last_line = time.monotonic()
        if not self.quiet and self.stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="doc", desc="batch", file=self.stream, dynamic_ncols=True)

    def skip(self, count: int) -> None:
        """Count records found already done."""
        self.counts.skipped += count

    def add(self, records: Sequence[OutputRecord]) -> None:
        """Count records just written."""
        failed = sum(1 for record in records if record.failed)
        self.counts.failed += failed
        self.counts.done += len(records) - failed
        if self._bar is not None:
            self._bar.update(len(records))
            self._bar.set_postfix(failed=self.counts.failed, refresh=False)
            return
        now = time.monotonic()
        if not self.quiet and now - self._last_line >= self.interval:
            self._last_line = now
            print(self.status_line(now - self._started), file=self.stream, flush=True)

    def status_line(self, elapsed: float) -> str:
        """One plain progress line."""
        processed = self.counts.done + self.counts.failed
        rate = processed / elapsed if elapsed > 0 else 0.0
        line = f"batch: {processed:,}"
        if self.total is not None:
            line += f"/{self.total:,}"
        line += f" records ({self.counts.failed:,} failed), {rate:.1f} docs/s"
        if self.total is not None and rate > 0:
            line += f", about {_duration(max(self.total - processed, 0) / rate)} left"
        return line

    def finish(self, output: Path | str) -> str:
        """Close the bar and write (and return) the final line."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elapsed = time.monotonic() - self._started
        counts = self.counts
        line = (
            f"batch: {counts.done:,} done, {counts.failed:,} failed, {counts.skipped:,} skipped "
            f"(already in the output) in {_duration(elapsed)}; output: {output}"
        )
        print(line, file=self.stream, flush=True)
        return line
