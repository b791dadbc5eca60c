"""The ``llm`` section: a chat model run here (transformers) or by an OpenAI-compatible server."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from .checks import SettingError, require_not_negative, require_positive

PromptFormat = Literal["chat", "hunyuan-mt", "hy-mt"]


@dataclass
class LLMGenerationSettings:
    """Sampling settings of the LLM engine (the same for the local and endpoint backends)."""

    temperature: float = 0.0
    """0 decodes greedily (deterministic); above 0 samples."""
    max_new_tokens: int = 1024
    """Longest answer, in tokens."""
    top_p: float = 1.0
    """Nucleus sampling (with a temperature above 0); 1 keeps every token."""
    top_k: int = 0
    """Top-k sampling (with a temperature above 0); 0 keeps every token."""
    repetition_penalty: float = 1.0
    """Above 1 discourages repeats (some translation models' cards ask for 1.05)."""

    def __post_init__(self) -> None:
        require_positive(max_new_tokens=self.max_new_tokens)
        require_not_negative(temperature=self.temperature, top_k=self.top_k)
        if not 0 < self.top_p <= 1:
            raise SettingError("top_p", f"must be above 0 and at most 1, not {self.top_p!r}")
        if self.repetition_penalty <= 0:
            raise SettingError("repetition_penalty", f"must be above 0, not {self.repetition_penalty!r}")


@dataclass
class LLMSettings:
    """The ``llm`` engine: a chat model run here (transformers) or by an OpenAI-compatible server."""

    model: str = "Qwen/Qwen2.5-7B-Instruct"
    """Hub id or local directory (local backend); the served model name (endpoint backend)."""
    endpoint: str = ""
    """Base URL of an OpenAI-compatible server, e.g. ``http://127.0.0.1:8000/v1``; empty runs the model here."""
    api_key: str = ""
    """Sent as ``Authorization: Bearer KEY`` to the endpoint; prefer ``SUMMARIZE_LLM__API_KEY``."""
    generation: LLMGenerationSettings = field(default_factory=LLMGenerationSettings)
    context_tokens: int = 8192
    """Budget of one request, prompt plus answer; longer input is chunked."""
    max_concurrency: int = 8
    """Requests in flight to the endpoint at once (for the whole process)."""
    timeout_seconds: float = 120.0
    """Longest wait for one answer from the endpoint, the whole exchange: connecting (at most 10 s of it),
    retries, waiting and reading, a streamed answer included."""
    max_retries: int = 3
    """Retries of a request that got 429, a 5xx or no connection, with exponential backoff."""
    prompt_format: Literal["auto", PromptFormat] = "auto"
    """Translation prompts: ``chat`` (instructions + delimited article), ``hunyuan-mt`` (the Hunyuan-MT-7B
    model card's format), ``hy-mt`` (the HY-MT1.5 README's); ``auto`` picks by the model name."""

    def __post_init__(self) -> None:
        require_positive(context_tokens=self.context_tokens, max_concurrency=self.max_concurrency)
        require_not_negative(max_retries=self.max_retries)
        if self.timeout_seconds <= 0:
            raise SettingError("timeout_seconds", f"must be above 0, not {self.timeout_seconds!r}")
        if self.endpoint and not self.endpoint.startswith(("http://", "https://")):
            raise SettingError(
                "endpoint", f"must be an http:// or https:// URL such as http://127.0.0.1:8000/v1, not {self.endpoint!r}"
            )
        if "@" in urlsplit(self.endpoint).netloc and self.api_key:
            raise SettingError(
                "endpoint",
                "holds user:password@ and llm.api_key is set too: the URL's Basic auth would be sent and the key "
                "never; give one of them",
            )
        if self.generation.max_new_tokens >= self.context_tokens:
            raise SettingError(
                "generation.max_new_tokens",
                f"({self.generation.max_new_tokens}) must be below the section's context_tokens ({self.context_tokens}), "
                "which also holds the prompt",
            )
