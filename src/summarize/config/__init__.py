"""Typed, validated settings: the schema (:mod:`.schema`) and its loader (:mod:`.loader`),
YAML file < environment variables < CLI overrides."""

from ..errors import ConfigError
from .llm import LLMGenerationSettings, LLMSettings, PromptFormat
from .loader import ENV_PREFIX, ENV_SEPARATOR, load_settings
from .schema import (
    DEFAULT_MAX_ROUNDS,
    GENERATION_KEYS,
    LLM_CHOICE,
    LLM_ENGINE,
    RESERVED_CHOICES,
    BatchSettings,
    ExtractiveSettings,
    LimitSettings,
    ModelSettings,
    RaySettings,
    RuntimeSettings,
    ServerSettings,
    Settings,
    SummarizeEngine,
    SummarizeSettings,
    TranslateEngine,
    TranslateSettings,
)

__all__ = [
    "ENV_PREFIX",
    "ENV_SEPARATOR",
    "DEFAULT_MAX_ROUNDS",
    "GENERATION_KEYS",
    "LLM_CHOICE",
    "LLM_ENGINE",
    "RESERVED_CHOICES",
    "BatchSettings",
    "ConfigError",
    "ExtractiveSettings",
    "LimitSettings",
    "LLMGenerationSettings",
    "LLMSettings",
    "ModelSettings",
    "PromptFormat",
    "RaySettings",
    "RuntimeSettings",
    "ServerSettings",
    "Settings",
    "SummarizeEngine",
    "SummarizeSettings",
    "TranslateEngine",
    "TranslateSettings",
    "load_settings",
]
