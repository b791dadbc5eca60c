"""What the LLM engine's two backends share: a chat-completion call, streaming and token counts.

:class:`~.local.LocalChatModel` runs a chat model here with transformers;
:class:`~.endpoint.EndpointChatModel` asks an OpenAI-compatible server. The
document code (:mod:`.documents`) works with either through this protocol.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from ...config import LLMSettings
from .prompts import Message


@dataclass(frozen=True)
class Completion:
    """One raw answer of the model (before cleaning)."""

    text: str
    truncated: bool = False
    """The answer stopped at ``max_new_tokens`` rather than where the model ended it."""
    logprob: float | None = None
    """The mean log-probability of the answer's tokens, where the server gave them (``logprobs``)."""


class ChatBackend(Protocol):
    """A chat model that answers conversations, locally or through a server."""

    name: str
    """The model id (local) or served model name (endpoint), as results report it."""
    settings: LLMSettings

    def with_settings(self, settings: LLMSettings) -> ChatBackend:
        """The same model (weights or connections) with other settings."""
        ...

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens of each text (exact locally, an over-estimate for an endpoint)."""
        ...

    def prompt_tokens(self, messages: list[Message]) -> int:
        """Tokens of a whole prompt, chat template included."""
        ...

    def complete(self, conversations: Sequence[list[Message]], max_new_tokens: int) -> list[Completion]:
        """One answer per conversation, in order."""
        ...

    def stream(self, messages: list[Message], max_new_tokens: int) -> Iterator[str]:
        """The answer to one conversation, piece by piece as it is generated."""
        ...
