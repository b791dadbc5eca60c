"""Before a job starts: can any record succeed with the models that are here?

A missing model fails only the records that need it (each gets an error
record); but when the model of every language a record could be in is
missing, the job would write nothing but error records. That is said at once,
in one line naming the model and the fix, before any file is touched.
"""

from __future__ import annotations

from ..config import ModelSettings, Settings
from ..engines.llm.local import ROLE as LLM_ROLE
from ..errors import ModelUnavailableError
from ..hub import resolve_source
from ..text import MODEL_LANGUAGE, SUPPORTED_LANGUAGES, Language, same_model_language
from .records import Task


def needed_roles(settings: Settings, task: Task, target_lang: Language | None, source: Language) -> list[str] | None:
    """The settings of the models a record in `source` needs, e.g. ``translate.models.zh-en``
    (``llm`` for the chat model of a task whose engine is ``llm``).

    None when such a record cannot succeed whatever the models (``translate`` into
    its own language). Summaries under the ``auto`` and ``extractive`` engines
    need no model: the embedded extractive engine is always there.
    """
    roles: list[str] = []
    if task in ("summarize", "both"):
        target = target_lang or source
        if settings.summarize.engine == "llm":
            roles.append(LLM_ROLE)  # cross-lingual summaries too, in one step
        else:
            if settings.summarize.engine == "seq2seq":
                roles.append(f"summarize.models.{MODEL_LANGUAGE[source]}")
            if not same_model_language(target, source):
                roles.append(_translation_role(settings, source, target))
    if task in ("translate", "both"):
        if same_model_language(source, target_lang):
            return None
        roles.append(_translation_role(settings, source, target_lang))
    return roles


def _translation_role(settings: Settings, source: Language, target: Language) -> str:
    pair = f"{MODEL_LANGUAGE[source]}-{MODEL_LANGUAGE[target]}"
    return LLM_ROLE if settings.translate.engine == "llm" else f"translate.models.{pair}"


def _missing(settings: Settings, role: str) -> str | None:
    """Why the model of `role` cannot be loaded here, or None when it can be found (a model server is not
    asked: it answers, or each record says why, when the job runs)."""
    if role == LLM_ROLE:
        if settings.llm.endpoint:
            return None
        spec = ModelSettings(model=settings.llm.model)
    else:
        group, _, key = role.rpartition(".")
        found = (settings.summarize.models if group == "summarize.models" else settings.translate.models).get(key)
        if found is None:
            return f"no model is configured for {key!r} ({role})"
        spec = found
    try:
        resolve_source(spec, role, settings.runtime)
    except ModelUnavailableError as error:
        return str(error)
    return None


def check_models(settings: Settings, task: Task, target_lang: Language | None) -> None:
    """Raise :class:`ModelUnavailableError` when no record of the job can succeed for want of models.

    Looks only for the weights (local folder, cache, or a reachable Hub when
    downloads are allowed); it loads nothing.
    """
    reasons: list[str] = []
    for source in SUPPORTED_LANGUAGES:
        roles = needed_roles(settings, task, target_lang, source)
        if roles is None:
            continue
        missing = [reason for reason in (_missing(settings, role) for role in roles) if reason]
        if not missing:
            return
        reasons.append(missing[0])
    raise ModelUnavailableError(f"no record of this job can succeed: {'; '.join(dict.fromkeys(reasons))}")
