"""What summarize.web.framework relies on in Gradio and uvicorn, checked directly: an upgrade that renames
or reshapes one of these internals fails here, by name, before it silently opens a guard."""

from __future__ import annotations

import inspect
from pathlib import Path

import gradio as gr
import h11
import pytest
from fastapi.testclient import TestClient
from gradio.context import LocalContext
from gradio.exceptions import InvalidPathError
from gradio_client import utils as client_utils
from uvicorn.protocols.http.h11_impl import H11Protocol

from summarize import load_settings
from summarize.web.framework import (
    GRADIO_UPLOAD_PATH,
    files_uploaded_to_this_demo,
    header_timeout_protocol,
    stored_upload_paths,
    uploaded_file_set,
)
from summarize.web.server import create_app

OFFLINE = Path(__file__).resolve().parent.parent / "configs" / "offline.yaml"


@pytest.mark.parametrize(
    ("method", "parameters"),
    [("connection_made", ["self", "transport"]), ("data_received", ["self", "data"]),
     ("on_response_complete", ["self"]), ("connection_lost", ["self", "exc"])],
)
def test_uvicorn_h11_protocol_has_the_methods_the_header_timeout_overrides(method: str, parameters: list[str]) -> None:
    assert list(inspect.signature(getattr(H11Protocol, method)).parameters) == parameters


def test_the_header_timeout_protocol_is_an_h11_protocol_that_reads_its_connection_state() -> None:
    protocol = header_timeout_protocol(1.0)
    assert issubclass(protocol, H11Protocol) and h11.IDLE is h11.IDLE
    source = inspect.getsource(H11Protocol.__init__)
    for attribute in ("self.conn", "self.loop"):  # what HeaderTimeoutProtocol reads
        assert attribute in source, attribute
    assert "self.transport" in inspect.getsource(H11Protocol.connection_made)


def test_gradio_blocks_has_what_refuse_unuploaded_files_sets_and_wraps() -> None:
    with gr.Blocks() as demo:
        gr.Textbox()
    assert demo.has_launched is False  # mount_gradio_app never sets it: we do
    assert inspect.iscoroutinefunction(demo.preprocess_data)
    assert list(inspect.signature(demo.preprocess_data).parameters)[:2] == ["block_fn", "inputs"]
    assert uploaded_file_set(demo) == set() and isinstance(demo.upload_file_set, set)
    assert issubclass(InvalidPathError, Exception)


def test_gradio_client_utilities_we_call_behave_as_expected() -> None:
    assert client_utils.is_http_url_like("https://example.org/a.txt") and not client_utils.is_http_url_like("/tmp/a.txt")
    file = {"path": "/tmp/a.txt", "meta": {"_type": "gradio.FileData"}}
    assert client_utils.is_file_obj_with_meta(file)
    seen: list[str] = []
    client_utils.traverse([file, "text"], lambda found: seen.append(found["path"]) or found, client_utils.is_file_obj_with_meta)
    assert seen == ["/tmp/a.txt"]


def test_outside_a_request_there_is_no_demo_and_no_upload() -> None:
    assert LocalContext.blocks.get(None) is None
    assert files_uploaded_to_this_demo() == set()


def test_the_upload_route_answers_the_paths_it_stored() -> None:
    app = create_app(load_settings(OFFLINE, environ={}))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        response = client.post(GRADIO_UPLOAD_PATH, files={"files": ("note.txt", b"The river rose.", "text/plain")})
        assert response.status_code == 200, response.text
        (path,) = stored_upload_paths(response.content)
        assert Path(path).read_bytes() == b"The river rose." and Path(path).name == "note.txt"
