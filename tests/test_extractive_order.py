"""The extractive engine's order check: the lead prior counts only where the text reads in order."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarize.config import ExtractiveSettings
from summarize.engines.extractive import select_sentences
from summarize.engines.order import (
    MIN_RANK_CORRELATION,
    MIN_SENTENCES,
    WEAK_RANK_CORRELATION,
    centrality_falls_with_position,
    introductions,
    opens_with_reference,
    order_is_informative,
)

PARK_STORY = [
    "He also liked to paint the old boats in the harbour.",
    "The council approved the river park plan on Tuesday after a long debate.",
    "The park plan sets aside money for trees along the river.",
    "Council members said the river park would open next spring.",
    "Work on the park will start in March, the council said.",
    "Some residents asked for more parking near the river.",
    "The plan also adds a cycle path along the river park.",
    "Trees will be planted along the new river path.",
    "The council will review the park budget next year.",
    "A public meeting on the park plan is set for May.",
    "The river park will be the largest green space in the city.",
    "Children from the school helped design the park playground.",
]
"""Twelve sentences whose first one continues some other text (a shuffled article's first line)."""

PEOPLE = [
    "Maria Lopez opened the new harbour bridge on Monday.",
    "Lopez said the repairs took eight months.",
    "Engineer Tom Reid thanked the crews who worked at night.",
    "Reid said the bridge is safe for heavy lorries.",
]


@pytest.mark.parametrize(
    ("sentence", "continues"),
    [
        ("He said the bridge would open.", True),
        ("But the council disagreed.", True),
        ("“They never told us,” she said.", True),
        ("However, the vote was close.", True),
        ("Helen Park opened the bridge.", False),
        ("Theatre groups welcomed the plan.", False),
        ("The council approved the plan.", False),
        ("此外，工程将延期一个月。", True),
        ("他说工程进展顺利。", True),
        ("不过，工程进展顺利。", True),
        ("不過，工程進展順利。", True),
        ("同時，市議會通過了預算。", True),
        ("「他們從沒告訴我們。」她說。", True),  # the quotation marks the quotation check knows, corner ones too
        ("'They never told us,' she said.", True),
        ("河畔市议会周二通过了计划。", False),
    ],
)
def test_a_sentence_opening_with_a_pronoun_or_connective_continues_another(sentence: str, continues: bool) -> None:
    assert opens_with_reference(sentence) is continues


def test_people_named_in_full_and_then_by_surname_are_introduced_in_order() -> None:
    found = introductions(PEOPLE)
    assert found.counts.tolist() == [1.0, 0.0, 1.0, 0.0]
    assert (found.late, found.in_order) == (0, 2)


def test_a_surname_before_the_full_name_is_a_late_introduction() -> None:
    found = introductions([PEOPLE[1], PEOPLE[0], PEOPLE[3], PEOPLE[2]])
    assert found.counts.tolist() == [0.0, 1.0, 0.0, 1.0]
    assert (found.late, found.in_order) == (2, 0)


def test_capitalized_words_after_a_stop_word_are_not_a_first_name() -> None:
    found = introductions(["The Bridge reopened on Monday.", "Bridge traffic was light."])
    assert found.counts.tolist() == [0.0, 0.0] and (found.late, found.in_order) == (0, 0)


def test_chinese_text_has_no_capitalized_names() -> None:
    found = introductions(["罗女士说工程已完成。", "罗女士感谢工人。"])
    assert found.counts.tolist() == [0.0, 0.0] and (found.late, found.in_order) == (0, 0)


@pytest.mark.parametrize(
    ("centrality", "correlation"),
    [
        ([1.0, 0.8, 0.5, 0.2], 1.0),
        ([0.2, 0.5, 0.8, 1.0], -1.0),
        ([0.5, 0.5, 0.5, 0.5], 0.0),
        ([1.0, 1.0, 0.0, 0.0], pytest.approx(0.894427, abs=1e-6)),  # ties share their rank
        ([1.0, 0.5], 0.0),  # too few sentences to tell
    ],
)
def test_centrality_falling_with_position_is_a_rank_correlation(centrality: list[float], correlation: float) -> None:
    assert centrality_falls_with_position(np.array(centrality)) == correlation


def test_order_is_trusted_for_short_texts_and_texts_read_in_order() -> None:
    flat = np.ones(len(PARK_STORY))
    assert order_is_informative(PARK_STORY[1:MIN_SENTENCES], flat[1:MIN_SENTENCES], introductions(PARK_STORY[1:MIN_SENTENCES]))
    assert order_is_informative(PARK_STORY[1:], flat[1:], introductions(PARK_STORY[1:]))


def test_a_clear_sign_alone_drops_the_order() -> None:
    flat = np.ones(len(PARK_STORY))
    assert not order_is_informative(PARK_STORY, flat, introductions(PARK_STORY))  # opens with "He also"
    rising = np.linspace(0.1, 1.0, len(PARK_STORY) - 1)
    assert not order_is_informative(PARK_STORY[1:], rising, introductions(PARK_STORY[1:]))
    padded = [PEOPLE[1], PEOPLE[0], PEOPLE[3], PEOPLE[2]] + PARK_STORY[1:]  # two people called by surname first
    falling = np.linspace(1.0, 0.1, len(padded))
    assert not order_is_informative(padded, falling, introductions(padded))


def test_centrality_rising_only_slightly_with_position_keeps_the_order() -> None:
    ranks = np.array([9, 1, 5, 3, 4, 2, 6, 7, 8, 0, 10], dtype=float)  # two swaps away from rising steadily
    slightly_rising = (ranks + 1) / len(ranks)
    correlation = centrality_falls_with_position(slightly_rising)
    assert correlation == pytest.approx(-0.181818, abs=1e-6)
    assert MIN_RANK_CORRELATION <= correlation < -0.15  # below the old limit, above the new one
    assert order_is_informative(PARK_STORY[1:], slightly_rising, introductions(PARK_STORY[1:]))


def test_one_late_introduction_drops_the_order_only_where_centrality_does_not_fall() -> None:
    one_late = [PEOPLE[1], PEOPLE[0]] + PARK_STORY[1:]
    found = introductions(one_late)
    assert (found.late, found.in_order) == (1, 0)
    falling, flat = np.linspace(1.0, 0.1, len(one_late)), np.ones(len(one_late))
    assert centrality_falls_with_position(falling) >= WEAK_RANK_CORRELATION > centrality_falls_with_position(flat)
    assert order_is_informative(one_late, falling, found)
    assert not order_is_informative(one_late, flat, found)


def test_late_introductions_outnumbered_by_ordered_ones_keep_the_order() -> None:
    famous_first = [PEOPLE[1], PEOPLE[3], PEOPLE[0], PEOPLE[2], "Ana Diaz chaired the meeting.", "Diaz closed it.",
                    "Leo Park spoke.", "Park agreed."] + PARK_STORY[1:]
    found = introductions(famous_first)
    assert (found.late, found.in_order) == (2, 2)
    assert not order_is_informative(famous_first, np.linspace(1.0, 0.1, len(famous_first)), found)
    longer = famous_first + ["Eva Moss wrote it.", "Moss agreed."]
    found = introductions(longer)
    assert (found.late, found.in_order) == (2, 3)
    assert order_is_informative(longer, np.linspace(1.0, 0.1, len(longer)), found)


def test_without_a_readable_order_the_central_sentences_are_picked_not_the_first() -> None:
    assert select_sentences(PARK_STORY, "en", 3, ExtractiveSettings(order_check=False)) == [0, 1, 2]
    assert select_sentences(PARK_STORY, "en", 3, ExtractiveSettings()) == [1, 2, 6]


def test_a_story_read_in_order_keeps_its_lead() -> None:
    assert select_sentences(PARK_STORY[1:], "en", 3, ExtractiveSettings()) == [0, 1, 2]


@settings(deadline=None)  # timing never decides a test
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=MIN_SENTENCES - 1))
def test_the_order_check_never_changes_a_text_too_short_to_judge(rng: random.Random, count: int) -> None:
    sentences = rng.sample(PARK_STORY + PEOPLE, count)
    assert select_sentences(sentences, "en", 3, ExtractiveSettings()) == select_sentences(
        sentences, "en", 3, ExtractiveSettings(order_check=False)
    )
