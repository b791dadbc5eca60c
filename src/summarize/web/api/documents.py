"""Documents over HTTP: ``POST /v1/documents/summarize`` and ``POST /v1/documents/translate``.

Both take a multipart upload (a ``file`` field, plus form fields), with the UI's upload limit
``server.max_upload_bytes`` for the file, and an optional ``glossary`` field: the JSON routes'
``glossary`` object as JSON text (:mod:`summarize.web.api.glossary`). A translation answers the
translated file itself (its media type, ``Content-Disposition: attachment; filename=...``, and how
many glossary terms the document held and the translation kept in :data:`TERMS_FOUND_HEADER` and
:data:`TERMS_KEPT_HEADER`), or, when the request says ``Accept: application/json``, a JSON object with
the file in base64 and the :class:`Result` (each term in its ``terms``).
"""

from __future__ import annotations

import base64
import dataclasses
import re
from collections.abc import Callable
from pathlib import PureWindowsPath
from typing import Annotated, Any, get_type_hints
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile, params
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from ...documents import EXTENSIONS, MEDIA_TYPES, format_for, translated_name
from ...engines.base import Length
from ...errors import InputError
from ...service import DocumentTranslation, Service
from ...text import BIDI_CONTROLS, Language
from ..choices import DEFAULT_CHOICE, SummaryChoices
from ..guards import API_PREFIX, DOCUMENT_UPLOAD_PATH
from .errors import ApiError
from .glossary import GLOSSARY_FORM_DESCRIPTION, GlossaryForm, with_glossary

UPLOAD_CHUNK_BYTES = 64 * 1024
UNSAFE_NAME_CHARACTERS = re.compile(r"[^\w.\- ]+")
TERMS_FOUND_HEADER = "X-Glossary-Terms-Found"
TERMS_KEPT_HEADER = "X-Glossary-Terms-Kept"


class DocumentOut(BaseModel):
    """A translated document as JSON (asked for with ``Accept: application/json``)."""

    filename: str = Field(description="The name to save the file as, e.g. page.zh.html.")
    media_type: str
    data_base64: str = Field(description="The translated file, base64-encoded.")
    result: dict[str, Any] = Field(description="The translation's Result, as POST /v1/translate answers it.")


def upload_name(filename: str | None) -> str:
    """The uploaded file's own name without any folders the client sent, nor bidirectional controls
    (which could make ``gnp.exe`` display as ``exe.png`` in a message or a download name); ``document`` when none."""
    name = BIDI_CONTROLS.sub("", PureWindowsPath(filename or "").name).strip()
    return name or "document"


def content_disposition(name: str) -> str:
    """An attachment header for `name`: an ASCII ``filename`` and the exact UTF-8 ``filename*``."""
    ascii_name = UNSAFE_NAME_CHARACTERS.sub("_", name.encode("ascii", "replace").decode("ascii"))
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def document_format(name: str, explicit: str | None) -> str:
    """The format of upload `name`: the ``format`` field, else its extension (which must be one we read)."""
    if explicit:
        return format_for(name, explicit, argument="format")
    suffix = PureWindowsPath(name).suffix.lower()
    if suffix not in EXTENSIONS:
        kind = f"file type {suffix!r}" if suffix else "a file without an extension"
        raise InputError(f"{name}: {kind} is not supported; upload one of {', '.join(EXTENSIONS)} or set the format field")
    return format_for(name)


def form_fields(endpoint: Callable[..., Any]) -> frozenset[str]:
    """The names of the form fields (``Form`` and ``File`` parameters, by alias) that `endpoint` reads."""
    hints = get_type_hints(endpoint, include_extras=True)
    return frozenset(
        meta.alias or name
        for name, hint in hints.items()
        for meta in getattr(hint, "__metadata__", ())
        if isinstance(meta, params.Form)  # File is a Form
    )


async def refuse_unknown_fields(request: Request) -> None:
    """422 naming a form field the route does not read (a misspelt ``target_lnag`` would otherwise be
    ignored, and the request answered with the defaults), as the JSON routes refuse unknown keys."""
    allowed = form_fields(request.scope["endpoint"])
    unknown = sorted({key for key in (await request.form()).keys() if key not in allowed})
    if unknown:
        problems = "; ".join(f"{key}: Extra inputs are not permitted" for key in unknown)
        raise ApiError(422, "invalid_request", f"{problems} (the form fields are: {', '.join(sorted(allowed))})")


async def read_upload(upload: UploadFile, limit: int) -> bytes:
    """The uploaded file's bytes; 413 as soon as it is over `limit` (``server.max_upload_bytes``)."""
    parts: list[bytes] = []
    size = 0
    while chunk := await upload.read(UPLOAD_CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            name = upload_name(upload.filename)
            raise ApiError(413, "upload_too_large", f"{name} is over the limit of {limit:,} bytes (server.max_upload_bytes)")
        parts.append(chunk)
    return b"".join(parts)


def add_document_routes(router: APIRouter, service: Service, choices: SummaryChoices, result_model: Any) -> None:
    """Add the document routes to the API's `router` (prefix ``/v1``, its API key check);
    ``result_model.of(result)`` is a Result as the API answers it (paths hidden)."""
    limit = service.settings.server.max_upload_bytes
    path = DOCUMENT_UPLOAD_PATH.removeprefix(API_PREFIX)

    @router.post(
        f"{path}summarize", response_model=result_model, summary="Summarize an uploaded document", tags=["documents"],
        dependencies=[Depends(refuse_unknown_fields)],
    )
    async def summarize_document(
        request: Request,
        file: Annotated[UploadFile, File(description="A .txt, .html/.htm, .md, .docx or .srt file.")],
        target_lang: Annotated[Language | None, Form(description="Summary language.")] = None,
        source_lang: Annotated[Language | None, Form()] = None,
        length: Annotated[Length, Form()] = "medium",
        model: Annotated[str, Form(description="One of the choices of GET /v1/models.")] = DEFAULT_CHOICE,
        format_field: Annotated[str | None, Form(alias="format", description="Overrides the file extension.")] = None,
        glossary: Annotated[GlossaryForm, Form(description=GLOSSARY_FORM_DESCRIPTION)] = None,
    ) -> Any:
        name = upload_name(file.filename)
        format_name = document_format(name, format_field)
        data = await read_upload(file, limit)
        chosen = choices.service(model)
        call = with_glossary(
            chosen.summarize_document, data, format_name, target_lang,
            source_lang=source_lang, length=length, name=name, glossary=glossary,
        )
        return result_model.of(await request.app.state.gate.run(call))

    @router.post(
        f"{path}translate",
        tags=["documents"],
        summary="Translate an uploaded document; answers the file in its own format",
        dependencies=[Depends(refuse_unknown_fields)],
        response_class=Response,
        responses={
            200: {
                "description": "The translated file (or, with Accept: application/json, a DocumentOut).",
                "headers": {
                    TERMS_FOUND_HEADER: {"description": "Glossary terms in the document.", "schema": {"type": "integer"}},
                    TERMS_KEPT_HEADER: {"description": "Of those, the terms kept.", "schema": {"type": "integer"}},
                },
                "content": {media_type.split(";")[0]: {} for media_type in MEDIA_TYPES.values()}
                | {"application/json": {"schema": DocumentOut.model_json_schema()}},
            }
        },
    )
    async def translate_document(
        request: Request,
        file: Annotated[UploadFile, File(description="A .txt, .html/.htm, .md, .docx or .srt file.")],
        target_lang: Annotated[Language, Form(description="Translation language.")],
        source_lang: Annotated[Language | None, Form()] = None,
        format_field: Annotated[str | None, Form(alias="format", description="Overrides the file extension.")] = None,
        glossary: Annotated[GlossaryForm, Form(description=GLOSSARY_FORM_DESCRIPTION)] = None,
    ) -> Response:
        name = upload_name(file.filename)
        format_name = document_format(name, format_field)
        data = await read_upload(file, limit)
        call = with_glossary(
            service.translate_document, data, format_name, target_lang, source_lang=source_lang, name=name,
            glossary=glossary,
        )
        translation: DocumentTranslation = await request.app.state.gate.run(call)
        download = translated_name(name, target_lang)
        media_type = MEDIA_TYPES[translation.format]
        if "application/json" in request.headers.get("accept", ""):
            body = DocumentOut(
                filename=download,
                media_type=media_type,
                data_base64=base64.b64encode(translation.data).decode("ascii"),
                result=dataclasses.asdict(result_model.of(translation.result)),
            )
            return JSONResponse(body.model_dump())
        checked = translation.result.terms
        headers = {
            "Content-Disposition": content_disposition(download),
            TERMS_FOUND_HEADER: str(len(checked)),
            TERMS_KEPT_HEADER: str(sum(term.found for term in checked)),
        }
        return Response(translation.data, media_type=media_type, headers=headers)
