"""/docs needs a CDN (said in docs/web.md); /openapi.json, its offline alternative, is served locally."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from summarize import load_settings
from summarize.web.server import create_app

ROOT = Path(__file__).resolve().parent.parent


def test_docs_page_assets_and_the_local_openapi_description() -> None:
    settings = load_settings(ROOT / "configs" / "offline.yaml", environ={})
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:  # a host the server answers to
        page = client.get("/docs")
        description = client.get("/openapi.json")
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page.text)
    # If the assets become local, docs/web.md's "API docs offline" section must change with them.
    assert page.status_code == 200 and assets and all(a.startswith("https://cdn.jsdelivr.net/") for a in assets)
    assert description.status_code == 200
    assert {"/v1/summarize", "/v1/translate", "/v1/models", "/healthz"} <= set(description.json()["paths"])
    web = (ROOT / "docs" / "web.md").read_text(encoding="utf-8")
    assert "cdn.jsdelivr.net" in web and "curl -s http://127.0.0.1:7860/openapi.json" in web
