"""Bounded load test of the HTTP API: N concurrent clients for M seconds against a server on 127.0.0.1.

It starts ``python -m summarize serve`` on a free port of 127.0.0.1 (or uses ``--url`` and ``--pid`` of
a running server), waits for ``/healthz``, sends one warm-up request, then runs ``--repeats`` windows
of ``--seconds`` each. In every window ``--clients`` threads post the English and Chinese example
articles (``examples/``) to ``POST /v1/summarize`` back to back, each over its own keep-alive connection.
It records every status and latency and samples the server's resident memory (RSS) every 0.2 s.

Printed: one JSON object (per-window counts, p50/p95/max latency, throughput, RSS before/after/peak,
the conditions) and Markdown table rows for ``benchmarks/RESULTS-load.md``. Exit status 1 when any
response was a 5xx other than the documented "busy" answer, or the server died.

    python benchmarks/load_test.py --clients 8 --seconds 20 --repeats 3
    python benchmarks/load_test.py --clients 16 --seconds 20 --set server.max_queue=4   # overload
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = [ROOT / "examples" / "article_en.txt", ROOT / "examples" / "article_zh.txt"]
STARTUP_TIMEOUT_S = 120.0
RSS_INTERVAL_S = 0.2


@dataclass
class Window:
    """What one load window measured."""

    seconds: float
    requests: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    busy: int = 0
    """503 answers of type ``busy`` (capacity reached; the documented answer, not a failure)."""
    other_5xx: int = 0
    transport_errors: int = 0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    max_ms: float = 0.0
    ok_p50_ms: float = 0.0
    """Latency of the 2xx answers only (differs from p50_ms when busy answers come back fast)."""
    ok_p95_ms: float = 0.0
    throughput_rps: float = 0.0
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0
    rss_peak_mb: float = 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(config: str | None, overrides: list[str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``python -m summarize serve`` on a free port of 127.0.0.1; its process and URL once healthy."""
    port = _free_port()
    command = [sys.executable, "-m", "summarize", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if config:
        command += ["--config", config]
    for item in overrides:
        command += ["--set", item]
    environment = dict(os.environ, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT, env=environment)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with status {process.returncode}; see {log}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.25)
    process.terminate()
    raise SystemExit(f"the server did not answer /healthz within {STARTUP_TIMEOUT_S:.0f} s; see {log}")


def _rss_mb(process: psutil.Process) -> float:
    return process.memory_info().rss / 2**20


def _percentile(values: list[float], share: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def run_window(url: str, server: psutil.Process, clients: int, seconds: float, bodies: list[dict[str, Any]]) -> Window:
    """`clients` threads posting `bodies` in turn for `seconds`; every answer counted."""
    window = Window(seconds=seconds, rss_before_mb=_rss_mb(server))
    latencies: list[float] = []
    ok_latencies: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    stop = threading.Event()
    peak = [window.rss_before_mb]

    def sample_memory() -> None:
        while not stop.wait(RSS_INTERVAL_S):
            peak[0] = max(peak[0], _rss_mb(server))

    def client(number: int) -> None:
        deadline = time.monotonic() + seconds
        with httpx.Client(base_url=url, timeout=120) as http:
            turn = number
            while time.monotonic() < deadline:
                body = bodies[turn % len(bodies)]
                turn += 1
                started = time.perf_counter()
                try:
                    response = http.post("/v1/summarize", json=body)
                except httpx.TransportError:
                    with lock:
                        window.transport_errors += 1
                    continue
                elapsed = (time.perf_counter() - started) * 1000
                kind = response.json().get("error", {}).get("type") if response.status_code >= 400 else None
                with lock:
                    latencies.append(elapsed)
                    if response.status_code < 300:
                        ok_latencies.append(elapsed)
                    statuses[str(response.status_code)] += 1
                    if response.status_code == 503 and kind == "busy":
                        window.busy += 1
                    elif response.status_code >= 500:
                        window.other_5xx += 1

    sampler = threading.Thread(target=sample_memory, daemon=True)
    sampler.start()
    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    stop.set()
    sampler.join()
    window.requests = len(latencies)
    window.statuses = dict(sorted(statuses.items()))
    if latencies:
        window.p50_ms = round(_percentile(latencies, 0.50), 1)
        window.p95_ms = round(_percentile(latencies, 0.95), 1)
        window.max_ms = round(max(latencies), 1)
    if ok_latencies:
        window.ok_p50_ms = round(_percentile(ok_latencies, 0.50), 1)
        window.ok_p95_ms = round(_percentile(ok_latencies, 0.95), 1)
    window.throughput_rps = round(window.requests / elapsed, 1)
    window.rss_after_mb = round(_rss_mb(server), 1)
    window.rss_peak_mb = round(max(peak[0], window.rss_after_mb), 1)
    window.rss_before_mb = round(window.rss_before_mb, 1)
    return window


def markdown_rows(label: str, clients: int, windows: list[Window]) -> list[str]:
    """One table row per window, then the medians."""
    rows = []
    for index, window in enumerate(windows, 1):
        statuses = ", ".join(f"{code}: {count}" for code, count in window.statuses.items())
        rows.append(
            f"| {label} | {clients} | {index} | {window.requests} | {statuses} | {window.busy} | "
            f"{window.other_5xx + window.transport_errors} | {window.p50_ms:.0f} / {window.ok_p50_ms:.0f} | "
            f"{window.p95_ms:.0f} / {window.ok_p95_ms:.0f} | "
            f"{window.throughput_rps:.1f} | {window.rss_before_mb:.0f} → {window.rss_after_mb:.0f} "
            f"(peak {window.rss_peak_mb:.0f}) |"
        )
    def median(name: str) -> float:
        return statistics.median(getattr(window, name) for window in windows)

    rows.append(
        f"| {label} | {clients} | median | | | | | {median('p50_ms'):.0f} / {median('ok_p50_ms'):.0f} | "
        f"{median('p95_ms'):.0f} / {median('ok_p95_ms'):.0f} | {median('throughput_rps'):.1f} | |"
    )
    return rows


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of one window (default 20)")
    parser.add_argument("--repeats", type=int, default=3, help="windows, medians reported (default 3)")
    parser.add_argument(
        "--article-copies", type=int, default=1, metavar="K", help="each article repeated K times, as paragraphs (default 1)"
    )
    parser.add_argument("--config", default=str(ROOT / "configs" / "offline.yaml"), help="server config")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="server setting override")
    parser.add_argument("--label", default="summarize", help="label of the table rows")
    parser.add_argument("--url", help="use this running server instead of starting one (needs --pid)")
    parser.add_argument("--pid", type=int, help="process id of the server given by --url (for its RSS)")
    parser.add_argument("--log", default="load-test-server.log", help="server log file when the server is started here")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if min(args.clients, args.repeats, args.article_copies) < 1 or args.seconds <= 0:
        raise SystemExit("--clients, --repeats and --article-copies must be at least 1 and --seconds above 0")
    if (args.url is None) != (args.pid is None):
        raise SystemExit("--url and --pid go together")
    bodies = [{"text": "\n\n".join([path.read_text(encoding="utf-8").strip()] * args.article_copies)} for path in ARTICLES]
    process = None
    if args.url:
        url, server = args.url.rstrip("/"), psutil.Process(args.pid)
    else:
        process, url = start_server(args.config, args.set, Path(args.log))
        server = psutil.Process(process.pid)
    try:
        warm_up = [httpx.post(f"{url}/v1/summarize", json=body, timeout=300).status_code for body in bodies]
        rss_start = round(_rss_mb(server), 1)
        windows = [run_window(url, server, args.clients, args.seconds, bodies) for _ in range(args.repeats)]
        alive = httpx.get(f"{url}/healthz", timeout=10).status_code == 200
        rss_end = round(_rss_mb(server), 1)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    report = {
        "label": args.label,
        "clients": args.clients,
        "article_chars": [len(body["text"]) for body in bodies],
        "config": args.config,
        "overrides": args.set,
        "warm_up_statuses": warm_up,
        "rss_after_warm_up_mb": rss_start,
        "rss_at_end_mb": rss_end,
        "healthy_after": alive,
        "windows": [asdict(window) for window in windows],
        "median_p50_ms": statistics.median(window.p50_ms for window in windows),
        "median_p95_ms": statistics.median(window.p95_ms for window in windows),
        "conditions": {
            "cpu_count": os.cpu_count(),
            "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }
    print(json.dumps(report, indent=2))
    print("\n".join(markdown_rows(args.label, args.clients, windows)))
    failures = sum(window.other_5xx + window.transport_errors for window in windows)
    return 0 if failures == 0 and alive else 1


if __name__ == "__main__":
    sys.exit(main())
