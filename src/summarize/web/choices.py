"""The summarizers a web user may pick: the configured default, the extractive engine, the chat
model of the ``llm`` section when it is configured, or an entry of the ``server.model_choices`` allow-list.

Both web shells (the Gradio UI and the HTTP API) resolve a choice here, so a user can never load
a model the operator did not list.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from ..config import LLM_CHOICE, LLM_ENGINE, RESERVED_CHOICES, Settings
from ..errors import InputError
from ..service import Service

DEFAULT_CHOICE, EXTRACTIVE_CHOICE = RESERVED_CHOICES


def choice_settings(settings: Settings, name: str) -> Settings:
    """The settings that summarize with choice `name`; raise :class:`InputError` for a name not allowed.

    ``default`` keeps the settings; ``extractive`` switches to the embedded engine; a named entry
    replaces ``summarize.models`` for the languages it lists and, where the configured engine is
    ``extractive`` or ``llm``, switches to ``auto`` so that the chosen model is used when it can be loaded.
    """
    if name == DEFAULT_CHOICE:
        return settings
    summarize = settings.summarize
    if name == EXTRACTIVE_CHOICE:
        return replace(settings, summarize=replace(summarize, engine="extractive"))
    if name == LLM_CHOICE and settings.uses_llm:
        return replace(settings, summarize=replace(summarize, engine=LLM_ENGINE))
    entry = settings.server.model_choices.get(name)
    if entry is None:
        allowed = ", ".join(repr(choice) for choice in choice_names(settings))
        raise InputError(f"model {name!r} is not offered here; choose one of {allowed} (server.model_choices)")
    engine = "auto" if summarize.engine in ("extractive", LLM_ENGINE) else summarize.engine
    return replace(settings, summarize=replace(summarize, engine=engine, models={**summarize.models, **entry}))


def choice_names(settings: Settings) -> list[str]:
    """Every choice offered, ``default`` first."""
    return [*RESERVED_CHOICES, *([LLM_CHOICE] if settings.uses_llm else []), *settings.server.model_choices]


class SummaryChoices:
    """One service per choice, built on first use; all share the base service's model store."""

    def __init__(self, service: Service) -> None:
        self.base = service
        self._services: dict[str, Service] = {DEFAULT_CHOICE: service}
        self._lock = threading.Lock()

    @property
    def names(self) -> list[str]:
        """The choices offered, ``default`` first."""
        return choice_names(self.base.settings)

    def service(self, name: str) -> Service:
        """The service for choice `name` (:class:`InputError` when it is not offered)."""
        with self._lock:
            if name not in self._services:
                self._services[name] = Service(choice_settings(self.base.settings, name), store=self.base.store)
            return self._services[name]
