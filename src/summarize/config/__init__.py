"""Typed, validated settings: the schema (:mod:`.schema`) and its loader (:mod:`.loader`),
YAML file < environment variables < CLI overrides."""

from ..errors import ConfigError
from .loader import ENV_PREFIX, ENV_SEPARATOR, load_settings
from .schema import (
    GENERATION_KEYS,
    LLM_CHOICE,
    RESERVED_CHOICES,
    BatchSettings,
    ExtractiveSettings,
    LimitSettings,
    LLMGenerationSettings,
    LLMSettings,
    ModelSettings,
    RaySettings,
    RuntimeSettings,
    ServerSettings,
    Settings,
    SummarizeSettings,
    TranslateSettings,
)

__all__ = [
    "ENV_PREFIX",
    "ENV_SEPARATOR",
    "GENERATION_KEYS",
    "LLM_CHOICE",
    "RESERVED_CHOICES",
    "BatchSettings",
    "ConfigError",
    "ExtractiveSettings",
    "LimitSettings",
    "LLMGenerationSettings",
    "LLMSettings",
    "ModelSettings",
    "RaySettings",
    "RuntimeSettings",
    "ServerSettings",
    "Settings",
    "SummarizeSettings",
    "TranslateSettings",
    "load_settings",
]
