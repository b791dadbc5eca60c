"""The project's one exception type and its kinds."""

from __future__ import annotations


class SummarizeError(Exception):
    """Base of every error this package raises on purpose.

    The message is written for the person who called us: it names the argument
    or setting at fault and says how to fix it. Shells (CLI, HTTP, UI) show the
    message as it is and never a traceback.
    """


class InputError(SummarizeError, ValueError):
    """The text, language or option given by the caller cannot be used."""


class ConfigError(SummarizeError, ValueError):
    """A configuration file, environment variable or override is invalid."""


class ModelUnavailableError(SummarizeError, RuntimeError):
    """A configured model cannot be loaded (not cached, unsafe, or broken)."""
