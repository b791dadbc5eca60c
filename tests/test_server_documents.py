"""Documents over the REST API on the tiny models: upload a file, get the translated file (or a
summary) back; every bad upload gets its own 4xx error body."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
from document_shapes import FIXTURES, docx_layout, html_tags, word_document
from fastapi.testclient import TestClient
from test_server_api import (  # noqa: F401  (the API tests' fixtures)
    API_KEY,
    LOCAL_URL,
    MAX_CHARS,
    MAX_UPLOAD_BYTES,
    _settings,
    api_settings,
    client,
    reference,
)

from summarize import Result, Service
from summarize.documents import translated_name
from summarize.web.api.documents import content_disposition, upload_name
from summarize.web.server import create_app

HTML = "text/html; charset=utf-8"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}


def _without_seconds(data: dict[str, Any]) -> dict[str, Any]:
    assert isinstance(data.pop("seconds"), float)
    return data


def _as_answered(result: Result) -> dict[str, Any]:
    """`result` as the API answers it: notes as a list, the model's folder without the server's path."""
    data = result.to_dict()
    del data["seconds"]
    return data | {"notes": list(result.notes), "model": Path(result.model).name}


def test_an_html_page_comes_back_translated_with_its_tags(client: TestClient, reference: Service) -> None:
    data = (FIXTURES / "bridge_en.html").read_bytes()
    response = client.post(
        "/v1/documents/translate", files={"file": ("bridge_en.html", data, "text/html")}, data={"target_lang": "zh"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == HTML
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"bridge_en.zh.html\"; filename*=UTF-8''bridge_en.zh.html"
    )
    assert response.content == reference.translate_document(data, "html", "zh", name="bridge_en.html").data
    assert html_tags(response.content.decode("utf-8")) == html_tags(data.decode("utf-8"))


def test_a_word_document_comes_back_as_word_with_its_layout(client: TestClient) -> None:
    data = word_document()
    response = client.post(
        "/v1/documents/translate", files={"file": ("report.docx", data, DOCX)}, data={"target_lang": "zh"}
    )
    assert (response.status_code, response.headers["content-type"]) == (200, DOCX)
    assert docx_layout(response.content) == docx_layout(data)


def test_the_json_variant_holds_the_file_and_the_result(client: TestClient, reference: Service) -> None:
    data = (FIXTURES / "market_zh.srt").read_bytes()
    response = client.post(
        "/v1/documents/translate",
        files={"file": ("market_zh.srt", data)},
        data={"target_lang": "en", "source_lang": "zh"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    expected = reference.translate_document(data, "srt", "en", source_lang="zh", name="market_zh.srt")
    assert base64.b64decode(body.pop("data_base64")) == expected.data
    assert _without_seconds(body.pop("result")) == _as_answered(expected.result)
    assert body == {"filename": "market_zh.en.srt", "media_type": "application/x-subrip; charset=utf-8"}


def test_a_page_summary_is_the_services_with_title_and_date_in_notes(client: TestClient, reference: Service) -> None:
    data = (FIXTURES / "school_en.html").read_bytes()
    response = client.post(
        "/v1/documents/summarize", files={"file": ("school_en.html", data)}, data={"length": "short"}
    )
    assert response.status_code == 200, response.text
    expected = _as_answered(reference.summarize_document(data, "html", length="short", name="school_en.html"))
    assert _without_seconds(response.json()) == expected
    assert any(note.startswith("document title: ") for note in expected["notes"])


def test_the_format_field_wins_over_the_extension(client: TestClient, reference: Service) -> None:
    data = (FIXTURES / "election_en.md").read_bytes()
    response = client.post(
        "/v1/documents/translate",
        files={"file": ("election.txt", data)},
        data={"target_lang": "zh", "format": "markdown"},
    )
    assert (response.status_code, response.headers["content-type"]) == (200, "text/markdown; charset=utf-8")
    assert response.content == reference.translate_document(data, "markdown", "zh", name="election.txt").data


@pytest.mark.parametrize(
    ("route", "name", "data", "fields", "status", "body"),
    [
        (
            "translate", "report.docx", b"plain text pretending", {"target_lang": "zh"}, 422,
            _error("invalid_input", "report.docx is not a Word document (.docx): it is not a zip file"),
        ),
        (
            "translate", "cues.srt", b"1\n00:00:05,000 --> 00:00:02,000\nHello there.\n", {"target_lang": "zh"}, 422,
            _error("invalid_input", "cues.srt line 2: cue 1 ends before it starts"),
        ),
        (
            "summarize", "cues.srt", b"1\n00:00:01,000 -> 00:00:02,000\nHi\n", {}, 422,
            _error(
                "invalid_input",
                "cues.srt line 2: bad timing '00:00:01,000 -> 00:00:02,000'; expected HH:MM:SS,mmm --> HH:MM:SS,mmm",
            ),
        ),
        (
            "translate", "scan.pdf", b"%PDF-1.7", {"target_lang": "zh"}, 422,
            _error(
                "invalid_input",
                "scan.pdf: file type '.pdf' is not supported; upload one of "
                ".txt, .html, .htm, .md, .markdown, .docx, .srt or set the format field",
            ),
        ),
        (
            "summarize", "photo\u202egnp.pdf", b"%PDF-1.7", {}, 422,  # shown as photofdp.png, were the override kept
            _error(
                "invalid_input",
                "photognp.pdf: file type '.pdf' is not supported; upload one of "
                ".txt, .html, .htm, .md, .markdown, .docx, .srt or set the format field",
            ),
        ),
        (
            "summarize", "page.html", b"<p>Hi</p>", {"format": "pdf"}, 422,
            _error("invalid_input", "format 'pdf' is not supported; use one of: text, html, markdown, docx, srt"),
        ),
        (
            "translate", "page.html", b"<p>The bridge opened.</p>", {"target_lang": "fr"}, 422,
            _error("invalid_request", "target_lang: Input should be 'en', 'zh' or 'zh-Hant'"),
        ),
        (
            "translate", "page.html", b"<p>The bridge opened.</p>", {}, 422,
            _error("invalid_request", "target_lang: Field required"),
        ),
    ],
    ids=["docx-not-a-zip", "srt-ends-before-start", "srt-bad-timing", "unknown-extension", "bidi-override-in-name", "unknown-format",
         "bad-language", "no-language"],
)
def test_a_bad_upload_gets_its_own_error(
    client: TestClient, route: str, name: str, data: bytes, fields: dict, status: int, body: dict
) -> None:
    response = client.post(f"/v1/documents/{route}", files={"file": (name, data)}, data=fields)
    assert (response.status_code, response.json()) == (status, body)


def test_a_request_without_a_file_names_the_field(client: TestClient) -> None:
    response = client.post("/v1/documents/summarize", data={"length": "short"})
    assert (response.status_code, response.json()) == (422, _error("invalid_request", "file: Field required"))


def _file_of(size: int) -> bytes:
    """A Markdown file of exactly `size` bytes: one long paragraph of news sentences."""
    sentences = b"The bridge reopened on Monday after repairs. " * (size // 45 + 1)
    return sentences[: size - 1] + b"\n"


@pytest.mark.parametrize("route", ["summarize", "translate"])
def test_a_file_over_the_upload_limit_is_413_and_one_at_it_is_read(client: TestClient, route: str) -> None:
    over, at_limit = _file_of(MAX_UPLOAD_BYTES + 1), _file_of(MAX_UPLOAD_BYTES)
    assert (len(over), len(at_limit)) == (MAX_UPLOAD_BYTES + 1, MAX_UPLOAD_BYTES)
    response = client.post(f"/v1/documents/{route}", files={"file": ("big.md", over)}, data={"target_lang": "zh"})
    assert (response.status_code, response.json()) == (
        413, _error("upload_too_large", f"big.md is over the limit of {MAX_UPLOAD_BYTES:,} bytes (server.max_upload_bytes)")
    )
    # At the limit the file is read, and the service's own text limit (limits.max_chars) speaks.
    response = client.post(f"/v1/documents/{route}", files={"file": ("big.md", at_limit)}, data={"target_lang": "zh"})
    assert (response.status_code, response.json()["error"]["type"]) == (422, "invalid_input")
    assert re.fullmatch(
        rf"big\.md has [\d,]+ characters of text, over the limit of {MAX_CHARS:,} \(limits\.max_chars\); "
        "split it or raise the limit",
        response.json()["error"]["message"],
    )


def test_the_client_s_folders_never_reach_the_answer(client: TestClient) -> None:
    response = client.post(
        "/v1/documents/translate",
        files={"file": ("C:\\Users\\me\\../../etc/report.docx", b"not a zip")},
        data={"target_lang": "zh"},
    )
    assert response.json() == _error("invalid_input", "report.docx is not a Word document (.docx): it is not a zip file")


def test_the_documents_routes_need_the_api_key(tiny_models: dict[str, Path]) -> None:
    with TestClient(create_app(_settings(tiny_models, **{"server.api_key": API_KEY})), base_url=LOCAL_URL) as keyed:
        upload = {"file": ("page.html", b"<p>The bridge opened on Monday.</p>")}
        refused = keyed.post("/v1/documents/translate", files=upload, data={"target_lang": "zh"})
        assert refused.status_code == 401
        assert refused.json()["error"]["type"] == "unauthorized"
        allowed = keyed.post(
            "/v1/documents/translate", files=upload, data={"target_lang": "zh"}, headers={"X-API-Key": API_KEY}
        )
        assert allowed.status_code == 200


def test_a_get_on_a_documents_route_is_405(client: TestClient) -> None:
    response = client.get("/v1/documents/translate")
    assert (response.status_code, response.headers["allow"]) == (405, "POST")


@pytest.mark.parametrize(
    ("given", "name"),
    [("page.html", "page.html"), ("../../etc/passwd.html", "passwd.html"), ("C:\\a\\b.md", "b.md"), ("", "document"),
     ("invoice\u202egnp.html", "invoicegnp.html"), ("\u2066\u202e", "document")],
    ids=["plain", "folders", "windows", "empty", "bidi-override", "only-bidi"],
)
def test_an_upload_keeps_only_its_own_name(given: str, name: str) -> None:
    assert upload_name(given) == name


def test_download_names_and_headers() -> None:
    assert translated_name("page.html", "zh") == "page.zh.html"
    assert translated_name("notes", "en") == "notes.en"
    assert translated_name(".hidden", "en") == ".hidden.en"
    assert content_disposition("新闻.zh.html") == (
        "attachment; filename=\"_.zh.html\"; filename*=UTF-8''%E6%96%B0%E9%97%BB.zh.html"
    )
    assert content_disposition('a"b\r\n.html') == "attachment; filename=\"a_b_.html\"; filename*=UTF-8''a%22b%0D%0A.html"
