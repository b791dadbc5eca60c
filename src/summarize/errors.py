"""The project's one exception type and its kinds."""

from __future__ import annotations

from .wording import Message, Vocabulary, in_words


class SummarizeError(Exception):
    """Base of every error this package raises on purpose.

    The message is written for the person who called us: it names the argument
    or setting at fault and says how to fix it. Shells (CLI, HTTP, UI) show the
    message (in their own words, :meth:`in_words`) and never a traceback.
    """

    def in_words(self, vocabulary: Vocabulary) -> str:
        """The message with the API arguments it names worded as `vocabulary` says (see :mod:`.wording`)."""
        return in_words(self.args[0], vocabulary) if len(self.args) == 1 else str(self)


class InputError(SummarizeError, ValueError):
    """The text, language or option given by the caller cannot be used."""


class InputItemsError(InputError):
    """Items of a list of texts that cannot be used: each with its index and what is wrong with it."""

    def __init__(self, items: list[tuple[int, str]]) -> None:
        parts: list[object] = []
        for position, (_, message) in enumerate(items):
            parts.extend((["; "] if position else []) + list(message.parts if isinstance(message, Message) else (message,)))
        super().__init__(Message(*parts))
        self.items = items


class ConfigError(SummarizeError, ValueError):
    """A configuration file, environment variable or override is invalid."""


class ModelUnavailableError(SummarizeError, RuntimeError):
    """A configured model cannot be loaded (not cached, unsafe, or broken)."""


class ModelMissingError(ModelUnavailableError):
    """A configured model is not here (local folder, Hugging Face cache) and cannot be downloaded now."""
