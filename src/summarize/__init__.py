"""Bilingual (English / Chinese) news summarization and translation.

Quick start::

    from summarize import Service
    service = Service.from_config("configs/offline.yaml")
    print(service.summarize(article).text)
"""

from .config import Settings, load_settings
from .errors import ConfigError, InputError, ModelUnavailableError, SummarizeError
from .results import Result
from .service import Service
from .text import (
    Detection,
    detect_language,
    normalize_text,
    split_paragraphs,
    split_sentences,
)

__all__ = [
    "ConfigError",
    "Detection",
    "InputError",
    "ModelUnavailableError",
    "Result",
    "Service",
    "Settings",
    "SummarizeError",
    "detect_language",
    "load_settings",
    "normalize_text",
    "split_paragraphs",
    "split_sentences",
]
