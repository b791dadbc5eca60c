"""Where model weights are: local folders, the Hugging Face cache, the Hub.

Answers whether a configured model is here (``model_status``), where to load it
from (``resolve_source``), fetches it ahead of time (``pull_model``), and words
the load errors: a model missing offline raises :class:`ModelUnavailableError`
with the fix; only safetensors weights are loaded.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from .config import ModelSettings, RuntimeSettings
from .errors import ModelMissingError, ModelUnavailableError, SummarizeError
from .wording import Argument, Message

DOWNLOAD_PATTERNS = (
    "*.json",
    "*.safetensors",
    "*.model",
    "*.spm",
    "*.txt",
    "*.tiktoken",
    "*.jinja",  # chat templates saved beside tokenizer_config.json (chat_template.jinja)
)


MODEL_FILE = "model.bin"
SEPARATE_SPM = ("src.spm.model", "tgt.spm.model")
JOINT_SPM = "joint.spm.model"
VOCABULARIES = ("shared_vocabulary.json", "source_vocabulary.json", "target_vocabulary.json")
NATIVE_FILES = ("config.json", MODEL_FILE, *SEPARATE_SPM, JOINT_SPM, *VOCABULARIES,
                "shared_vocabulary.txt", "source_vocabulary.txt", "target_vocabulary.txt")
"""Every file a CTranslate2-native folder (quickmt's layout) may need: what ``summarize models pull`` fetches for one."""

PULL_STEP = "run `summarize models pull` on a connected machine (or copy its cache)"
"""How a missing model is fetched, as the Python API and the CLI say it; a message names it as an
:class:`~.wording.Argument`, so the web surfaces word it for the server's operator (:data:`OPERATOR_WORDS`)."""
PULL_HINT = "`summarize models pull` fetches it"
"""The same step in a fallback note."""
OPERATOR_WORDS: dict[str, str] = {
    PULL_STEP: "the server's operator can fetch it (`summarize models pull` on a connected machine)",
    PULL_HINT: "the server's operator can fetch it with `summarize models pull`",
}
"""The fetching steps as a web user reads them: the operator runs the command, not them."""
HUB_MEMORY_FILE = "hub-unreachable"
"""File in the cache folder that remembers an unreachable Hub (its content: the endpoint probed)."""
HUB_MEMORY_SECONDS = 600
"""How long an unreachable Hub is remembered before the next process probes it again."""
OFFLINE_VALUES = frozenset({"1", "on", "yes", "true"})
"""Values of ``HF_HUB_OFFLINE`` that mean offline (as huggingface_hub reads it)."""


def cache_root(runtime: RuntimeSettings) -> Path:
    """The project's cache folder: ``runtime.cache_dir`` or ``$XDG_CACHE_HOME/summarize`` (``~/.cache/summarize``)."""
    if runtime.cache_dir:
        return Path(runtime.cache_dir).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "summarize"


def is_local(name: str) -> bool:
    """Whether a configured model name points at a local directory."""
    return Path(name).expanduser().is_dir() or name.startswith((".", "/", "~"))


def cached_snapshot(name: str) -> Path | None:
    """The local snapshot folder of a hub model's main revision, or None when it is not cached.

    Reads huggingface_hub's cache layout (``models--org--name/refs/main`` names the snapshot)
    without importing its download code, which alone takes about half a second.
    """
    from huggingface_hub import constants

    repository = Path(constants.HF_HUB_CACHE) / f"models--{name.replace('/', '--')}"
    try:
        commit = (repository / "refs" / "main").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    snapshot = repository / "snapshots" / commit
    return snapshot if commit and (snapshot / "config.json").is_file() else None


def folder_size(folder: Path) -> int:
    """Bytes of the files in `folder` (following the hub cache's symlinks)."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def hub_endpoint() -> str:
    """The Hub's URL (``$HF_ENDPOINT`` or huggingface.co)."""
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co")


@lru_cache(maxsize=None)
def _answers(endpoint: str, timeout: float) -> bool:
    """Whether `endpoint` answers a TCP connection (asked once per process)."""
    url = urlparse(endpoint)
    try:
        with socket.create_connection((url.hostname or "", url.port or (443 if url.scheme == "https" else 80)), timeout):
            return True
    except OSError:
        return False


def hub_reachable(memory: Path | None = None, timeout: float = 3.0) -> bool:
    """Whether the Hugging Face Hub can be reached: never with ``HF_HUB_OFFLINE`` set; else a TCP probe.

    With `memory` (a file in the cache folder), an unreachable Hub is remembered for
    ``HUB_MEMORY_SECONDS``, so that the next processes answer at once instead of waiting on the probe.
    """
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in OFFLINE_VALUES:
        return False
    endpoint = hub_endpoint()
    if memory is not None and _remembered_unreachable(memory, endpoint):
        return False
    reachable = _answers(endpoint, timeout)
    if memory is not None:
        _remember(memory, endpoint, reachable)
    return reachable


def _remembered_unreachable(memory: Path, endpoint: str) -> bool:
    try:
        age = time.time() - memory.stat().st_mtime
        return 0 <= age < HUB_MEMORY_SECONDS and memory.read_text(encoding="utf-8") == endpoint
    except OSError:
        return False


def _remember(memory: Path, endpoint: str, reachable: bool) -> None:
    """Write (unreachable) or remove (reachable) the memory file; a read-only cache folder is no error."""
    try:
        if reachable:
            memory.unlink(missing_ok=True)
        else:
            memory.parent.mkdir(parents=True, exist_ok=True)
            memory.write_text(endpoint, encoding="utf-8")
    except OSError:
        pass


def missing_model_message(name: str, role: str) -> Message:
    """How to fix a model that is neither cached nor downloadable (the fetching step worded per surface)."""
    return Message(
        f"model {name!r} ({role}) is not in the local Hugging Face cache and the Hub cannot be reached; ",
        Argument(PULL_STEP),
        f", or set {role}.model in the config to a local directory",
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
    if runtime.allow_download and hub_reachable(cache_root(runtime) / HUB_MEMORY_FILE):
        return spec.model, False
    raise ModelMissingError(missing_model_message(spec.model, role))


def is_native_folder(folder: Path) -> bool:
    """Whether `folder` is a CTranslate2 model without a transformers config (quickmt's layout)."""
    if not (folder / MODEL_FILE).is_file():
        return False
    config = folder / "config.json"
    if not config.is_file():
        return True
    try:
        return "model_type" not in json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


def native_repo_files(files: Sequence[str]) -> list[str] | None:
    """Of a hub repository's `files`, the ones a folder of this layout needs; None when it is not one."""
    names = set(files)
    if MODEL_FILE not in names or not (set(SEPARATE_SPM) <= names or JOINT_SPM in names):
        return None
    return [name for name in NATIVE_FILES if name in names]


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


LOAD_FAILURES: tuple[type[Exception], ...] = (OSError, ValueError, KeyError, ImportError)
"""What transformers raises for a folder or hub id it cannot load."""


@contextmanager
def load_errors(name: str, role: str, failures: tuple[type[Exception], ...] = LOAD_FAILURES) -> Iterator[None]:
    """Turn a failed load inside the block into the project error; the project's own errors pass."""
    try:
        yield
    except SummarizeError:
        raise
    except failures as error:
        raise load_error(name, role, error) from error


@dataclass(frozen=True)
class ModelStatus:
    """One configured model as ``summarize models list`` shows it."""

    role: str
    name: str
    status: str
    """``local directory``, ``cached`` or ``missing``."""
    size_bytes: int
    licence: str = ""
    """The model's licence where the project knows it (:data:`LICENCES`), else empty."""


LICENCES: dict[str, str] = {
    "quickmt/quickmt-en-zh": "CC-BY-4.0",
    "quickmt/quickmt-zh-en": "CC-BY-4.0",
    "Helsinki-NLP/opus-mt-en-zh": "CC-BY-4.0",
    "Helsinki-NLP/opus-mt-zh-en": "CC-BY-4.0",
    "facebook/bart-large-cnn": "MIT",
    "sshleifer/distilbart-cnn-12-6": "Apache-2.0",
    "csebuetnlp/mT5_multilingual_XLSum": "CC-BY-NC-SA-4.0 (non-commercial)",
}
"""The licences of the models the shipped configs name (docs/models.md has their attribution)."""


def model_status(role: str, spec: ModelSettings) -> ModelStatus:
    """Whether a configured model is available here, its size on disk and its licence."""
    licence = LICENCES.get(spec.model, "")
    if is_local(spec.model):
        folder = Path(spec.model).expanduser()
        if (folder / "config.json").is_file():
            return ModelStatus(role, spec.model, "local directory", folder_size(folder), licence)
        return ModelStatus(role, spec.model, "missing", 0, licence)
    snapshot = cached_snapshot(spec.model)
    if snapshot is None:
        return ModelStatus(role, spec.model, "missing", 0, licence)
    return ModelStatus(role, spec.model, "cached", folder_size(snapshot), licence)


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
    from huggingface_hub import list_repo_files, snapshot_download

    native = native_repo_files(list_repo_files(spec.model))
    folder = Path(snapshot_download(spec.model, allow_patterns=native or list(DOWNLOAD_PATTERNS)))
    if native is None and not any(folder.glob("*.safetensors")):
        raise ModelUnavailableError(_no_safetensors_message(spec.model, role))
    return folder


def is_native_repo(name: str) -> bool:
    """Whether hub model `name` is a CTranslate2-native folder (quickmt's layout), by its file list."""
    from huggingface_hub import list_repo_files

    return native_repo_files(list_repo_files(name)) is not None
