"""Loading a configured model with the engine that ``runtime.backend`` names."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..config import ModelSettings, RuntimeSettings
from ..hub import (
    cached_snapshot,
    is_local,
    is_native_folder,
    is_native_repo,
    pull_model,
    resolve_source,
)

if TYPE_CHECKING:
    from .base import Engine


def load_seq2seq(spec: ModelSettings, role: str, runtime: RuntimeSettings) -> Engine:
    """Load a seq2seq model: a CTranslate2-native folder (quickmt's layout, :mod:`.quickmt`) whatever the
    backend, else ``transformers`` (:mod:`.seq2seq`) or ``ctranslate2`` (:mod:`.ctranslate2`).

    The backends are imported on first use: importing the package loads neither torch nor ctranslate2,
    and a model that is neither here nor downloadable fails before either is imported.
    """
    _, local_only = resolve_source(spec, role, runtime)
    folder = native_folder(spec, role, local_only)
    if folder is not None:
        from .quickmt import load_quickmt

        return load_quickmt(folder, spec, role, runtime)
    if runtime.backend == "ctranslate2":
        from .ctranslate2 import load_ctranslate2

        return load_ctranslate2(spec, role, runtime)
    from .seq2seq import load_transformers

    return load_transformers(spec, role, runtime)


def native_folder(spec: ModelSettings, role: str, local_only: bool) -> Path | None:
    """The folder of `spec` when it is a CTranslate2-native model (downloading a hub one first), else None."""
    if is_local(spec.model):
        folder: Path | None = Path(spec.model).expanduser()
    else:
        folder = cached_snapshot(spec.model)
        if folder is None and not local_only and is_native_repo(spec.model):
            folder = pull_model(role, spec)
    return folder if folder is not None and is_native_folder(folder) else None
