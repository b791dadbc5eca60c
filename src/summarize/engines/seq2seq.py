"""Hugging Face seq2seq generation: tokenizer + ``AutoModelForSeq2SeqLM.generate()``.

One :class:`TransformersModel` (an :class:`~.base.Engine`) wraps a loaded
tokenizer and model, and generates for many inputs at once: inputs are sorted by token
count, cut into batches by a token budget, and results come back in input order.
On CPU, batches are decoded two at a time by default (:mod:`.workers`); a Marian
model may score only its target-language tokens (:mod:`.vocabulary`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..chunking import plan_batches
from ..config import ModelSettings, RuntimeSettings
from ..errors import ConfigError
from ..families import ModelFamily
from ..hub import load_errors, resolve_source
from .base import Engine, quiet_progress_bars, read_model_files
from .devices import choose_device, choose_dtype, cpu_cores
from .workers import BatchWorkers, worker_layout

if TYPE_CHECKING:
    from .vocabulary import OutputVocabulary


class TransformersModel(Engine):
    """A transformers seq2seq model (``model.generate()``), generating in length-sorted batches."""

    def __init__(
        self,
        name: str,
        family: ModelFamily,
        tokenizer: Any,
        model: Any,
        spec: ModelSettings,
        runtime: RuntimeSettings,
        workers: BatchWorkers | None = None,
        output_vocabulary: OutputVocabulary | None = None,
    ) -> None:
        super().__init__(
            name=name,
            family=family,
            tokenizer=tokenizer,
            config=model.config,
            generation_config=model.generation_config,
            spec=spec,
            runtime=runtime,
        )
        self.model = model
        self.workers = workers or BatchWorkers(1, 0)
        """Batches decoded at once (shared by every view of these weights)."""
        self.output_vocabulary = output_vocabulary
        """The kept output tokens when the model scores only its target language."""

    def generate_distinct(
        self, texts: Sequence[str], target_lang: str, overrides: Mapping[str, Any] | None = None
    ) -> list[str]:
        """One output per input text, in input order (length-sorted token-budget batches)."""
        prepared = [self.prepare(text, target_lang) for text in texts]
        lengths = [count + self.tokenizer.num_special_tokens_to_add() for count in self.count_tokens(prepared)]
        settings = self.generation_settings(overrides)
        if "max_new_tokens" in settings:
            settings["max_length"] = None  # max_new_tokens rules; no "both are set" warning per call
        if self.output_vocabulary is not None:
            settings = self.output_vocabulary.settings_to_positions(settings)
        batches = plan_batches(lengths, self.runtime.batch_tokens, self.runtime.max_batch_size, self.workers.workers)
        # Tokenizers are not thread-safe: inputs are encoded and outputs decoded here, only generate() runs on workers.
        encoded = [
            self.tokenizer(
                [prepared[index] for index in batch],
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=self.max_input_tokens,
            ).to(self.model.device)
            for batch in batches
        ]
        generated = self.workers.map(lambda inputs: self._generate_batch(inputs, settings), encoded)
        outputs: list[str] = [""] * len(prepared)
        for batch, ids in zip(batches, generated, strict=True):
            for index, text in zip(batch, self.tokenizer.batch_decode(ids, skip_special_tokens=True), strict=True):
                outputs[index] = text.strip()
        return outputs

    def score_outputs(self, texts: Sequence[str], outputs: Sequence[str], target_lang: str) -> list[float | None]:
        """Mean log-probability of each output's tokens given its text, teacher-forced in batches (None for
        an empty output, or one with a token a restricted vocabulary cannot produce)."""
        import torch

        scores: list[float | None] = [None] * len(texts)
        wanted = [index for index, output in enumerate(outputs) if output.strip()]
        prepared = [self.prepare(texts[index], target_lang) for index in wanted]
        lengths = [count + self.tokenizer.num_special_tokens_to_add() for count in self.count_tokens(prepared)]
        for batch in plan_batches(lengths, self.runtime.batch_tokens, self.runtime.max_batch_size):
            inputs = self.tokenizer(
                [prepared[i] for i in batch], return_tensors="pt", padding=True, truncation=True,
                max_length=self.max_input_tokens,
            ).to(self.model.device)
            labels = self.tokenizer(
                text_target=[outputs[wanted[i]] for i in batch], return_tensors="pt", padding=True, truncation=True,
                max_length=self.max_input_tokens,
            )
            ids, mask = labels["input_ids"], labels["attention_mask"].bool()
            usable = torch.ones(len(batch), dtype=torch.bool)
            if self.output_vocabulary is not None:
                known = self.output_vocabulary.positions
                usable = torch.tensor([all(int(t) in known for t, m in zip(row, keep, strict=True) if m)
                                       for row, keep in zip(ids.tolist(), mask.tolist(), strict=True)])
                pad = known.get(self.tokenizer.pad_token_id, 0)
                ids = torch.tensor([[known.get(int(t), pad) for t in row] for row in ids.tolist()])
            start = self.model.generation_config.decoder_start_token_id
            decoder_inputs = torch.cat([torch.full((len(batch), 1), start), ids[:, :-1]], dim=1).to(self.model.device)
            with torch.inference_mode():
                logits = self.model(**inputs, decoder_input_ids=decoder_inputs).logits.float()
            picked = logits.log_softmax(-1).gather(-1, ids.to(logits.device).unsqueeze(-1)).squeeze(-1).cpu()
            means = (picked * mask).sum(1) / mask.sum(1).clamp(min=1)
            for row, index in enumerate(batch):
                if usable[row]:
                    scores[wanted[index]] = float(means[row])
        return scores

    def _generate_batch(self, inputs: Mapping[str, Any], settings: Mapping[str, Any]) -> Any:
        """Token ids generated for one encoded batch."""
        import torch

        extra: dict[str, Any] = {}
        beams = settings.get("num_beams") or self.model.generation_config.num_beams or 1
        if beams > 1 and self.model.config.is_encoder_decoder:
            from .beam_cache import BeamSearchCache

            extra["cache"] = BeamSearchCache(self.model.config)
        with torch.inference_mode():
            generated = self.model.generate(**inputs, **settings, **extra)
        return generated if self.output_vocabulary is None else self.output_vocabulary.to_token_ids(generated)


# --------------------------------------------------------------------------- loading


def check_int8_support(device: str, dtype: str) -> None:
    """Raise :class:`ConfigError` unless transformers-backend int8 can run on `device` with `dtype`."""
    if device != "cpu":
        raise ConfigError(
            f"runtime.quantization 'int8' with backend 'transformers' runs on CPU only, and the device is "
            f"{device!r}; set runtime.device to 'cpu', or runtime.backend to 'ctranslate2' (int8 on GPU too)"
        )
    if dtype not in ("auto", "float32"):
        raise ConfigError(
            f"runtime.quantization 'int8' with backend 'transformers' quantizes float32 weights; "
            f"set runtime.dtype to 'auto' or 'float32', not {dtype!r}"
        )


def quantize_int8(model: Any) -> Any:
    """Dynamic int8 quantization of every Linear layer (weights int8, activations quantized per call)."""
    import warnings

    import torch

    try:
        from torch.ao.quantization import quantize_dynamic
    except ImportError as error:
        raise ConfigError(
            f"runtime.quantization 'int8' needs torch.ao.quantization.quantize_dynamic, which torch "
            f"{torch.__version__} does not have; use runtime.backend 'ctranslate2' for int8"
        ) from error
    with warnings.catch_warnings():
        # torch.ao.quantization announces its own deprecation on every call; it still works.
        warnings.filterwarnings("ignore", message=r"torch\.ao\.quantization is deprecated")
        warnings.filterwarnings("ignore", message=r"torch\.quantize_per_tensor.* are deprecated")
        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def load_transformers(spec: ModelSettings, role: str, runtime: RuntimeSettings) -> TransformersModel:
    """Load a tokenizer and seq2seq model safely and put it on the configured device
    (optionally int8 on CPU)."""
    from transformers import AutoModelForSeq2SeqLM

    source, local_only = resolve_source(spec, role, runtime)
    device = choose_device(runtime.device)
    if runtime.quantization == "int8":
        check_int8_support(device, runtime.dtype)
    options: dict[str, Any] = {"trust_remote_code": False, "local_files_only": local_only}
    with quiet_progress_bars(), load_errors(spec.model, role):
        _, family, tokenizer = read_model_files(source, spec.model, options)
        model = AutoModelForSeq2SeqLM.from_pretrained(
            source, use_safetensors=True, dtype=choose_dtype(runtime.dtype, device, family), **options
        )
    model.to(device).eval()
    vocabulary = None
    if runtime.restrict_vocabulary and family.name == "marian":
        from .vocabulary import marian_target_token_ids, restrict_output_vocabulary

        token_ids = marian_target_token_ids(tokenizer)
        if token_ids:
            vocabulary = restrict_output_vocabulary(model, token_ids)
    if runtime.quantization == "int8":
        model = quantize_int8(model)
    workers, threads_each = worker_layout(runtime.inter_threads, runtime.cpu_threads, device, cpu_cores())
    return TransformersModel(
        name=spec.model,
        family=family,
        tokenizer=tokenizer,
        model=model,
        spec=spec,
        runtime=runtime,
        workers=BatchWorkers(workers, threads_each),
        output_vocabulary=vocabulary,
    )
