"""Summaries and translations of whole documents with a chat model (either backend).

Long input is cut on paragraph and sentence boundaries into chunks that fit
``llm.context_tokens`` together with the prompt and the answer
(``llm.generation.max_new_tokens``). Summaries are map-reduce: every chunk is
summarized, then the partial summaries are combined (in groups that fit, for as
many rounds as needed, at most ``summarize.max_rounds``). Translations keep the
paragraphs: each paragraph (or part of a long one) is one request, with the
paragraph before it as context. All requests of a step, across all documents,
go to the backend at once (batched locally, in parallel to an endpoint).
A glossary's terms found in a piece go into that piece's prompt (see :mod:`.prompts`), and the
budget counts them: a piece whose terms leave too little room is cut smaller (:class:`TermRoom`).

:class:`LLMSummarizer` is the engine's :class:`~summarize.engines.base.Summarizer`,
the document-level contract the extractive and seq2seq summarizers keep too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import cast

from ...chunking import chunk_sentences, fit_sentences
from ...config import LLM_ENGINE
from ...errors import ConfigError
from ...glossary import Glossary
from ...text import Language, join_sentences, paragraph_separator, split_paragraphs, split_sentences
from ..base import LENGTH_SCALE, TRANSLATION_OUTPUT_RATIO, Length, Summary
from .answers import Answer, ask, clean_answer
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


@dataclass(frozen=True)
class DocumentAnswer:
    """A document's translation, the pieces its input was cut into, and notes."""

    text: str
    chunks: int
    notes: tuple[str, ...] = ()


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


@dataclass
class _Summary:
    parts: list[str]
    """The chunks (first round) or partial summaries (later rounds) still to combine."""
    chunks: int = 0
    text: str | None = None
    notes: list[str] = field(default_factory=list)


def summarize_documents(
    backend: ChatBackend,
    texts: Sequence[str],
    source: Language,
    target: Language,
    sentences: int,
    max_rounds: int = 4,
    glossary: Glossary | None = None,
) -> list[Summary]:
    """Summarize documents in `source` into `target` (the same language or the other), about `sentences`
    long; a cross-lingual summary's prompts list the `glossary` terms found in each chunk."""
    max_new_tokens = backend.settings.generation.max_new_tokens
    map_budget = data_budget(backend, summary_prompt("", source, target, sentences))
    reduce_budget = data_budget(backend, reduce_prompt([], target, sentences))
    room = TermRoom(backend, glossary, source, target, lambda terms: summary_prompt("", source, target, sentences, terms))
    documents = [_Summary(chunk_paragraphs(text, backend, map_budget, room)) for text in texts]
    for document in documents:
        document.chunks = len(document.parts)
    # Map: every chunk of every document at once. A one-chunk document is done after it.
    conversations = [
        summary_prompt(part, source, target, sentences, prompt_terms(glossary, part, source, target))
        for d in documents
        for part in d.parts
    ]
    answers = iter(ask(backend, conversations, target, max_new_tokens, "summary"))
    for document in documents:
        partials = [_take(next(answers), document) for _ in document.parts]
        document.parts = partials
        if len(partials) == 1:
            document.text = partials[0]
    # Reduce: combine partial summaries in groups that fit, round after round, until one is left.
    for round_number in range(2, max_rounds + 1):
        pending = [document for document in documents if document.text is None]
        if not pending:
            break
        groups: list[tuple[_Summary, list[str]]] = []
        for document in pending:
            counts = [count + 8 for count in backend.count_tokens(document.parts)]  # + the <summary> tags
            last_round = round_number == max_rounds
            indices = chunk_sentences(document.parts, counts, reduce_budget)
            if last_round and len(indices) > 1:
                kept = indices[0]
                document.notes.append(
                    f"the partial summaries did not fit one request after {max_rounds - 1} rounds; "
                    f"the last {len(document.parts) - len(kept)} of {len(document.parts)} were left out"
                )
                indices = [kept]
            groups.extend((document, [document.parts[index] for index in group]) for group in indices)
        conversations = [reduce_prompt(parts, target, sentences) for _, parts in groups]
        answers = iter(ask(backend, conversations, target, max_new_tokens, "summary"))
        combined: dict[int, list[str]] = {}
        for document, _parts in groups:
            combined.setdefault(id(document), []).append(_take(next(answers), document))
        for document in pending:
            document.parts = combined[id(document)]
            if len(document.parts) == 1:
                document.text = document.parts[0]
    return [Summary(d.text or "", d.chunks, tuple(dict.fromkeys(d.notes))) for d in documents]


@dataclass(frozen=True)
class LLMSummarizer:
    """Map-reduce summaries with a chat model: a :class:`~summarize.engines.base.Summarizer` whose
    summaries are in `target` (cross-lingual in one step), or in the article's language when it is None."""

    backend: ChatBackend
    sentences: int = 3
    """Sentences of a ``medium`` summary; ``short`` and ``long`` scale it (:data:`LENGTH_SCALE`)."""
    target: Language | None = None
    max_rounds: int = 4
    glossary: Glossary | None = None
    """Terms put into a cross-lingual summary's prompts (see :func:`summarize_documents`)."""
    engine: str = LLM_ENGINE

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


def _take(answer: Answer, document: _Summary) -> str:
    document.notes.extend(answer.notes)
    return answer.text


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
    for sentence, count in zip(reversed(sentences), reversed(backend.count_tokens(sentences))):
        if used + count > budget:
            break
        kept.insert(0, sentence)
        used += count
    return join_sentences(kept)


def translate_documents(
    backend: ChatBackend,
    texts: Sequence[str],
    source: Language,
    target: Language,
    prompt_format: PromptFormat,
    glossary: Glossary | None = None,
) -> list[DocumentAnswer]:
    """Translate documents from `source` into `target`, paragraph by paragraph, paragraphs kept
    (each piece's prompt holds the `glossary` terms found in it)."""
    layouts = [translation_layout(text, backend, source, target, prompt_format, glossary) for text in texts]
    conversations = [
        translation_prompt(
            piece.text, source, target, piece.context, prompt_format, prompt_terms(glossary, piece.text, source, target)
        )
        for layout in layouts
        for row in layout
        for piece in row
    ]
    answers = iter(ask(backend, conversations, target, backend.settings.generation.max_new_tokens, "translation"))
    results = []
    for text, layout in zip(texts, layouts):
        notes: list[str] = []
        paragraphs = []
        for row in layout:
            translated = []
            for _ in row:
                answer = next(answers)
                notes.extend(answer.notes)
                translated.append(answer.text)
            paragraphs.append(_join(translated))
        pieces = sum(len(row) for row in layout)
        results.append(DocumentAnswer(paragraph_separator(text).join(paragraphs), pieces, tuple(dict.fromkeys(notes))))
    return results


def _join(parts: list[str]) -> str:
    """Translated pieces of one paragraph joined as sentences are (an empty answer adds nothing)."""
    return join_sentences([part for part in parts if part])


def stream_translation(
    backend: ChatBackend,
    text: str,
    source: Language,
    target: Language,
    prompt_format: PromptFormat,
    glossary: Glossary | None = None,
) -> Iterator[str]:
    """Yield the translation so far as the model writes it, paragraphs kept. Each piece's text is cleaned
    as it grows (a reasoning block shows only once it is closed); there is no retry while streaming."""
    separator = paragraph_separator(text)
    max_new_tokens = backend.settings.generation.max_new_tokens
    done: list[str] = []
    for row in translation_layout(text, backend, source, target, prompt_format, glossary):
        finished: list[str] = []
        for piece in row:
            raw = ""
            terms = prompt_terms(glossary, piece.text, source, target)
            prompt = translation_prompt(piece.text, source, target, piece.context, prompt_format, terms)
            for delta in backend.stream(prompt, max_new_tokens):
                raw += delta
                yield separator.join([*done, _join([*finished, clean_answer(raw)])])
            finished.append(clean_answer(raw))
        done.append(_join(finished))
        yield separator.join(done)
