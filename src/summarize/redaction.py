"""What clients of the web demo and HTTP API may see: model names and messages without server paths
(nor the user names and passwords that URLs such as ``llm.endpoint`` may hold).

The server log keeps the paths but not the credentials (:func:`hide_credentials`); the CLI and the
Python API, which run on the user's own machine, show both as they are.
"""

from __future__ import annotations

import re

_PATH = re.compile(
    r"(?<![\w:/~.-])"  # not inside a word, a URL or a relative path
    r"(?:~|\.{1,2})?(?:/[^\s'\"/()<>,;`]+)+/?"  # /a/b/c, ~/a/b, ./a/b
    r"|\b[A-Za-z]:\\(?:[^\s'\"\\()<>,;`]+\\)*[^\s'\"\\()<>,;`]*"  # C:\a\b
)

_URL_CREDENTIALS = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*://)[^\s/?#'\"<>]*@")
"""The ``user:password@`` of a URL, up to its last ``@`` (a password may hold one); kept: its scheme."""


def _last_part(match: re.Match[str]) -> str:
    parts = [part for part in re.split(r"[/\\]", match.group(0).rstrip("/\\")) if part and part not in ("~", ".", "..")]
    return parts[-1] if parts else ""


def hide_credentials(text: str) -> str:
    """`text` with each URL's ``user:password@`` removed (``http://svc:pw@10.0.0.7/v1`` -> ``http://10.0.0.7/v1``)."""
    return _URL_CREDENTIALS.sub(r"\1", text)


def hide_paths(text: str) -> str:
    """`text` with each absolute (or ``~``/``./``) file path replaced by its last part, e.g.
    ``model directory '/srv/models/bart'`` -> ``model directory 'bart'``, and each URL without its
    credentials (``http://svc:pw@10.0.0.7/v1`` -> ``http://10.0.0.7/v1``)."""
    return _PATH.sub(_last_part, hide_credentials(text))
