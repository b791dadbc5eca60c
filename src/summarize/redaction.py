"""What clients of the web demo and HTTP API may see: model names and messages without server paths.

The server log keeps the full detail; the CLI and the Python API, which run on the user's own
machine, show paths as they are.
"""

from __future__ import annotations

import re

_PATH = re.compile(
    r"(?<![\w:/~.-])"  # not inside a word, a URL or a relative path
    r"(?:~|\.{1,2})?(?:/[^\s'\"/()<>,;`]+)+/?"  # /a/b/c, ~/a/b, ./a/b
    r"|\b[A-Za-z]:\\(?:[^\s'\"\\()<>,;`]+\\)*[^\s'\"\\()<>,;`]*"  # C:\a\b
)


def _last_part(match: re.Match[str]) -> str:
    parts = [part for part in re.split(r"[/\\]", match.group(0).rstrip("/\\")) if part and part not in ("~", ".", "..")]
    return parts[-1] if parts else ""


def hide_paths(text: str) -> str:
    """`text` with each absolute (or ``~``/``./``) file path replaced by its last part, e.g.
    ``model directory '/srv/models/bart'`` -> ``model directory 'bart'``."""
    return _PATH.sub(_last_part, text)
