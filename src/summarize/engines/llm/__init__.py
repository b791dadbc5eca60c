"""The ``llm`` engine: chat models that summarize and translate, run here or by a model server.

- :mod:`.prompts`: every prompt, per task, with the article as delimited data;
- :mod:`.answers`: cleaning and checking answers, one retry for an unusable one;
- :mod:`.local`: transformers ``AutoModelForCausalLM`` with the chat template, batched;
- :mod:`.endpoint`: any OpenAI-compatible server (vLLM, SGLang, llama.cpp, Ollama) over HTTP;
- :mod:`.documents`: long documents: chunking within ``llm.context_tokens``, map-reduce summaries,
  paragraph-by-paragraph translations.
"""

from __future__ import annotations

from ...config import LLMSettings, RuntimeSettings
from .backend import ChatBackend, Completion


def load_chat_backend(settings: LLMSettings, runtime: RuntimeSettings) -> ChatBackend:
    """The endpoint backend when ``llm.endpoint`` is set, else the model loaded here."""
    if settings.endpoint:
        from .endpoint import EndpointChatModel

        return EndpointChatModel(settings)
    from .local import load_local_chat_model

    return load_local_chat_model(settings, runtime)


__all__ = ["ChatBackend", "Completion", "load_chat_backend"]
