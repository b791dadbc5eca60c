"""The REST API over tiny models: every endpoint, and every failure mode with its exact status and body."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FORCED_LENGTH, tiny_overrides
from fastapi.testclient import TestClient

from summarize import Result, Service, Settings, load_settings
from summarize.evaluation.versions import package_version
from summarize.store import ModelStore
from summarize.web.api.errors import (
    BODY_NOT_AN_OBJECT,
    INTERNAL_ERROR,
    NESTED_TOO_DEEPLY,
    NOT_UNICODE_KEY,
    NUMBER_TOO_LONG,
)
from summarize.web.demo.ui import (
    EXAMPLE_EN,
    EXAMPLE_TRANSLATE_EN,
    EXAMPLE_TRANSLATE_ZH,
    EXAMPLE_ZH,
)
from summarize.web.server import UI_LOGIN_MESSAGE, create_app

MAX_CHARS = 3000
MAX_REQUEST_BYTES = 20_000
MAX_UPLOAD_BYTES = 50_000
API_KEY = "s3cret-key"
LOCAL_URL = "http://127.0.0.1"
"""TestClient's default host, testserver, is not one the server answers to (server.allowed_hosts)."""


def _settings(tiny_models: dict[str, Path], **extra: Any) -> Settings:
    overrides = tiny_overrides(
        tiny_models,
        **{
            "limits.max_chars": MAX_CHARS,
            "server.max_request_bytes": MAX_REQUEST_BYTES,
            "server.max_upload_bytes": MAX_UPLOAD_BYTES,
            "server.model_choices": {
                "tiny-mt5": {"en": {"model": str(tiny_models["mt5"]), "generation": dict(FORCED_LENGTH)}}
            },
        },
        **extra,
    )
    return load_settings(overrides=overrides, environ={})


@pytest.fixture(scope="module")
def api_settings(tiny_models: dict[str, Path]) -> Settings:
    return _settings(tiny_models)


@pytest.fixture(scope="module")
def client(api_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings), base_url=LOCAL_URL) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def reference(api_settings: Settings) -> Service:
    """The same settings used directly: the API must answer what the service answers."""
    return Service(api_settings, store=ModelStore())


def _result(result: Result) -> dict[str, Any]:
    """What the API answers for `result`: local model directories are named by their folder, never their path."""
    data = result.to_dict()
    del data["seconds"]
    data["model"] = " + ".join(Path(part).name for part in data["model"].split(" + "))
    return data


def _body(response: Any) -> dict[str, Any]:
    data = response.json()
    assert isinstance(data.pop("seconds"), float)
    return data


def _error(kind: str, message: str, items: list[tuple[int, str]] | None = None) -> dict[str, Any]:
    if items is None:
        return {"error": {"type": kind, "message": message}}
    return {"error": {"type": kind, "message": message, "items": [{"index": i, "message": m} for i, m in items]}}


# --------------------------------------------------------------------------- endpoints


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "version": package_version()})


@pytest.mark.parametrize("text", [EXAMPLE_EN, EXAMPLE_ZH], ids=["en", "zh"])
def test_summarize_one_text_answers_what_the_service_answers(client: TestClient, reference: Service, text: str) -> None:
    response = client.post("/v1/summarize", json={"text": text})
    assert response.status_code == 200
    assert _body(response) == _result(reference.summarize(text))


def test_summarize_into_the_other_language(client: TestClient, reference: Service) -> None:
    response = client.post("/v1/summarize", json={"text": EXAMPLE_EN, "target_lang": "zh", "length": "short"})
    assert response.status_code == 200
    body = _body(response)
    assert body == _result(reference.summarize(EXAMPLE_EN, "zh", length="short"))
    assert (body["source_lang"], body["target_lang"], body["engine"]) == ("en", "zh", "seq2seq+seq2seq")


def test_summarize_a_list_keeps_the_order(client: TestClient, reference: Service) -> None:
    response = client.post("/v1/summarize", json={"text": [EXAMPLE_ZH, EXAMPLE_EN]})
    assert response.status_code == 200
    results = response.json()["results"]
    for result in results:
        del result["seconds"]
    assert results == [_result(result) for result in reference.summarize_batch([EXAMPLE_ZH, EXAMPLE_EN])]


def test_summarize_with_the_extractive_choice(client: TestClient) -> None:
    response = client.post("/v1/summarize", json={"text": EXAMPLE_EN, "model": "extractive", "length": "short"})
    assert response.status_code == 200
    body = _body(response)
    assert (body["engine"], body["model"], body["notes"]) == ("extractive", "extractive", [])
    assert body["text"] == (
        "Riverton opened its first electric tram line on Monday, linking the airport with the old town in 25 minutes. "
        "A second line, to the university campus, is due to start construction next spring."
    )  # short English summaries go by content alone (summarize.extractive.short_english_position_weight)


def test_summarize_with_a_model_from_the_allow_list(client: TestClient, tiny_models: dict[str, Path]) -> None:
    response = client.post("/v1/summarize", json={"text": EXAMPLE_EN, "model": "tiny-mt5"})
    assert response.status_code == 200
    assert (response.json()["engine"], response.json()["model"]) == ("seq2seq", "mt5")


@pytest.mark.parametrize(
    ("text", "target"), [(EXAMPLE_TRANSLATE_EN, "zh"), (EXAMPLE_TRANSLATE_ZH, "en")], ids=["en-zh", "zh-en"]
)
def test_translate_one_text(client: TestClient, reference: Service, text: str, target: str) -> None:
    response = client.post("/v1/translate", json={"text": text, "target_lang": target})
    assert response.status_code == 200
    assert _body(response) == _result(reference.translate(text, target))


def test_translate_a_list_keeps_the_order(client: TestClient, reference: Service) -> None:
    texts = [EXAMPLE_TRANSLATE_EN, "Rain is expected on Sunday.", EXAMPLE_EN]
    response = client.post("/v1/translate", json={"text": texts, "target_lang": "zh", "source_lang": "en"})
    assert response.status_code == 200
    results = response.json()["results"]
    for result in results:
        del result["seconds"]
    assert results == [_result(result) for result in reference.translate_batch(texts, "zh", source_lang="en")]


def test_models_lists_the_configured_models_and_the_choices(client: TestClient, tiny_models: dict[str, Path]) -> None:
    response = client.get("/v1/models")
    assert response.status_code == 200
    local = "local directory"
    body = response.json()
    for model in body["models"]:  # loaded or not by the tests before: see test_models_says_what_failed_to_load
        assert (model.pop("state") in ("loaded", "not loaded"), model.pop("error")) == (True, None)
    assert body == {
        "engine": "auto",
        "choices": ["default", "extractive", "tiny-mt5"],
        "models": [
            {"role": "summarize.models.en", "name": "bart", "status": local},
            {"role": "summarize.models.zh", "name": "mt5", "status": local},
            {"role": "translate.models.en-zh", "name": "marian-en-zh", "status": local},
            {"role": "translate.models.zh-en", "name": "marian-zh-en", "status": local},
            {"role": "server.model_choices.tiny-mt5.en", "name": "mt5", "status": local},
        ],
    }


def test_openapi_documents_the_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert sorted(schema["paths"]) == [
        "/healthz", "/v1/documents/summarize", "/v1/documents/translate", "/v1/models", "/v1/summarize", "/v1/translate"
    ]
    assert {"SummarizeRequest", "TranslateRequest", "ResultOut", "ResultsOut", "ErrorBody"} <= set(
        schema["components"]["schemas"]
    )
    assert client.get("/docs").status_code == 200


def test_openapi_lists_every_error_status_the_api_answers(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/summarize", "/v1/translate", "/v1/documents/summarize", "/v1/documents/translate"):
        errors = {status: answer["description"] for status, answer in paths[path]["post"]["responses"].items() if status >= "4"}
        assert errors == {
            "400": "Malformed JSON, or a Host header the server does not answer to (server.allowed_hosts)",
            "401": "Missing or wrong API key (when server.api_key is set)",
            "408": "The request body did not all arrive within server.body_timeout_seconds",
            "413": "Request body over server.max_request_bytes (server.max_upload_request_bytes for "
                   "/v1/documents/), or an uploaded document over server.max_upload_bytes",
            "422": "Invalid request or input text; for a list, `items` names every bad item",
            "429": "Too many wrong API keys from this address (server.max_failed_auth)",
            "503": "Server busy, or a needed model is unavailable",
        }, path


def test_the_web_demo_is_served_at_the_root(client: TestClient) -> None:
    page = client.get("/")
    assert (page.status_code, page.headers["content-type"]) == (200, "text/html; charset=utf-8")
    config = client.get("/config").json()
    assert config["title"] == "Bilingual news summarizer"
    assert sorted(dependency["api_name"] for dependency in config["dependencies"] if dependency["api_visibility"] == "public") == [
        "batch", "bilingual", "evaluate", "summarize", "summarize_document", "translate", "translate_document"
    ]


# --------------------------------------------------------------------------- failures


SUMMARIZE_FAILURES = [
    ({"text": 5}, 422, "invalid_request", "text: must be a string or a list of strings, not number"),
    ({"text": None}, 422, "invalid_request", "text: must be a string or a list of strings, not null"),
    ({"text": {"body": "x"}}, 422, "invalid_request", "text: must be a string or a list of strings, not object"),
    ({"text": []}, 422, "invalid_request", "text: is an empty list; give at least one article"),
    (
        {"text": ["ok", 3]},
        422,
        "invalid_request",
        "text: item 1 must be a string, not number",
        [(1, "must be a string, not number")],
    ),
    ({}, 422, "invalid_request", "text: Field required"),
    ({"text": "x", "color": "red"}, 422, "invalid_request", "color: Extra inputs are not permitted"),
    ({"text": "x", "target_lang": "fr"}, 422, "invalid_request", "target_lang: Input should be 'en', 'zh' or 'zh-Hant'"),
    ({"text": "x", "source_lang": "de"}, 422, "invalid_request", "source_lang: Input should be 'en', 'zh' or 'zh-Hant'"),
    ({"text": "x", "length": "huge"}, 422, "invalid_request", "length: Input should be 'short', 'medium' or 'long'"),
    (
        {"text": 1, "length": "huge"},
        422,
        "invalid_request",
        "text: must be a string or a list of strings, not number; length: Input should be 'short', 'medium' or 'long'",
    ),
    ([EXAMPLE_EN], 422, "invalid_request", BODY_NOT_AN_OBJECT),
    ({"text": " \n\t "}, 422, "invalid_input", "text is empty; give the article text"),
    (
        {"text": [EXAMPLE_EN, ""]},
        422,
        "invalid_input",
        "texts[1] is empty; give the article text",
        [(1, "texts[1] is empty; give the article text")],
    ),
    (
        {"text": "word " * 700},
        422,
        "invalid_input",
        "text has 3,499 characters, over the limit of 3,000 (limits.max_chars); split it or raise the limit",
    ),
    (
        {"text": "今日はいい天気ですね。散歩に行きましょう。"},
        422,
        "invalid_input",
        "unsupported language: the text looks like Japanese; supported languages are en and zh",
    ),
    (
        {"text": EXAMPLE_EN, "model": "facebook/bart-large-cnn"},
        422,
        "invalid_input",
        "model 'facebook/bart-large-cnn' is not offered here; choose one of 'default', 'extractive', 'tiny-mt5' "
        "(server.model_choices)",
    ),
]


@pytest.mark.parametrize(("body", "status", "kind", "message", "items"), [(*case, None)[:5] for case in SUMMARIZE_FAILURES])
def test_summarize_rejects_bad_input(
    client: TestClient, body: Any, status: int, kind: str, message: str, items: list[tuple[int, str]] | None
) -> None:
    response = client.post("/v1/summarize", json=body)
    assert (response.status_code, response.json()) == (status, _error(kind, message, items))


TRANSLATE_FAILURES = [
    ({"text": EXAMPLE_TRANSLATE_EN}, 422, "invalid_request", "target_lang: Field required"),
    ({"text": EXAMPLE_TRANSLATE_EN, "target_lang": "fr"}, 422, "invalid_request", "target_lang: Input should be 'en', 'zh' or 'zh-Hant'"),
    ({"text": EXAMPLE_TRANSLATE_EN, "target_lang": "zh", "length": "short"}, 422, "invalid_request", "length: Extra inputs are not permitted"),
    (
        {"text": EXAMPLE_TRANSLATE_EN, "target_lang": "en"},
        422,
        "invalid_input",
        "text is already in 'en'; translation goes en->zh or zh->en, so set target_lang to the other language",
    ),
    (
        {"text": [EXAMPLE_TRANSLATE_EN, EXAMPLE_TRANSLATE_ZH], "target_lang": "zh"},
        422,
        "invalid_input",
        "texts[1] is already in 'zh'; translation goes en->zh or zh->en, so set target_lang to the other language",
        [(1, "texts[1] is already in 'zh'; translation goes en->zh or zh->en, so set target_lang to the other language")],
    ),
]


@pytest.mark.parametrize(("body", "status", "kind", "message", "items"), [(*case, None)[:5] for case in TRANSLATE_FAILURES])
def test_translate_rejects_bad_input(
    client: TestClient, body: Any, status: int, kind: str, message: str, items: list[tuple[int, str]] | None
) -> None:
    response = client.post("/v1/translate", json=body)
    assert (response.status_code, response.json()) == (status, _error(kind, message, items))


@pytest.mark.parametrize(
    ("content", "headers", "message"),
    [
        (b'{"text": "x"', {"content-type": "application/json"}, "the request body is not valid JSON (Expecting ',' delimiter)"),
        (b"text=hello", {"content-type": "application/json"}, "the request body is not valid JSON (Expecting value)"),
    ],
    ids=["truncated", "form-data"],
)
def test_malformed_json_is_400(client: TestClient, content: bytes, headers: dict[str, str], message: str) -> None:
    response = client.post("/v1/summarize", content=content, headers=headers)
    assert (response.status_code, response.json()) == (400, _error("invalid_json", message))


@pytest.mark.parametrize(
    ("content", "headers"),
    [(b"", {"content-type": "application/json"}), (b'{"text": "x"}', {})],
    ids=["empty-body", "no-content-type"],
)
def test_body_must_be_a_json_object(client: TestClient, content: bytes, headers: dict[str, str]) -> None:
    response = client.post("/v1/summarize", content=content, headers=headers)
    assert (response.status_code, response.json()) == (422, _error("invalid_request", BODY_NOT_AN_OBJECT))


TOO_LARGE = _error(
    "request_too_large", f"the request body is over the limit of {MAX_REQUEST_BYTES:,} bytes (server.max_request_bytes)"
)


def test_request_over_the_size_limit_is_413(client: TestClient) -> None:
    response = client.post("/v1/summarize", json={"text": "x" * MAX_REQUEST_BYTES})
    assert (response.status_code, response.json()) == (413, TOO_LARGE)


def test_streamed_request_over_the_size_limit_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(MAX_REQUEST_BYTES // 1000 + 1):
            yield b"x" * 1000

    response = client.post("/v1/summarize", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert (response.status_code, response.json()) == (413, TOO_LARGE)


def test_size_limit_also_guards_the_web_demo_routes(client: TestClient) -> None:
    response = client.post("/gradio_api/queue/join", content=b"x" * (MAX_REQUEST_BYTES + 1))
    assert (response.status_code, response.json()) == (413, TOO_LARGE)


@pytest.mark.parametrize(
    ("size", "status"), [(MAX_REQUEST_BYTES * 2, 200), (MAX_UPLOAD_BYTES + 1, 413)], ids=["under", "over"]
)
def test_uploads_have_their_own_limit(client: TestClient, size: int, status: int) -> None:
    response = client.post("/gradio_api/upload", files={"files": ("article.txt", b"x" * size)})
    assert response.status_code == status


@pytest.mark.parametrize(
    ("method", "path", "status", "kind", "message", "allow"),
    [
        ("GET", "/v1/summarize", 405, "method_not_allowed", "GET is not allowed on /v1/summarize; use POST", "POST"),
        ("DELETE", "/v1/models", 405, "method_not_allowed", "DELETE is not allowed on /v1/models; use GET", "GET"),
        ("POST", "/v1/summarise", 404, "not_found", "there is no API route /v1/summarise; see /docs for the routes", None),
    ],
)
def test_unknown_routes_and_methods(
    client: TestClient, method: str, path: str, status: int, kind: str, message: str, allow: str | None
) -> None:
    response = client.request(method, path)
    assert (response.status_code, response.json(), response.headers.get("allow")) == (status, _error(kind, message), allow)


# --------------------------------------------------------------------------- models that cannot be loaded


@pytest.fixture(scope="module")
def broken_client(tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Strict seq2seq summaries and an English->Chinese translation model that does not exist."""
    missing = tmp_path_factory.mktemp("missing")
    settings = _settings(
        tiny_models,
        **{
            "summarize.engine": "seq2seq",
            "summarize.models.en.model": str(missing / "summarize.models.en"),
            "translate.models.en-zh.model": str(missing / "translate.models.en-zh"),
        },
    )
    with TestClient(create_app(settings), base_url=LOCAL_URL) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("path", "body", "role"),
    [
        ("/v1/translate", {"text": EXAMPLE_TRANSLATE_EN, "target_lang": "zh"}, "translate.models.en-zh"),
        ("/v1/summarize", {"text": EXAMPLE_EN}, "summarize.models.en"),
    ],
    ids=["translate", "summarize"],
)
def test_unavailable_model_is_503(broken_client: TestClient, path: str, body: dict[str, Any], role: str) -> None:
    response = broken_client.post(path, json=body)
    # the folder is named by its last part (here the role): clients never see server paths
    message = f"model directory {role!r} ({role}) has no config.json; point {role}.model at a folder saved with save_pretrained()"
    assert (response.status_code, response.json()) == (503, _error("model_unavailable", message))


def test_cross_lingual_summary_without_its_translation_model_is_503(broken_client: TestClient) -> None:
    body = {"text": EXAMPLE_EN, "target_lang": "zh", "model": "extractive"}
    response = broken_client.post("/v1/summarize", json=body)
    message = (
        "a en->zh summary needs the translation model: model directory 'translate.models.en-zh' "
        "(translate.models.en-zh) "
        "has no config.json; point translate.models.en-zh.model at a folder saved with save_pretrained()"
    )
    assert (response.status_code, response.json()) == (503, _error("model_unavailable", message))


# --------------------------------------------------------------------------- API key


@pytest.fixture(scope="module")
def keyed_client(tiny_models: dict[str, Path]) -> Iterator[TestClient]:
    with TestClient(create_app(_settings(tiny_models, **{"server.api_key": API_KEY})), base_url=LOCAL_URL) as test_client:
        yield test_client


NO_KEY = _error("unauthorized", "this API needs a key: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'")
BAD_KEY = _error("unauthorized", "the API key is not valid")


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({}, NO_KEY),
        ({"Authorization": "Bearer wrong"}, BAD_KEY),
        ({"X-API-Key": "wrong"}, BAD_KEY),
        ({"Authorization": f"Basic {API_KEY}"}, NO_KEY),
        ({"X-API-Key": API_KEY.upper()}, BAD_KEY),
    ],
    ids=["none", "wrong-bearer", "wrong-header", "not-bearer", "wrong-case"],
)
def test_requests_without_the_key_get_401(keyed_client: TestClient, headers: dict[str, str], body: dict) -> None:
    response = keyed_client.post("/v1/summarize", json={"text": EXAMPLE_EN}, headers=headers)
    assert (response.status_code, response.json()) == (401, body)
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("path", ["/v1/models", "/v1/nothing-here"])
def test_every_api_route_needs_the_key(keyed_client: TestClient, path: str) -> None:
    response = keyed_client.get(path)
    assert (response.status_code, response.json()) == (401, NO_KEY)


@pytest.mark.parametrize(
    "headers", [{"Authorization": f"Bearer {API_KEY}"}, {"X-API-Key": API_KEY}], ids=["bearer", "x-api-key"]
)
def test_requests_with_the_key_are_served(keyed_client: TestClient, headers: dict[str, str]) -> None:
    response = keyed_client.post("/v1/summarize", json={"text": EXAMPLE_EN, "model": "extractive"}, headers=headers)
    assert (response.status_code, response.json()["engine"]) == (200, "extractive")


def test_health_check_needs_no_key(keyed_client: TestClient) -> None:
    assert keyed_client.get("/healthz").status_code == 200


def test_api_key_comes_from_the_environment(tiny_models: dict[str, Path]) -> None:
    settings = load_settings(overrides=tiny_overrides(tiny_models), environ={"SUMMARIZE_SERVER__API_KEY": "from-env"})
    with TestClient(create_app(settings), base_url=LOCAL_URL) as test_client:
        assert test_client.get("/v1/models").status_code == 401
        assert test_client.get("/v1/models", headers={"X-API-Key": "from-env"}).status_code == 200


UI_LOCKED = {"detail": {"error": "Not authenticated", "auth_message": UI_LOGIN_MESSAGE}}


@pytest.mark.parametrize(("method", "path"), [("GET", "/config"), ("GET", "/gradio_api/info"), ("POST", "/gradio_api/queue/join")])
def test_web_demo_needs_the_key_too(keyed_client: TestClient, method: str, path: str) -> None:
    response = TestClient(keyed_client.app, base_url=LOCAL_URL).request(method, path)
    assert (response.status_code, response.json()) == (401, UI_LOCKED)


@pytest.mark.parametrize(
    ("password", "status", "config_status"), [(API_KEY, 200, 200), ("wrong", 400, 401)], ids=["key", "wrong"]
)
def test_web_demo_login_takes_the_key_as_password(
    keyed_client: TestClient, password: str, status: int, config_status: int
) -> None:
    browser = TestClient(keyed_client.app, base_url=LOCAL_URL)
    assert browser.post("/login", data={"username": "anyone", "password": password}).status_code == status
    assert browser.get("/config").status_code == config_status


# --------------------------------------------------------------------------- bodies that cannot be read, lists, surrogates


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"text": "caf\xe9"}', "the request body is not UTF-8 text (byte 0xe9 at offset 13); send it encoded as UTF-8"),
        (b'{"text": "x", "length": ' + b"9" * 5000 + b"}", NUMBER_TOO_LONG),
        (b"[" * 9_000 + b"]" * 9_000, NESTED_TOO_DEEPLY),
        (b'{"text": "x", "\\ud800": 1}', NOT_UNICODE_KEY),
    ],
    ids=["latin-1", "5000-digits", "nested", "surrogate-key"],
)
def test_unreadable_bodies_are_400_invalid_json(client: TestClient, content: bytes, message: str) -> None:
    response = client.post("/v1/summarize", content=content, headers={"content-type": "application/json"})
    assert (response.status_code, response.json()) == (400, _error("invalid_json", message))


SURROGATE = b'"News \\ud800 today."'


@pytest.mark.parametrize(
    ("content", "message", "items"),
    [
        (
            b'{"text": ' + SURROGATE + b"}",
            "text is not valid Unicode: character 5 is a lone surrogate (\\ud800); send the text encoded as UTF-8",
            None,
        ),
        (
            b'{"text": ["Fine text here.", ' + SURROGATE + b"]}",
            "texts[1] is not valid Unicode: character 5 is a lone surrogate (\\ud800); send the text encoded as UTF-8",
            [(1, "texts[1] is not valid Unicode: character 5 is a lone surrogate (\\ud800); send the text encoded as UTF-8")],
        ),
    ],
    ids=["one", "list"],
)
def test_a_lone_surrogate_is_422_naming_the_field(
    client: TestClient, content: bytes, message: str, items: list[tuple[int, str]] | None
) -> None:
    response = client.post("/v1/summarize", content=content, headers={"content-type": "application/json"})
    assert (response.status_code, response.json()) == (422, _error("invalid_input", message, items))


def test_every_bad_item_of_a_list_is_reported(client: TestClient) -> None:
    texts = ["", EXAMPLE_EN, "word " * 700, "今日はいい天気ですね。散歩に行きましょう。", EXAMPLE_ZH]
    response = client.post("/v1/summarize", json={"text": texts})
    items = [
        (0, "texts[0] is empty; give the article text"),
        (2, "texts[2] has 3,499 characters, over the limit of 3,000 (limits.max_chars); split it or raise the limit"),
        (3, "texts[3]: unsupported language: the text looks like Japanese; supported languages are en and zh"),
    ]
    message = "; ".join(text for _, text in items)
    assert (response.status_code, response.json()) == (422, _error("invalid_input", message, items))


def test_every_item_of_the_wrong_type_is_reported(client: TestClient) -> None:
    response = client.post("/v1/translate", json={"text": [3, EXAMPLE_EN, None], "target_lang": "zh"})
    message = "text: item 0 must be a string, not number; item 2 must be a string, not null"
    items = [(0, "must be a string, not number"), (2, "must be a string, not null")]
    assert (response.status_code, response.json()) == (422, _error("invalid_request", message, items))


@pytest.mark.parametrize("path", ["/v1/summarize", "/v1/translate"])
def test_a_list_over_max_items_is_422(client: TestClient, api_settings: Settings, path: str) -> None:
    limit = api_settings.limits.max_items
    response = client.post(path, json={"text": ["Rain on Sunday."] * (limit + 1), "target_lang": "zh"})
    message = f"text has {limit + 1:,} items, over the limit of {limit:,} (limits.max_items); send fewer per request"
    assert (response.status_code, response.json()) == (422, _error("invalid_request", message))


def test_bidi_overrides_never_reach_an_answer(client: TestClient) -> None:
    text = "The council met on Monday. It approved the \u202ebudget\u202c for \u2067next\u2069 year."
    response = client.post("/v1/summarize", json={"text": text, "model": "extractive"})
    assert (response.status_code, response.json()["text"]) == (200, "The council met on Monday. It approved the budget for next year.")


def test_fallback_notes_name_no_server_path(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    settings = _settings(tiny_models, **{"summarize.models.en.model": str(tmp_path / "models" / "bart-here")})
    with TestClient(create_app(settings), base_url=LOCAL_URL) as fallback:
        response = fallback.post("/v1/summarize", json={"text": EXAMPLE_EN})
        models = fallback.get("/v1/models")
    assert response.json()["notes"] == [
        "abstractive model unavailable (model directory 'bart-here' (summarize.models.en) has no config.json; "
        "point summarize.models.en.model at a folder saved with save_pretrained()); extractive summary used instead"
    ]
    assert models.json()["models"][0] == {
        "role": "summarize.models.en", "name": "bart-here", "status": "missing", "state": "failed",
        "error": "model directory 'bart-here' (summarize.models.en) has no config.json; "
        "point summarize.models.en.model at a folder saved with save_pretrained()",
    }
    assert str(tmp_path) not in response.text + models.text


def test_an_unexpected_error_in_a_route_answers_json_and_is_logged(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def fail(*args: Any, **options: Any) -> None:
        raise RuntimeError("a bug holding /srv/private/path")

    monkeypatch.setattr(Service, "summarize_batch", fail)
    with TestClient(create_app(api_settings, with_demo=False), base_url=LOCAL_URL, raise_server_exceptions=False) as client:
        response = client.post("/v1/summarize", json={"text": EXAMPLE_EN})
    assert (response.status_code, response.headers["content-type"]) == (500, "application/json")
    assert response.json() == _error("internal_error", INTERNAL_ERROR)
    assert "/srv/private" not in response.text
    logged = [record for record in caplog.records if record.getMessage() == "unexpected error on POST /v1/summarize"]
    assert len(logged) == 1 and "a bug holding /srv/private/path" in str(logged[0].exc_info[1])


def test_a_missing_model_is_worded_for_the_operator_on_the_web_and_for_the_user_in_python(
    tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    """The fetching step is the server operator's on the web (a web user cannot run a command there); the
    Python API and the CLI say 'run `summarize models pull`'."""
    from summarize.errors import ModelMissingError
    from summarize.hub import missing_model_message

    settings = _settings(tiny_models, **{"translate.models.en-zh.model": "nobody/no-such-model",
                                         "runtime.allow_download": False, "runtime.cache_dir": str(tmp_path)})
    expected = missing_model_message("nobody/no-such-model", "translate.models.en-zh")
    with pytest.raises(ModelMissingError) as raised:
        Service(settings, store=ModelStore()).translate(EXAMPLE_TRANSLATE_EN, "zh")
    assert str(raised.value) == str(expected) and "run `summarize models pull` on a connected machine" in str(expected)
    with TestClient(create_app(settings, with_demo=False, store=ModelStore()), base_url=LOCAL_URL) as client:
        response = client.post("/v1/translate", json={"text": EXAMPLE_TRANSLATE_EN, "target_lang": "zh"})
    assert response.json() == _error("model_unavailable", (
        "model 'nobody/no-such-model' (translate.models.en-zh) is not in the local Hugging Face cache and the Hub "
        "cannot be reached; the server's operator can fetch it (`summarize models pull` on a connected machine), "
        "or set translate.models.en-zh.model in the config to a local directory"
    ))
