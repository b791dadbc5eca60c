"""The per-process model store: each model loaded once per weights and runtime, shared after."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .config import LLMSettings, ModelSettings, RuntimeSettings
from .engines.loader import load_seq2seq
from .errors import ModelUnavailableError

if TYPE_CHECKING:
    from .engines.base import Engine
    from .engines.llm import ChatBackend

Loader = Callable[[ModelSettings, str, RuntimeSettings], "Engine"]
"""Loads one configured model: (settings, role, runtime) -> engine."""


class ModelStore:
    """Loads each model once per process and hands out the same weights after.

    The key is the model and every runtime setting (``RuntimeSettings.store_key``);
    callers that configure the same weights with other generation settings get
    a light view sharing them. A failed load is remembered per role, so that
    ``auto`` does not retry a missing model on every request and each role's
    error names its own setting. Thread-safe: concurrent first requests load once.
    """

    def __init__(self, load: Loader = load_seq2seq) -> None:
        self._load = load
        """How a model is loaded (:func:`~.engines.loader.load_seq2seq`; tests pass a test double)."""
        self._models: dict[tuple[Any, ...], Any] = {}
        """Engines, and the LLM engine's chat backends."""
        self._failures: dict[tuple[str, tuple[Any, ...]], ModelUnavailableError] = {}
        self._lock = threading.Lock()
        self.loads = 0
        """How many loads were attempted (for tests and diagnostics)."""

    def get(self, spec: ModelSettings, role: str, runtime: RuntimeSettings) -> Engine:
        """The loaded model for `spec`, loading it on first use."""
        key = (spec.model, *runtime.store_key())
        with self._lock:
            found = self._models.get(key)
            if found is None:
                failure = self._failures.get((role, key))
                if failure is None:
                    self.loads += 1
                    try:
                        found = self._models[key] = self._load(spec, role, runtime)
                    except ModelUnavailableError as error:
                        failure = self._failures[(role, key)] = error
                if failure is not None:
                    raise failure
        return found if found.spec == spec else found.with_spec(spec)

    def get_llm(self, settings: LLMSettings, runtime: RuntimeSettings) -> ChatBackend:
        """The ``llm`` engine's backend: the chat model loaded here on first use, or the endpoint's client
        (one connection pool and one in-flight limit per server). Other generation settings get a view."""
        from .engines.llm import load_chat_backend

        if settings.endpoint:
            key: tuple[Any, ...] = (
                "llm-endpoint", settings.endpoint, settings.api_key, settings.model,
                settings.max_concurrency, settings.timeout_seconds, settings.max_retries,
            )
        else:
            key = ("llm", settings.model, runtime.device, runtime.dtype, runtime.batch_tokens, runtime.max_batch_size)
        with self._lock:
            found = self._models.get(key)
            if found is None:
                failure = self._failures.get(("llm", key))
                if failure is None:
                    self.loads += 1
                    try:
                        found = self._models[key] = load_chat_backend(settings, runtime)
                    except ModelUnavailableError as error:
                        failure = self._failures[("llm", key)] = error
                if failure is not None:
                    raise failure
        return found if found.settings == settings else found.with_settings(settings)


@lru_cache(maxsize=1)
def default_store() -> ModelStore:
    """The process-wide model store, created on first use."""
    return ModelStore()
