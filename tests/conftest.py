"""Shared pytest fixtures. Tests run offline: nothing may reach the Hugging Face Hub."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tiny_models import build_tiny_bart, build_tiny_marian, build_tiny_mt5  # noqa: E402


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Directories of tiny random-weight models, keyed like the real models they imitate."""
    root = tmp_path_factory.mktemp("tiny_models")
    return {
        "marian-en-zh": build_tiny_marian(
            root / "marian-en-zh", "en", "zh", (">>cmn_Hans<<", ">>cmn_Hant<<", ">>yue_Hans<<")
        ),
        "marian-zh-en": build_tiny_marian(root / "marian-zh-en", "zh", "en"),
        "bart": build_tiny_bart(root / "bart"),
        "mt5": build_tiny_mt5(root / "mt5"),
    }
