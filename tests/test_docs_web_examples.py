"""The `curl` examples of docs/web.md and README.md, sent to the server they were written against
(`summarize serve --config configs/offline.yaml`, and `server.api_key=s3cret` under "API key"):
each answer must be the one printed under it (its status and headers for `curl -i`), but for the
`seconds` a call took."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from summarize import Settings, load_settings
from summarize.hub import model_status
from summarize.store import ModelStore
from summarize.web.server import create_app

ROOT = Path(__file__).resolve().parent.parent
SERVER = "http://127.0.0.1:7860"
DOCS = ("docs/web.md", "README.md")
KEYED_SECTION = "### API key"
"""Examples after this heading (in docs/web.md) were run against a server with ``server.api_key=s3cret``."""
MISSING_MODEL_MARKS = ('"status":"missing"', "is not in the local Hugging Face cache")
"""What an example's answer holds when it depends on the machine not having the translation models."""


@dataclass(frozen=True)
class Example:
    where: str
    command: list[str]
    answer: list[str]
    keyed: bool


def _examples() -> list[Example]:
    found = []
    for name in DOCS:
        lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
        keyed = in_console = False
        number = 0
        while number < len(lines):
            line = lines[number]
            keyed = keyed or line == KEYED_SECTION
            if line.startswith("```"):
                in_console = line == "```console"
            if not (in_console and line.startswith("$ curl ")):
                number += 1
                continue
            where, command = f"{name}:{number + 1}", line
            while command.endswith("\\"):
                number += 1
                command = command[:-1] + lines[number]
            number += 1
            answer = []
            while not lines[number].startswith(("$ ", "```")):
                answer += [lines[number]] if lines[number].strip() else []
                number += 1
            if "@" not in command:  # --data-binary @file: no such file here
                found.append(Example(where, shlex.split(command[2:], comments=True), answer, keyed))
    return found


EXAMPLES = _examples()


def _send(client: TestClient, words: list[str]) -> tuple[Any, bool]:
    """Send what `curl words` sends (``-d`` without a Content-Type is a form post, as curl makes it)."""
    headers = {"content-type": "application/x-www-form-urlencoded"}
    data, url, include = None, "", False
    arguments = iter(words[1:])
    for word in arguments:
        if word == "-H":
            key, value = next(arguments).split(":", 1)
            headers[key.strip().lower()] = value.strip()
        elif word == "-d":
            data = next(arguments)
        elif word == "-i":
            include = True
        elif word.startswith(SERVER):
            url = word.removeprefix(SERVER)
        elif word != "-s":
            raise AssertionError(f"the test does not know curl's {word}")
    if data is None:
        return client.get(url), include
    return client.post(url, content=data.encode("utf-8"), headers=headers), include


def _without_seconds(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_seconds(item) for key, item in value.items() if key != "seconds"}
    if isinstance(value, list):
        return [_without_seconds(item) for item in value]
    return value


def _json(text: str) -> Any:
    return json.loads(text[: text.rindex("}") + 1])  # without a trailing "# 422" comment


@pytest.fixture(scope="module")
def offline() -> Settings:
    return load_settings(ROOT / "configs" / "offline.yaml", environ={})


@pytest.fixture(scope="module")
def clients(offline: Settings) -> Iterator[dict[bool, TestClient]]:
    keyed = load_settings(ROOT / "configs" / "offline.yaml", overrides={"server.api_key": "s3cret"}, environ={})
    store = ModelStore()  # its own: what /v1/models says of each model's state is this server's alone
    with TestClient(create_app(offline, store=store), base_url="http://127.0.0.1") as plain, \
            TestClient(create_app(keyed, store=store), base_url="http://127.0.0.1") as with_key:
        yield {False: plain, True: with_key}


def test_the_examples_are_found() -> None:
    assert len(EXAMPLES) == 11
    assert [example.keyed for example in EXAMPLES].count(True) == 2


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.where for example in EXAMPLES])
def test_a_curl_example_answers_what_the_docs_print(
    example: Example, clients: dict[bool, TestClient], offline: Settings
) -> None:
    shows_missing_models = any(mark in line for line in example.answer for mark in MISSING_MODEL_MARKS)
    if shows_missing_models and any(model_status(role, spec).status != "missing" for role, spec in offline.model_entries()):
        pytest.skip("the example shows the translation models missing, and this machine has some of them cached")
    response, include = _send(clients[example.keyed], example.command)
    body = example.answer[-1]
    if include:
        status_line, *header_lines = example.answer[:-1]
        assert f"HTTP/1.1 {response.status_code} {response.reason_phrase}" == status_line
        for line in header_lines:
            key, value = line.split(":", 1)
            assert response.headers[key] == value.strip()
    assert len(example.answer) == (3 if include else 1), example.answer
    status = re.search(r"#\s*(\d{3})\s*$", body)
    if status:
        assert response.status_code == int(status.group(1))
    assert _without_seconds(response.json()) == _without_seconds(_json(body))
