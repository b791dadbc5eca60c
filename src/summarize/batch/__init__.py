"""File-to-file batch jobs: JSONL, CSV and Parquet in; JSONL or Parquet out; resumable.

A job is a pipeline of streaming steps, so memory stays flat however large the input:

1. :func:`read_records` reads the input files one record at a time (globs and
   several files allowed) and gives each record its id: the id field, or
   ``<file>:<line>`` when it has none.
2. :func:`plan_records` validates each text with :meth:`Service.check_text`, turns
   a repeated id into an error record, and skips the ids already in the output.
3. :func:`process_group` sends a group of records (``batch.group_size``) through one
   :meth:`Service.summarize_batch` / :meth:`Service.translate_batch` call, so the
   model sees segments of many documents sorted by length; when the group call
   fails it retries record by record, so one bad record cannot sink its neighbours.
4. The output writer appends each group as complete JSON lines with flush and
   fsync. On restart it cuts a torn last line, collects the ids already written
   and the job carries on: after a kill at any moment, rerunning the same command
   gives exactly one record per input id. Parquet output is journaled the same
   way in ``<output>.partial.jsonl`` and converted at the end (temp file, then rename).

:func:`run_batch` runs the whole job here and yields each record once it is on disk;
:mod:`summarize.batch.ray_runner` runs the same steps on a Ray cluster.

Modules, one concern each: ``records`` (the record types), ``readers``, ``planning``,
``processing``, ``outputs``, ``progress``, ``job`` (the local runner) and ``ray_runner``.
"""

from .job import run_batch
from .processing import process_records
from .progress import Progress
from .readers import count_records, read_records
from .records import TASKS, BatchCounts, InputRecord, OutputRecord, Task

__all__ = [
    "TASKS",
    "BatchCounts",
    "InputRecord",
    "OutputRecord",
    "Progress",
    "Task",
    "count_records",
    "process_records",
    "read_records",
    "run_batch",
]
