"""`summarize serve --replicas 2` and `summarize batch --engine ray` joining a real Ray cluster (RAY_ADDRESS).

The module starts the cluster itself: `ray start --head --block` (4 logical CPUs, no dashboard, its own
temp dir and ports, token authentication), in its own process group, killed when the module ends.
The head node's Python path holds a stub `summarize` that refuses to be imported, as a node with another
version installed: the workers must run the package that the command ships with its job.
"""

from __future__ import annotations

import os
import queue
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml
from live_server import refusing_port
from test_batch import OFFLINE_CONFIG, batch_overrides, read_output
from test_batch_ray import _by_id, _inputs
from test_server_replicas import (
    ARTICLE,
    _free_port,
    _nested,
    _read_lines,
    replica_overrides,
    running_replicas,
    summaries_from_both_replicas,
)

from summarize import Service, load_settings
from summarize.batch import run_batch
from summarize.cli import main
from summarize.store import ModelStore
from summarize.web.choices import choice_settings
from summarize.web.replicas import REPLICA_HEADER

HEAD_START_LIMIT_S = 300
"""A guard against a hung `ray start` on a loaded machine, not a measurement."""
STUB = 'raise ImportError("this node\'s own summarize: the workers must run the package the driver ships")\n'
START_HINT = "start it (`ray start --head`) or unset RAY_ADDRESS to use a local Ray runtime"


@dataclass
class Cluster:
    address: str
    environment: dict[str, str]
    """This process's environment with RAY_ADDRESS and the cluster's token: for the commands that join it."""


def _stop(head: subprocess.Popen[str]) -> None:
    """End the head node: SIGTERM to its process group (the `ray start` process, GCS, raylet, workers), then SIGKILL."""
    for signal_ in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(head.pid, signal_)
        except ProcessLookupError:
            break
        try:
            head.wait(timeout=5)
        except subprocess.TimeoutExpired:
            continue
    head.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A one-node Ray cluster started with `ray start --head`, for this module's tests."""
    pytest.importorskip("ray.serve")
    stub = tmp_path_factory.mktemp("node_path")
    (stub / "summarize").mkdir()
    (stub / "summarize" / "__init__.py").write_text(STUB, encoding="utf-8")
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # short: Ray's socket paths live under it
    port = _free_port()
    token = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    base = {name: value for name, value in os.environ.items() if name not in ("RAY_ADDRESS", "PYTHONPATH")}
    command = [
        str(Path(sys.executable).parent / "ray"), "start", "--head", "--block", f"--port={port}", "--num-cpus=4",
        "--include-dashboard=false", f"--temp-dir={temp}", "--disable-usage-stats",
        f"--ray-client-server-port={_free_port()}", f"--dashboard-agent-listen-port={_free_port()}",
        f"--object-store-memory={200 * 1024 * 1024}",
    ]
    head = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env={**base, **token, "PYTHONPATH": str(stub)},
    )
    lines: queue.Queue[str | None] = queue.Queue()  # read all along, so that the head never blocks on a full pipe
    threading.Thread(target=_read_lines, args=(head.stdout, lines), daemon=True).start()
    try:
        seen: list[str] = []
        while not any("Ray runtime started" in line for line in seen):
            line = lines.get(timeout=HEAD_START_LIMIT_S)
            if line is None:
                raise AssertionError(f"ray start --head failed:\n{''.join(seen)[-3000:]}")
            seen.append(line)
        address = f"127.0.0.1:{port}"
        yield Cluster(address, {**os.environ, **token, "RAY_ADDRESS": address})
    finally:
        _stop(head)
        shutil.rmtree(temp, ignore_errors=True)


def _cluster_state(
    cluster: Cluster, expression: str = "sorted(serve.status().applications), ray.cluster_resources()['CPU']"
) -> str:
    """What a separate driver on the cluster prints of `expression`: by default the Serve applications and the CPUs."""
    code = f"import ray; from ray import serve; ray.init(logging_level='ERROR', log_to_driver=False); print({expression})"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cluster.environment)
    assert shown.returncode == 0, shown.stderr[-3000:]
    return shown.stdout.strip()


def test_the_replicas_join_the_cluster_and_leave_it_running_when_stopped(
    cluster: Cluster, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    overrides = replica_overrides(tiny_models)
    settings = load_settings(overrides=overrides, environ={})
    expected = Service(choice_settings(settings, "extractive"), store=ModelStore()).summarize(ARTICLE).text
    with running_replicas(overrides, tmp_path, cluster.environment) as replicas:
        second = [sys.executable, "-m", "summarize", "serve", "--replicas", "1", "--port", str(_free_port())]
        refused = subprocess.run(second, capture_output=True, text=True, env=cluster.environment)
        assert (refused.returncode, refused.stderr.splitlines()[-1:]) == (1, [
            "summarize: error: Ray Serve already runs on this Ray cluster (applications: summarize); --replicas starts "
            "its own, with its proxy on server.host:server.port: stop the other with `serve shutdown` or use another cluster"
        ])
        responses = summaries_from_both_replicas(replicas.url)
        assert [response.status_code for response in responses] == [200] * len(responses)
        assert len({response.headers[REPLICA_HEADER] for response in responses}) == 2
        assert {response.json()["text"] for response in responses} == {expected}
        foreign = httpx.get(f"{replicas.url}/-/routes", headers={"Host": "attacker.example"}, timeout=30)
        assert foreign.json()["error"]["type"] == "invalid_host"  # the proxy's callback runs the shipped package
        assert _cluster_state(cluster) == "['summarize'] 4.0"
        replicas.process.send_signal(signal.SIGINT)
        assert replicas.process.wait(timeout=120) == 130
    port = int(replicas.url.rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError):  # Serve stopped with its only application: the port is free
        socket.create_connection(("127.0.0.1", port), timeout=30).close()
    assert _cluster_state(cluster) == "[] 4.0"  # the cluster itself runs on


def test_a_port_taken_on_the_node_is_one_line_and_leaves_no_serve_behind(cluster: Cluster) -> None:
    """The command cannot check the port of a joined cluster's nodes itself: Serve's proxy finds it taken."""
    with socket.create_server(("127.0.0.1", 0)) as taken:  # this machine is the cluster's node
        port = taken.getsockname()[1]
        command = [sys.executable, "-m", "summarize", "serve", "--replicas", "1", "--port", str(port)]
        shown = subprocess.run(command, capture_output=True, text=True, env=cluster.environment)
    assert (shown.returncode, shown.stderr.splitlines()[-1:]) == (1, [
        f"summarize: error: Ray Serve did not start on 127.0.0.1:{port}: "
        f"Failed to bind to address '127.0.0.1:{port}'"
    ]), shown.stderr[-3000:]
    assert "Traceback" not in shown.stderr
    # Serve stopped again: a next run is not refused as 'Ray Serve already runs'
    assert _cluster_state(cluster, "dict(serve.status().proxies)") == "{}"
    assert _cluster_state(cluster) == "[] 4.0"


def test_a_batch_job_on_the_cluster_writes_the_local_runner_records(
    cluster: Cluster, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    overrides = batch_overrides(tiny_models, **{"batch.ray.workers": 2})
    config = tmp_path / "settings.yaml"
    config.write_text(yaml.safe_dump(_nested(overrides)), encoding="utf-8")
    inputs = _inputs(tmp_path)
    service = Service(load_settings(overrides=overrides, environ={}), store=ModelStore())
    list(run_batch(inputs, tmp_path / "local.jsonl", "both", "en", service=service))
    command = [
        sys.executable, "-m", "summarize", "batch", "--engine", "ray", "--input", *inputs, "--output",
        str(tmp_path / "ray.jsonl"), "--task", "both", "--to", "en", "--config", str(config),
    ]
    shown = subprocess.run(command, capture_output=True, text=True, env=cluster.environment)
    assert shown.returncode == 0, shown.stderr[-3000:]
    distributed = read_output(tmp_path / "ray.jsonl")
    assert len(distributed) == len(_by_id(distributed)) == 19
    assert _by_id(distributed) == _by_id(read_output(tmp_path / "local.jsonl"))
    assert _cluster_state(cluster) == "[] 4.0"


def _joining_argv(command: str, folder: Path) -> list[str]:
    """The arguments of `summarize serve --replicas 2` or of a Ray batch job of one record in `folder`/in.jsonl
    (written here), writing `folder`/out.jsonl."""
    source = folder / "in.jsonl"
    source.write_text('{"id": "a", "text": "The library opens on Saturday."}\n', encoding="utf-8")
    return {
        "serve": ["serve", "--replicas", "2", "--port", str(_free_port())],
        "batch": ["batch", "--engine", "ray", "--input", str(source), "--output", str(folder / "out.jsonl"), "--task",
                  "summarize", "--config", str(OFFLINE_CONFIG)],
    }[command]


@pytest.mark.parametrize("command", ["serve", "batch"])
def test_a_cluster_without_the_token_is_refused_in_one_line(command: str, cluster: Cluster, tmp_path: Path) -> None:
    environment = {name: value for name, value in cluster.environment.items() if not name.startswith("RAY_AUTH")}
    argv = _joining_argv(command, tmp_path)
    shown = subprocess.run(
        [sys.executable, "-m", "summarize", *argv], capture_output=True, text=True,
        env={**environment, "RAY_AUTH_MODE": "disabled"},
    )
    assert shown.returncode == 1
    assert shown.stderr.splitlines()[-1] == (
        f"summarize: error: cannot join the Ray cluster at RAY_ADDRESS={cluster.address}: no token or a wrong one; "
        "set RAY_AUTH_MODE=token and give the cluster's token in RAY_AUTH_TOKEN (or ~/.ray/auth_token)"
    )
    # the token is only checked on joining, after the batch job's checks have opened its (empty) output
    written = {path.name: path.read_bytes() for path in tmp_path.iterdir() if path.name != "in.jsonl"}
    assert written == ({"out.jsonl": b""} if command == "batch" else {})


@pytest.mark.parametrize("command", ["serve", "batch"])
def test_an_unreachable_address_is_refused_in_one_line_before_ray_starts(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ray = pytest.importorskip("ray")
    argv = _joining_argv(command, tmp_path)
    with refusing_port() as port:  # nothing listens there
        address = f"127.0.0.1:{port}"
        monkeypatch.setenv("RAY_ADDRESS", address)
        assert main(argv) == 1
    message = f"summarize: error: cannot join the Ray cluster at RAY_ADDRESS={address}: Connection refused; {START_HINT}"
    assert capsys.readouterr().err.splitlines() == [message]
    assert not ray.is_initialized()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.jsonl"]


def test_an_address_that_is_not_host_and_port_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("ray.serve")
    monkeypatch.setenv("RAY_ADDRESS", "http://127.0.0.1:8265")  # the dashboard's address, for `ray job submit`
    assert main(["serve", "--replicas", "2", "--port", str(_free_port())]) == 1
    message = (
        "summarize: error: cannot join the Ray cluster at RAY_ADDRESS=http://127.0.0.1:8265: "
        f"give host:port, ray://host:port or auto; {START_HINT}"
    )
    assert capsys.readouterr().err.splitlines() == [message]


def test_sigterm_to_the_test_run_still_tears_the_fixtures_down(tmp_path: Path) -> None:
    """The Ray head node above is stopped by its fixture's teardown; a test run ended with SIGTERM runs it too
    (conftest.py turns SIGTERM into Ctrl-C), shown here on a fixture that writes a file when torn down."""
    started, torn_down = tmp_path / "started", tmp_path / "torn-down"
    (tmp_path / "test_slow.py").write_text(
        "import time\nfrom pathlib import Path\nimport pytest\n\n"
        f"@pytest.fixture\ndef resource():\n    yield\n    Path({str(torn_down)!r}).write_text('done')\n\n"
        f"def test_slow(resource):\n    Path({str(started)!r}).write_text('1')\n    time.sleep(120)\n",
        encoding="utf-8",
    )
    tests = Path(__file__).resolve().parent
    run = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-p", "no:cacheprovider", str(tmp_path / "test_slow.py")],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tests)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + HEAD_START_LIMIT_S
    while not started.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    run.send_signal(signal.SIGTERM)
    output = run.communicate(timeout=120)[0].decode(errors="replace")
    assert torn_down.read_text() == "done", output[-2000:]
