"""The local backend: a chat model run here with transformers (``AutoModelForCausalLM``).

Prompts go through the tokenizer's chat template; many prompts are generated at
once in batches of similar length (longest first, cut by ``runtime.batch_tokens``
counting prompt and answer), padded on the left as decoder-only models need,
and answers come back in input order. Loading is safe: safetensors only and
``trust_remote_code=False``; a model that needs its own code is refused with a
pointer to the endpoint backend. One generation runs at a time per model.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from ...chunking import plan_batches
from ...config import LLM_ENGINE, LLMSettings, ModelSettings, RuntimeSettings
from ...errors import ModelUnavailableError
from ...families import CHAT_MODELS
from ...hub import load_error, resolve_source
from ..devices import choose_device, choose_dtype
from .backend import Completion
from .prompts import Message

ROLE = LLM_ENGINE


class LocalChatModel:
    """A loaded chat model and its tokenizer, ready to answer many conversations at once."""

    def __init__(self, name: str, tokenizer: Any, model: Any, settings: LLMSettings, runtime: RuntimeSettings) -> None:
        self.name = name
        self.tokenizer = tokenizer
        self.model = model
        self.settings = settings
        self.runtime = runtime
        self._lock = threading.Lock()

    def with_settings(self, settings: LLMSettings) -> LocalChatModel:
        """A view of the same loaded weights with other settings (generation, context budget)."""
        view = copy.copy(self)
        view.settings = settings
        return view

    def render(self, messages: list[Message]) -> str:
        """The prompt text of a conversation: the chat template with the assistant's turn opened."""
        return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token counts of `texts` with the model's own tokenizer."""
        if not texts:
            return []
        return [len(ids) for ids in self.tokenizer(texts, add_special_tokens=False)["input_ids"]]

    def prompt_tokens(self, messages: list[Message]) -> int:
        """Tokens of the rendered prompt."""
        return self.count_tokens([self.render(messages)])[0]

    def _generation_settings(self, max_new_tokens: int) -> dict[str, Any]:
        generation = self.settings.generation
        settings: dict[str, Any] = {"max_new_tokens": max_new_tokens, "pad_token_id": self.tokenizer.pad_token_id}
        if generation.temperature > 0:
            settings.update(do_sample=True, temperature=generation.temperature, top_p=generation.top_p)
            if generation.top_k:
                settings["top_k"] = generation.top_k
        else:
            settings.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        if generation.repetition_penalty != 1:
            settings["repetition_penalty"] = generation.repetition_penalty
        return settings

    def complete(self, conversations: Sequence[list[Message]], max_new_tokens: int) -> list[Completion]:
        """One answer per conversation, in order, generated in length-sorted batches."""
        prompts = [self.render(messages) for messages in conversations]
        lengths = [count + max_new_tokens for count in self.count_tokens(prompts)]
        batches = plan_batches(lengths, self.runtime.batch_tokens, self.runtime.max_batch_size)
        answers: list[Completion] = [Completion("")] * len(prompts)
        for batch in batches:
            for index, answer in zip(batch, self._generate([prompts[index] for index in batch], max_new_tokens), strict=True):
                answers[index] = answer
        return answers

    def _encode(self, prompts: list[str]) -> Any:
        # The template already holds every special token; left padding keeps each prompt's end at the
        # position where generation starts.
        return self.tokenizer(
            prompts, add_special_tokens=False, padding=True, padding_side="left", return_tensors="pt"
        ).to(self.model.device)

    def _generate(self, prompts: list[str], max_new_tokens: int) -> list[Completion]:
        import torch

        inputs = self._encode(prompts)
        with self._lock, torch.inference_mode():
            generated = self.model.generate(**inputs, **self._generation_settings(max_new_tokens))
        new_tokens = generated[:, inputs["input_ids"].shape[1] :]
        stops = set(_as_list(self.model.generation_config.eos_token_id)) | {self.tokenizer.eos_token_id}
        answers = []
        for row in new_tokens.tolist():
            ended = any(token in stops for token in row)
            answers.append(Completion(self.tokenizer.decode(row, skip_special_tokens=True), truncated=not ended))
        return answers

    def stream(self, messages: list[Message], max_new_tokens: int) -> Iterator[str]:
        """The answer's text piece by piece as it is generated (generation runs on a helper thread)."""
        import torch
        from transformers import TextIteratorStreamer

        inputs = self._encode([self.render(messages)])
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        failure: list[BaseException] = []

        def generate() -> None:
            try:
                with self._lock, torch.inference_mode():
                    self.model.generate(**inputs, **self._generation_settings(max_new_tokens), streamer=streamer)
            except BaseException as error:  # handed to the caller's thread below
                failure.append(error)
                streamer.end()

        thread = threading.Thread(target=generate, name="llm-stream", daemon=True)
        thread.start()
        try:
            for piece in streamer:
                if piece:
                    yield piece
        finally:
            thread.join()
        if failure:
            raise failure[0]


def _as_list(value: Any) -> list[int]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def load_local_chat_model(settings: LLMSettings, runtime: RuntimeSettings) -> LocalChatModel:
    """Load ``llm.model`` safely (safetensors, no remote code) on the configured device and dtype."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as transformers_logging


    source, local_only = resolve_source(ModelSettings(model=settings.model), ROLE, runtime)
    device = choose_device(runtime.device)
    options: dict[str, Any] = {"trust_remote_code": False, "local_files_only": local_only}
    bars_were_enabled = transformers_logging.is_progress_bar_enabled()
    transformers_logging.disable_progress_bar()
    try:
        config = AutoConfig.from_pretrained(source, **options)
        tokenizer = AutoTokenizer.from_pretrained(source, **options)
        model = AutoModelForCausalLM.from_pretrained(
            source, config=config, use_safetensors=True, dtype=choose_dtype(runtime.dtype, device, CHAT_MODELS), **options
        )
    except (OSError, ValueError, KeyError, ImportError) as error:
        raise _load_error(settings.model, error) from error
    finally:
        if bars_were_enabled:
            transformers_logging.enable_progress_bar()
    if not getattr(tokenizer, "chat_template", None):
        raise ModelUnavailableError(
            f"model {settings.model!r} (llm) has no chat template; set llm.model to an instruction-tuned "
            f"chat model, e.g. Qwen/Qwen2.5-7B-Instruct"
        )
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.to(device).eval()
    return LocalChatModel(settings.model, tokenizer, model, settings, runtime)


def _load_error(name: str, error: Exception) -> ModelUnavailableError:
    text = str(error)
    if "trust_remote_code" in text or "custom code" in text:
        return ModelUnavailableError(
            f"model {name!r} (llm) needs its own Python code (trust_remote_code), which is never run here; "
            f"serve it with vLLM or SGLang and set llm.endpoint to that server (docs/llm.md)"
        )
    if "Unrecognized configuration class" in text:
        return ModelUnavailableError(
            f"model {name!r} (llm) is not a causal language model; set llm.model to a chat model "
            f"(the seq2seq models belong in summarize.models and translate.models)"
        )
    return load_error(name, ROLE, error)
