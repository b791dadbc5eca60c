"""HTTP error bodies: every failure of the API becomes ``{"error": {"type": ..., "message": ...}}``
in one place, :func:`error_response`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from ...errors import InputError, InputItemsError, ModelUnavailableError, SummarizeError
from ...hub import OPERATOR_WORDS
from ...redaction import hide_credentials, hide_paths
from ...text import not_utf8_message

SERVICE_ERRORS: tuple[tuple[type[SummarizeError], int, str], ...] = (
    (InputError, 422, "invalid_input"),
    (ModelUnavailableError, 503, "model_unavailable"),
    (SummarizeError, 400, "error"),
)
"""Service exceptions and their HTTP status and error type; the first matching row wins."""

HTTP_ERROR_TYPES = {400: "invalid_request", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed"}
"""Error types of HTTP exceptions raised by FastAPI itself (ours carry their own, see :class:`ApiError`)."""

BODY_NOT_AN_OBJECT = (
    'the request body must be a JSON object such as {"text": "...", "target_lang": "zh"}, '
    "sent with the header Content-Type: application/json"
)
NUMBER_TOO_LONG = "the request body holds a number with too many digits; send numbers of at most 4,300 digits"
NESTED_TOO_DEEPLY = "the request body nests arrays or objects too deeply to read"
NOT_UNICODE_KEY = (
    "the request body has a key that is not valid Unicode (a lone surrogate such as \\ud800); send keys encoded as UTF-8"
)
NOT_JSON = "the request body is not valid JSON ({reason})"
INTERNAL_ERROR = "the server failed on this request (an unexpected error, written to the server's log); try again or report it"

log = logging.getLogger(__name__)


class ItemProblem(BaseModel):
    index: int = Field(description="Position of the bad item in the request's list, from 0.")
    message: str


class ErrorDetail(BaseModel):
    type: str = Field(description="Machine-readable kind, e.g. invalid_input, unauthorized, busy.")
    message: str = Field(description="What is wrong and how to fix it.")
    items: list[ItemProblem] | None = Field(None, description="For a list request: every bad item, in order.")


class ErrorBody(BaseModel):
    error: ErrorDetail


class ApiError(HTTPException):
    """An HTTP-level failure (auth, size, capacity, host) with its error type."""

    def __init__(self, status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code=status, detail=message, headers=headers)
        self.kind = kind


def _validation_message(error: RequestValidationError) -> tuple[int, str, str]:
    problems = error.errors()
    not_json = next((problem for problem in problems if problem["type"] == "json_invalid"), None)
    if not_json is not None:
        return 400, "invalid_json", NOT_JSON.format(reason=not_json.get("ctx", {}).get("error", ""))
    if any(tuple(problem["loc"]) == ("body",) and problem["type"] == "string_unicode" for problem in problems):
        return 400, "invalid_json", NOT_UNICODE_KEY
    if any(tuple(problem["loc"]) == ("body",) for problem in problems):
        return 422, "invalid_request", BODY_NOT_AN_OBJECT
    parts = []
    for problem in problems:
        where = ".".join(str(part) for part in problem["loc"][1:]) or "body"
        parts.append(f"{where}: {problem['msg']}")
    return 422, "invalid_request", "; ".join(parts)


def _item_problems(error: RequestValidationError) -> list[ItemProblem] | None:
    """The bad items a list validator reported (its error's ``items`` context), if any."""
    for problem in error.errors():
        found = (problem.get("ctx") or {}).get("items")
        if found:
            return [ItemProblem(index=index, message=message) for index, message in found]
    return None


def _unreadable_body_message(cause: BaseException | None) -> str | None:
    """Why FastAPI could not parse a JSON body, from the exception behind its generic 400."""
    if isinstance(cause, UnicodeDecodeError):
        return not_utf8_message(
            "the request body", cause.object[cause.start], f"at offset {cause.start}", "send it encoded as UTF-8"
        )
    if isinstance(cause, RecursionError):
        return NESTED_TOO_DEEPLY
    if isinstance(cause, ValueError) and "integer string conversion" in str(cause):
        return NUMBER_TOO_LONG
    return None


def _printable(text: str) -> str:
    """`text` with lone surrogates written as ``\\udXXX`` escapes, so that it can be sent as UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def error_response(error: Exception) -> JSONResponse:
    """The one place where a failure becomes an HTTP status and a JSON error body."""
    headers: Any = None
    items: list[ItemProblem] | None = None
    if isinstance(error, SummarizeError):
        status, kind = next((status, kind) for cls, status, kind in SERVICE_ERRORS if isinstance(error, cls))
        message = hide_paths(error.in_words(OPERATOR_WORDS))
        if isinstance(error, ModelUnavailableError):
            log.error("model unavailable: %s", hide_credentials(str(error)))
        if isinstance(error, InputItemsError):
            items = [ItemProblem(index=index, message=hide_paths(text)) for index, text in error.items]
    elif isinstance(error, RequestValidationError):
        status, kind, message = _validation_message(error)
        items = _item_problems(error)
    elif isinstance(error, HTTPException):
        status, message, headers = error.status_code, str(error.detail), error.headers
        kind = getattr(error, "kind", HTTP_ERROR_TYPES.get(status, "http_error"))
        unreadable = _unreadable_body_message(error.__cause__) if status == 400 else None
        if unreadable is not None:
            kind, message = "invalid_json", unreadable
    else:
        raise TypeError(f"no HTTP mapping for {type(error).__name__}")
    if items is not None:
        items = [ItemProblem(index=item.index, message=_printable(item.message)) for item in items]
    body = ErrorBody(error=ErrorDetail(type=kind, message=_printable(message), items=items))
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def internal_error_response(method: str, path: str, error: Exception) -> JSONResponse:
    """A 500 for an exception nothing expected, as JSON like every other failure; the traceback goes to the
    server's log, never to the client (it may hold paths and data)."""
    log.error("unexpected error on %s %s", method, path, exc_info=error)
    body = ErrorBody(error=ErrorDetail(type="internal_error", message=INTERNAL_ERROR))
    return JSONResponse(body.model_dump(exclude_none=True), status_code=500)
