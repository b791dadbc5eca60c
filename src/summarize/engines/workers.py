"""Decoding several batches at once on CPU, the cores split between them.

At batch sizes of a few dozen a CPU decoding step is many small torch operations,
and each waits for all of torch's threads; two batches decoded side by side with
half the threads each keep the cores busier (benchmarks/RESULTS-speed.md).
torch keeps its thread count per thread once set (OpenMP and MKL settings are
thread-local), so each worker sets its share when it starts and the process
setting is put back for every other thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def worker_layout(inter_threads: int, cpu_threads: int, device: str, cores: int) -> tuple[int, int]:
    """(batches decoded at once, threads of each) on `device`.

    0 means automatic: two workers on a CPU with two cores or more, and the
    `cores` split evenly between the workers; one worker on a GPU.
    """
    if device != "cpu":
        return inter_threads or 1, cpu_threads
    workers = inter_threads or min(2, cores)
    return workers, cpu_threads or max(1, cores // workers)


class BatchWorkers:
    """Threads that run one function over batches side by side, each with its own torch thread count
    (`threads_each`; 0 keeps the process setting)."""

    def __init__(self, workers: int, threads_each: int) -> None:
        self.workers = workers
        self.threads_each = threads_each
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def map(self, function: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
        """``[function(item) for item in items]``, in order; on the workers when there is more than one item."""
        if self.workers == 1 or len(items) < 2:
            return [function(item) for item in items]
        with self._lock:
            if self._pool is None:
                self._pool = self._start()
        return list(self._pool.map(function, items))

    def _start(self) -> ThreadPoolExecutor:
        import torch

        process_threads = torch.get_num_threads()
        started = threading.Barrier(self.workers + 1)

        def set_threads() -> None:
            torch.get_num_threads()  # torch's own per-thread setup first, so that it cannot undo ours
            if self.threads_each:
                torch.set_num_threads(self.threads_each)
            started.wait()

        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="summarize-batch", initializer=set_threads)
        for _ in range(self.workers):
            pool.submit(lambda: None)  # every worker starts now (each blocks in set_threads until all have)
        started.wait()
        torch.set_num_threads(process_threads)  # the process setting, for the caller and later threads
        return pool
