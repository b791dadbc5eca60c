"""Cleaning and checking the LLM's answers, with one retry for an unusable answer.

Chat models wrap answers in reasoning blocks (``<think>…</think>``), preambles
("Here is the translation:", "以下是摘要：") and code fences; :func:`clean_answer`
removes them. An answer that is then empty or not in the target language is
asked for once more with a reminder (:func:`ask`); if it is still unusable, it is
kept as it is and a note says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ...errors import InputError
from ...text import Language, detect_language, same_model_language
from .backend import ChatBackend
from .prompts import DATA_TAGS, Message, with_reminder

_REASONING_TAGS = "think|thinking|reasoning"
_REASONING_BLOCK = re.compile(rf"<({_REASONING_TAGS})>.*?</\1>", re.IGNORECASE | re.DOTALL)
_UNCLOSED_REASONING = re.compile(rf"<({_REASONING_TAGS})>.*\Z", re.IGNORECASE | re.DOTALL)
_REASONING_END = re.compile(rf"</(?:{_REASONING_TAGS})>", re.IGNORECASE)
_FENCE = re.compile(r"\A```[\w-]*\n(.*?)\n?```\Z", re.DOTALL)
_WRAPPING_TAG = re.compile(rf"\A<({'|'.join(DATA_TAGS)}|translation)>\s*(.*?)\s*</\1>\Z", re.IGNORECASE | re.DOTALL)
_ENGLISH_PREAMBLE = re.compile(
    r"\A(?:(?:sure|certainly|of course|okay|ok)\b[,!.]?\s*)?"
    r"(?:here(?:'s| is| are)\b[^\n:：]{0,80}|(?:the\s+)?(?:english\s+|chinese\s+)?(?:translation|summary)"
    r"(?:\s+in\s+\w+(?:\s+\w+)?)?)\s*[:：]\s*",
    re.IGNORECASE,
)
_CHINESE_PREAMBLE = re.compile(
    r"\A(?:好的[，,！!。]?\s*)?(?:(?:以下是|下面是|这是)[^\n:：]{0,30}?|(?:中文|英文)?)"
    r"(?:翻译|译文|摘要|总结|概要)(?:结果)?(?:如下)?\s*[:：]\s*"
)


def clean_answer(text: str) -> str:
    """The answer without reasoning blocks, wrapping fences or data tags, and preambles."""
    text = _REASONING_BLOCK.sub("", text)
    ends = list(_REASONING_END.finditer(text))
    if ends:
        # The chat template opened the reasoning block in the prompt: only its end is in the answer.
        text = text[ends[-1].end() :]
    text = _UNCLOSED_REASONING.sub("", text).strip()
    for pattern in (_FENCE, _WRAPPING_TAG):
        match = pattern.match(text)
        if match:
            text = match.group(match.lastindex or 1).strip()
    for pattern in (_ENGLISH_PREAMBLE, _CHINESE_PREAMBLE):
        match = pattern.match(text)
        if match and text[match.end() :].strip():
            text = text[match.end() :].strip()
            break
    return text


def answer_problem(text: str, target: Language) -> str | None:
    """Why a cleaned answer cannot be used as text in `target`, or None when it can."""
    if not text:
        return "was empty"
    try:
        language = detect_language(text).language
    except InputError:
        return "was not English or Chinese text"
    if not same_model_language(language, target):
        return f"was in {language!r}, not {target!r}"
    return None


@dataclass(frozen=True)
class Answer:
    """A cleaned answer and anything the caller should know about it."""

    text: str
    notes: tuple[str, ...] = ()
    logprob: float | None = None
    """The mean log-probability of the answer's tokens, where the backend gave it."""


def ask(
    backend: ChatBackend, conversations: Sequence[list[Message]], target: Language, max_new_tokens: int, what: str
) -> list[Answer]:
    """Ask every conversation (in parallel or batched, as the backend does), clean the answers, and ask
    once more, with a reminder, those that came back empty or in the wrong language. `what` names an
    answer in notes ("summary", "translation")."""
    completions = backend.complete(conversations, max_new_tokens)
    texts = [clean_answer(completion.text) for completion in completions]
    problems = [answer_problem(text, target) for text in texts]
    retry = [index for index, problem in enumerate(problems) if problem]
    if retry:
        again = backend.complete([with_reminder(conversations[index], target) for index in retry], max_new_tokens)
        for index, completion in zip(retry, again, strict=True):
            text = clean_answer(completion.text)
            if answer_problem(text, target) is None or not texts[index]:
                texts[index], completions[index] = text, completion
            problems[index] = answer_problem(texts[index], target)
    answers = []
    for text, problem, completion in zip(texts, problems, completions, strict=True):
        notes = []
        if problem:
            notes.append(f"the LLM's {what} {problem}, also when asked again; kept as it is")
        if completion.truncated:
            notes.append(
                f"the LLM's {what} stopped at llm.generation.max_new_tokens ({max_new_tokens}) and may be cut short"
            )
        answers.append(Answer(text, tuple(notes), completion.logprob))
    return answers
