"""Messages that name the caller's arguments, worded per surface.

The service names its arguments as the Python and HTTP APIs do (``target_lang``,
``source_lang``, ``length``, ``text``). A :class:`Message` keeps those names
apart from the rest of the text, so each shell can show the same message in its
own words: the CLI names its flags (``--to``), the web UI its controls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Vocabulary = Mapping[str, str]
"""API argument name -> how a surface names it, e.g. ``{"target_lang": "--to"}``."""


@dataclass(frozen=True)
class Argument:
    """An API argument named in a message (``target_lang``, ``texts[2]``)."""

    name: str


class Message(str):
    """Text that names API arguments; it reads as the API words, :meth:`in_words` as another surface's.

    Built from parts: plain strings and :class:`Argument` s, e.g.
    ``Message(Argument("target_lang"), " 'fr' is not supported")``.
    """

    parts: tuple[str | Argument, ...]

    def __new__(cls, *parts: str | Argument) -> Message:
        message = super().__new__(cls, "".join(part.name if isinstance(part, Argument) else part for part in parts))
        message.parts = parts
        return message

    def in_words(self, vocabulary: Vocabulary) -> str:
        """The message with each argument named as `vocabulary` says (unlisted ones keep their API name)."""
        return "".join(
            vocabulary.get(part.name, part.name) if isinstance(part, Argument) else part for part in self.parts
        )


def in_words(message: object, vocabulary: Vocabulary) -> str:
    """`message` in a surface's words: a :class:`Message` reworded, anything else as ``str()``."""
    return message.in_words(vocabulary) if isinstance(message, Message) else str(message)
