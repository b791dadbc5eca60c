"""The HTTP service: a FastAPI app with the REST API under ``/v1`` and the Gradio demo at ``/``.

``create_app(settings)`` builds everything (nothing happens at import time) and ``serve(settings)``
runs it with uvicorn. Every failure becomes a JSON body ``{"error": {"type": ..., "message": ...}}``
in one place, :func:`error_response`.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Literal, TypeVar

try:
    from fastapi import APIRouter, Depends, FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from fastapi.routing import APIRoute
    from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
    from pydantic import BaseModel, ConfigDict, Field, field_validator
    from pydantic.dataclasses import dataclass as pydantic_dataclass
    from pydantic_core import PydanticCustomError
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException
except ImportError as missing:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        f"the web server needs the 'web' extra ({missing.name} is missing): pip install 'bilingual-summarize[web]'"
    ) from missing

from ..config import Settings
from ..engines.base import Length
from ..errors import SummarizeError
from ..evaluation.versions import package_version
from ..hub import OPERATOR_WORDS, model_status
from ..redaction import hide_paths
from ..results import Result
from ..service import Service
from ..store import ModelStore
from ..text import BIDI_CONTROLS, Language
from ..wording import in_words
from .api.documents import add_document_routes
from .api.errors import ApiError, ErrorBody, error_response, internal_error_response
from .api.glossary import (
    GLOSSARY_DESCRIPTION,
    GLOSSARY_EXAMPLE,
    GlossaryObject,
    json_type,
    with_glossary,
)
from .choices import DEFAULT_CHOICE, SummaryChoices
from .framework import (
    header_timeout_protocol,
    refuse_unuploaded_files,
    uploaded_file_set,
)
from .guards import (
    API_PREFIX,
    DOCUMENT_UPLOAD_PATH,
    BodySizeLimit,
    BodyTimeout,
    FailedAuthCounts,
    FailedAuthLimit,
    HostCheck,
    StoredFiles,
    StoredUploadLimit,
    allowed_hosts,
    client_address,
)

RETRY_AFTER_SECONDS = 2
UI_LOGIN_MESSAGE = "This server needs its API key: enter it as the password (any user name)."
ANY_METHOD = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
T = TypeVar("T")

# --------------------------------------------------------------------------- schemas


class _TextRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | list[str] = Field(description="One article, or a non-empty list of articles.")
    source_lang: Language | None = Field(None, description="The article language; detected when absent.")
    glossary: GlossaryObject = Field(None, description=GLOSSARY_DESCRIPTION, examples=[GLOSSARY_EXAMPLE])

    @field_validator("text", mode="before")
    @classmethod
    def _one_text_or_a_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value
        if not isinstance(value, list):
            raise PydanticCustomError(
                "text_type", "must be a string or a list of strings, not {kind}", {"kind": json_type(value)}
            )
        if not value:
            raise PydanticCustomError("text_empty_list", "is an empty list; give at least one article")
        items = [
            (index, f"must be a string, not {json_type(item)}")
            for index, item in enumerate(value)
            if not isinstance(item, str)
        ]
        if items:
            problems = "; ".join(f"item {index} {message}" for index, message in items)
            raise PydanticCustomError("text_item_type", "{problems}", {"problems": problems, "items": items})
        return value


class SummarizeRequest(_TextRequest):
    target_lang: Language | None = Field(None, description="Summary language; the article's when absent.")
    length: Length = "medium"
    model: str = Field(DEFAULT_CHOICE, description="One of the `choices` listed by GET /v1/models.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"text": "The city opened a new tram line on Monday. ...", "target_lang": "zh"}]
        },
    )


class TranslateRequest(_TextRequest):
    target_lang: Language = Field(description="Translation language: the one the article is not in.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "新的电车线路周一开通。", "target_lang": "en"}]},
    )


@pydantic_dataclass(frozen=True, config=ConfigDict(json_schema_serialization_defaults_required=True))
class ResultOut(Result):
    """One summary or translation: :class:`summarize.Result` as the API returns it (every field, always)."""

    @classmethod
    def of(cls, result: Result) -> ResultOut:
        """What a client sees of `result`: model names and notes without server paths."""
        data = result.to_dict()
        data.update(
            text=BIDI_CONTROLS.sub("", result.text),
            model=hide_paths(result.model),
            notes=[hide_paths(in_words(note, OPERATOR_WORDS)) for note in result.notes],
        )
        return cls(**data)


class ResultsOut(BaseModel):
    """Results of a list request, in input order."""

    results: list[ResultOut]


class ModelOut(BaseModel):
    role: str = Field(description="Where the model is configured, e.g. summarize.models.en.")
    name: str = Field(description="The Hub id, or the folder name of a local directory.")
    status: str = Field(description="On disk: 'local directory', 'cached' or 'missing'.")
    state: Literal["loaded", "failed", "not loaded"] = Field(
        description="In this server: loaded, failed to load (tried again after runtime.retry_failed_load_seconds), "
        "or not asked for yet."
    )
    error: str | None = Field(None, description="Why the last load failed, while state is 'failed'.")


class ModelsOut(BaseModel):
    engine: str = Field(description="summarize.engine: auto, seq2seq or extractive.")
    choices: list[str] = Field(description="Values accepted by the `model` field of POST /v1/summarize.")
    models: list[ModelOut]


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "Malformed JSON, or a Host header the server does not answer to (server.allowed_hosts)"),
        (401, "Missing or wrong API key (when server.api_key is set)"),
        (408, "The request body did not all arrive within server.body_timeout_seconds"),
        (413, f"Request body over server.max_request_bytes (server.max_upload_request_bytes for {DOCUMENT_UPLOAD_PATH}), "
              "or an uploaded document over server.max_upload_bytes"),
        (422, "Invalid request or input text; for a list, `items` names every bad item"),
        (429, "Too many wrong API keys from this address (server.max_failed_auth)"),
        (503, "Server busy, or a needed model is unavailable"),
    )
}


# --------------------------------------------------------------------------- errors and limits


async def _handle(request: Request, error: Exception) -> JSONResponse:
    return error_response(error)


async def _handle_unexpected(request: Request, error: Exception) -> JSONResponse:
    return internal_error_response(request.method, request.url.path, error)


class Gate:
    """At most `limit` calls at once, `queue` more waiting; anything beyond is refused as busy.

    It belongs to one event loop, so the app's lifespan makes a new one each time the server starts.
    """

    def __init__(self, limit: int, queue: int) -> None:
        self.limit = limit
        self.queue = queue
        self.waiting = 0
        self._slots = asyncio.Semaphore(limit)

    async def run(self, function: Callable[[], T]) -> T:
        """Run `function` in a worker thread when a slot is free; raise a 503 ``busy`` error when full."""
        if self._slots.locked() and self.waiting >= self.queue:
            raise ApiError(
                503,
                "busy",
                f"the server is busy ({self.limit} requests running, {self.waiting} waiting); retry in a moment",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        try:
            return await run_in_threadpool(function)
        finally:
            self._slots.release()


def _api_key_check(expected: str, failures: FailedAuthCounts) -> Callable[..., Any]:
    bearer = HTTPBearer(auto_error=False, description="server.api_key as a bearer token")
    header = APIKeyHeader(name="X-API-Key", auto_error=False, description="server.api_key")

    async def require_api_key(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
        key: str | None = Depends(header),
    ) -> None:
        given = key or (credentials.credentials if credentials else None)
        if given and hmac.compare_digest(given.encode(), expected.encode()):
            return
        # Refused and counted in one step (no await between): parallel guesses are counted one by one.
        address = client_address(request.scope)
        refusal = failures.refusal(address)
        if refusal is not None:
            raise refusal
        failures.record_failure(address)
        if not given:
            raise ApiError(
                401,
                "unauthorized",
                "this API needs a key: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        raise ApiError(401, "unauthorized", "the API key is not valid", headers={"WWW-Authenticate": "Bearer"})

    return require_api_key


def _ui_login(expected: str) -> Callable[[str, str], bool]:
    """The web demo's login check: the password must be the API key (any user name)."""

    def check(username: str, password: str) -> bool:
        return hmac.compare_digest(password.encode(), expected.encode())

    return check


# --------------------------------------------------------------------------- the app


def _api_router(service: Service, choices: SummaryChoices, failures: FailedAuthCounts) -> APIRouter:
    server = service.settings.server
    dependencies = [Depends(_api_key_check(server.api_key, failures))] if server.api_key else []
    router = APIRouter(prefix=API_PREFIX, dependencies=dependencies, responses=ERROR_RESPONSES)

    def gate(request: Request) -> Gate:
        return request.app.state.gate

    def check_list_length(texts: str | list[str]) -> None:
        limit = service.settings.limits.max_items
        if isinstance(texts, list) and len(texts) > limit:
            message = f"text has {len(texts):,} items, over the limit of {limit:,} (limits.max_items); send fewer per request"
            raise ApiError(422, "invalid_request", message)

    @router.post("/summarize", response_model=ResultOut | ResultsOut, summary="Summarize one article or a list")
    async def summarize(body: SummarizeRequest, request: Request) -> ResultOut | ResultsOut:
        check_list_length(body.text)
        chosen = choices.service(body.model)
        options = {"source_lang": body.source_lang, "length": body.length, "glossary": body.glossary}
        if isinstance(body.text, str):
            call = with_glossary(chosen.summarize, body.text, body.target_lang, **options)
            return ResultOut.of(await gate(request).run(call))
        call = with_glossary(chosen.summarize_batch, body.text, body.target_lang, **options)
        return ResultsOut(results=[ResultOut.of(result) for result in await gate(request).run(call)])

    @router.post("/translate", response_model=ResultOut | ResultsOut, summary="Translate one article or a list")
    async def translate(body: TranslateRequest, request: Request) -> ResultOut | ResultsOut:
        check_list_length(body.text)
        options = {"source_lang": body.source_lang, "glossary": body.glossary}
        if isinstance(body.text, str):
            call = with_glossary(service.translate, body.text, body.target_lang, **options)
            return ResultOut.of(await gate(request).run(call))
        call = with_glossary(service.translate_batch, body.text, body.target_lang, **options)
        return ResultsOut(results=[ResultOut.of(result) for result in await gate(request).run(call)])

    @router.get("/models", response_model=ModelsOut, summary="Configured models and the summary choices")
    async def models() -> ModelsOut:
        settings = service.settings
        entries = settings.model_entries()
        statuses = await run_in_threadpool(lambda: [model_status(role, spec) for role, spec in entries])
        states = [service.store.state(role, spec, settings.runtime) for role, spec in entries]
        return ModelsOut(
            engine=settings.summarize.engine,
            choices=choices.names,
            models=[
                ModelOut(
                    role=row.role, name=hide_paths(row.name), status=row.status, state=loaded.state,
                    error=hide_paths(loaded.error) if loaded.error else None,
                )
                for row, loaded in zip(statuses, states, strict=True)
            ],
        )

    add_document_routes(router, service, choices, ResultOut)

    @router.api_route("/{path:path}", methods=list(ANY_METHOD), include_in_schema=False)
    async def unknown(request: Request, path: str) -> None:
        allowed = sorted(
            method
            for route in router.routes
            if isinstance(route, APIRoute) and route.path == request.url.path
            for method in route.methods
        )
        if allowed:
            raise ApiError(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed on {request.url.path}; use {', '.join(allowed)}",
                headers={"Allow": ", ".join(allowed)},
            )
        raise ApiError(404, "not_found", f"there is no API route {request.url.path}; see /docs for the routes")

    return router


def create_app(settings: Settings, *, with_demo: bool = True, store: ModelStore | None = None) -> FastAPI:
    """The whole server for `settings`: REST API under /v1, /healthz, OpenAPI docs at /docs, the UI at /
    (unless not `with_demo`: the Ray Serve replicas of :mod:`.replicas` serve the API only); models are
    loaded through `store` (the process's own by default)."""
    service = Service(settings, store)
    server = settings.server

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.gate = Gate(server.concurrency_limit, server.max_queue)
        yield

    app = FastAPI(
        title="Bilingual news summarizer",
        version=package_version(),
        description="Summarize and translate English and Chinese news." + (" The web demo is at `/`." if with_demo else ""),
        lifespan=lifespan,
        redoc_url=None,
    )
    for error_type in (SummarizeError, RequestValidationError, HTTPException):
        app.add_exception_handler(error_type, _handle)
    app.add_exception_handler(Exception, _handle_unexpected)
    if with_demo:
        from .demo.ui import build_ui

        stored = StoredFiles(server.max_stored_upload_bytes)
        demo = build_ui(service, stored.keep)
        stored.uploaded = uploaded_file_set(demo)
        refuse_unuploaded_files(demo)
        app.add_middleware(StoredUploadLimit, stored=stored)
    app.add_middleware(BodySizeLimit, limit=server.max_request_bytes, upload_limit=server.max_upload_request_bytes)
    app.add_middleware(BodyTimeout, seconds=server.body_timeout_seconds)
    failures = FailedAuthCounts(server.max_failed_auth, server.failed_auth_window_seconds)
    if server.api_key:
        app.add_middleware(FailedAuthLimit, counts=failures)
    app.add_middleware(HostCheck, allowed=allowed_hosts(server))
    if server.trusted_proxies:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        # Outermost: the client address every guard sees is the forwarded one only behind a listed proxy.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=server.trusted_proxies)

    @app.get("/healthz", response_model=HealthOut, summary="Liveness check (no API key needed)")
    async def healthz() -> HealthOut:
        return HealthOut(version=package_version())

    app.include_router(_api_router(service, SummaryChoices(service), failures))
    if not with_demo:
        return app
    import gradio

    from .demo.common import UI_CSS

    return gradio.mount_gradio_app(
        app,
        demo,
        path="/",
        max_file_size=server.max_upload_bytes,
        auth=_ui_login(server.api_key) if server.api_key else None,
        auth_message=UI_LOGIN_MESSAGE,
        show_error=False,
        footer_links=["api"],
        css=UI_CSS,
        ssr_mode=False,
        mcp_server=False,
        server_name=server.host,
        server_port=server.port,
    )


def serve(settings: Settings) -> None:
    """Run the server on ``server.host:server.port`` until interrupted."""
    import uvicorn

    uvicorn.run(create_app(settings), host=settings.server.host, port=settings.server.port, **uvicorn_options(settings))


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn runs the app, beside host and port: the header timeout, and no forwarded headers of its
    own (it would believe any local client's; the app believes those of ``server.trusted_proxies``)."""
    return {"http": header_timeout_protocol(settings.server.header_timeout_seconds), "proxy_headers": False}
