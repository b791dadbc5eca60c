"""One job per output: an exclusive lock held for the job's whole life.

The lock is ``flock`` on ``<output>.lock``, which holds the job's process id.
The kernel releases it when the process ends in any way (SIGKILL included), so
a killed job never leaves a stale lock; the file itself is removed when a job
ends normally. A second job on the same output stops at once with one line.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputError

LOCK_SUFFIX = ".lock"


def _holder(descriptor: int) -> str:
    """" (pid N)" from a lock file's content, or "" when it holds no process id yet."""
    content = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
    return f" (pid {content})" if content.isdigit() else ""


class OutputLock:
    """The exclusive lock of the job writing `output`."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.path = Path(f"{output}{LOCK_SUFFIX}")
        self._descriptor: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`InputError` when another job holds it.

        :class:`OSError` from creating the lock file (a folder that cannot be
        written) is left to the caller, which words it as an unwritable output.
        """
        import fcntl  # POSIX only; imported here so that importing the package works everywhere

        while True:
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(descriptor)
                os.close(descriptor)
                raise InputError(
                    f"output {self.output} is being written by another batch job{holder}; "
                    f"wait for it to end, or choose another --output"
                ) from None
            # The job that held the lock may have removed the file meanwhile: then lock the new one.
            try:
                current = os.stat(self.path).st_ino == os.fstat(descriptor).st_ino
            except FileNotFoundError:
                current = False
            if current:
                break
            os.close(descriptor)
        try:
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError:
            os.close(descriptor)
            raise
        self._descriptor = descriptor

    def release(self) -> None:
        """Remove the lock file, then let go of the lock (removing it first keeps the next job's check exact)."""
        if self._descriptor is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._descriptor)
            self._descriptor = None
