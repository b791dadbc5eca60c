"""`summarize serve --replicas 1` on the local Ray runtime it starts: Ray Serve's proxy lets no client hold a
connection open without sending a request (idle after an answer, idle from the start, or a request head that
trickles in), a body that trickles in gets the replica's 408, and that runtime's ports, its unauthenticated
metrics servers included, listen on 127.0.0.1.

Timing only bounds these tests from above with a wide margin: each waits for the server to close the
connection, and fails only if that has not happened long after server.header_timeout_seconds."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from test_server_replicas import API_KEY, Replicas, replica_overrides, running_replicas

from summarize.ray_cluster import LOOPBACK_VARIABLE

HEADER_TIMEOUT_S = 2
"""server.header_timeout_seconds for the server under test (Ray Serve's default keep-alive is 90 s)."""
BODY_TIMEOUT_S = 3
"""server.body_timeout_seconds for the server under test."""
MARGIN_S = 30.0
"""How much later than HEADER_TIMEOUT_S a close may come before a test fails (a loaded machine is slow)."""
REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
METRICS_PROCESSES = ("dashboard/dashboard.py", "autoscaler/_private/monitor.py", "ray::DashboardAgent")
"""Ray's processes that run a Prometheus metrics server (no authentication): the dashboard head's (run even
with include_dashboard=False), the autoscaler monitor's and the agent's metrics_export_port."""
SERVE_REPLICA = "ray::ServeReplica"
"""Title of a Serve replica's process, whose inter-deployment gRPC server Ray Serve binds to [::] (with the
runtime's token required): the one port that does not follow the node address."""


@pytest.fixture(scope="module")
def proxy(tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    """One replica behind Ray Serve's proxy, with a short header timeout; the command sets Ray's variables itself."""
    pytest.importorskip("ray.serve")
    ours = ("RAY_ADDRESS", "RAY_AUTH_MODE", "RAY_AUTH_TOKEN", LOOPBACK_VARIABLE)
    environment = {name: value for name, value in os.environ.items() if name not in ours}
    overrides = {
        **replica_overrides(tiny_models),
        "server.header_timeout_seconds": HEADER_TIMEOUT_S,
        "server.body_timeout_seconds": BODY_TIMEOUT_S,
    }
    with running_replicas(overrides, tmp_path_factory.mktemp("proxy"), environment, replicas=1) as running:
        yield running


def _connect(replicas: Replicas) -> socket.socket:
    port = int(replicas.url.rsplit(":", 1)[1])
    return socket.create_connection(("127.0.0.1", port), timeout=30)


def _read_answer(connection: socket.socket) -> bytes:
    """One HTTP answer with a Content-Length body (as /healthz has), read whole."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, f"the connection closed before a whole answer came: {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    while len(body) < length:
        chunk = connection.recv(65536)
        assert chunk, "the connection closed in the middle of an answer"
        body += chunk
    return head + b"\r\n\r\n" + body


def _seconds_until_closed(connection: socket.socket, trickle: bytes = b"") -> float:
    """Seconds until the server closes `connection` (failing after HEADER_TIMEOUT_S + MARGIN_S), sending
    `trickle` one byte every half second meanwhile; nothing may be answered."""
    start = time.monotonic()
    deadline = start + HEADER_TIMEOUT_S + MARGIN_S
    received = b""
    sent = 0
    while time.monotonic() < deadline:
        try:
            if sent < len(trickle):
                connection.sendall(trickle[sent:sent + 1])
                sent += 1
            connection.settimeout(0.5 if trickle else max(deadline - time.monotonic(), 0.01))
            chunk = connection.recv(65536)
        except TimeoutError:
            continue
        except (ConnectionResetError, BrokenPipeError):
            break
        if not chunk:
            break
        received += chunk
    else:
        raise AssertionError(f"the server kept the connection open {HEADER_TIMEOUT_S + MARGIN_S:g} s")
    assert received == b"", f"the server answered: {received[:200]!r}"
    return time.monotonic() - start


def test_an_idle_keep_alive_connection_is_closed_after_the_header_timeout(proxy: Replicas) -> None:
    with _connect(proxy) as connection:
        connection.sendall(REQUEST)
        assert _read_answer(connection).startswith(b"HTTP/1.1 200 ")
        waited = _seconds_until_closed(connection)
    assert waited > HEADER_TIMEOUT_S - 1  # kept alive meanwhile: not closed after each answer


def test_a_connection_kept_alive_serves_a_next_request_sent_in_time(proxy: Replicas) -> None:
    with _connect(proxy) as connection:
        connection.sendall(REQUEST)
        assert _read_answer(connection).startswith(b"HTTP/1.1 200 ")
        time.sleep(HEADER_TIMEOUT_S / 4)
        connection.sendall(REQUEST)
        assert _read_answer(connection).startswith(b"HTTP/1.1 200 ")


def test_a_connection_that_never_sends_a_request_is_closed(proxy: Replicas) -> None:
    """uvicorn's keep-alive timeout (Ray Serve's keep_alive_timeout_s) starts only after an answer: this is
    the proxy's header timeout (summarize.web.replicas.time_out_slow_heads)."""
    with _connect(proxy) as connection:
        _seconds_until_closed(connection)


def test_a_request_head_that_trickles_in_is_closed_unanswered(proxy: Replicas) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Slow: " + b"a" * 400
    with _connect(proxy) as connection:
        _seconds_until_closed(connection, trickle=head)


def test_a_request_body_that_trickles_in_gets_408_and_the_connection_closes(proxy: Replicas) -> None:
    """The proxy streams the body to the replica, whose body timeout (server.body_timeout_seconds) answers."""
    head = (
        f"POST /v1/summarize HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {API_KEY}\r\n"
        "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    )
    with _connect(proxy) as connection:
        connection.sendall(head.encode())
        start = time.monotonic()
        answer = b""
        while b"\r\n\r\n" not in answer:
            assert time.monotonic() - start < BODY_TIMEOUT_S + MARGIN_S, "no answer to a trickling body"
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # answered and closed meanwhile
                connection.sendall(b" ")
            connection.settimeout(0.5)
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                continue
            assert chunk, "the connection closed without an answer"
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert b"\r\nconnection: close\r\n" in answer.lower()


def _listening(process: psutil.Process) -> list[tuple[str, str, int]]:
    """(process title, address, port) of each TCP socket `process` listens on."""
    try:
        title = " ".join(process.cmdline())
        sockets = process.net_connections(kind="tcp")
    except psutil.NoSuchProcess:
        return []
    return [(title, found.laddr.ip, found.laddr.port) for found in sockets if found.status == psutil.CONN_LISTEN]


def _loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def test_the_local_runtime_and_its_metrics_servers_listen_on_127_0_0_1(proxy: Replicas) -> None:
    """Every port of the command's Ray processes is on loopback (Ray's node address is 127.0.0.1), the metrics
    servers' too, but for one per Serve replica (Ray Serve binds its gRPC server to [::], token required)."""
    session = proxy.process.pid  # the command leads its own process session; Ray's processes are in it
    processes = []
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) == session:
                processes.append(process)
        except (ProcessLookupError, PermissionError):
            continue
    listening = [entry for process in processes for entry in _listening(process)]
    for name in METRICS_PROCESSES:
        assert any(name in title for title, _, _ in listening), f"no process of {name} listens: {listening}"
    outside = [entry for entry in listening if not _loopback(entry[1])]
    assert all(title.startswith(SERVE_REPLICA) for title, _, _ in outside), outside
    assert len(outside) <= 1, outside  # one replica
    port = int(proxy.url.rsplit(":", 1)[1])
    assert [address for _, address, found in listening if found == port] == ["127.0.0.1"]  # server.host


def test_the_proxy_timeout_replaces_uvicorns_auto_protocol(monkeypatch: pytest.MonkeyPatch) -> None:
    """What time_out_slow_heads relies on: uvicorn resolves http="auto" (Ray Serve's choice) through the name
    it sets when the server starts."""
    pytest.importorskip("ray.serve")
    import uvicorn.protocols.http.auto
    from uvicorn.config import HTTP_PROTOCOLS
    from uvicorn.importer import import_from_string

    from summarize.web.replicas import time_out_slow_heads

    monkeypatch.setattr(uvicorn.protocols.http.auto, "AutoHTTPProtocol", uvicorn.protocols.http.auto.AutoHTTPProtocol)
    time_out_slow_heads(3.0)
    resolved = import_from_string(HTTP_PROTOCOLS["auto"])
    assert resolved.__name__ == "HeaderTimeoutProtocol"


def test_a_forwarded_address_is_not_believed_from_a_client_that_is_no_listed_proxy(proxy: Replicas) -> None:
    """Ray Serve's proxy believes X-Forwarded-For only from server.trusted_proxies (none here): rotating it
    does not escape the failed-key limit. Last in this module: it locks 127.0.0.1 out of the replica."""
    import httpx
    from test_server_replicas import MAX_FAILED_AUTH

    answers = [
        httpx.get(
            f"{proxy.url}/v1/models", headers={"X-API-Key": "guess", "X-Forwarded-For": f"198.51.100.{index}"}, timeout=60
        ).status_code
        for index in range(MAX_FAILED_AUTH + 2)
    ]
    assert answers == [401] * MAX_FAILED_AUTH + [429, 429]
