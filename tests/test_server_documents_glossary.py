"""The document routes' `glossary` form field: the JSON routes' object as JSON text, enforced in the
translated file and reported (headers for the file, `terms` in JSON), every bad one answered 4xx as
the JSON routes answer it."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from chat_server import ChatServer, Reply, echo_article
from document_shapes import FIXTURES
from fastapi.testclient import TestClient
from test_server_api import LOCAL_URL, api_settings, client, reference  # noqa: F401  (the API tests' fixtures)
from test_server_glossary import BAD_GLOSSARIES, BAD_GLOSSARY_IDS

from summarize import Service, Settings, load_settings
from summarize.glossary import Glossary
from summarize.web.api.documents import TERMS_FOUND_HEADER, TERMS_KEPT_HEADER
from summarize.web.choices import choice_settings
from summarize.web.server import create_app

PAGE = "bridge_en.html"
TERMS = {"Harbour Bridge": "港湾大桥", "transport office": "交通局", "airport": "机场"}
"""Two terms the page holds (the first in its title too), one it does not."""
DROPPED = "交通局"
"""The target term the chat model below leaves out."""
MEMO = "The mayor opened the Harbour Bridge.\n\nThe transport office will close it again in June."


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}


def _upload(name: str = PAGE) -> dict[str, Any]:
    return {"file": (name, (FIXTURES / name).read_bytes())}


def test_a_translated_page_is_the_services_with_the_glossary_and_its_counts_in_headers(
    client: TestClient, reference: Service
) -> None:
    data = (FIXTURES / PAGE).read_bytes()
    form = {"target_lang": "zh", "glossary": json.dumps(TERMS)}
    response = client.post("/v1/documents/translate", files=_upload(), data=form)
    assert response.status_code == 200, response.text
    expected = reference.translate_document(data, "html", "zh", name=PAGE, glossary=Glossary.from_mapping(TERMS))
    assert response.content == expected.data
    assert [(term.source, term.target) for term in expected.result.terms] == [
        ("Harbour Bridge", "港湾大桥"), ("transport office", "交通局")
    ]
    kept = sum(term.found for term in expected.result.terms)
    assert (response.headers[TERMS_FOUND_HEADER], response.headers[TERMS_KEPT_HEADER]) == ("2", str(kept))


def test_without_a_glossary_the_headers_count_nothing(client: TestClient) -> None:
    response = client.post("/v1/documents/translate", files=_upload(), data={"target_lang": "zh", "glossary": ""})
    assert response.status_code == 200, response.text
    assert (response.headers[TERMS_FOUND_HEADER], response.headers[TERMS_KEPT_HEADER]) == ("0", "0")


def test_a_cross_lingual_page_summary_checks_the_terms_of_its_summary(client: TestClient, reference: Service) -> None:
    form = {"target_lang": "zh", "model": "extractive", "length": "short", "glossary": json.dumps(TERMS)}
    response = client.post("/v1/documents/summarize", files=_upload(), data=form)
    assert response.status_code == 200, response.text
    extractive = Service(choice_settings(reference.settings, "extractive"))
    expected = extractive.summarize_document(
        (FIXTURES / PAGE).read_bytes(), "html", "zh", length="short", name=PAGE, glossary=Glossary.from_mapping(TERMS)
    )
    assert response.json()["terms"] == [term.to_dict() for term in expected.terms]
    assert [term.source for term in expected.terms] == ["transport office"]  # in the short summary, not the page's lead


# --------------------------------------------------------------------------- a chat model that obeys the terms


def obeying_terms(body: dict[str, Any]) -> Reply:
    """The article with each listed term replaced by its translation, except :data:`DROPPED`."""
    text = echo_article(body).content
    for source, target in re.findall(r"^- (.+) => (.+)$", body["messages"][-1]["content"], re.MULTILINE):
        if target != DROPPED:
            text = re.sub(re.escape(source), target, text, flags=re.IGNORECASE)
    return Reply(text)


@pytest.fixture(scope="module")
def chat_settings() -> Iterator[Settings]:
    with ChatServer(obeying_terms) as server:
        overrides = {"llm.endpoint": server.url, "llm.model": "test-model", "translate.engine": "llm",
                     "summarize.engine": "extractive", "runtime.allow_download": False}
        yield load_settings(overrides=overrides, environ={})


@pytest.fixture(scope="module")
def chat_client(chat_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(chat_settings), base_url=LOCAL_URL) as test_client:
        yield test_client


def test_the_terms_reach_the_translated_file_and_the_headers_count_what_was_kept(chat_client: TestClient) -> None:
    files = {"file": ("memo.txt", MEMO.encode())}
    form = {"target_lang": "zh", "glossary": json.dumps(TERMS)}
    response = chat_client.post("/v1/documents/translate", files=files, data=form)
    assert response.status_code == 200, response.text
    assert response.content.decode("utf-8") == (
        "The mayor opened the 港湾大桥.\n\nThe transport office will close it again in June."
    )
    assert (response.headers[TERMS_FOUND_HEADER], response.headers[TERMS_KEPT_HEADER]) == ("2", "1")


def test_the_json_variant_reports_each_term(chat_client: TestClient) -> None:
    files = {"file": ("memo.txt", MEMO.encode())}
    response = chat_client.post(
        "/v1/documents/translate", files=files, data={"target_lang": "zh", "glossary": json.dumps(TERMS)},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert base64.b64decode(body["data_base64"]).decode("utf-8").startswith("The mayor opened the 港湾大桥.")
    assert body["result"]["terms"] == [
        {"source": "Harbour Bridge", "target": "港湾大桥", "found": True},
        {"source": "transport office", "target": "交通局", "found": False},
    ]


def test_a_cross_lingual_summary_of_a_document_has_the_terms_and_reports_them(chat_client: TestClient) -> None:
    files = {"file": ("memo.txt", MEMO.encode())}
    form = {"target_lang": "zh", "length": "short", "glossary": json.dumps(TERMS)}
    response = chat_client.post("/v1/documents/summarize", files=files, data=form)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["text"], body["engine"]) == (
        "The mayor opened the 港湾大桥. The transport office will close it again in June.", "extractive+llm"
    )
    assert body["terms"] == [
        {"source": "Harbour Bridge", "target": "港湾大桥", "found": True},
        {"source": "transport office", "target": "交通局", "found": False},
    ]


# --------------------------------------------------------------------------- bad glossaries

ROUTES = ["/v1/documents/translate", "/v1/documents/summarize"]


@pytest.mark.parametrize(("glossary", "kind", "message"), BAD_GLOSSARIES, ids=BAD_GLOSSARY_IDS)
@pytest.mark.parametrize("route", ROUTES)
def test_a_bad_glossary_is_422_as_on_the_json_routes(
    client: TestClient, route: str, glossary: Any, kind: str, message: str
) -> None:
    response = client.post(route, files=_upload(), data={"target_lang": "zh", "glossary": json.dumps(glossary)})
    assert (response.status_code, response.json()) == (422, _error(kind, message))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{mayor: 市长}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ("mayor\t市长", "Expecting value: line 1 column 1 (char 0)"),
        ("[" * 100_000, "nested too deeply"),
    ],
    ids=["unquoted", "tsv", "deep"],
)
@pytest.mark.parametrize("route", ROUTES)
def test_a_glossary_that_is_not_json_is_422_saying_why(client: TestClient, route: str, text: str, reason: str) -> None:
    response = client.post(route, files=_upload(), data={"target_lang": "zh", "glossary": text})
    message = f"glossary: is not valid JSON ({reason}); send an object of source term: target term"
    assert (response.status_code, response.json()) == (422, _error("invalid_request", message))


def test_a_lone_surrogate_in_a_form_glossary_is_422_naming_the_entry(client: TestClient) -> None:
    form = {"target_lang": "zh", "glossary": '{"mayor": "\\u5e02\\ud800"}'}
    response = client.post("/v1/documents/translate", files=_upload(), data=form)
    message = (
        "glossary['mayor']: the target term is not valid Unicode: character 1 is a lone surrogate (\\ud800); "
        "send it encoded as UTF-8"
    )
    assert (response.status_code, response.json()) == (422, _error("invalid_input", message))


def test_a_form_glossary_over_the_term_limit_is_422(client: TestClient) -> None:
    glossary = json.dumps({f"t{i}": "x" for i in range(5001)})
    response = client.post("/v1/documents/translate", files=_upload(), data={"target_lang": "zh", "glossary": glossary})
    message = "glossary: has 5,001 terms, over the limit of 5,000; split it by topic"
    assert (response.status_code, response.json()) == (422, _error("invalid_request", message))
