"""Loading a configured model with the engine that ``runtime.backend`` names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import ModelSettings, RuntimeSettings
from ..hub import resolve_source

if TYPE_CHECKING:
    from .base import Engine


def load_seq2seq(spec: ModelSettings, role: str, runtime: RuntimeSettings) -> Engine:
    """Load a seq2seq model: ``transformers`` (:mod:`.seq2seq`) or ``ctranslate2`` (:mod:`.ctranslate2`).

    The backends are imported on first use: importing the package loads neither torch nor ctranslate2,
    and a model that is neither here nor downloadable fails before either is imported.
    """
    resolve_source(spec, role, runtime)
    if runtime.backend == "ctranslate2":
        from .ctranslate2 import load_ctranslate2

        return load_ctranslate2(spec, role, runtime)
    from .seq2seq import load_transformers

    return load_transformers(spec, role, runtime)
