"""Model families, safe loading, device and dtype choice, and the per-process model store.

Each family's quirks live in ``FAMILIES`` and nowhere else: input limits,
target-language tags of multi-target Marian models, input whitespace handling.
Loading is safe by default: safetensors weights only and
``trust_remote_code=False``. A model missing offline raises
:class:`ModelUnavailableError` with the fix.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from .config import ModelSettings, RuntimeSettings
from .errors import ConfigError, ModelUnavailableError

if TYPE_CHECKING:
    import torch

    from .engines.seq2seq import Seq2SeqModel

WEIGHT_FILE = "model.safetensors"
DOWNLOAD_PATTERNS = (
    "*.json",
    "*.safetensors",
    "*.model",
    "*.spm",
    "*.txt",
    "*.tiktoken",
)


@dataclass(frozen=True)
class ModelFamily:
    """The quirks of one architecture family."""

    name: str
    model_types: frozenset[str]
    max_input_tokens: int
    """Position limit of the family's released checkpoints."""
    collapse_whitespace: bool = False
    """Join lines into one (mT5 XL-Sum was trained on whitespace-normalized text)."""
    target_tags: Mapping[str, str] = field(default_factory=dict)
    """Tag put in front of every source sentence, per target language, for
    multi-target models (only used when the tokenizer knows such tags)."""


FAMILIES: tuple[ModelFamily, ...] = (
    ModelFamily(
        name="marian",
        model_types=frozenset({"marian"}),
        max_input_tokens=512,
        target_tags={"zh": ">>cmn_Hans<<", "en": ">>eng<<"},
    ),
    ModelFamily(name="bart", model_types=frozenset({"bart"}), max_input_tokens=1024),
    ModelFamily(name="t5", model_types=frozenset({"t5", "mt5"}), max_input_tokens=512, collapse_whitespace=True),
)


def family_for(model_type: str, model_name: str) -> ModelFamily:
    """The family of a model by its ``config.model_type``."""
    for family in FAMILIES:
        if model_type in family.model_types:
            return family
    supported = ", ".join(sorted(t for family in FAMILIES for t in family.model_types))
    raise ModelUnavailableError(
        f"model {model_name!r} has type {model_type!r}, which is not supported; supported types: {supported}"
    )


# --------------------------------------------------------------------------- device and dtype


def choose_device(setting: str) -> str:
    """Resolve ``auto`` to cuda, then mps, then cpu; check an explicit choice exists."""
    import torch

    if setting == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    if setting == "cuda" and not torch.cuda.is_available():
        raise ModelUnavailableError("runtime.device is 'cuda' but no CUDA GPU is available; use 'auto' or 'cpu'")
    if setting == "mps" and not torch.backends.mps.is_available():
        raise ModelUnavailableError("runtime.device is 'mps' but MPS is not available; use 'auto' or 'cpu'")
    return setting


def choose_dtype(setting: str, device: str) -> torch.dtype:
    """Resolve ``auto`` to bfloat16 on CUDA and float32 elsewhere."""
    import torch

    if setting == "auto":
        return torch.bfloat16 if device == "cuda" else torch.float32
    return getattr(torch, setting)


def check_int8_support(device: str, dtype: str) -> None:
    """Raise :class:`ConfigError` unless transformers-backend int8 can run on `device` with `dtype`."""
    if device != "cpu":
        raise ConfigError(
            f"runtime.quantization 'int8' with backend 'transformers' runs on CPU only, and the device is "
            f"{device!r}; set runtime.device to 'cpu', or runtime.backend to 'ctranslate2' (int8 on GPU too)"
        )
    if dtype not in ("auto", "float32"):
        raise ConfigError(
            f"runtime.quantization 'int8' with backend 'transformers' quantizes float32 weights; "
            f"set runtime.dtype to 'auto' or 'float32', not {dtype!r}"
        )


def quantize_int8(model: Any) -> Any:
    """Dynamic int8 quantization of every Linear layer (weights int8, activations quantized per call)."""
    import warnings

    import torch

    try:
        from torch.ao.quantization import quantize_dynamic
    except ImportError as error:
        raise ConfigError(
            f"runtime.quantization 'int8' needs torch.ao.quantization.quantize_dynamic, which torch "
            f"{torch.__version__} does not have; use runtime.backend 'ctranslate2' for int8"
        ) from error
    with warnings.catch_warnings():
        # torch.ao.quantization announces its own deprecation on every call; it still works.
        warnings.filterwarnings("ignore", message=r"torch\.ao\.quantization is deprecated")
        warnings.filterwarnings("ignore", message=r"torch\.quantize_per_tensor.* are deprecated")
        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


# --------------------------------------------------------------------------- locating weights


def is_local(name: str) -> bool:
    """Whether a configured model name points at a local directory."""
    return Path(name).expanduser().is_dir() or name.startswith((".", "/", "~"))


def cached_snapshot(name: str) -> Path | None:
    """The local snapshot folder of a hub model, or None when it is not cached."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(name, "config.json")
    return Path(found).parent if isinstance(found, str) else None


def folder_size(folder: Path) -> int:
    """Bytes of the files in `folder` (following the hub cache's symlinks)."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


@lru_cache(maxsize=None)
def hub_reachable(timeout: float = 3.0) -> bool:
    """Whether the Hugging Face Hub answers a TCP connection (checked once per process)."""
    if os.environ.get("HF_HUB_OFFLINE", "0").lower() in {"1", "true", "yes"}:
        return False
    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
    try:
        with socket.create_connection((endpoint.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def missing_model_message(name: str, role: str) -> str:
    """How to fix a model that is neither cached nor downloadable."""
    return (
        f"model {name!r} ({role}) is not in the local Hugging Face cache and the Hub cannot be reached; "
        f"run `summarize models pull` on a connected machine (or copy its cache), "
        f"or set {role}.model in the config to a local directory"
    )


def resolve_source(spec: ModelSettings, role: str, runtime: RuntimeSettings) -> tuple[str, bool]:
    """Where to load a model from: (name or folder, local_files_only)."""
    if is_local(spec.model):
        folder = Path(spec.model).expanduser()
        if not (folder / "config.json").is_file():
            raise ModelUnavailableError(
                f"model directory {str(folder)!r} ({role}) has no config.json; "
                f"point {role}.model at a folder saved with save_pretrained()"
            )
        return str(folder), True
    if cached_snapshot(spec.model) is not None:
        return spec.model, True
    if runtime.allow_download and hub_reachable():
        return spec.model, False
    raise ModelUnavailableError(missing_model_message(spec.model, role))


def _no_safetensors_message(name: str, role: str) -> str:
    return (
        f"model {name!r} ({role}) has no safetensors weights; only safetensors are loaded, for safety. "
        f"Convert it once on a trusted machine (load it and save_pretrained() to a folder) "
        f"and set {role}.model to that folder"
    )


def load_error(name: str, role: str, error: Exception) -> ModelUnavailableError:
    """The project error for a failed load (missing safetensors weights get their own fix)."""
    text = str(error)
    if "safetensors" in text.lower():
        return ModelUnavailableError(_no_safetensors_message(name, role))
    return ModelUnavailableError(f"model {name!r} ({role}) could not be loaded: {text.splitlines()[0] if text else error!r}")


def load_seq2seq(spec: ModelSettings, role: str, runtime: RuntimeSettings) -> Seq2SeqModel:
    """Load a tokenizer and seq2seq model safely and put it on the configured device.

    ``runtime.backend`` picks the engine: ``transformers`` (optionally int8 on CPU) or
    ``ctranslate2`` (:mod:`summarize.engines.ctranslate2`).
    """
    if runtime.backend == "ctranslate2":
        from .engines.ctranslate2 import load_ctranslate2

        return load_ctranslate2(spec, role, runtime)
    from transformers import AutoConfig, AutoModelForSeq2SeqLM, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    from .engines.seq2seq import Seq2SeqModel
    from .engines.workers import BatchWorkers, worker_layout

    source, local_only = resolve_source(spec, role, runtime)
    device = choose_device(runtime.device)
    if runtime.quantization == "int8":
        check_int8_support(device, runtime.dtype)
    options: dict[str, Any] = {"trust_remote_code": False, "local_files_only": local_only}
    bars_were_enabled = transformers_logging.is_progress_bar_enabled()
    transformers_logging.disable_progress_bar()  # no "Loading weights" bar in logs and CLI output
    try:
        config = AutoConfig.from_pretrained(source, **options)
        family = family_for(config.model_type, spec.model)
        tokenizer = AutoTokenizer.from_pretrained(source, **options)
        model = AutoModelForSeq2SeqLM.from_pretrained(
            source, use_safetensors=True, dtype=choose_dtype(runtime.dtype, device), **options
        )
    except ModelUnavailableError:
        raise
    except (OSError, ValueError, KeyError, ImportError) as error:
        raise load_error(spec.model, role, error) from error
    finally:
        if bars_were_enabled:
            transformers_logging.enable_progress_bar()
    model.to(device).eval()
    vocabulary = None
    if runtime.restrict_vocabulary and family.name == "marian":
        from .engines.vocabulary import marian_target_token_ids, restrict_output_vocabulary

        token_ids = marian_target_token_ids(tokenizer)
        if token_ids:
            vocabulary = restrict_output_vocabulary(model, token_ids)
    if runtime.quantization == "int8":
        model = quantize_int8(model)
    workers, threads_each = worker_layout(runtime.inter_threads, runtime.cpu_threads, device, cpu_cores())
    return Seq2SeqModel(
        name=spec.model,
        family=family,
        tokenizer=tokenizer,
        model=model,
        spec=spec,
        runtime=runtime,
        workers=BatchWorkers(workers, threads_each),
        output_vocabulary=vocabulary,
    )


def cpu_cores() -> int:
    """The cores torch uses in this process (its intra-op thread count)."""
    import torch

    return torch.get_num_threads()


class ModelStore:
    """Loads each model once per process and hands out the same weights after.

    Callers that configure the same weights with other generation settings get
    a light view sharing them. A failed load is remembered per role, so that
    ``auto`` does not retry a missing model on every request and each role's
    error names its own setting. Thread-safe: concurrent first requests load once.
    """

    def __init__(self) -> None:
        self._models: dict[tuple[Any, ...], Seq2SeqModel] = {}
        self._failures: dict[tuple[str, tuple[Any, ...]], ModelUnavailableError] = {}
        self._lock = threading.Lock()
        self.loads = 0
        """How many loads were attempted (for tests and diagnostics)."""

    def get(self, spec: ModelSettings, role: str, runtime: RuntimeSettings) -> Seq2SeqModel:
        """The loaded model for `spec`, loading it on first use."""
        key = (
            spec.model,
            runtime.device,
            runtime.dtype,
            runtime.backend,
            runtime.quantization,
            runtime.inter_threads,
            runtime.cpu_threads,
            runtime.restrict_vocabulary,
            runtime.cache_dir,
        )
        with self._lock:
            found = self._models.get(key)
            if found is None:
                failure = self._failures.get((role, key))
                if failure is None:
                    self.loads += 1
                    try:
                        found = self._models[key] = load_seq2seq(spec, role, runtime)
                    except ModelUnavailableError as error:
                        failure = self._failures[(role, key)] = error
                if failure is not None:
                    raise failure
        return found if found.spec == spec else found.with_spec(spec)


@lru_cache(maxsize=1)
def default_store() -> ModelStore:
    """The process-wide model store, created on first use."""
    return ModelStore()


# --------------------------------------------------------------------------- model management


@dataclass(frozen=True)
class ModelStatus:
    """One configured model as ``summarize models list`` shows it."""

    role: str
    name: str
    status: str
    """``local directory``, ``cached`` or ``missing``."""
    size_bytes: int


def model_status(role: str, spec: ModelSettings) -> ModelStatus:
    """Whether a configured model is available here, and its size on disk."""
    if is_local(spec.model):
        folder = Path(spec.model).expanduser()
        if (folder / "config.json").is_file():
            return ModelStatus(role, spec.model, "local directory", folder_size(folder))
        return ModelStatus(role, spec.model, "missing", 0)
    snapshot = cached_snapshot(spec.model)
    if snapshot is None:
        return ModelStatus(role, spec.model, "missing", 0)
    return ModelStatus(role, spec.model, "cached", folder_size(snapshot))


def pull_model(role: str, spec: ModelSettings) -> Path:
    """Download a hub model's config, tokenizer files and safetensors weights (with progress bars)."""
    if is_local(spec.model):
        return Path(spec.model).expanduser()
    if not hub_reachable():
        raise ModelUnavailableError(
            f"cannot pull {spec.model!r} ({role}): the Hugging Face Hub cannot be reached from this machine "
            f"(or HF_HUB_OFFLINE is set); pull on a connected machine and copy the cache "
            f"(~/.cache/huggingface), or set {role}.model to a local directory"
        )
    from huggingface_hub import snapshot_download

    folder = Path(snapshot_download(spec.model, allow_patterns=list(DOWNLOAD_PATTERNS)))
    if not any(folder.glob("*.safetensors")):
        raise ModelUnavailableError(_no_safetensors_message(spec.model, role))
    return folder
