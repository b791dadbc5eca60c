"""Summaries and translations of whole documents with a chat model (either backend).

Long input is cut on paragraph and sentence boundaries into chunks that fit
``llm.context_tokens`` together with the prompt and the answer
(``llm.generation.max_new_tokens``). Summaries are map-reduce: every chunk is
summarized, then the partial summaries are combined (in groups that fit, for as
many rounds as needed, at most ``summarize.max_rounds``, the first included), by the
map-reduce driver every engine uses (:mod:`summarize.pipeline.map_reduce`). Translations keep the
paragraphs: each paragraph (or part of a long one) is one request, with the
paragraph before it as context. All requests of a step, across all documents,
go to the backend at once (batched locally, in parallel to an endpoint), by the document driver every
engine uses (:mod:`summarize.pipeline.translation`).
A glossary's terms found in a piece go into that piece's prompt (see :mod:`.prompts`), and the
budget counts them: a piece whose terms leave too little room is cut smaller (:class:`TermRoom`).

:class:`LLMSummarizer` is the engine's :class:`~summarize.engines.base.Summarizer`,
the document-level contract the extractive and seq2seq summarizers keep too.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import cast

from ...chunking import chunk_sentences, fit_sentences
from ...config import DEFAULT_MAX_ROUNDS, LLM_ENGINE
from ...errors import ConfigError
from ...glossary import Glossary
from ...pipeline import translation
from ...pipeline.map_reduce import map_reduce
from ...text import (
    MODEL_LANGUAGE,
    Language,
    join_sentences,
    split_paragraphs,
    split_sentences,
)
from ..base import LENGTH_SCALE, TRANSLATION_OUTPUT_RATIO, Length, Output, Summary
from .answers import ask, clean_answer
from .backend import ChatBackend
from .prompts import (
    Message,
    PromptFormat,
    TermPair,
    reduce_prompt,
    summary_prompt,
    translation_prompt,
    with_reminder,
)

MIN_DATA_TOKENS = 32
"""The fewest tokens of article a request must have room for."""


def data_budget(backend: ChatBackend, empty_prompt: list[Message]) -> int:
    """Tokens of article that fit in one request beside this prompt (with the retry's reminder) and the answer."""
    settings = backend.settings
    prompt = backend.prompt_tokens(with_reminder(empty_prompt, "zh"))
    budget = settings.context_tokens - settings.generation.max_new_tokens - prompt
    if budget < MIN_DATA_TOKENS:
        raise ConfigError(
            f"llm.context_tokens ({settings.context_tokens}) leaves no room for the article after the prompt and "
            f"llm.generation.max_new_tokens ({settings.generation.max_new_tokens}); raise the first or lower the second"
        )
    return budget


def prompt_terms(glossary: Glossary | None, text: str, source: Language, target: Language) -> list[TermPair]:
    """The glossary terms found in `text`, as (source term, target term) pairs for a prompt."""
    if not glossary:
        return []
    return [(term.source, term.target) for term in glossary.terms_in(text, source, target)]


@dataclass(frozen=True)
class TermRoom:
    """The prompt room a piece's glossary terms take (its prompt lists the terms found in it)."""

    backend: ChatBackend
    glossary: Glossary | None
    source: Language
    target: Language
    prompt: Callable[[Sequence[TermPair]], list[Message]]
    """The task's prompt, without text, listing the given terms."""

    @cached_property
    def _without_terms(self) -> int:
        return self.backend.prompt_tokens(self.prompt([]))

    def tokens(self, text: str) -> int:
        """Tokens the glossary terms found in `text` add to its prompt (0 when it holds none)."""
        terms = prompt_terms(self.glossary, text, self.source, self.target)
        return self.backend.prompt_tokens(self.prompt(terms)) - self._without_terms if terms else 0


def chunk_paragraphs(text: str, backend: ChatBackend, budget: int, terms: TermRoom | None = None) -> list[str]:
    """Cut `text` into chunks of at most `budget` tokens on sentence boundaries, keeping its paragraph breaks;
    with `terms`, `budget` holds each chunk together with the glossary terms its prompt lists."""
    chunks = _chunks(text, backend, budget)
    if terms is None:
        return chunks
    return [piece for chunk in chunks for piece in _fit_terms(chunk, backend, budget, terms)]


def _fit_terms(chunk: str, backend: ChatBackend, budget: int, terms: TermRoom) -> list[str]:
    """`chunk`, cut smaller until each piece fits `budget` beside its own terms: a piece's terms are
    among its chunk's, so a cut to the room the chunk's terms leave fits at once; where that room is
    under half the chunk, halves are tried first (they list fewer terms)."""
    extra = terms.tokens(chunk)
    if not extra:
        return [chunk]
    (size,) = backend.count_tokens([chunk])
    room = budget - extra
    if size <= room:
        return [chunk]
    pieces = _chunks(chunk, backend, max(room, size // 2, 1))
    if len(pieces) == 1:
        found = ", ".join(repr(source) for source, _ in prompt_terms(terms.glossary, chunk, terms.source, terms.target))
        raise ConfigError(
            f"the glossary terms {found} take {extra} prompt tokens, and llm.context_tokens "
            f"({backend.settings.context_tokens}) leaves no room beside them for the text that holds them; "
            "raise it or shorten the terms"
        )
    return [piece for part in pieces for piece in _fit_terms(part, backend, budget, terms)]


def _chunks(text: str, backend: ChatBackend, budget: int) -> list[str]:
    units: list[str] = []
    paragraph_of: list[int] = []
    for number, paragraph in enumerate(split_paragraphs(text)):
        pieces, _ = fit_sentences(split_sentences(paragraph), backend.count_tokens, budget)
        units.extend(pieces)
        paragraph_of.extend([number] * len(pieces))
    # Count each unit with the paragraph break before it, so that joined chunks stay within the budget.
    counts = [count + 1 for count in backend.count_tokens(units)]
    chunks = []
    for indices in chunk_sentences(units, counts, budget):
        paragraphs: dict[int, list[str]] = {}
        for index in indices:
            paragraphs.setdefault(paragraph_of[index], []).append(units[index])
        chunks.append("\n\n".join(join_sentences(sentences) for sentences in paragraphs.values()))
    return chunks


@dataclass(frozen=True)
class ChatSummaryModel:
    """A chat model as the map-reduce driver reads it (:class:`~summarize.pipeline.map_reduce.SummaryModel`):
    chunks that fit beside the summary prompt (and the glossary terms it lists), partial summaries
    grouped to fit beside the combining prompt."""

    backend: ChatBackend
    source: Language
    target: Language
    sentences: int
    glossary: Glossary | None = None

    @cached_property
    def _map_budget(self) -> int:
        return data_budget(self.backend, summary_prompt("", self.source, self.target, self.sentences))

    @cached_property
    def _reduce_budget(self) -> int:
        return data_budget(self.backend, reduce_prompt([], self.target, self.sentences))

    def chunks(self, text: str) -> list[str]:
        source, target, sentences = self.source, self.target, self.sentences
        room = TermRoom(
            self.backend, self.glossary, source, target, lambda terms: summary_prompt("", source, target, sentences, terms)
        )
        return chunk_paragraphs(text, self.backend, self._map_budget, room)

    def groups(self, parts: Sequence[str]) -> list[list[str]]:
        counts = [count + 8 for count in self.backend.count_tokens(list(parts))]  # + the <summary> tags
        return [[parts[index] for index in group] for group in chunk_sentences(list(parts), counts, self._reduce_budget)]

    def summarize(self, chunks: Sequence[str]) -> list[Output]:
        conversations = [
            summary_prompt(
                chunk, self.source, self.target, self.sentences, prompt_terms(self.glossary, chunk, self.source, self.target)
            )
            for chunk in chunks
        ]
        return self._ask(conversations)

    def combine(self, groups: Sequence[Sequence[str]]) -> list[Output]:
        return self._ask([reduce_prompt(list(group), self.target, self.sentences) for group in groups])

    def _ask(self, conversations: list[list[Message]]) -> list[Output]:
        max_new_tokens = self.backend.settings.generation.max_new_tokens
        answers = ask(self.backend, conversations, self.target, max_new_tokens, "summary")
        return [Output(answer.text, 1, answer.notes) for answer in answers]


def summarize_documents(
    backend: ChatBackend,
    texts: Sequence[str],
    source: Language,
    target: Language,
    sentences: int,
    max_rounds: int = DEFAULT_MAX_ROUNDS,
    glossary: Glossary | None = None,
) -> list[Summary]:
    """Summarize documents in `source` into `target` (the same language or the other), about `sentences`
    long, by the map-reduce driver; a cross-lingual summary's prompts list the `glossary` terms found in
    each chunk."""
    return map_reduce(ChatSummaryModel(backend, source, target, sentences, glossary), texts, max_rounds)


@dataclass(frozen=True)
class LLMSummarizer:
    """Map-reduce summaries with a chat model: a :class:`~summarize.engines.base.Summarizer` whose
    summaries are in `target` (cross-lingual in one step), or in the article's language when it is None."""

    backend: ChatBackend
    sentences: int = 3
    """Sentences of a ``medium`` summary; ``short`` and ``long`` scale it (:data:`LENGTH_SCALE`)."""
    target: Language | None = None
    max_rounds: int = DEFAULT_MAX_ROUNDS
    glossary: Glossary | None = None
    """Terms put into a cross-lingual summary's prompts (see :func:`summarize_documents`)."""
    engine: str = LLM_ENGINE
    copies_sentences = False

    @property
    def model(self) -> str:
        """The model id (local) or served name (endpoint)."""
        return self.backend.name

    def summarize_documents(self, texts: Sequence[str], lang: str, length: Length) -> list[Summary]:
        """One summary per text, in input order; `texts` are all in `lang`."""
        source = cast(Language, lang)
        sentences = max(1, round(self.sentences * LENGTH_SCALE[length]))
        return summarize_documents(
            self.backend, texts, source, self.target or source, sentences, self.max_rounds, self.glossary
        )


# --------------------------------------------------------------------------- translations


@dataclass(frozen=True)
class _Piece:
    text: str
    context: str
    """The source text just before it (the previous paragraph, or part of this one), for reference."""


def translation_layout(
    text: str,
    backend: ChatBackend,
    source: Language,
    target: Language,
    prompt_format: PromptFormat,
    glossary: Glossary | None = None,
) -> list[list[_Piece]]:
    """Paragraphs -> pieces that each fit one request (with the `glossary` terms found in them), each
    with the text before it as context."""
    available = data_budget(backend, translation_prompt("", source, target, "x", prompt_format))
    room = TermRoom(
        backend, glossary, source, target, lambda terms: translation_prompt("", source, target, "x", prompt_format, terms)
    )
    piece_budget = max(MIN_DATA_TOKENS, min(available // 2, backend.settings.generation.max_new_tokens // TRANSLATION_OUTPUT_RATIO))
    context_budget = available - piece_budget
    layout: list[list[_Piece]] = []
    previous = ""
    for paragraph in split_paragraphs(text):
        pieces = chunk_paragraphs(paragraph, backend, piece_budget, room)
        row = []
        for piece in pieces:
            row.append(_Piece(piece, _tail(previous, backend, context_budget)))
            previous = piece
        layout.append(row)
    return layout


def _tail(text: str, backend: ChatBackend, budget: int) -> str:
    """The last sentences of `text` that fit in `budget` tokens (all of it when it fits)."""
    if not text:
        return ""
    sentences = split_sentences(text)
    kept: list[str] = []
    used = 0
    for sentence, count in zip(reversed(sentences), reversed(backend.count_tokens(sentences)), strict=True):
        if used + count > budget:
            break
        kept.insert(0, sentence)
        used += count
    return join_sentences(kept)


@dataclass(frozen=True)
class ChatPieces:
    """A chat model as the document driver reads it (:class:`~summarize.pipeline.translation.PieceTranslator`):
    paragraph parts that fit one request with the text before them as context, the `glossary` terms
    found in each in its prompt."""

    backend: ChatBackend
    source: Language
    target: Language
    prompt_format: PromptFormat
    glossary: Glossary | None = None

    def layout(self, text: str) -> list[list[_Piece]]:
        return translation_layout(text, self.backend, self.source, self.target, self.prompt_format, self.glossary)

    def _prompt(self, piece: _Piece) -> list[Message]:
        terms = prompt_terms(self.glossary, piece.text, self.source, self.target)
        return translation_prompt(piece.text, self.source, self.target, piece.context, self.prompt_format, terms)

    def translate_pieces(self, pieces: Sequence[_Piece]) -> list[Output]:
        max_new_tokens = self.backend.settings.generation.max_new_tokens
        answers = ask(self.backend, [self._prompt(piece) for piece in pieces], self.target, max_new_tokens, "translation")
        return [
            Output(answer.text, 1, answer.notes, () if answer.logprob is None else (answer.logprob,)) for answer in answers
        ]

    def stream_piece(self, piece: _Piece) -> Iterator[str]:
        """The piece's answer as it grows, cleaned (a reasoning block shows only once it is closed); no retry."""
        raw = ""
        for delta in self.backend.stream(self._prompt(piece), self.backend.settings.generation.max_new_tokens):
            raw += delta
            yield clean_answer(raw)

    def score_pieces(self, pieces: Sequence[_Piece], translations: Sequence[str]) -> list[float | None]:
        """None each: a streamed answer comes without its logprobs (asked for only with whole answers)."""
        return [None] * len(pieces)


def translate_documents(
    backend: ChatBackend,
    texts: Sequence[str],
    source: Language,
    target: Language,
    prompt_format: PromptFormat,
    glossary: Glossary | None = None,
) -> list[Output]:
    """Translate documents from `source` into `target`, paragraph by paragraph, paragraphs kept
    (each piece's prompt holds the `glossary` terms found in it)."""
    return translation.translate_documents(ChatPieces(backend, source, target, prompt_format, glossary), texts)


def stream_translation(
    backend: ChatBackend,
    text: str,
    source: Language,
    target: Language,
    prompt_format: PromptFormat,
    glossary: Glossary | None = None,
) -> Generator[str, None, Output]:
    """Yield the translation so far as the model writes it, paragraphs kept; there is no retry while
    streaming. Returns the whole."""
    return (yield from translation.stream_translation(ChatPieces(backend, source, target, prompt_format, glossary), text))


@dataclass(frozen=True)
class LLMTranslator:
    """The chat model as a :class:`~summarize.engines.base.Translator`: it reads the article as written
    (a Traditional one named so) and answers in the target's model language (the script wrapper writes
    ``zh-Hant``)."""

    backend: ChatBackend
    prompt_format: PromptFormat
    engine: str = LLM_ENGINE
    reads_as_written = True

    @property
    def model(self) -> str:
        return self.backend.name

    def translate_documents(
        self, texts: Sequence[str], source: Language, target: Language, glossary: Glossary | None
    ) -> list[Output]:
        return translate_documents(self.backend, texts, source, MODEL_LANGUAGE[target], self.prompt_format, glossary)

    def stream_translation(
        self, text: str, source: Language, target: Language, glossary: Glossary | None
    ) -> Generator[str, None, Output]:
        return (
            yield from stream_translation(self.backend, text, source, MODEL_LANGUAGE[target], self.prompt_format, glossary)
        )
