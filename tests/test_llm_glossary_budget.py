"""The LLM engine's chunking budget counts the glossary terms each prompt lists: a piece with many terms
is cut smaller, so that every prompt (terms included) and its answer stay within ``llm.context_tokens``.
Measured on the prompts actually sent: rendered by the tiny Qwen2 chat model's own tokenizer, and as
the chat test server received them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chat_server import ChatServer, Reply
from test_llm_local import RecordingChatModel, chat_settings

from summarize.config import load_settings
from summarize.engines.llm.documents import (
    prompt_terms,
    stream_translation,
    summarize_documents,
    translate_documents,
)
from summarize.engines.llm.endpoint import EndpointChatModel
from summarize.engines.llm.local import LocalChatModel, load_local_chat_model
from summarize.engines.llm.prompts import summary_prompt, translation_prompt
from summarize.errors import ConfigError
from summarize.glossary import Glossary

SENTENCES = [f"Report {n} says the river rose again near bridge {n}." for n in range(24)]
ARTICLE = " ".join(SENTENCES[:12]) + "\n\n" + " ".join(SENTENCES[12:])
GLOSSARY = Glossary.from_mapping(
    {f"bridge {n}": f"第{n}号大桥（旧城区河道上的钢结构桥梁）" for n in range(24)}
    | {f"Report {n}": f"第{n}号报告（市水务局发布的汛情通报）" for n in range(24)}
)
"""Two terms in every sentence, each with a long translation: the term lines outweigh the text."""
CONTEXT_TOKENS = 600
MAX_NEW_TOKENS = 6


def _article(prompt: str) -> str:
    return re.search(r"<article>\n(.*?)\n</article>", prompt, re.DOTALL).group(1)  # type: ignore[union-attr]


def _in_order(chunks: set[str]) -> list[str]:
    """Chunks (each a verbatim part of the article) in article order."""
    return sorted(chunks, key=ARTICLE.index)


@pytest.fixture(scope="module")
def chat(tiny_chat_model: Path) -> LocalChatModel:
    settings = chat_settings(
        tiny_chat_model, **{"llm.context_tokens": CONTEXT_TOKENS, "llm.generation.max_new_tokens": MAX_NEW_TOKENS}
    )
    return load_local_chat_model(settings.llm, settings.runtime)


def _map_prompts(chat: LocalChatModel, glossary: Glossary | None) -> dict[str, int]:
    """The map prompts sent, with their tokens."""
    recording = RecordingChatModel(chat)
    summarize_documents(recording, [ARTICLE], "en", "zh", sentences=2, glossary=glossary)
    return {prompt: recording.sizes[prompt] for prompt, _ in recording.calls if "<article>" in prompt}


def test_a_cross_lingual_summary_cuts_chunks_smaller_so_that_every_prompt_with_its_terms_fits(
    chat: LocalChatModel,
) -> None:
    plain = _in_order({_article(prompt) for prompt in _map_prompts(chat, None)})
    prompts = _map_prompts(chat, GLOSSARY)
    chunks = _in_order({_article(prompt) for prompt in prompts})
    # Every prompt sent, the terms and any retry's reminder included, fits beside the answer (the model's own count) ...
    assert max(prompts.values()) + MAX_NEW_TOKENS <= CONTEXT_TOKENS
    # ... because the chunks are smaller than without the glossary, and each lists its own terms ...
    assert len(chunks) > len(plain) >= 2
    for prompt in prompts:
        listed = re.findall(r"^- (.+) => ", prompt, re.MULTILINE)
        assert listed == [source for source, _ in prompt_terms(GLOSSARY, _article(prompt), "en", "zh")]
        assert len(listed) >= 2
    # ... which together hold every sentence once, in order.
    assert re.findall(r"Report \d+ says the river rose again near bridge \d+\.", "\n".join(chunks)) == SENTENCES


def test_without_the_terms_counted_the_same_chunks_would_overflow(chat: LocalChatModel) -> None:
    """The check above has teeth: the chunks cut without the glossary, sent with their terms, do not fit."""
    plain = {_article(prompt) for prompt in _map_prompts(chat, None)}
    sizes = [
        chat.prompt_tokens(summary_prompt(chunk, "en", "zh", 2, prompt_terms(GLOSSARY, chunk, "en", "zh")))
        for chunk in plain
    ]
    assert max(sizes) + MAX_NEW_TOKENS > CONTEXT_TOKENS


# --------------------------------------------------------------------------- translations, at a chat server


@pytest.fixture()
def server() -> Iterator[ChatServer]:
    with ChatServer(lambda body: Reply("译文。")) as running:
        yield running


def _endpoint(server: ChatServer, **overrides: Any) -> EndpointChatModel:
    values = {"llm.endpoint": server.url, "llm.model": "test-model", "llm.context_tokens": 1200,
              "llm.generation.max_new_tokens": 400, **overrides}
    return EndpointChatModel(load_settings(overrides=values, environ={}).llm)


def test_each_translation_request_with_its_terms_fits_the_context(server: ChatServer) -> None:
    backend = _endpoint(server)
    (plain,) = translate_documents(backend, [ARTICLE], "en", "zh", "chat")
    server.requests.clear()
    (answer,) = translate_documents(backend, [ARTICLE], "en", "zh", "chat", GLOSSARY)
    sizes = [backend.prompt_tokens(body["messages"]) for body in server.requests]
    assert max(sizes) + 400 <= 1200
    pieces = _in_order({_article(body["messages"][-1]["content"]) for body in server.requests})
    assert answer.chunks == len(server.requests) == len(pieces) > plain.chunks == 4  # smaller pieces than without terms
    assert re.findall(r"Report \d+ says the river rose again near bridge \d+\.", "\n".join(pieces)) == SENTENCES
    for body in server.requests:
        content = body["messages"][-1]["content"]
        assert re.findall(r"^- (.+) => ", content, re.MULTILINE) == [
            source for source, _ in prompt_terms(GLOSSARY, _article(content), "en", "zh")
        ]


def test_a_streamed_translation_uses_the_same_pieces(server: ChatServer) -> None:
    backend = _endpoint(server)
    *_, final = stream_translation(backend, ARTICLE, "en", "zh", "chat", GLOSSARY)
    (batch,) = translate_documents(backend, [ARTICLE], "en", "zh", "chat", GLOSSARY)
    streamed = server.requests[: batch.chunks]
    assert final == batch.text
    assert max(backend.prompt_tokens(body["messages"]) for body in streamed) + 400 <= 1200
    assert [body["messages"] for body in streamed] == sorted(
        (body["messages"] for body in server.requests[batch.chunks :]), key=lambda m: ARTICLE.index(_article(m[-1]["content"]))
    )


def test_terms_that_leave_no_room_for_one_word_are_a_config_error(server: ChatServer) -> None:
    backend = _endpoint(server, **{"llm.context_tokens": 700})
    terms = {"bridge": "桥" * 200}
    empty = backend.prompt_tokens(translation_prompt("", "en", "zh", "x", "chat"))
    with pytest.raises(ConfigError) as error:
        translate_documents(backend, ["The bridge."], "en", "zh", "chat", Glossary.from_mapping(terms))
    extra = backend.prompt_tokens(translation_prompt("", "en", "zh", "x", "chat", list(terms.items()))) - empty
    assert str(error.value) == (
        f"the glossary terms 'bridge' take {extra} prompt tokens, and llm.context_tokens (700) leaves no room "
        "beside them for the text that holds them; raise it or shorten the terms"
    )
    assert server.requests == []
