"""Where model weights are: local folders, the Hugging Face cache, the Hub.

Answers whether a configured model is here (``model_status``), where to load it
from (``resolve_source``), fetches it ahead of time (``pull_model``), and words
the load errors: a model missing offline raises :class:`ModelUnavailableError`
with the fix; only safetensors weights are loaded.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from .config import ModelSettings, RuntimeSettings
from .errors import ModelUnavailableError

DOWNLOAD_PATTERNS = (
    "*.json",
    "*.safetensors",
    "*.model",
    "*.spm",
    "*.txt",
    "*.tiktoken",
)


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
