"""Before a job starts: can any record succeed with the models that are here?

A missing model fails only the records that need it (each gets an error
record); but when the model of every language a record could be in is
missing, the job would write nothing but error records. That is said at once,
in one line naming the model and the fix, before any file is touched.
"""

from __future__ import annotations

from ..config import Settings
from ..errors import ModelUnavailableError
from ..hub import resolve_source
from ..text import SUPPORTED_LANGUAGES, Language
from .records import Task


def needed_roles(settings: Settings, task: Task, target_lang: Language | None, source: Language) -> list[str] | None:
    """The settings of the models a record in `source` needs, e.g. ``translate.models.zh-en``.

    None when such a record cannot succeed whatever the models (``translate`` into
    its own language). Summaries under the ``auto`` and ``extractive`` engines
    need no model: the embedded extractive engine is always there.
    """
    roles: list[str] = []
    if task in ("summarize", "both"):
        if settings.summarize.engine == "seq2seq":
            roles.append(f"summarize.models.{source}")
        target = target_lang or source
        if target != source:
            roles.append(f"translate.models.{source}-{target}")
    if task in ("translate", "both"):
        if source == target_lang:
            return None
        roles.append(f"translate.models.{source}-{target_lang}")
    return roles


def _missing(settings: Settings, role: str) -> str | None:
    """Why the model of `role` cannot be loaded here, or None when it can be found."""
    group, _, key = role.rpartition(".")
    spec = (settings.summarize.models if group == "summarize.models" else settings.translate.models).get(key)
    if spec is None:
        return f"no model is configured for {key!r} ({role})"
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
