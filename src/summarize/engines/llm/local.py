"""The local backend: a chat model run here with transformers (``AutoModelForCausalLM``).

Prompts go through the tokenizer's chat template; many prompts are generated at
once in batches of similar length (longest first, cut by ``runtime.batch_tokens``
counting prompt and answer), padded on the left as decoder-only models need,
and answers come back in input order. Loading is safe: safetensors only and
``trust_remote_code=False``; a model that needs its own code is refused with a
pointer to the endpoint backend. One generation runs at a time per model.

The article is user text and is tokenized as plain text: a ``<|im_end|>`` inside it
is the characters ``<|im_end|>``, never the special token, so no article can
close its turn or open one of its own. Only the template's own markup goes through
special-token parsing (:meth:`LocalChatModel.encode`).
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
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
_CONTENT_MARK = "\ue000{index}\ue001"
"""Stands for message `index`'s content while the template is rendered (private-use characters)."""
_CONTENT_MARKS = re.compile("\ue000(\\d+)\ue001")


@dataclass(frozen=True)
class Prompt:
    """A conversation ready for the model: the rendered template and its token ids."""

    text: str
    ids: list[int]


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

    def encode(self, messages: list[Message]) -> Prompt:
        """The conversation's prompt: the template's markup tokenized with its special tokens, every message's
        content as plain text (special-token spellings in it stay characters)."""
        marked = [{**message, "content": _CONTENT_MARK.format(index=index)} for index, message in enumerate(messages)]
        template = _CONTENT_MARKS.split(self.render(marked))
        # split() alternates markup and mark numbers: markup, "0", markup, "1", markup ...
        if template[1::2] != [str(index) for index in range(len(messages))]:
            raise ModelUnavailableError(
                f"the chat template of model {self.name!r} (llm) rewrites message texts, so an article could not be "
                f"kept apart from its special tokens; use another chat model, or serve this one (llm.endpoint)"
            )
        ids: list[int] = []
        for position, part in enumerate(template):
            if position % 2:
                ids += self._plain_ids(messages[int(part)]["content"])
            elif part:
                ids += self.tokenizer(part, add_special_tokens=False)["input_ids"]
        return Prompt(self.render(messages), ids)

    def _plain_ids(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False, split_special_tokens=True)["input_ids"] if text else []

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token counts of `texts` (as plain text) with the model's own tokenizer."""
        if not texts:
            return []
        encoded = self.tokenizer(texts, add_special_tokens=False, split_special_tokens=True)["input_ids"]
        return [len(ids) for ids in encoded]

    def prompt_tokens(self, messages: list[Message]) -> int:
        """Tokens of the prompt, as :meth:`encode` gives them to the model."""
        return len(self.encode(messages).ids)

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
        prompts = [self.encode(messages) for messages in conversations]
        lengths = [len(prompt.ids) + max_new_tokens for prompt in prompts]
        batches = plan_batches(lengths, self.runtime.batch_tokens, self.runtime.max_batch_size)
        answers: list[Completion] = [Completion("")] * len(prompts)
        for batch in batches:
            for index, answer in zip(batch, self._generate([prompts[index] for index in batch], max_new_tokens), strict=True):
                answers[index] = answer
        return answers

    def _inputs(self, prompts: list[Prompt]) -> Any:
        # Left padding keeps each prompt's end at the position where generation starts.
        return self.tokenizer.pad(
            {"input_ids": [prompt.ids for prompt in prompts]}, padding=True, padding_side="left", return_tensors="pt"
        ).to(self.model.device)

    def _generate(self, prompts: list[Prompt], max_new_tokens: int) -> list[Completion]:
        import torch

        inputs = self._inputs(prompts)
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

        inputs = self._inputs([self.encode(messages)])
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
