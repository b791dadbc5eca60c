"""Token-budget chunking and batch planning: exact cases and invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarize.chunking import chunk_sentences, plan_batches, split_to_fit


def count_characters(texts: list[str]) -> list[int]:
    """A stand-in token counter: one token per non-space character."""
    return [len("".join(text.split())) for text in texts]


def test_chunk_sentences_packs_greedily() -> None:
    assert chunk_sentences(["a", "b", "c", "d"], [4, 4, 3, 9], budget=8) == [[0, 1], [2], [3]]


def test_chunk_sentences_gives_oversized_sentence_its_own_chunk() -> None:
    assert chunk_sentences(["a", "b", "c"], [2, 20, 2], budget=8) == [[0], [1], [2]]


def test_chunk_sentences_rejects_mismatched_counts() -> None:
    with pytest.raises(ValueError, match="^2 sentences but 1 token counts$"):
        chunk_sentences(["a", "b"], [1], budget=4)


def test_split_to_fit_cuts_chinese_between_characters() -> None:
    assert split_to_fit("一二三四五六七", count_characters, budget=3) == ["一二三", "四五六", "七"]


def test_split_to_fit_cuts_english_between_words() -> None:
    assert split_to_fit("aa bb cc dd", count_characters, budget=4) == ["aa bb ", "cc dd"]


def test_plan_batches_sorts_by_length_and_respects_budget() -> None:
    assert plan_batches([5, 50, 10, 48, 7], batch_tokens=100, max_batch_size=4) == [[1, 3], [2, 4, 0]]


def test_plan_batches_respects_max_batch_size() -> None:
    assert plan_batches([1, 1, 1, 1, 1], batch_tokens=100, max_batch_size=2) == [[0, 1], [2, 3], [4]]


@given(st.lists(st.integers(min_value=1, max_value=40), max_size=60), st.integers(min_value=1, max_value=50))
def test_chunking_loses_duplicates_and_reorders_nothing(counts: list[int], budget: int) -> None:
    sentences = [f"s{i}" for i in range(len(counts))]
    chunks = chunk_sentences(sentences, counts, budget)
    assert [index for chunk in chunks for index in chunk] == list(range(len(sentences)))
    for chunk in chunks:
        assert len(chunk) == 1 or sum(counts[i] for i in chunk) <= budget


@given(st.text(alphabet=st.sampled_from(list("ab 中文\n")), max_size=120), st.integers(min_value=1, max_value=10))
def test_split_to_fit_round_trips_and_fits(sentence: str, budget: int) -> None:
    pieces = split_to_fit(sentence, count_characters, budget)
    assert "".join(pieces) == sentence
    for piece in pieces:
        units = piece.split()
        assert count_characters([piece])[0] <= budget or len(units) == 1


@given(
    st.lists(st.integers(min_value=1, max_value=500), max_size=80),
    st.integers(min_value=1, max_value=2000),
    st.integers(min_value=1, max_value=40),
)
def test_plan_batches_covers_every_input_once(lengths: list[int], budget: int, size: int) -> None:
    batches = plan_batches(lengths, budget, size)
    assert sorted(index for batch in batches for index in batch) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= size
        assert len(batch) == 1 or max(lengths[i] for i in batch) * len(batch) <= budget
