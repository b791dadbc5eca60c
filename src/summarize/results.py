"""Typed results returned by the service and every shell over it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from .glossary import TermCheck
from .quality import Quality
from .text import Language

Task = Literal["summarize", "translate"]


@dataclass(frozen=True)
class Result:
    """One summary or translation and what produced it."""

    text: str
    task: Task
    source_lang: Language
    target_lang: Language
    engine: str
    """``seq2seq``, ``extractive`` or ``llm``; a summary translated by another engine joins both
    with ``+`` (``extractive+seq2seq``)."""
    model: str
    """Model id(s) used, joined by `` + `` when a summary was also translated."""
    chunks: int
    """Pieces the input was cut into (model-sized chunks, or translated segments)."""
    seconds: float
    """Wall time of the call, shared equally among the texts of a batch call."""
    source_mixed: bool = False
    """The source mixed English and Chinese (it was routed by its majority language)."""
    notes: tuple[str, ...] = ()
    """Anything the caller should know, e.g. why a fallback engine was used."""
    terms: tuple[TermCheck, ...] = ()
    """The glossary terms found in the source, each with whether its target term is in ``text``."""
    quality: Quality | None = None
    """How far to trust ``text``: a score in [0, 1] and the flags that lowered it (:mod:`.quality`)."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of every field."""
        data = asdict(self)
        data["notes"] = list(self.notes)
        data["terms"] = [term.to_dict() for term in self.terms]
        data["quality"] = self.quality.to_dict() if self.quality is not None else None
        return data
