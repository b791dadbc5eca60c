"""Token-budget planning: chunks of whole sentences, and length-sorted generate batches."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .charclasses import HAN as _HAN

TokenCounter = Callable[[list[str]], list[int]]

_PIECE = re.compile(f"[{_HAN}]\\s*|[^\\s{_HAN}]+\\s*|\\s+")


def split_to_fit(sentence: str, count_tokens: TokenCounter, budget: int) -> list[str]:
    """Cut one over-long sentence into pieces of at most `budget` tokens.

    Cuts fall between words (English) or characters (Chinese); joining the
    pieces gives back the sentence exactly. A single unit over the budget
    (a very long "word") becomes a piece of its own.
    """
    units = _PIECE.findall(sentence)
    costs = count_tokens(units)
    pieces: list[str] = []
    current, used = "", 0
    for unit, cost in zip(units, costs, strict=True):
        if current and used + cost > budget:
            pieces.append(current)
            current, used = "", 0
        current += unit
        used += cost
    if current:
        pieces.append(current)
    return pieces


def fit_sentences(sentences: Sequence[str], count_tokens: TokenCounter, budget: int) -> tuple[list[str], list[int]]:
    """`sentences` with each one over `budget` tokens cut by :func:`split_to_fit`, and every piece's token count."""
    pieces: list[str] = []
    counts: list[int] = []
    for sentence, count in zip(sentences, count_tokens(list(sentences)), strict=True):
        if count > budget:
            cut = split_to_fit(sentence, count_tokens, budget)
            pieces.extend(cut)
            counts.extend(count_tokens(cut))
        else:
            pieces.append(sentence)
            counts.append(count)
    return pieces, counts

def chunk_sentences(sentences: Sequence[str], counts: Sequence[int], budget: int) -> list[list[int]]:
    """Pack sentences, in order, into chunks of at most `budget` tokens.

    Returns the sentence indices of each chunk; every index appears exactly
    once, in order. A sentence over the budget gets a chunk of its own (cut it
    with :func:`split_to_fit` first to honour the budget strictly).
    """
    if len(sentences) != len(counts):
        raise ValueError(f"{len(sentences)} sentences but {len(counts)} token counts")
    chunks: list[list[int]] = []
    used = 0
    for index, count in enumerate(counts):
        if chunks and used + count <= budget:
            chunks[-1].append(index)
            used += count
        else:
            chunks.append([index])
            used = count
    return chunks


def plan_batches(lengths: Sequence[int], batch_tokens: int, max_batch_size: int, workers: int = 1) -> list[list[int]]:
    """Group inputs into batches by length: longest first, each batch's padded
    size (its longest input times its size) within `batch_tokens`.

    Sizes are spread evenly over as few rounds of `workers` batches (decoded at
    the same time) as `max_batch_size` allows: 200 inputs, at most 32 a batch,
    2 workers give 8 batches of 25, not 6 of 32 and one of 8 that leaves a
    worker idle. Returns lists of input indices; every index appears exactly once.
    """
    order = sorted(range(len(lengths)), key=lambda index: lengths[index], reverse=True)
    planned = workers * max(1, -(-len(order) // (workers * max_batch_size)))
    batches: list[list[int]] = []
    for position, index in enumerate(order):
        if batches:
            batch = batches[-1]
            longest = lengths[batch[0]]
            # The inputs left for this batch and the later ones, shared evenly among the batches left.
            fair_size = -(-(len(order) - position + len(batch)) // max(1, planned - len(batches) + 1))
            if len(batch) < min(fair_size, max_batch_size) and longest * (len(batch) + 1) <= batch_tokens:
                batch.append(index)
                continue
        batches.append([index])
    return batches
