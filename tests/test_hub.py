"""Finding models offline: the local cache first, HF_HUB_OFFLINE, an unreachable Hub remembered in the cache folder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from huggingface_hub import constants, try_to_load_from_cache
from live_server import refusing_port

from summarize.config import ModelSettings, RuntimeSettings
from summarize.hub import (
    HUB_MEMORY_FILE,
    HUB_MEMORY_SECONDS,
    cached_snapshot,
    hub_reachable,
    model_status,
    resolve_source,
)

ROOT = Path(__file__).resolve().parent.parent


class CountingServer:
    """A real TCP server on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.endpoint = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.connections = 0
        self.counted = threading.Condition()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            connection.close()
            with self.counted:
                self.connections += 1
                self.counted.notify_all()

    def accepted(self, count: int) -> int:
        """The connections accepted, once `count` have been (or after 30 s: the accept runs on its own thread)."""
        with self.counted:
            self.counted.wait_for(lambda: self.connections >= count, timeout=30)
            return self.connections


@pytest.fixture()
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingServer]:
    server = CountingServer()
    monkeypatch.setenv("HF_ENDPOINT", server.endpoint)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    yield server
    server.socket.close()


def test_an_unreachable_hub_is_remembered_in_the_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memory = tmp_path / "cache" / HUB_MEMORY_FILE
    with refusing_port() as port:
        endpoint = f"http://127.0.0.1:{port}"
        monkeypatch.setenv("HF_ENDPOINT", endpoint)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        assert hub_reachable(memory, timeout=2) is False
    assert memory.read_text(encoding="utf-8") == endpoint


def test_a_remembered_unreachable_hub_is_not_probed_until_the_memory_expires(
    hub: CountingServer, tmp_path: Path
) -> None:
    memory = tmp_path / HUB_MEMORY_FILE
    memory.write_text(hub.endpoint, encoding="utf-8")
    assert hub_reachable(memory) is False
    assert hub.connections == 0
    expired = time.time() - HUB_MEMORY_SECONDS - 1
    os.utime(memory, (expired, expired))
    assert hub_reachable(memory) is True
    assert hub.accepted(1) == 1
    assert not memory.exists()  # a reachable Hub clears the memory


def test_the_memory_is_for_one_endpoint(hub: CountingServer, tmp_path: Path) -> None:
    memory = tmp_path / HUB_MEMORY_FILE
    memory.write_text("https://another-mirror.example", encoding="utf-8")
    assert hub_reachable(memory) is True
    assert hub.accepted(1) == 1


@pytest.mark.parametrize("value", ["1", "ON", "true", "yes"])
def test_hf_hub_offline_means_no_probe(hub: CountingServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    assert hub_reachable(tmp_path / HUB_MEMORY_FILE) is False
    assert hub.connections == 0 and not (tmp_path / HUB_MEMORY_FILE).exists()


def test_a_read_only_cache_folder_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with refusing_port() as port:
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        assert hub_reachable(blocker / HUB_MEMORY_FILE, timeout=2) is False


@pytest.fixture()
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_models: dict[str, Path]) -> Path:
    """A Hugging Face cache in huggingface_hub's layout holding the tiny BART as example-org/tiny-bart."""
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    repository = tmp_path / "models--example-org--tiny-bart"
    commit = "0123456789abcdef0123456789abcdef01234567"
    (repository / "refs").mkdir(parents=True)
    (repository / "refs" / "main").write_text(commit)
    shutil.copytree(tiny_models["bart"], repository / "snapshots" / commit)
    return repository / "snapshots" / commit


def test_cached_snapshot_agrees_with_huggingface_hub(hf_cache: Path) -> None:
    assert cached_snapshot("example-org/tiny-bart") == hf_cache
    assert Path(try_to_load_from_cache("example-org/tiny-bart", "config.json")).parent == hf_cache
    assert cached_snapshot("example-org/other") is None
    assert try_to_load_from_cache("example-org/other", "config.json") is None


def test_the_cache_is_checked_before_the_hub(hf_cache: Path, hub: CountingServer, tmp_path: Path) -> None:
    runtime = RuntimeSettings(device="cpu", cache_dir=str(tmp_path / "summarize"))
    assert resolve_source(ModelSettings(model="example-org/tiny-bart"), "summarize.models.en", runtime) == (
        "example-org/tiny-bart",
        True,
    )
    assert model_status("summarize.models.en", ModelSettings(model="example-org/tiny-bart")).status == "cached"
    assert hub.connections == 0


def test_a_missing_model_falls_back_without_importing_torch(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from summarize import Service, load_settings\n"
        f"settings = load_settings(overrides={{'runtime.cache_dir': {str(tmp_path)!r}}}, environ={{}})\n"
        "result = Service(settings).summarize(open(sys.argv[1], encoding='utf-8').read())\n"
        "print(result.engine, len(result.notes), 'torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", script, str(ROOT / "examples" / "article_en.txt")],
        capture_output=True, text=True, env=env, check=True,
    )
    assert done.stdout == "extractive 1 False False\n"
