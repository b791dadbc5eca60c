"""Joining Ray, for the Ray runners (``summarize batch --engine ray``, ``summarize serve --replicas N``).

``RAY_ADDRESS`` (or running under ``ray job submit``) joins an existing cluster; otherwise a new
local Ray runtime is started, and the caller stops it when done. Either way this process's
``summarize`` package travels with the job (a Ray ``runtime_env`` ``py_modules`` entry), so the
workers run the driver's code, whatever version the cluster's nodes have installed (under
``ray job submit``, the job's own runtime environment is used instead).
"""

from __future__ import annotations

import enum
import importlib
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
LOOPBACK_VARIABLE = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
"""Ray's switch (``ENABLE_RAY_CLUSTER`` in ``ray/_private/ray_constants.py``, read when that module is
imported, on every platform despite its name) that, at "0", makes a Ray runtime started by this process
take 127.0.0.1 as its node address (``services.get_node_ip_address``), as Ray does on macOS and Windows."""


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


def keep_local_runtime_on_loopback() -> bool:
    """Before Ray is first imported: make the local runtime this process will start listen on 127.0.0.1.

    By default Ray's local runtime takes the machine's network address as its node address, and its GCS,
    raylet, worker and agent ports and its three Prometheus metrics servers (the dashboard head's, the
    autoscaler monitor's and the agent's ``metrics_export_port``: no authentication) listen on every
    interface. With the node address 127.0.0.1 Ray binds each of them to it (the metrics servers:
    ``is_localhost`` in ``dashboard/head.py``, ``autoscaler/_private/monitor.py`` and
    ``dashboard/modules/reporter/reporter_agent.py``); Ray's processes are given that address when they
    start. Ray Serve's proxy still binds ``server.host``, and each Serve replica's gRPC server ``[::]``.

    Imports Ray's constants with :data:`LOOPBACK_VARIABLE` at "0", then takes the variable out of the
    environment again, so that no other program this process starts (a ``ray start``, a job joining a
    cluster) inherits it. The rest of this process's Ray then cannot join a cluster of other nodes.
    Nothing is done when ``RAY_ADDRESS`` names a cluster, when the variable is set, when Ray was
    imported before or is not installed; returns whether it was done.
    """
    if not starts_local_runtime() or "ray" in sys.modules or LOOPBACK_VARIABLE in os.environ:
        return False
    os.environ[LOOPBACK_VARIABLE] = "0"
    try:
        importlib.import_module("ray._private.ray_constants")
    except ImportError:
        return False
    finally:
        del os.environ[LOOPBACK_VARIABLE]
    return True


def require_token_for_local_runtime() -> bool:
    """Before Ray is first imported: make the local runtime this process will start require a random token,
    then listen on 127.0.0.1 (:func:`keep_local_runtime_on_loopback`, which imports Ray).

    Without authentication anyone who reaches the runtime's ports can run code here (other users of the
    machine reach 127.0.0.1 too). Ray reads ``RAY_AUTH_MODE`` and ``RAY_AUTH_TOKEN`` when it is imported,
    and its processes (the workers, Serve's replicas) inherit them. The token is not set when
    ``RAY_ADDRESS`` names a cluster, when ``RAY_AUTH_MODE`` is set already, or when Ray was imported
    before; returns whether the token was set.
    """
    token = starts_local_runtime() and "ray" not in sys.modules and "RAY_AUTH_MODE" not in os.environ
    if token:
        os.environ["RAY_AUTH_MODE"] = "token"
        os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)
    keep_local_runtime_on_loopback()
    return token


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
