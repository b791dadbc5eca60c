"""`summarize serve --replicas 2`: the real command on a local Ray runtime it starts (and stops on Ctrl-C),
over tiny models; requests through Ray Serve's proxy are answered by both replicas, with the guards of
`summarize serve` (default bind 127.0.0.1, Host check, body limit, API key)."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
import yaml
from conftest import tiny_overrides

from summarize import Service, load_settings
from summarize.cli import main
from summarize.config import ConfigError
from summarize.store import ModelStore
from summarize.web.choices import choice_settings
from summarize.web.replicas import REPLICA_HEADER

API_KEY = "s3cret"
KEYED = {"X-API-Key": API_KEY}
MAX_REQUEST_BYTES = 20_000
MAX_FAILED_AUTH = 3
ROUND = 8
"""Requests sent at once: Ray's router may send requests made one after another all to one replica
(a CI run saw 40 of 40 go to one), so they go in parallel rounds until both replicas have answered."""
MAX_REQUESTS = 400
STARTUP_LIMIT_S = 600
"""A guard against a hung start (Ray on a loaded 2-core machine is slow), not a measurement."""
READY = "serving the API on "
ARTICLE = (
    "The city opened its second tram line on Monday morning. The line runs from the central station to the harbour. "
    "Officials said the project cost less than planned. Riders on the first trams praised the quiet carriages. "
    "A third line is planned for the northern districts."
)


def _nested(dotted: dict[str, Any]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for key, value in dotted.items():
        *parents, leaf = key.split(".")
        node = tree
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return tree


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Replicas:
    url: str
    process: subprocess.Popen[str]
    settings_overrides: dict[str, Any]
    lines: list[str]


def _read_lines(stream: Any, into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


@contextlib.contextmanager
def running_replicas(
    overrides: dict[str, Any], folder: Path, environment: dict[str, str], replicas: int = 2
) -> Iterator[Replicas]:
    """`summarize serve --replicas N` in a subprocess with `environment`, until it says where it serves;
    stopped with SIGINT (killed if it does not stop) when the block ends."""
    config = folder / "settings.yaml"
    config.write_text(yaml.safe_dump(_nested(overrides)), encoding="utf-8")
    port = _free_port()
    command = [
        sys.executable, "-m", "summarize", "serve", "--replicas", str(replicas), "--port", str(port), "--config", str(config)
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment, start_new_session=True
    )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        while not any(line.startswith(READY) for line in seen):
            line = lines.get(timeout=STARTUP_LIMIT_S)
            if line is None:
                raise AssertionError(f"summarize serve --replicas {replicas} exited before serving:\n{''.join(seen)[-3000:]}")
            seen.append(line)
        yield Replicas(f"http://127.0.0.1:{port}", process, overrides, seen)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def replica_overrides(tiny_models: dict[str, Path]) -> dict[str, Any]:
    """Tiny models, strict seq2seq summaries, an API key, a small body limit and few failed keys per hour."""
    return tiny_overrides(
        tiny_models,
        **{
            "server.api_key": API_KEY,
            "server.max_request_bytes": MAX_REQUEST_BYTES,
            "server.max_failed_auth": MAX_FAILED_AUTH,
            "server.failed_auth_window_seconds": 3600,
            "summarize.engine": "seq2seq",
        },
    )


@pytest.fixture(scope="module")
def replicas(tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    """`summarize serve --replicas 2` in a subprocess (its own local Ray runtime), stopped with SIGINT."""
    pytest.importorskip("ray.serve")
    environment = {name: value for name, value in os.environ.items() if name != "RAY_ADDRESS"}
    # As behind a reverse proxy on this machine: X-Forwarded-For from 127.0.0.1 names the client.
    overrides = {**replica_overrides(tiny_models), "server.trusted_proxies": ["127.0.0.1"]}
    with running_replicas(overrides, tmp_path_factory.mktemp("replicas"), environment) as running:
        yield running


def _summarize(url: str, text: str = ARTICLE) -> httpx.Response:
    body = {"text": text, "model": "extractive"}
    return httpx.post(f"{url}/v1/summarize", json=body, headers=KEYED, timeout=120)


def summaries_from_both_replicas(url: str) -> list[httpx.Response]:
    """Extractive summaries of ARTICLE, asked in parallel rounds until both replicas have answered one
    (at most MAX_REQUESTS)."""
    responses: list[httpx.Response] = []
    with ThreadPoolExecutor(max_workers=4) as pool:
        while len(responses) < MAX_REQUESTS and len({r.headers.get(REPLICA_HEADER) for r in responses} - {None}) < 2:
            responses += pool.map(lambda _: _summarize(url), range(ROUND))
    return responses


def test_the_command_says_where_it_serves(replicas: Replicas) -> None:
    ready = [line for line in replicas.lines if line.startswith(READY)]
    assert ready == [f"serving the API on {replicas.url} with 2 replicas (Ray Serve); Ctrl-C stops\n"]


def test_requests_are_answered_by_both_replicas_with_the_service_result(replicas: Replicas) -> None:
    settings = load_settings(overrides=replicas.settings_overrides, environ={})
    expected = Service(choice_settings(settings, "extractive"), store=ModelStore()).summarize(ARTICLE).text
    responses = summaries_from_both_replicas(replicas.url)
    assert [response.status_code for response in responses] == [200] * len(responses)
    assert len({response.headers[REPLICA_HEADER] for response in responses}) == 2
    assert {response.json()["text"] for response in responses} == {expected}


def test_a_replica_translates_with_the_configured_seq2seq_model(replicas: Replicas) -> None:
    settings = load_settings(overrides=replicas.settings_overrides, environ={})
    expected = Service(settings, store=ModelStore()).translate(ARTICLE, "zh")
    response = httpx.post(
        f"{replicas.url}/v1/translate", json={"text": ARTICLE, "target_lang": "zh"}, headers=KEYED, timeout=300
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["text"], body["engine"], body["model"]) == (expected.text, "seq2seq", "marian-en-zh")


def test_the_proxy_binds_127_0_0_1_by_default(replicas: Replicas) -> None:
    port = int(replicas.url.rsplit(":", 1)[1])
    assert httpx.get(f"{replicas.url}/healthz", timeout=30).status_code == 200
    with pytest.raises(ConnectionRefusedError):  # another loopback address: answered only when bound to 0.0.0.0
        socket.create_connection(("127.0.0.2", port), timeout=30).close()


@pytest.mark.parametrize(("path", "answer"), [("/-/healthz", "success"), ("/-/routes", {"/": "summarize"})])
def test_ray_serves_own_routes_answer_allowed_hosts_with_nothing_of_the_server(
    replicas: Replicas, path: str, answer: Any
) -> None:
    """Ray Serve's proxy answers these itself (no replica, no API key): all they hold is the app's name."""
    response = httpx.get(f"{replicas.url}{path}", timeout=30)
    assert response.status_code == 200
    assert (response.json() if isinstance(answer, dict) else response.text) == answer


@pytest.mark.parametrize("path", ["/-/healthz", "/-/routes", "/v1/models"])
def test_the_proxy_refuses_a_foreign_host_name_on_its_own_routes_too(replicas: Replicas, path: str) -> None:
    response = httpx.get(f"{replicas.url}{path}", headers={**KEYED, "Host": "attacker.example"}, timeout=30)
    message = "this server does not answer to the host name 'attacker.example'; add it to server.allowed_hosts if clients use it"
    assert (response.status_code, response.json()) == (400, {"error": {"type": "invalid_host", "message": message}})
    assert REPLICA_HEADER not in response.headers  # the proxy answered: no replica saw the request


def test_a_body_over_the_limit_is_refused(replicas: Replicas) -> None:
    response = _summarize(replicas.url, text="word " * MAX_REQUEST_BYTES)
    message = f"the request body is over the limit of {MAX_REQUEST_BYTES:,} bytes (server.max_request_bytes)"
    assert (response.status_code, response.json()) == (413, {"error": {"type": "request_too_large", "message": message}})


def test_the_api_key_is_required(replicas: Replicas) -> None:
    response = httpx.post(f"{replicas.url}/v1/summarize", json={"text": ARTICLE}, timeout=30)
    message = "this API needs a key: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'"
    assert (response.status_code, response.json()) == (401, {"error": {"type": "unauthorized", "message": message}})


def test_the_replicas_serve_no_web_demo(replicas: Replicas) -> None:
    response = httpx.get(f"{replicas.url}/", timeout=30)
    assert (response.status_code, response.json()) == (404, {"error": {"type": "not_found", "message": "Not Found"}})


def test_each_replica_counts_failed_keys_on_its_own(replicas: Replicas) -> None:
    """The documented limit: N replicas let a client try N x server.max_failed_auth wrong keys per window."""
    guesser = {"X-API-Key": "wrong", "X-Forwarded-For": "203.0.113.7"}  # a listed proxy (server.trusted_proxies) names it

    def guess(_: int) -> httpx.Response:
        return httpx.post(f"{replicas.url}/v1/summarize", json={"text": ARTICLE}, headers=guesser, timeout=30)

    answers: list[httpx.Response] = []
    with ThreadPoolExecutor(max_workers=4) as pool:  # in parallel, so that Ray spreads them over both replicas
        while len(answers) < MAX_REQUESTS and _refusals(answers) != [MAX_FAILED_AUTH, MAX_FAILED_AUTH]:
            answers += pool.map(guess, range(ROUND))
        answers += pool.map(guess, range(ROUND))  # and a round once both have refused their share
    assert _refusals(answers) == [MAX_FAILED_AUTH, MAX_FAILED_AUTH]
    limited = [answer for answer in answers if answer.status_code != 401]
    assert {(answer.status_code, answer.json()["error"]["type"]) for answer in limited} == {(429, "too_many_failed_attempts")}
    assert len(limited) == len(answers) - 2 * MAX_FAILED_AUTH >= ROUND
    assert _summarize(replicas.url).status_code == 200  # another client address is not limited


def _refusals(answers: list[httpx.Response]) -> list[int]:
    """How many 401s each replica gave (sorted)."""
    return sorted(Counter(answer.headers[REPLICA_HEADER] for answer in answers if answer.status_code == 401).values())


def test_ctrl_c_stops_the_server(replicas: Replicas) -> None:
    """Last in this module: the fixture's server is gone afterwards."""
    replicas.process.send_signal(signal.SIGINT)
    assert replicas.process.wait(timeout=120) == 130
    port = int(replicas.url.rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=30).close()


def test_without_ray_serve_the_command_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "ray.serve", None)  # as if ray[serve] were not installed
    assert main(["serve", "--replicas", "2"]) == 1
    message = "summarize: error: --replicas needs Ray Serve (ray.serve is missing): pip install 'bilingual-summarize[serve]'"
    assert capsys.readouterr().err.splitlines() == [message]


@pytest.mark.parametrize(("value", "problem"), [("0", "must be at least 1, not 0"), ("two", "expects a whole number, not 'two'")])
def test_replicas_must_be_a_positive_number(value: str, problem: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--replicas", value])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"summarize serve: error: argument --replicas: {problem}"


def test_port_0_is_refused_before_ray_starts(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("ray.serve")
    import ray

    assert main(["serve", "--replicas", "2", "--port", "0"]) == 1
    message = "summarize: error: --replicas needs a fixed port: Ray Serve cannot pick a free one (server.port 0); give --port"
    assert capsys.readouterr().err.splitlines() == [message]
    assert not ray.is_initialized()


@pytest.mark.parametrize("address", [None, "local"])
def test_a_busy_port_is_refused_before_ray_starts(
    address: str | None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Unset or ``local``, RAY_ADDRESS starts a local Ray runtime, whose proxy binds here: checked first."""
    pytest.importorskip("ray.serve")
    import ray

    if address is None:
        monkeypatch.delenv("RAY_ADDRESS", raising=False)
    else:
        monkeypatch.setenv("RAY_ADDRESS", address)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["serve", "--replicas", "2", "--port", str(port)]) == 1
    message = f"summarize: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    assert capsys.readouterr().err.splitlines() == [message]
    assert not ray.is_initialized()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"server.replica_cpus": 0}, "setting 'server.replica_cpus' must be above 0, not 0.0"),
        ({"server.replica_gpus": -1}, "setting 'server.replica_gpus' must be 0 or more, not -1.0"),
    ],
)
def test_replica_resources_are_checked(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(overrides=overrides, environ={})
    assert str(error.value) == message


def test_more_replicas_than_the_cpus_hold_are_refused_in_one_line(tmp_path: Path) -> None:
    """Ray would start the replicas that fit and leave the others pending for ever, the ready line never coming:
    the command refuses at once, saying how many fit, and stops the Ray runtime it started."""
    pytest.importorskip("ray.serve")
    environment = {name: value for name, value in os.environ.items() if name != "RAY_ADDRESS"}
    command = [sys.executable, "-m", "summarize", "serve", "--replicas", "64", "--port", str(_free_port()),
               "--config", str(Path(__file__).resolve().parent.parent / "configs" / "offline.yaml")]
    done = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=STARTUP_LIMIT_S)
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode == 1, done.stderr[-2000:]
    assert re.fullmatch(
        r"summarize: error: --replicas 64 does not fit this Ray cluster: each replica takes 1 CPU \(server\.replica_cpus\) "
        r"and the cluster has (\d+) CPUs, so \1 fit; ask for at most \1, or lower the per-replica setting", last
    ), last


def _ray_processes_of(session: int) -> list[psutil.Process]:
    """Ray's processes (GCS, raylet, workers...) in the process session `session`."""
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        try:
            if os.getsid(process.pid) == session and process.pid != session and "ray" in " ".join(process.info["cmdline"] or []):
                found.append(process)
        except (ProcessLookupError, psutil.Error):
            continue
    return found


def test_sigterm_stops_the_replicas_and_leaves_no_ray_process(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    pytest.importorskip("ray.serve")
    environment = {name: value for name, value in os.environ.items() if name != "RAY_ADDRESS"}
    with running_replicas(replica_overrides(tiny_models), tmp_path, environment, replicas=1) as running:
        before = _ray_processes_of(running.process.pid)
        assert before, "the local Ray runtime's processes should be in the command's session"
        running.process.send_signal(signal.SIGTERM)
        assert running.process.wait(timeout=120) == 130
    gone, alive = psutil.wait_procs(before, timeout=60)
    assert [process.pid for process in alive] == []
