"""``summarize serve --replicas N``: the HTTP API as a Ray Serve deployment of N replicas (extra ``[serve]``).

Ray Serve's proxy listens on ``server.host:server.port`` (127.0.0.1:7860 by default) and spreads the
requests over N replicas, each a Ray actor (a process, on any node of the cluster) running the app of
:func:`summarize.web.server.create_app` without the web demo: the REST API under ``/v1``, ``/healthz`` and
the OpenAPI docs, with the same Host check, size limits, API key and failed-key limit. Each replica
loads its own models and has its own ``server.concurrency_limit`` / ``server.max_queue``; every
answer names its replica in the ``X-Summarize-Replica`` header. Ray Serve's proxy also answers its own
``/-/healthz`` and ``/-/routes``: :func:`proxy_middlewares` puts the same Host check in front of the
whole proxy (Ray Serve's HTTP proxy callback), and gives the proxy the plain server's timeout for request
heads (``server.header_timeout_seconds``), which Ray Serve does not have.

``RAY_ADDRESS`` joins an existing cluster (this package travels with the job; its dependencies and the
model folders must be on the nodes); otherwise a local Ray runtime is started and stopped with the
server. Ctrl-C removes the deployment, and Ray Serve with it unless another application uses it.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from ..config import Settings
from ..errors import InputError
from ..ray_cluster import (
    Joined,
    actor_runtime_env,
    connect,
    require_token_for_local_runtime,
    starts_local_runtime,
)

APP_NAME = "summarize"
"""The Ray Serve application's name (``serve status`` lists it)."""
DEPLOYMENT_NAME = "SummarizeAPI"
REPLICA_HEADER = "X-Summarize-Replica"
"""Response header naming the replica (Ray Serve's replica id) that answered."""
SERVE_LOGGER = "ray.serve"
"""Ray Serve's driver-side logger: kept to warnings (this module prints the one line that matters)."""
SERVE_EXTRA = "pip install 'bilingual-summarize[serve]'"
PROXY_CALLBACK_VARIABLE = "RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH"
"""Ray Serve's setting, read by each proxy when it starts: the function that gives the proxy's middlewares."""
PROXY_HOSTS_VARIABLE = "SUMMARIZE_PROXY_HOSTS"
"""The host names the proxy answers (a JSON list), for :func:`proxy_middlewares` in the proxy's process."""
FORWARDED_IPS_VARIABLE = "FORWARDED_ALLOW_IPS"
"""uvicorn's setting, read by the proxy's server: whose X-Forwarded-For it believes (empty: nobody's)."""
PROXY_HEADER_TIMEOUT_VARIABLE = "SUMMARIZE_PROXY_HEADER_TIMEOUT_SECONDS"
"""``server.header_timeout_seconds``, for :func:`proxy_middlewares` in the proxy's process."""

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


def ray_serve() -> tuple[Any, Any]:
    """The ``ray`` and ``ray.serve`` modules; a one-line :class:`InputError` naming the extra when missing."""
    require_token_for_local_runtime()
    try:
        ray = importlib.import_module("ray")
        serve = importlib.import_module("ray.serve")
    except ImportError as missing:
        raise InputError(f"--replicas needs Ray Serve ({missing.name} is missing): {SERVE_EXTRA}") from None
    return ray, serve


class ReplicaHeader:
    """ASGI middleware: add ``X-Summarize-Replica: <name>`` to every HTTP answer."""

    def __init__(self, app: ASGIApp, name: str) -> None:
        self.app = app
        self.header = (REPLICA_HEADER.lower().encode(), name.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def naming_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), self.header]}
            await send(message)

        await self.app(scope, receive, naming_send)


class ApiReplica:
    """One replica: Ray Serve builds its app (:func:`create_app` without the demo) when the actor starts."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def __serve_build_asgi_app__(self) -> ASGIApp:
        from ray import serve

        from .server import create_app

        app = create_app(self.settings, with_demo=False)
        app.add_middleware(ReplicaHeader, name=serve.get_replica_context().replica_id.unique_id)
        return app


def time_out_slow_heads(seconds: float) -> None:
    """In Ray Serve's proxy process: make its uvicorn server close a connection whose request head is not
    complete `seconds` after it opened or after the previous answer (the plain server's
    :func:`.framework.header_timeout_protocol`).

    Ray Serve 2.60 gives uvicorn only ``timeout_keep_alive`` (``HTTPOptions.keep_alive_timeout_s``, in
    ``ray/serve/_private/http_util.py``: ``start_asgi_http_server``), which uvicorn arms only once an answer
    is complete: a connection that never sends a full request head is held for ever. Ray builds that server
    with uvicorn's default ``http="auto"``, which uvicorn resolves, when the server starts, to the
    ``AutoHTTPProtocol`` of ``uvicorn.protocols.http.auto`` (``uvicorn.config.HTTP_PROTOCOLS``); Ray calls
    its proxy callback (:func:`proxy_middlewares`) before it starts that server (``ProxyActor.__init__``),
    so setting that name there makes the proxy use the protocol with the timeout (h11, as the plain server).
    """
    import uvicorn.protocols.http.auto

    from .framework import header_timeout_protocol

    uvicorn.protocols.http.auto.AutoHTTPProtocol = header_timeout_protocol(seconds)


def proxy_middlewares() -> list[Any]:
    """Ray Serve's HTTP proxy callback: the Host check (:class:`HostCheck`) around the whole proxy, and
    :func:`time_out_slow_heads`.

    Runs in the proxy's process, which :func:`start_replicas` gives :data:`PROXY_CALLBACK_VARIABLE`,
    :data:`PROXY_HOSTS_VARIABLE` and :data:`PROXY_HEADER_TIMEOUT_VARIABLE`, so that the proxy's own
    ``/-/healthz`` and ``/-/routes`` refuse a foreign host name too, and that a client that sends no
    complete request head is disconnected as by the plain server.
    """
    from starlette.middleware import Middleware

    from .guards import HostCheck

    time_out_slow_heads(float(os.environ[PROXY_HEADER_TIMEOUT_VARIABLE]))
    return [Middleware(HostCheck, allowed=tuple(json.loads(os.environ[PROXY_HOSTS_VARIABLE])))]


def _proxy_env(settings: Settings) -> dict[str, str]:
    from .guards import allowed_hosts

    return {
        PROXY_CALLBACK_VARIABLE: f"{__name__}:{proxy_middlewares.__name__}",
        PROXY_HOSTS_VARIABLE: json.dumps(allowed_hosts(settings.server)),
        PROXY_HEADER_TIMEOUT_VARIABLE: str(settings.server.header_timeout_seconds),
        # uvicorn's own forwarded-header trust in the proxy (127.0.0.1 by default): the listed proxies only.
        FORWARDED_IPS_VARIABLE: ",".join(settings.server.trusted_proxies),
    }


def _require_no_serve(serve: Any) -> None:
    """Refuse a cluster where Ray Serve already runs: its proxy would keep its own address and options."""
    running = serve.status()
    if running.proxies or running.applications:
        names = ", ".join(sorted(running.applications)) or "none"
        raise InputError(
            f"Ray Serve already runs on this Ray cluster (applications: {names}); --replicas starts its own, "
            "with its proxy on server.host:server.port: stop the other with `serve shutdown` or use another cluster"
        )


def _require_fixed_port(settings: Settings) -> None:
    if settings.server.port == 0:
        raise InputError("--replicas needs a fixed port: Ray Serve cannot pick a free one (server.port 0); give --port")


def _require_free_address(settings: Settings) -> None:
    """Refuse a busy ``server.host:server.port`` before a local Ray runtime starts (Ray's proxy would fail late)."""
    server = settings.server
    family = socket.AF_INET6 if ":" in server.host else socket.AF_INET
    try:
        with socket.create_server((server.host, server.port), family=family):
            pass
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise InputError(f"cannot listen on {server.host}:{server.port}: {reason}") from None


def _require_room(ray: Any, settings: Settings, replicas: int) -> None:
    """Refuse more replicas than the cluster's CPUs (and GPUs) can hold: Ray would start those that fit and
    leave the rest pending, and the command would never say it serves."""
    server = settings.server
    resources = ray.cluster_resources()
    cpus, gpus = resources.get("CPU", 0.0), resources.get("GPU", 0.0)
    fits = int(cpus // server.replica_cpus)
    needs = f"{server.replica_cpus:g} CPU (server.replica_cpus)"
    has = f"{cpus:g} CPUs"
    if server.replica_gpus > 0:
        fits = min(fits, int(gpus // server.replica_gpus))
        needs += f" and {server.replica_gpus:g} GPU (server.replica_gpus)"
        has += f" and {gpus:g} GPUs"
    if replicas > fits:
        raise InputError(
            f"--replicas {replicas} does not fit this Ray cluster: each replica takes {needs} and the cluster has "
            f"{has}, so {fits} fit; ask for at most {fits}, or lower the per-replica setting"
        )


def start_replicas(settings: Settings, replicas: int) -> str:
    """Start Ray Serve and deploy the API with `replicas` replicas on the connected Ray cluster; return the proxy's URL.

    Ray Serve's proxy binds ``server.host:server.port``, behind the Host check; it closes a connection
    that has sent no complete request head ``server.header_timeout_seconds`` after it opened or after its
    previous answer (:func:`time_out_slow_heads`; uvicorn's keep-alive timeout, Ray Serve's
    ``keep_alive_timeout_s``, is the same). Beyond
    ``concurrency_limit + max_queue`` requests a replica answers 503 busy itself; Ray queues at most
    ``server.max_queue`` more. A cluster where Serve already runs is refused; if Serve or the
    deployment fails to start, Serve is stopped again (a proxy that cannot bind is a one-line error).
    """
    ray, serve = ray_serve()
    server = settings.server
    _require_fixed_port(settings)
    _require_no_serve(serve)
    _require_room(ray, settings, replicas)
    deployment = serve.deployment(serve.ingress()(ApiReplica)).options(
        name=DEPLOYMENT_NAME,
        num_replicas=replicas,
        max_ongoing_requests=server.concurrency_limit + server.max_queue + 1,
        max_queued_requests=server.max_queue,
        ray_actor_options={
            "num_cpus": server.replica_cpus,
            "num_gpus": server.replica_gpus,
            "runtime_env": actor_runtime_env(ray),
        },
    )
    try:
        try:
            serve.start(
                http_options={  # keep_alive_timeout_s: uvicorn's timeout_keep_alive (90 s by default in Serve)
                    "host": server.host, "port": server.port, "keep_alive_timeout_s": server.header_timeout_seconds
                },
                controller_options={"runtime_env": {"env_vars": _proxy_env(settings)}},  # its proxies inherit them
            )
        except ray.exceptions.RayError as error:  # e.g. the port taken on a joined cluster's node
            reason = str(getattr(error, "cause", None) or error).splitlines()[0].rstrip(".")
            raise InputError(f"Ray Serve did not start on {server.host}:{server.port}: {reason}") from None
        serve.run(deployment.bind(settings), name=APP_NAME, route_prefix="/")
    except BaseException:  # Serve started (or half-started) here is stopped: a next run is not refused
        stop_replicas()
        raise
    host = f"[{server.host}]" if ":" in server.host else server.host
    return f"http://{host}:{server.port}"


def stop_replicas() -> None:
    """Remove the deployment, and stop Ray Serve (its proxy frees the port) unless another application uses it."""
    _, serve = ray_serve()
    serve.delete(APP_NAME)
    if not serve.status().applications:
        serve.shutdown()


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def stop_on_sigterm() -> None:
    """Make SIGTERM stop the command as Ctrl-C does, so that Ray Serve and a local Ray runtime are shut down
    (the default SIGTERM ends the process at once and leaves Ray's processes running)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)


def serve_replicas(settings: Settings, replicas: int) -> None:
    """Run the API on Ray Serve with `replicas` replicas until interrupted; then remove it (:func:`stop_replicas`),
    or stop the local Ray runtime when this call started one. A joined cluster keeps running."""
    ray, _ = ray_serve()
    _require_fixed_port(settings)
    if not ray.is_initialized() and starts_local_runtime():
        _require_free_address(settings)
    logging.getLogger(SERVE_LOGGER).setLevel(logging.WARNING)
    joined = connect(ray, verbose=False)
    stop_on_sigterm()  # after ray.init, which installs a handler of its own (sys.exit) that leaves processes behind
    try:
        url = start_replicas(settings, replicas)
        try:
            print(f"serving the API on {url} with {replicas} replicas (Ray Serve); Ctrl-C stops", file=sys.stderr, flush=True)
            while True:
                time.sleep(3600)
        finally:
            if joined is not Joined.LOCAL:  # a local runtime takes the replicas, Serve's proxy and controller with it
                stop_replicas()
    finally:
        if joined is not None:
            ray.shutdown()  # stops the local runtime; only disconnects from a joined cluster
