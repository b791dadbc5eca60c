"""The per-process model store: each model loaded once per weights and runtime, shared after."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from .config import LLMSettings, ModelSettings, RuntimeSettings
from .engines.loader import load_seq2seq
from .errors import ModelUnavailableError

if TYPE_CHECKING:
    from .engines.base import Engine
    from .engines.llm import ChatBackend

Loader = Callable[[ModelSettings, str, RuntimeSettings], "Engine"]
"""Loads one configured model: (settings, role, runtime) -> engine."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadFailure:
    """A failed load: its error and when it happened (``time.monotonic()``)."""

    error: ModelUnavailableError
    at: float


@dataclass(frozen=True)
class LoadState:
    """What this process knows of a model: ``loaded``, ``failed`` (with the error) or ``not loaded`` yet."""

    state: Literal["loaded", "failed", "not loaded"]
    error: str | None = None


class ModelStore:
    """Loads each model once per process and hands out the same weights after.

    The key is the model and every runtime setting (``RuntimeSettings.store_key``);
    callers that configure the same weights with other generation settings get
    a light view sharing them. A failed load is remembered per role, so that
    ``auto`` does not retry a missing model on every request and each role's
    error names its own setting, and tried again on the first request
    ``runtime.retry_failed_load_seconds`` after it: a model that becomes
    loadable is used without a restart. Thread-safe: concurrent first requests load once.
    """

    def __init__(self, load: Loader = load_seq2seq, clock: Callable[[], float] = time.monotonic) -> None:
        self._load = load
        """How a model is loaded (:func:`~.engines.loader.load_seq2seq`; tests pass a test double)."""
        self._clock = clock
        self._models: dict[tuple[Any, ...], Any] = {}
        """Engines, and the LLM engine's chat backends."""
        self._failures: dict[tuple[str, tuple[Any, ...]], LoadFailure] = {}
        self._lock = threading.Lock()
        self.loads = 0
        """How many loads were attempted (for tests and diagnostics)."""

    def _loaded(self, role: str, key: tuple[Any, ...], load: Callable[[], Any], retry_seconds: float) -> Any:
        """The model under `key`, loaded by `load` unless it is here or failed less than `retry_seconds` ago."""
        with self._lock:
            found = self._models.get(key)
            if found is not None:
                return found
            failure = self._failures.get((role, key))
            if failure is not None and self._clock() - failure.at < retry_seconds:
                raise failure.error
            self.loads += 1
            try:
                found = self._models[key] = load()
            except ModelUnavailableError as error:
                self._failures[(role, key)] = LoadFailure(error, self._clock())
                log.debug("%s: %s (tried again on a request %g s from now)", role, error, retry_seconds)
                raise
            self._failures.pop((role, key), None)
            return found

    def failure(self, role: str, spec: ModelSettings, runtime: RuntimeSettings) -> LoadFailure | None:
        """The last failed load of `spec` for `role`, while it is remembered (None once it loaded)."""
        with self._lock:
            return self._failures.get((role, (spec.model, *runtime.store_key())))

    def state(self, role: str, spec: ModelSettings, runtime: RuntimeSettings) -> LoadState:
        """Whether `spec` is loaded in this process, failed to load (and why), or was not asked for yet."""
        key = (spec.model, *runtime.store_key())
        with self._lock:
            if key in self._models:
                return LoadState("loaded")
            failure = self._failures.get((role, key))
        return LoadState("failed", str(failure.error)) if failure is not None else LoadState("not loaded")

    def get(self, spec: ModelSettings, role: str, runtime: RuntimeSettings) -> Engine:
        """The loaded model for `spec`, loading it on first use."""
        key = (spec.model, *runtime.store_key())
        found = self._loaded(role, key, lambda: self._load(spec, role, runtime), runtime.retry_failed_load_seconds)
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
        found = self._loaded("llm", key, lambda: load_chat_backend(settings, runtime), runtime.retry_failed_load_seconds)
        return found if found.settings == settings else found.with_settings(settings)


@lru_cache(maxsize=1)
def default_store() -> ModelStore:
    """The process-wide model store, created on first use."""
    return ModelStore()
