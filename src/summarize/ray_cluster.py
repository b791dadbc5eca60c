"""Joining Ray, for the Ray runners (``summarize batch --engine ray``, ``summarize serve --replicas N``).

``RAY_ADDRESS`` (or running under ``ray job submit``) joins an existing cluster; otherwise a new
local Ray runtime is started, and the caller stops it when done. Either way this process's
``summarize`` package travels with the job (a Ray ``runtime_env`` ``py_modules`` entry), so the
workers run the driver's code, whatever version the cluster's nodes have installed (under
``ray job submit``, the job's own runtime environment is used instead).
"""

from __future__ import annotations

import enum
import logging
import os
import re
import secrets
import socket
import sys
from pathlib import Path
from typing import Any

from .errors import InputError

FORWARDED_ENV = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HOME", "HF_HUB_CACHE", "HF_ENDPOINT")
"""Variables passed on to the Ray workers, so they find (and do not download) models as the driver does."""
PACKAGE_EXCLUDES = ("__pycache__", "*.pyc")
"""Files of the package that do not travel to the workers."""
SUBMITTED_JOB_VARIABLE = "RAY_JOB_CONFIG_JSON_ENV_VAR"
"""Set by Ray in the driver of a job started with ``ray job submit`` (it holds the job's runtime_env)."""
REACH_TIMEOUT_S = 10.0
"""How long to wait for the cluster at ``RAY_ADDRESS`` to accept a connection (Ray itself waits minutes)."""
LOCAL_ADDRESSES = ("", "local")
"""``RAY_ADDRESS`` values (unset included) for which :func:`connect` starts a new local Ray runtime."""
ADDRESS = re.compile(r"(?:ray://)?\[?(?P<host>[^/\[\]]+?)\]?:(?P<port>\d+)")
"""A Ray address this module checks before joining: ``host:port`` or Ray Client's ``ray://host:port``."""


class Joined(enum.Enum):
    """What :func:`connect` did."""

    LOCAL = "started a local Ray runtime"
    CLUSTER = "joined the cluster at RAY_ADDRESS"


def forwarded_env() -> dict[str, str]:
    """This process's values of :data:`FORWARDED_ENV`, for a Ray ``runtime_env``'s ``env_vars``."""
    return {name: os.environ[name] for name in FORWARDED_ENV if name in os.environ}


def job_runtime_env() -> dict[str, Any] | None:
    """The ``runtime_env`` of the Ray job: this ``summarize`` package; None under ``ray job submit``,
    whose own runtime environment provides the package (and Ray refuses to merge one that sets the same fields)."""
    if SUBMITTED_JOB_VARIABLE in os.environ:
        return None
    return {"py_modules": [str(Path(__file__).resolve().parent)], "excludes": list(PACKAGE_EXCLUDES)}


def actor_runtime_env(ray: Any) -> dict[str, Any]:
    """The ``runtime_env`` for this job's actors: the job's (the uploaded package) plus :func:`forwarded_env`.

    Given explicitly because Ray Serve's replicas are started by its controller, which may not be
    this job's child, and would not inherit the job's ``py_modules`` otherwise.
    """
    job = dict(ray.get_runtime_context().runtime_env)
    return {**job, "env_vars": {**job.get("env_vars", {}), **forwarded_env()}}


START_HINT = "start it (`ray start --head`) or unset RAY_ADDRESS to use a local Ray runtime"
TOKEN_HINT = "set RAY_AUTH_MODE=token and give the cluster's token in RAY_AUTH_TOKEN (or ~/.ray/auth_token)"


def cluster_error(address: str, reason: str, hint: str = START_HINT) -> InputError:
    """The one-line error for a ``RAY_ADDRESS`` that cannot be joined."""
    return InputError(f"cannot join the Ray cluster at RAY_ADDRESS={address}: {reason}; {hint}")


def _join_error(ray: Any, address: str, error: ConnectionError) -> InputError:
    """The one-line error for what ``ray.init`` raised: a refused token, or Ray's first line.

    (Ray gives the failed connection's :class:`AuthenticationError` as the text of its cause.)
    """
    refused = ray.exceptions.AuthenticationError
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, refused) or refused.__name__ in str(cause):
            return cluster_error(address, "no token or a wrong one", TOKEN_HINT)
        cause = cause.__cause__
    return cluster_error(address, str(error).splitlines()[0].rstrip("."))


def check_address() -> None:
    """Refuse a ``RAY_ADDRESS`` that is not ``host:port``, ``ray://host:port``, ``auto`` or ``local``, or
    that accepts no connection within :data:`REACH_TIMEOUT_S` (``ray.init`` would retry for minutes).

    Cheap and without Ray: callers run it before any other work, so a bad address loses nothing.
    """
    address = os.environ.get("RAY_ADDRESS", "")
    if address in (*LOCAL_ADDRESSES, "auto"):
        return
    found = ADDRESS.fullmatch(address)
    if found is None:
        raise cluster_error(address, "give host:port, ray://host:port or auto")
    try:
        socket.create_connection((found["host"], int(found["port"])), timeout=REACH_TIMEOUT_S).close()
    except TimeoutError:
        raise cluster_error(address, f"no answer within {REACH_TIMEOUT_S:g} s") from None
    except socket.gaierror:
        raise cluster_error(address, f"unknown host {found['host']!r}") from None
    except OSError as error:
        raise cluster_error(address, os.strerror(error.errno) if error.errno else str(error)) from None


def starts_local_runtime() -> bool:
    """Whether :func:`connect` would start a new local Ray runtime (``RAY_ADDRESS`` unset or ``local``)."""
    return os.environ.get("RAY_ADDRESS", "") in LOCAL_ADDRESSES


def require_token_for_local_runtime() -> bool:
    """Before Ray is first imported: make the local runtime this process will start require a random token.

    Ray's local runtime listens on every network interface (its GCS, raylet and agent ports), and without
    authentication anyone who reaches them can run code here. Ray reads ``RAY_AUTH_MODE`` and
    ``RAY_AUTH_TOKEN`` when it is imported, and its processes (the workers, Serve's replicas) inherit them.
    Nothing is changed when ``RAY_ADDRESS`` names a cluster, when ``RAY_AUTH_MODE`` is set already, or when
    Ray was imported before; returns whether the token was set.
    """
    if not starts_local_runtime() or "ray" in sys.modules or "RAY_AUTH_MODE" in os.environ:
        return False
    os.environ["RAY_AUTH_MODE"] = "token"
    os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)
    return True


def connect(ray: Any, verbose: bool) -> Joined | None:
    """Join the cluster at $RAY_ADDRESS or start a local Ray runtime; None when Ray was already initialized.

    The job's ``runtime_env`` is :func:`job_runtime_env`. Unless `verbose`, the workers' output
    is not streamed to this terminal (Ray still writes it to its session logs) and Ray's driver
    logs only errors. An address that cannot be joined is a one-line :class:`InputError`.
    """
    if ray.is_initialized():
        return None
    options: dict[str, Any] = {} if verbose else {"logging_level": logging.ERROR, "log_to_driver": False}
    address = os.environ.get("RAY_ADDRESS", "")
    if starts_local_runtime():
        # "local": never join a cluster that `ray start` left on this machine
        ray.init(address="local", include_dashboard=False, runtime_env=job_runtime_env(), **options)
        return Joined.LOCAL
    check_address()
    try:
        ray.init(runtime_env=job_runtime_env(), **options)
    except ConnectionError as error:  # no token, a wrong one, or RAY_ADDRESS=auto with no cluster here
        raise _join_error(ray, address, error) from None
    return Joined.CLUSTER
