"""Attacks on a live server (real uvicorn on 127.0.0.1, the Gradio demo mounted as `summarize serve` mounts it):
file reads through the demo, foreign Host headers, upload totals, password guessing, slow clients."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import tiny_overrides
from live_server import LiveServer, refusing_port

from summarize import Settings, load_settings
from summarize.errors import ConfigError
from summarize.service import Service
from summarize.web.demo.common import error_markdown
from summarize.web.demo.ui import EXAMPLE_EN, EXAMPLE_ZH
from summarize.web.framework import NOT_UPLOADED, header_timeout_protocol
from summarize.web.server import create_app, uvicorn_options

SECRET = "TOP SECRET: the server's own file"
FILE_COMPONENTS = {"file", "uploadbutton"}
MAX_UPLOAD_BYTES = 4_000
MAX_UPLOAD_REQUEST_BYTES = 10_000
MAX_STORED_UPLOAD_BYTES = 9_000


def _settings(**extra: Any) -> Settings:
    overrides = {
        "summarize.engine": "extractive",
        "runtime.allow_download": False,
        "server.max_upload_bytes": MAX_UPLOAD_BYTES,
        "server.max_upload_request_bytes": MAX_UPLOAD_REQUEST_BYTES,
        "server.max_stored_upload_bytes": MAX_STORED_UPLOAD_BYTES,
        **extra,
    }
    return load_settings(overrides=overrides, environ={})


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    with LiveServer(create_app(_settings())) as server:
        yield server


@pytest.fixture(scope="module")
def endpoints(live: LiveServer) -> dict[str, dict[str, Any]]:
    """The demo's event handlers by name (api_name, or the function name of private ones), with their inputs' types."""
    config = httpx.get(f"{live.url}/config", timeout=30).json()
    types = {component["id"]: component["type"] for component in config["components"]}
    return {
        dependency["api_name"]: {"id": dependency["id"], "inputs": [types[i] for i in dependency["inputs"]]}
        for dependency in config["dependencies"]
    }


def _queue_call(url: str, fn_index: int, data: list[Any]) -> tuple[dict[str, Any], str]:
    """Call a demo handler the way the browser does (queue/join, then the event stream): its last message and the whole stream."""
    session = f"attack-{time.monotonic_ns()}"
    payload = {"data": data, "fn_index": fn_index, "session_hash": session, "trigger_id": None, "event_data": None}
    join = httpx.post(  # json.dumps writes a lone surrogate as the escape \ud800, as a browser's JSON.stringify does
        f"{url}/gradio_api/queue/join", content=json.dumps(payload), headers={"content-type": "application/json"}, timeout=30
    )
    assert join.status_code == 200, join.text
    stream = []
    with httpx.stream("GET", f"{url}/gradio_api/queue/data", params={"session_hash": session}, timeout=60) as events:
        for line in events.iter_lines():
            stream.append(line)
            if line.startswith("data:") and json.loads(line[5:])["msg"] == "process_completed":
                return json.loads(line[5:]), "\n".join(stream)
    raise AssertionError(f"no process_completed message in {stream}")


def _file_data(path: str | Path) -> dict[str, Any]:
    return {"path": str(path), "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}


def _upload(url: str, name: str, content: bytes) -> str:
    response = httpx.post(f"{url}/gradio_api/upload", files={"files": (name, content)}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()[0]


@pytest.fixture(scope="module")
def secrets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Files on the server that were never uploaded, in each format a demo handler reads."""
    folder = tmp_path_factory.mktemp("server-files")
    files = {
        "txt": folder / "secret.txt",
        "jsonl": folder / "secret.jsonl",
        "csv": folder / "secret.csv",
        "html": folder / "secret.html",
    }
    files["txt"].write_text(f"{SECRET}\n", encoding="utf-8")
    files["jsonl"].write_text(json.dumps({"id": "s", "text": f"{SECRET}. It is long enough to summarize."}) + "\n")
    files["html"].write_text(f"<html><body><article><p>{SECRET}. It is long enough to summarize.</p></article></body></html>")
    files["csv"].write_text(f'id,text\ns,"{SECRET}. It is long enough to summarize."\n', encoding="utf-8")
    files["tsv"] = folder / "secret.tsv"
    files["tsv"].write_text(f"{SECRET}\tsecret\n", encoding="utf-8")
    return files


ATTACKS = {
    "read_upload-txt": ("read_upload", lambda secret, ok: [_file_data(secret["txt"])]),
    "batch-jsonl": ("batch", lambda secret, ok: [_file_data(secret["jsonl"]), "summarize", "en", "extractive", "text", None]),
    "batch-csv": ("batch", lambda secret, ok: [_file_data(secret["csv"]), "summarize", "en", "extractive", "text", None]),
    "batch-glossary": (
        "batch", lambda secret, ok: [None, "translate", "zh", "extractive", "text", _file_data(secret["tsv"])]
    ),
    "summarize_document-html": (
        "summarize_document", lambda secret, ok: [_file_data(secret["html"]), "same", "medium", "extractive", None]
    ),
    "summarize_document-glossary": (
        "summarize_document", lambda secret, ok: [_file_data(ok), "zh", "short", "extractive", _file_data(secret["tsv"])]
    ),
    "translate_document-html": ("translate_document", lambda secret, ok: [_file_data(secret["html"]), "en-zh", None]),
    "translate_document-glossary": (
        "translate_document", lambda secret, ok: [_file_data(ok), "en-zh", _file_data(secret["tsv"])]
    ),
    "bilingual-glossary": ("bilingual", lambda secret, ok: [EXAMPLE_EN, "short", "extractive", _file_data(secret["tsv"])]),
    "translate-glossary": ("translate", lambda secret, ok: ["The council met.", "en-zh", _file_data(secret["tsv"])]),
    "summarize-glossary": (
        "summarize", lambda secret, ok: [EXAMPLE_EN, "zh", "short", "extractive", _file_data(secret["tsv"])]
    ),
    "evaluate-predictions": (
        "evaluate",
        lambda secret, ok: [_file_data(secret["txt"]), [_file_data(ok)], "en", "default for the language"],
    ),
    "evaluate-references": (
        "evaluate",
        lambda secret, ok: [_file_data(ok), [_file_data(secret["txt"])], "en", "default for the language"],
    ),
}


def test_the_attacks_cover_every_handler_that_takes_a_file(endpoints: dict[str, dict[str, Any]]) -> None:
    takes_a_file = {name for name, endpoint in endpoints.items() if FILE_COMPONENTS & set(endpoint["inputs"])}
    assert takes_a_file == {name for name, _ in ATTACKS.values()} == {
        "read_upload", "batch", "summarize_document", "translate_document", "evaluate", "translate", "summarize",
        "bilingual",
    }


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_file_that_was_not_uploaded_is_refused(
    live: LiveServer, endpoints: dict[str, dict[str, Any]], secrets: dict[str, Path], attack: str
) -> None:
    name, arguments = ATTACKS[attack]
    uploaded = _upload(live.url, "line.txt", b"the council met on monday\n")
    completed, stream = _queue_call(live.url, endpoints[name]["id"], arguments(secrets, uploaded))
    assert (completed["success"], completed["output"]["error"]) == (False, NOT_UPLOADED)
    assert SECRET not in stream
    assert str(secrets["txt"].parent) not in stream


def test_a_file_that_was_uploaded_is_read(live: LiveServer, endpoints: dict[str, dict[str, Any]]) -> None:
    uploaded = _upload(live.url, "article.txt", "新闻\n".encode())
    completed, _ = _queue_call(live.url, endpoints["read_upload"]["id"], [_file_data(uploaded)])
    assert (completed["success"], completed["output"]["data"]) == (True, ["新闻\n", ""])  # the text, no error


class _Fetched(BaseHTTPRequestHandler):
    """A web server that records what the demo's server fetches from it."""

    paths: list[str] = []

    def do_GET(self) -> None:
        self.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(f"{SECRET}\n".encode() * 100)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def public_site(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real web server on 127.0.0.1 that Gradio takes for a public host (it fetches only from those)."""
    import safehttpx

    monkeypatch.setattr(safehttpx, "is_public_ip", lambda address: True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Fetched)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Fetched.paths = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_url_instead_of_a_file_is_refused_unfetched(
    live: LiveServer, endpoints: dict[str, dict[str, Any]], public_site: str, attack: str
) -> None:
    name, arguments = ATTACKS[attack]
    uploaded = _upload(live.url, "line.txt", b"the council met on monday\n")
    urls = {kind: f"{public_site}/big.{kind}" for kind in ("txt", "jsonl", "csv", "html", "tsv")}
    completed, stream = _queue_call(live.url, endpoints[name]["id"], arguments(urls, uploaded))
    assert _Fetched.paths == []  # nothing downloaded (into the demo's files, where no limit counts it)
    assert (completed["success"], completed["output"].get("error")) == (False, NOT_UPLOADED)
    assert SECRET not in stream


# --------------------------------------------------------------------------- Host header


@pytest.mark.parametrize("path", ["/healthz", "/v1/models", "/", "/config"])
@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:7860", "127.0.0.1.attacker.example", ""])
def test_a_foreign_host_header_is_refused(live: LiveServer, path: str, host: str) -> None:
    response = httpx.get(f"{live.url}{path}", headers={"Host": host}, timeout=30)
    name = host.split(":")[0]
    message = f"this server does not answer to the host name {name!r}; add it to server.allowed_hosts if clients use it"
    assert (response.status_code, response.json()) == (400, {"error": {"type": "invalid_host", "message": message}})


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST", "[::1]"])
def test_local_host_names_are_served(live: LiveServer, host: str) -> None:
    port = live.url.rsplit(":", 1)[1]
    response = httpx.get(f"{live.url}/healthz", headers={"Host": f"{host}:{port}"}, timeout=30)
    assert (response.status_code, response.json()["status"]) == (200, "ok")


def test_allowed_hosts_replace_the_local_names() -> None:
    with LiveServer(create_app(_settings(**{"server.allowed_hosts": ["news.example", "*.news.example"]}))) as server:
        answers = {
            host: httpx.get(f"{server.url}/healthz", headers={"Host": host}, timeout=30).status_code
            for host in ("news.example", "api.news.example:443", "localhost", "evilnews.example")
        }
    assert answers == {"news.example": 200, "api.news.example:443": 200, "localhost": 400, "evilnews.example": 400}


# --------------------------------------------------------------------------- uploads


def test_an_upload_over_the_request_total_is_413(live: LiveServer) -> None:
    files = [("files", (f"part{i}.txt", b"x" * (MAX_UPLOAD_BYTES - 100))) for i in range(3)]
    response = httpx.post(f"{live.url}/gradio_api/upload", files=files, timeout=30)
    message = f"the upload (all its files) is over the limit of {MAX_UPLOAD_REQUEST_BYTES:,} bytes (server.max_upload_request_bytes)"
    assert (response.status_code, response.json()) == (413, {"error": {"type": "request_too_large", "message": message}})


def test_stored_uploads_beyond_the_limit_are_deleted_oldest_first(
    live: LiveServer, endpoints: dict[str, dict[str, Any]]
) -> None:
    size = MAX_STORED_UPLOAD_BYTES // 3
    stored = [_upload(live.url, f"stored{i}.txt", str(i).encode() * size) for i in range(6)]
    assert [Path(path).exists() for path in stored] == [False, False, False, True, True, True]
    completed, _ = _queue_call(live.url, endpoints["read_upload"]["id"], [_file_data(stored[0])])
    # in Gradio's upload folder, so Gradio lets it through; the handler refuses it (shown in the tab's error line)
    assert (completed["success"], completed["output"]["data"][-1]) == (True, error_markdown(NOT_UPLOADED))


def test_a_file_uploaded_again_counts_once_as_the_newest(live: LiveServer) -> None:
    size = MAX_STORED_UPLOAD_BYTES // 3
    first, second, again, third, fourth = (
        _upload(live.url, name, letter * size)
        for name, letter in [("a.txt", b"a"), ("b.txt", b"b"), ("a.txt", b"a"), ("c.txt", b"c"), ("d.txt", b"d")]
    )
    assert again == first
    assert [Path(path).exists() for path in (first, second, third, fourth)] == [True, False, True, True]


def test_files_the_demo_writes_count_toward_the_stored_limit(
    tiny_models: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "gradio"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(folder))  # this server's uploads and results, apart from other servers'
    articles = "".join(json.dumps({"id": key, "text": text}, ensure_ascii=False) + "\n" for key, text in
                       (("en", EXAMPLE_EN), ("zh", EXAMPLE_ZH))).encode()
    limit = 5_000  # the batch file (1.8 kB) and a few rounds of results (under 800 bytes a round)
    settings = _settings(**tiny_overrides(tiny_models, **{"summarize.engine": "extractive", "server.max_stored_upload_bytes": limit}))
    written: list[Path] = []
    sizes: list[int] = []
    totals: list[int] = []
    with LiveServer(create_app(settings)) as server:
        config = httpx.get(f"{server.url}/config", timeout=30).json()
        ids = {d["api_name"]: d["id"] for d in config["dependencies"]}
        for round in range(8):  # a user who runs a batch job and translates a page, again and again
            batch_input = _upload(server.url, "articles.jsonl", articles)  # the same file: counted once
            arguments = [_file_data(batch_input), "summarize", "en", "extractive", "text", None]
            completed, _ = _queue_call(server.url, ids["batch"], arguments)
            written.append(Path(completed["output"]["data"][0]["path"]))
            page = _upload(server.url, f"page{round}.html", f"<html><body><p>Round {round}: the council met.</p></body></html>".encode())
            completed, _ = _queue_call(server.url, ids["translate_document"], [_file_data(page), "en-zh", None])
            written.append(Path(completed["output"]["data"][0]["path"]))
            sizes.extend(path.stat().st_size for path in written[-2:])
            totals.append(sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()))
        kept = [path.exists() for path in written]
    assert len(articles) + sum(sizes) > limit  # without counting the demo's files, the folder would outgrow the limit
    assert max(totals) <= limit
    assert kept == sorted(kept) and kept[:2] == [False, False] and kept[-2:] == [True, True]  # oldest deleted first
    assert {path.parents[2] for path in written} == {folder}  # beside their uploads, each in a folder of its own


# --------------------------------------------------------------------------- password guessing


API_KEY = "s3cret"
MAX_FAILED = 5


@pytest.fixture(scope="module")
def keyed() -> Iterator[LiveServer]:
    settings = _settings(**{"server.api_key": API_KEY, "server.max_failed_auth": MAX_FAILED})
    with LiveServer(create_app(settings), **uvicorn_options(settings)) as server:
        yield server


def _too_many(response: httpx.Response) -> tuple[int, str, bool]:
    body = response.json()["error"]
    retry = int(response.headers["retry-after"])
    return response.status_code, body["type"], body["message"] == f"too many wrong API keys or passwords from this address; retry in {retry} s"


def _guess(server: LiveServer, forwarded_for: str) -> int:
    headers = {"X-API-Key": "guess", "X-Forwarded-For": forwarded_for}
    return httpx.get(f"{server.url}/v1/models", headers=headers, timeout=30).status_code


def test_a_forwarded_address_is_ignored_from_a_client_that_is_no_listed_proxy() -> None:
    """Without server.trusted_proxies, rotating X-Forwarded-For neither escapes the limit nor locks out the
    addresses it names: the connection's address is counted."""
    settings = _settings(**{"server.api_key": API_KEY, "server.max_failed_auth": MAX_FAILED})
    with LiveServer(create_app(settings), **uvicorn_options(settings)) as server:
        answers = [_guess(server, f"198.51.100.{index}") for index in range(MAX_FAILED + 2)]
    assert answers == [401] * MAX_FAILED + [429, 429]


def test_a_listed_proxy_names_the_client_it_forwards() -> None:
    settings = _settings(
        **{"server.api_key": API_KEY, "server.max_failed_auth": MAX_FAILED, "server.trusted_proxies": ["127.0.0.0/8"]}
    )
    with LiveServer(create_app(settings), **uvicorn_options(settings)) as server:
        guesser = [_guess(server, "203.0.113.7") for _ in range(MAX_FAILED + 1)]
        other_client = _guess(server, "203.0.113.8")
        # A client's own spoofed entry before the proxy's is not believed: the proxy appends the real one.
        spoofed = _guess(server, "203.0.113.9, 203.0.113.7")
    assert guesser == [401] * MAX_FAILED + [429]
    assert (other_client, spoofed) == (401, 429)


def test_trusted_proxies_must_be_addresses() -> None:
    with pytest.raises(ConfigError) as raised:
        _settings(**{"server.trusted_proxies": ["proxy.example"]})
    assert "holds 'proxy.example', which is not an IP address or network such as '10.0.0.0/8'" in str(raised.value)


def test_wrong_api_keys_lock_the_address_out_even_for_the_right_key(keyed: LiveServer) -> None:
    wrong = [
        httpx.get(f"{keyed.url}/v1/models", headers={"X-API-Key": f"guess{i}"}, timeout=30).status_code
        for i in range(MAX_FAILED)
    ]
    right = httpx.get(f"{keyed.url}/v1/models", headers={"X-API-Key": API_KEY}, timeout=30)
    login = httpx.post(f"{keyed.url}/login", data={"username": "me", "password": API_KEY}, timeout=30)
    assert wrong == [401] * MAX_FAILED
    assert _too_many(right) == (429, "too_many_failed_attempts", True)
    assert _too_many(login) == (429, "too_many_failed_attempts", True)
    assert httpx.get(f"{keyed.url}/healthz", timeout=30).status_code == 200


def test_wrong_demo_passwords_lock_the_address_out() -> None:
    settings = _settings(**{"server.api_key": API_KEY, "server.max_failed_auth": MAX_FAILED})
    with LiveServer(create_app(settings)) as server:
        wrong = [
            httpx.post(f"{server.url}/login", data={"username": "me", "password": f"guess{i}"}, timeout=30).status_code
            for i in range(MAX_FAILED)
        ]
        right = httpx.post(f"{server.url}/login", data={"username": "me", "password": API_KEY}, timeout=30)
    assert wrong == [400] * MAX_FAILED
    assert _too_many(right) == (429, "too_many_failed_attempts", True)


@pytest.mark.parametrize("route", ["api", "login"])
def test_guesses_sent_in_parallel_get_the_limit_and_no_more(route: str) -> None:
    # Each guess is refused and counted in one step: 24 at once get exactly MAX_FAILED "wrong key" answers
    # (before, every guess let in before the first answer was counted got one: 11 of 24 logins in a run here).
    def guess(number: int) -> int:
        if route == "api":
            return httpx.get(f"{server.url}/v1/models", headers={"X-API-Key": f"guess{number}"}, timeout=60).status_code
        return httpx.post(f"{server.url}/login", data={"username": "me", "password": f"guess{number}"}, timeout=60).status_code

    settings = _settings(**{"server.api_key": API_KEY, "server.max_failed_auth": MAX_FAILED})
    with LiveServer(create_app(settings)) as server, ThreadPoolExecutor(max_workers=12) as pool:
        answers = Counter(pool.map(guess, range(24)))
    assert answers == {401 if route == "api" else 400: MAX_FAILED, 429: 24 - MAX_FAILED}


# --------------------------------------------------------------------------- slow clients


def test_a_client_that_never_finishes_its_request_head_is_disconnected() -> None:
    app = create_app(_settings(**{"server.header_timeout_seconds": 1}))
    with LiveServer(app, http=header_timeout_protocol(1)) as server:
        port = int(server.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as slow:
            slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line: the head never ends
            assert slow.recv(1024) == b""  # closed by the server, not by our 30 s socket timeout
        with socket.create_connection(("127.0.0.1", port), timeout=30) as quick:
            quick.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert quick.recv(1024).startswith(b"HTTP/1.1 200 OK")


BODY_TIMEOUT_MESSAGE = (
    "the request body did not all arrive within 1 s (server.body_timeout_seconds); "
    "send it at once, or raise the setting for slow links"
)


@pytest.fixture(scope="module")
def impatient() -> Iterator[LiveServer]:
    """A server that waits 1 s for a request body."""
    with LiveServer(create_app(_settings(**{"server.body_timeout_seconds": 1}))) as server:
        yield server


def _answer_then_close(connection: socket.socket) -> tuple[str, dict[str, str], bytes]:
    """Everything the server sends until it closes the connection (our 30 s socket timeout raises first
    if it never does): the status line, the headers (names in lower case) and the body."""
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return status, headers, body


@pytest.mark.parametrize(
    ("path", "content_type", "partial"),
    [
        ("/v1/summarize", "application/json", b'{"text": "The council met on Mon'),
        ("/gradio_api/upload", "multipart/form-data; boundary=cut", b'--cut\r\nContent-Disposition: form-data; '
                                                                     b'name="files"; filename="a.txt"\r\n\r\nThe coun'),
    ],
    ids=["api", "demo-upload"],
)
def test_a_client_that_stops_sending_its_body_gets_408_and_is_disconnected(
    impatient: LiveServer, path: str, content_type: str, partial: bytes
) -> None:
    port = int(impatient.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as slow:
        slow.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(partial) + 1000}\r\n\r\n".encode() + partial
        )  # then nothing more: the rest of the declared body never comes
        status, headers, body = _answer_then_close(slow)
    assert (status, headers["connection"], headers["content-type"]) == (
        "HTTP/1.1 408 Request Timeout", "close", "application/json"
    )
    assert json.loads(body) == {"error": {"type": "request_timeout", "message": BODY_TIMEOUT_MESSAGE}}
    assert httpx.get(f"{impatient.url}/healthz", timeout=30).status_code == 200


def test_a_body_trickled_byte_by_byte_is_cut_off(impatient: LiveServer) -> None:
    port = int(impatient.url.rsplit(":", 1)[1])
    body = json.dumps({"text": EXAMPLE_EN}).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as slow:
        slow.sendall(
            b"POST /v1/summarize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        sent = 0
        while sent < len(body) and not select.select([slow], [], [], 0)[0]:  # one byte every 0.1 s until answered
            slow.sendall(body[sent : sent + 1])
            sent += 1
            time.sleep(0.1)
        status, _, answer = _answer_then_close(slow)
    assert sent < len(body)
    assert (status, json.loads(answer)["error"]["type"]) == ("HTTP/1.1 408 Request Timeout", "request_timeout")


def test_a_slow_but_steady_upload_within_the_body_timeout_is_stored() -> None:
    content = "市议会周一开会。\n".encode() * 100  # 2,500 bytes, under MAX_UPLOAD_BYTES
    parts = [
        b'--cut\r\nContent-Disposition: form-data; name="files"; filename="steady.txt"\r\n\r\n',
        *(content[start : start + 250] for start in range(0, len(content), 250)),
        b"\r\n--cut--\r\n",
    ]
    with LiveServer(create_app(_settings(**{"server.body_timeout_seconds": 60}))) as server:
        port = int(server.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as steady:
            steady.sendall(
                b"POST /gradio_api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                b"Content-Type: multipart/form-data; boundary=cut\r\n"
                + f"Content-Length: {sum(map(len, parts))}\r\n\r\n".encode()
            )
            for part in parts:  # in 12 parts, 0.1 s apart
                steady.sendall(part)
                time.sleep(0.1)
            status, _, body = _answer_then_close(steady)
        (stored,) = json.loads(body)
        assert (status, Path(stored).name, Path(stored).read_bytes()) == ("HTTP/1.1 200 OK", "steady.txt", content)


def test_serve_uses_the_header_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from summarize.web.server import serve

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    serve(_settings(**{"server.header_timeout_seconds": 7, "server.port": 7999}))
    (options,) = calls
    assert (options["host"], options["port"], options["http"].__name__) == ("127.0.0.1", 7999, "HeaderTimeoutProtocol")
    assert options["proxy_headers"] is False  # uvicorn would believe X-Forwarded-For of any local client


# --------------------------------------------------------------------------- what the demo shows


def test_the_demo_shows_no_server_path_in_errors(tmp_path: Path) -> None:
    missing = tmp_path / "models" / "bart-here"
    settings = _settings(**{"summarize.engine": "seq2seq", "summarize.models.en.model": str(missing)})
    with LiveServer(create_app(settings)) as server:
        config = httpx.get(f"{server.url}/config", timeout=30).json()
        summarize = next(d["id"] for d in config["dependencies"] if d["api_name"] == "summarize")
        completed, stream = _queue_call(server.url, summarize, [EXAMPLE_EN, "same", "medium", "default", None])
    message = (
        "model directory 'bart-here' (summarize.models.en) has no config.json; "
        "point summarize.models.en.model at a folder saved with save_pretrained()"
    )
    assert (completed["success"], completed["output"]["data"]) == (True, ["", "", "", error_markdown(message)])
    assert str(tmp_path) not in stream


def test_the_batch_tab_shows_no_server_path_in_its_preview_or_results_file(tmp_path: Path) -> None:
    settings = _settings(**{"translate.models.en-zh.model": str(tmp_path / "models" / "marian-gone")})
    records = [{"id": "/news/2024/tram", "text": EXAMPLE_EN}, {"text": EXAMPLE_ZH}]  # the second without an id
    content = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records).encode()
    with LiveServer(create_app(settings)) as server:
        config = httpx.get(f"{server.url}/config", timeout=30).json()
        batch = next(d["id"] for d in config["dependencies"] if d["api_name"] == "batch")
        uploaded = _upload(server.url, "articles.jsonl", content)
        completed, stream = _queue_call(server.url, batch, [_file_data(uploaded), "summarize", "zh", "extractive", "text", None])
        results, counts, preview, error = completed["output"]["data"]
        download = httpx.get(results["url"], timeout=30)
    message = (
        "a en->zh summary needs the translation model: model directory 'marian-gone' (translate.models.en-zh) "
        "has no config.json; point translate.models.en-zh.model at a folder saved with save_pretrained()"
    )
    summary = Service(settings).summarize(EXAMPLE_ZH).text
    assert (counts, error) == ("1 done, 1 failed (see the `error` field)", "")
    assert preview["data"] == [["/news/2024/tram", "", "en", message], ["articles.jsonl:2", summary, "zh", ""]]
    written = [json.loads(line) for line in download.text.splitlines()]
    assert [(record["id"], record["summary"], record["model"], record["error"]) for record in written] == [
        ("/news/2024/tram", "", "", message), ("articles.jsonl:2", summary, "extractive", "")
    ]
    assert str(tmp_path) not in stream
    assert str(Path(uploaded).parent) not in download.text + json.dumps(preview)


def test_the_api_shows_no_credentials_of_the_llm_endpoint(caplog: pytest.LogCaptureFixture) -> None:
    with refusing_port() as port:  # a port nothing listens on
        overrides = {"llm.endpoint": f"http://svc:hunter2@127.0.0.1:{port}/v1", "llm.model": "chat",
                     "llm.max_retries": 0, "translate.engine": "llm"}
        with LiveServer(create_app(_settings(**overrides))) as server:
            response = httpx.post(
                f"{server.url}/v1/translate", json={"text": "The council met.", "target_lang": "zh"}, timeout=30
            )
    message = (
        f"cannot reach the LLM server at http://127.0.0.1:{port}/v1 (connection refused); "
        "start it (docs/llm.md) or fix llm.endpoint"
    )  # the host stays: it names the server as a model's name does; the user name and password go
    assert (response.status_code, response.json()) == (503, {"error": {"type": "model_unavailable", "message": message}})
    # The server log keeps the detail an operator needs, but not the password either.
    logged = [record.getMessage() for record in caplog.records if record.name == "summarize.web.api.errors"]
    assert logged == [f"model unavailable: {message}"]


def test_a_lone_surrogate_in_the_demo_gets_a_readable_error(live: LiveServer, endpoints: dict[str, dict[str, Any]]) -> None:
    completed, _ = _queue_call(live.url, endpoints["summarize"]["id"], ["News \ud800 today.", "same", "medium", "default", None])
    message = "the text box is not valid Unicode: character 5 is a lone surrogate (\\ud800); send the text encoded as UTF-8"
    assert (completed["success"], completed["output"]["data"]) == (True, ["", "", "", error_markdown(message)])
