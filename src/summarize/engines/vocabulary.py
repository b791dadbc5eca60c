"""Target-language output vocabulary for Marian models on the transformers backend.

An opus-mt model has one vocabulary for both of its languages (65,001 tokens for
en-zh), and every decoding step scores all of them although the decoder was only
ever trained to produce the pieces of its ``target.spm``. Restricting the output
layer to those pieces (about half) makes each step cheaper and, for a trained
model, leaves the output unchanged: it never picks a source-language piece.

The restricted model works in *positions* of the kept-token list (ascending ids,
so ties break the same way): its output layer has one row per kept token and its
decoder embedding maps a position back to the token id. :class:`OutputVocabulary`
translates ids in generation settings to positions and generated positions back
to token ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import torch

from ..errors import ConfigError

SINGLE_ID_SETTINGS = (
    "decoder_start_token_id",
    "bos_token_id",
    "eos_token_id",
    "pad_token_id",
    "forced_bos_token_id",
    "forced_eos_token_id",
)
"""Generation settings holding token ids that must be in the kept vocabulary."""
BANNED_ID_SETTINGS = ("suppress_tokens", "begin_suppress_tokens")
"""Generation settings listing token ids to ban (a token outside the kept vocabulary is banned already)."""
UNSUPPORTED_ID_SETTINGS = ("sequence_bias", "force_words_ids", "encoder_no_repeat_ngram_size", "encoder_repetition_penalty")
"""Generation settings that compare output ids with something else; not supported with a restricted vocabulary."""


def target_pieces(processor: Any, vocabulary: Mapping[str, int]) -> list[str]:
    """The pieces of a target-language sentencepiece model that `vocabulary` holds, in id order."""
    pieces = (processor.id_to_piece(index) for index in range(processor.get_piece_size()))
    return sorted((piece for piece in pieces if piece in vocabulary), key=vocabulary.__getitem__)


def marian_target_token_ids(tokenizer: Any) -> list[int] | None:
    """The ids a Marian tokenizer's target side can produce (its ``target.spm`` pieces with
    ``</s>``, ``<unk>`` and ``<pad>``), ascending; None when the decoder has a vocabulary of its own."""
    processor = getattr(tokenizer, "spm_target", None)
    if processor is None or getattr(tokenizer, "separate_vocabs", False):
        return None
    vocabulary = tokenizer.get_vocab()
    kept = {vocabulary[piece] for piece in target_pieces(processor, vocabulary)}
    kept |= {tokenizer.eos_token_id, tokenizer.unk_token_id, tokenizer.pad_token_id}
    return sorted(kept)


class OutputVocabulary:
    """The kept output tokens of a restricted model: ids to positions and back."""

    def __init__(self, token_ids: Iterable[int]) -> None:
        self.token_ids = torch.tensor(sorted(token_ids), dtype=torch.long)
        self.positions = {int(token): position for position, token in enumerate(self.token_ids.tolist())}

    def __len__(self) -> int:
        return len(self.positions)

    def position(self, token_id: int, setting: str) -> int:
        """The position of `token_id`; a clear error for a token the model can no longer produce."""
        if token_id not in self.positions:
            raise ConfigError(
                f"generation setting {setting!r} names token id {token_id}, which is not in the model's "
                f"target-language vocabulary; set runtime.restrict_vocabulary to false to use it"
            )
        return self.positions[token_id]

    def settings_to_positions(self, settings: Mapping[str, Any]) -> dict[str, Any]:
        """Generation settings with their token ids replaced by positions."""
        mapped = dict(settings)
        for key in UNSUPPORTED_ID_SETTINGS:
            if mapped.get(key):
                raise ConfigError(
                    f"generation setting {key!r} is not supported with a restricted vocabulary; "
                    f"set runtime.restrict_vocabulary to false to use it"
                )
        for key in SINGLE_ID_SETTINGS:
            value = mapped.get(key)
            if isinstance(value, int):
                mapped[key] = self.position(value, key)
            elif isinstance(value, (list, tuple)):
                mapped[key] = [self.position(token, key) for token in value]
        for key in BANNED_ID_SETTINGS:
            if mapped.get(key) is not None:
                mapped[key] = [self.positions[token] for token in mapped[key] if token in self.positions]
        if mapped.get("bad_words_ids") is not None:
            kept = [words for words in mapped["bad_words_ids"] if all(token in self.positions for token in words)]
            mapped["bad_words_ids"] = [[self.positions[token] for token in words] for words in kept] or None
        return mapped

    def to_token_ids(self, generated: torch.Tensor) -> torch.Tensor:
        """Generated positions (a tensor) as token ids."""
        return self.token_ids.to(generated.device)[generated]


def restrict_output_vocabulary(model: Any, token_ids: Iterable[int]) -> OutputVocabulary:
    """Make a Marian `model` score only `token_ids`; it then generates positions of that list.

    Changes `model` in place: a smaller output layer and logits bias, a decoder
    embedding that reads positions, and the generation config's token ids as positions.
    """
    vocabulary = OutputVocabulary(token_ids)
    kept = vocabulary.token_ids.to(model.device)
    full_layer = model.lm_head
    layer = torch.nn.Linear(full_layer.in_features, len(vocabulary), bias=False, device=model.device, dtype=full_layer.weight.dtype)
    with torch.no_grad():
        layer.weight.copy_(full_layer.weight.index_select(0, kept))
    model.lm_head = layer
    model.final_logits_bias = torch.nn.Buffer(model.final_logits_bias.index_select(1, kept))
    decoder = model.get_decoder()
    decoder.embed_tokens = _PositionEmbedding(decoder.embed_tokens, kept)
    generation = model.generation_config
    known = {key: value for key, value in generation.to_dict().items() if value is not None}
    for key, value in vocabulary.settings_to_positions(known).items():
        if value != known.get(key):
            setattr(generation, key, value)
    return vocabulary


class _PositionEmbedding(torch.nn.Module):
    """The decoder's token embedding, read through the kept-token list."""

    def __init__(self, embedding: torch.nn.Module, token_ids: torch.Tensor) -> None:
        super().__init__()
        self.embedding = embedding
        self.register_buffer("token_ids", token_ids, persistent=False)

    def forward(self, positions: torch.Tensor) -> torch.Tensor:
        return self.embedding(self.token_ids[positions])
