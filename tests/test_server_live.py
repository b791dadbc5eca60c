"""The server on a real socket of 127.0.0.1: through `gradio_client`, over HTTP in parallel, and as `python app.py`."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import yaml
from conftest import FORCED_LENGTH, tiny_overrides
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from live_server import LiveServer

from summarize import Service, Settings, load_settings
from summarize.store import ModelStore
from summarize.web.choices import choice_settings
from summarize.web.demo.common import error_markdown, quality_line
from summarize.web.demo.ui import EXAMPLE_EN, EXAMPLE_TRANSLATE_EN, EXAMPLE_ZH
from summarize.web.server import create_app

ROOT = Path(__file__).resolve().parent.parent
APP_START_LIMIT_S = 300
"""A guard against a hung `app.py` start (importing torch and Gradio on a loaded 2-core machine is slow),
not a measurement."""


@pytest.fixture(scope="module")
def live_settings(tiny_models: dict[str, Path]) -> Settings:
    return load_settings(overrides=tiny_overrides(tiny_models, **{"server.concurrency_limit": 2}), environ={})


@pytest.fixture(scope="module")
def live(live_settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(create_app(live_settings)) as server:
        yield server


@pytest.fixture(scope="module")
def client(live: LiveServer) -> Client:
    return Client(f"{live.url}/", verbose=False, download_files=False)


@pytest.fixture(scope="module")
def reference(live_settings: Settings) -> Service:
    return Service(live_settings, store=ModelStore())


def test_gradio_client_sees_the_seven_endpoints(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert sorted(endpoints) == [
        "/batch", "/bilingual", "/evaluate", "/summarize", "/summarize_document", "/translate", "/translate_document",
    ]


def test_gradio_client_summarizes(client: Client, reference: Service, tiny_models: dict[str, Path]) -> None:
    summary, details, notes, error = client.predict(EXAMPLE_ZH, "en", "short", "default", api_name="/summarize")
    expected = reference.summarize(EXAMPLE_ZH, "en", length="short")
    assert summary == expected.text
    assert expected.model == f"{tiny_models['mt5']} + {tiny_models['marian-zh-en']}"
    shown_model = "mt5 + marian-zh-en"  # the local model folders by name, without their server paths
    assert details.startswith(f"Chinese → English · engine `seq2seq+seq2seq` · model `{shown_model}` · 1 chunk · ")
    assert (notes, error) == ("", "")


def test_gradio_client_streams_a_translation(client: Client, reference: Service) -> None:
    job = client.submit(EXAMPLE_TRANSLATE_EN, "en-zh", api_name="/translate")
    final, details, error = job.result(timeout=120)
    *partials, result = reference.translate_stream(EXAMPLE_TRANSLATE_EN, "zh", source_lang="en")
    assert [output[0] for output in job.outputs()] == [*partials, partials[-1]]
    assert final == partials[-1]
    assert reference.settings.translate.models["en-zh"].model.endswith("/marian-en-zh")
    shown = "\n\n".join(filter(None, ["English → Chinese · model `marian-en-zh`", quality_line(result)]))
    assert (details, error) == (shown, "")


def test_gradio_client_gets_the_error_message(client: Client) -> None:
    # The error comes back as the tab's error line (the last output), in the UI's words; the rest is blank.
    outputs = client.predict("   ", "same", "medium", "default", api_name="/summarize")
    assert tuple(outputs) == ("", "", "", error_markdown("the text box is empty; give the article text"))


def test_gradio_client_refuses_a_model_outside_the_allow_list(client: Client) -> None:
    message = "Value: facebook/bart-large-cnn is not in the list of choices: ['default', 'extractive']"
    with pytest.raises(AppError, match=f"^{re.escape(message)}$"):
        client.predict(EXAMPLE_EN, "same", "medium", "facebook/bart-large-cnn", api_name="/summarize")


def test_gradio_client_runs_a_batch_job(client: Client, reference: Service, tmp_path: Path) -> None:
    source = tmp_path / "articles.jsonl"
    records = [{"id": "en", "text": EXAMPLE_EN}, {"id": "zh", "text": EXAMPLE_ZH}, {"id": "bad", "text": ""}]
    source.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")
    results, counts, preview, error = client.predict(
        handle_file(str(source)), "summarize", "en", "default", "text", None, api_name="/batch"
    )
    assert (counts, error) == ("2 done, 1 failed (see the `error` field)", "")
    assert [row[0] for row in preview["data"]] == ["en", "zh", "bad"]
    download = httpx.get(results["url"], timeout=30)
    written = [json.loads(line) for line in download.text.splitlines()]
    assert [(record["id"], record["error"]) for record in written] == [
        ("en", ""), ("zh", ""), ("bad", "text is empty; give the article text")
    ]
    assert [record["summary"] for record in written[:2]] == [row[1] for row in preview["data"][:2]]


def test_gradio_client_scores_summaries(client: Client, tmp_path: Path) -> None:
    predictions, references = tmp_path / "predictions.txt", tmp_path / "references.txt"
    predictions.write_text("市议会周一开会\n", encoding="utf-8")
    references.write_text("市议会周一召开会议\n", encoding="utf-8")
    table, _, notes, error = client.predict(
        handle_file(str(predictions)), [handle_file(str(references))], "zh", "default for the language",
        api_name="/evaluate",
    )
    assert table["data"][0] == ["ROUGE-1", 1.0, 0.7778, 0.875]  # 7 of 9 reference characters, all 7 predicted
    assert notes.startswith("1 items · signature `nrefs:1|tok:zh-char|")
    assert error == ""


def test_parallel_api_requests_all_succeed(live: LiveServer, reference: Service) -> None:
    texts = [EXAMPLE_EN, EXAMPLE_ZH] * 6

    def post(text: str) -> tuple[int, str]:
        response = httpx.post(f"{live.url}/v1/summarize", json={"text": text}, timeout=120)
        return response.status_code, response.json()["text"]

    with ThreadPoolExecutor(max_workers=len(texts)) as pool:
        answers = list(pool.map(post, texts))
    assert answers == [(200, reference.summarize(text).text) for text in texts]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def app_process(tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`python app.py --config FILE --port N` in a subprocess (host left to the default); its URL and log."""
    folder = tmp_path_factory.mktemp("app")
    config = folder / "tiny.yaml"

    def model(name: str) -> dict[str, object]:
        return {"model": str(tiny_models[name]), "generation": dict(FORCED_LENGTH)}

    settings = {
        "runtime": {"device": "cpu", "allow_download": False},
        "summarize": {"models": {"en": model("bart"), "zh": model("mt5")}},
        "translate": {"models": {"en-zh": model("marian-en-zh"), "zh-en": model("marian-zh-en")}},
    }
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")
    port = _free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SUMMARIZE_")}
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--config", str(config), "--port", str(port)],
        cwd=folder,
        env=environment | {"HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + APP_START_LIMIT_S
    try:
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"app.py did not start:\n{(folder / 'server.log').read_text()}")
            time.sleep(0.25)
        yield url, folder / "server.log"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_app_py_binds_127_0_0_1_by_default(app_process: tuple[str, Path]) -> None:
    url, log = app_process
    assert f"Uvicorn running on {url} (Press CTRL+C to quit)" in log.read_text()


def test_app_py_serves_the_ui_and_the_api(app_process: tuple[str, Path], reference: Service) -> None:
    url, _ = app_process
    client = Client(f"{url}/", verbose=False, download_files=False)
    summary, *_ = client.predict(EXAMPLE_EN, "same", "medium", "default", api_name="/summarize")
    assert summary == reference.summarize(EXAMPLE_EN).text
    response = httpx.post(f"{url}/v1/translate", json={"text": EXAMPLE_TRANSLATE_EN, "target_lang": "zh"}, timeout=120)
    assert (response.status_code, response.json()["text"]) == (200, reference.translate(EXAMPLE_TRANSLATE_EN, "zh").text)


def test_gradio_client_logs_in_with_the_api_key(tiny_models: dict[str, Path]) -> None:
    settings = load_settings(overrides=tiny_overrides(tiny_models, **{"server.api_key": "s3cret"}), environ={})
    with LiveServer(create_app(settings)) as keyed:
        with pytest.raises(ValueError, match="Could not login"):
            Client(f"{keyed.url}/", auth=("me", "wrong"), verbose=False)
        client = Client(f"{keyed.url}/", auth=("me", "s3cret"), verbose=False, download_files=False)
        summary, *_ = client.predict(EXAMPLE_EN, "same", "short", "extractive", api_name="/summarize")
    expected = Service(choice_settings(settings, "extractive"), store=ModelStore()).summarize(EXAMPLE_EN, length="short")
    assert summary == expected.text
