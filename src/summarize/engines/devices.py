"""Device and dtype choice for the engines, and the cores torch uses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ModelUnavailableError
from ..families import ModelFamily, auto_dtype

if TYPE_CHECKING:
    import torch


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


def dtype_name(setting: str, device: str, family: ModelFamily) -> str:
    """The dtype a model of `family` runs in on `device`: the setting, or for ``auto`` the family's
    choice (:func:`~summarize.families.auto_dtype`)."""
    return auto_dtype(family, device) if setting == "auto" else setting


def choose_dtype(setting: str, device: str, family: ModelFamily) -> torch.dtype:
    """The torch dtype of :func:`dtype_name`."""
    import torch

    return getattr(torch, dtype_name(setting, device, family))


def cpu_cores() -> int:
    """The cores torch uses in this process (its intra-op thread count)."""
    import torch

    return torch.get_num_threads()
