"""Joining Ray, for the Ray runners (``summarize batch --engine ray``, ``summarize serve --replicas N``).

``RAY_ADDRESS`` (or running under ``ray job submit``) connects to an existing cluster; otherwise a
local Ray runtime is started, and the caller stops it when done.
"""

from __future__ import annotations

import logging
import os
from typing import Any

FORWARDED_ENV = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HOME", "HF_HUB_CACHE", "HF_ENDPOINT")
"""Variables passed on to the Ray workers, so they find (and do not download) models as the driver does."""


def forwarded_env() -> dict[str, str]:
    """This process's values of :data:`FORWARDED_ENV`, for a Ray ``runtime_env``'s ``env_vars``."""
    return {name: os.environ[name] for name in FORWARDED_ENV if name in os.environ}


def connect(ray: Any, verbose: bool) -> bool:
    """Join the running Ray session, the cluster at $RAY_ADDRESS, or start a local one (True if started).

    Unless `verbose`, the workers' output is not streamed to this terminal (Ray
    still writes it to its session logs) and Ray's driver logs only errors.
    """
    if ray.is_initialized():
        return False
    options: dict[str, Any] = {} if verbose else {"logging_level": logging.ERROR, "log_to_driver": False}
    if not os.environ.get("RAY_ADDRESS"):
        options["include_dashboard"] = False
    ray.init(**options)
    return True
