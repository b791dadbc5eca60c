"""The HTTP API's ``glossary``: one set of checks for the JSON routes' object and the document routes' form field.

``POST /v1/translate`` and ``/v1/summarize`` take ``{source term: target term}`` as a JSON object
(:data:`GlossaryObject`); the multipart document routes take the same object as the JSON text of
a form field (:data:`GlossaryForm`). Either way the shape is checked here (a 422 naming the field),
and :func:`parsed_glossary` builds the :class:`Glossary` (in the worker that runs the request:
:func:`with_glossary`), whose own checks (an empty term, a line break, a lone surrogate, a repeated
term) answer 422 ``invalid_input``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from ...glossary import MAX_TERMS, Glossary

T = TypeVar("T")

JSON_TYPES = {str: "string", int: "number", float: "number", bool: "boolean", dict: "object", list: "array"}
GLOSSARY_DESCRIPTION = (
    f"Terms every translation must use, {{source term: target term}} (at most {MAX_TERMS:,}); "
    "each result's `terms` says which were found and kept. Default: the server's translate.glossary."
)
GLOSSARY_FORM_DESCRIPTION = f"The glossary object of POST /v1/translate, as JSON text. {GLOSSARY_DESCRIPTION}"
GLOSSARY_EXAMPLE = {"覃伟中": "Qin Weizhong"}


def json_type(value: Any) -> str:
    """The JSON name of `value`'s type (``null``, ``string``, ``number``, ``array``...), for error messages."""
    return "null" if value is None else JSON_TYPES.get(type(value), type(value).__name__)


def glossary_object(value: Any) -> Any:
    """Check the shape of a ``glossary`` value: an object of at most :data:`MAX_TERMS` string targets."""
    if value is None:
        return value
    if not isinstance(value, dict):
        raise PydanticCustomError(
            "glossary_type", "must be an object of source term: target term, not {kind}", {"kind": json_type(value)}
        )
    if len(value) > MAX_TERMS:
        raise PydanticCustomError(
            "glossary_size", "has {count} terms, over the limit of {limit}; split it by topic",
            {"count": f"{len(value):,}", "limit": f"{MAX_TERMS:,}"},
        )
    for source, target in value.items():
        if not isinstance(target, str):
            raise PydanticCustomError(
                "glossary_term_type", "the target term of {source} must be a string, not {kind}",
                {"source": repr(source), "kind": json_type(target)},
            )
    return value


def glossary_form(value: Any) -> Any:
    """A form field's ``glossary``: its JSON text read, then checked as :func:`glossary_object`."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError) as error:
            reason = error.args[0] if isinstance(error, ValueError) else "nested too deeply"
            raise PydanticCustomError(
                "glossary_json", "is not valid JSON ({reason}); send an object of source term: target term",
                {"reason": reason},
            ) from None
    return glossary_object(value)


GlossaryObject = Annotated[dict[str, str] | None, BeforeValidator(glossary_object)]
"""The JSON routes' ``glossary`` field."""
GlossaryForm = Annotated[dict[str, str] | None, BeforeValidator(glossary_form)]
"""The document routes' ``glossary`` form field: the same object, as JSON text."""


def parsed_glossary(mapping: dict[str, str] | None) -> Glossary | None:
    """The request's glossary (:class:`InputError` for an empty term, a line break, a lone surrogate...)."""
    return None if mapping is None else Glossary.from_mapping(mapping)


def with_glossary(
    function: Callable[..., T], *args: Any, glossary: dict[str, str] | None, **options: Any
) -> Callable[[], T]:
    """``function(*args, **options)`` with the request's glossary, built when the call runs: in the worker
    thread the capacity gate gives it, not on the event loop."""
    return lambda: function(*args, glossary=parsed_glossary(glossary), **options)
