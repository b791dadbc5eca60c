"""The extractive engine's picks spread over the text: diversity, and stories found inside stories."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarize.config import ConfigError, ExtractiveSettings
from summarize.config.loader import load_settings
from summarize.engines.extractive import (
    SimilarityIndex,
    cosine,
    select_sentences,
    sentence_features,
    tfidf_vectors,
)
from summarize.engines.page import read_page
from summarize.engines.stories import story_boundaries

LIBRARY_NEWS = [
    "The city council approved a new budget for the public libraries on Tuesday.",
    "Council members said the budget was the largest in ten years.",  # restates the first (cosine 0.2)
    "The mayor said the money would come from the parking fund.",
    "Readers can borrow films and games as well as books.",
]


def test_past_a_medium_summary_a_sentence_that_restates_a_picked_one_gives_way() -> None:
    by_position = ExtractiveSettings(sentences=1, position_weight=1.0)  # a medium summary of one sentence
    # By position alone the restatement comes second; diversity takes the next fact instead.
    assert select_sentences(LIBRARY_NEWS, "en", 2, replace(by_position, diversity=0.0)) == [0, 1]
    assert select_sentences(LIBRARY_NEWS, "en", 2, by_position) == [0, 2]
    assert select_sentences(LIBRARY_NEWS, "en", 3, by_position) == [0, 2, 3]
    # The first `sentences` picks follow the score alone: a news lead is not broken up.
    assert select_sentences(LIBRARY_NEWS, "en", 2, replace(by_position, sentences=2)) == [0, 1]


@pytest.mark.parametrize("value", ["-0.5", ".nan"])
def test_diversity_must_not_be_negative(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(overrides={"summarize.extractive.diversity": value}, environ={})
    shown = "nan" if value == ".nan" else value
    assert str(caught.value) == f"setting 'summarize.extractive.diversity' must be 0 or more, not {shown}"


_TERMS = st.sampled_from([f"t{index}" for index in range(12)])


@given(st.lists(st.lists(_TERMS, max_size=6), min_size=1, max_size=12), st.data())
def test_the_similarity_index_gives_every_cosine(features: list[list[str]], data: st.DataObject) -> None:
    vectors = tfidf_vectors(features)
    index = data.draw(st.integers(0, len(vectors) - 1))
    similar = SimilarityIndex(vectors).to(index)
    assert [round(value, 9) for value in similar] == [round(cosine(vectors[index], other), 9) for other in vectors]
    assert math.isclose(similar[index], 1.0) or not vectors[index]


BRIDGE = [
    "The city council of Riverton approved the new Harbor Bridge on Tuesday after a two-year debate.",
    "The bridge will cross the Mill River between the old port and the northern districts.",
    "Council member Ana Ortiz said the bridge would cut the morning commute by twenty minutes.",
    "Ortiz said construction of the bridge would start in March and last three years.",
    "Engineers from the Riverton transport office will inspect the river banks next month.",
    "The bridge is expected to carry thirty thousand cars and two thousand cyclists a day.",
    "Residents of the port district asked the council to add a footpath to the bridge.",
    "The bridge will have four lanes for cars and a separate lane for buses.",
    "Ortiz said the bridge would be lit with lamps powered by solar panels.",
    "The council expects the Harbor Bridge to open to traffic in the summer of the third year.",
    "A toll for trucks on the bridge will pay for its upkeep, the transport office said.",
]
ORCHESTRA = [
    "The Lakeside Youth Orchestra won first prize at the national music festival in Vienna on Saturday.",
    "The orchestra played a symphony by Dvorak and a new piece by its conductor, Malik Osei.",
    "Osei said the young musicians had rehearsed every weekend since September.",
    "The jury praised the violins and the brass section for their precise playing.",
    "The prize includes a concert tour of four European cities next summer.",
]
DROUGHT = [
    "Farmers in the Dry Valley region are facing the worst drought in forty years, officials said on Monday.",
    "Rainfall in the valley has been a third of the normal level since January.",
    "Wheat and barley harvests are expected to fall by half, the regional farm agency said.",
    "Agency director Lena Brandt said wells in several villages had run dry.",
    "Brandt said trucks would deliver water to the villages twice a week.",
    "The government promised emergency loans to farmers who lost their crops.",
    "Meteorologists expect little rain in the valley before the autumn.",
    "Brandt said the agency would pay farmers to dig deeper wells in the valley.",
    "Some farmers in the Dry Valley have sold their cattle because the pastures are bare.",
    "The drought has also lowered the level of the valley reservoir to a record low.",
    "Officials asked residents of the valley to water their gardens only at night.",
]


def _vectors(sentences: list[str]) -> list[dict[str, float]]:
    return tfidf_vectors([sentence_features(sentence, "en") for sentence in sentences])


def test_a_short_story_between_two_long_ones_is_found_by_searching_again() -> None:
    # The first search sees the bridge story end; the orchestra's five sentences hide in the blocks of the
    # drought story until the text after the bridge is searched on its own.
    assert story_boundaries(_vectors(BRIDGE + ORCHESTRA + DROUGHT)) == [11, 16]


def test_a_boundary_moves_to_the_paragraph_break_next_to_it() -> None:
    # The bridge story's last sentence is about the orchestra, so the words change one sentence early.
    bridge = BRIDGE[:7] + ["Ortiz said the Lakeside Youth Orchestra would play at the opening of the bridge."]
    stories = [bridge, ORCHESTRA + ["Osei said the orchestra would record its festival program as an album."], DROUGHT[:7]]
    vectors = _vectors([sentence for story in stories for sentence in story])
    assert story_boundaries(vectors) == [7, 14]
    paragraphs = read_page("\n\n".join(" ".join(story) for story in stories)).paragraphs
    assert story_boundaries(vectors, paragraphs) == [8, 14]
    one_paragraph = read_page(" ".join(" ".join(story) for story in stories)).paragraphs
    assert story_boundaries(vectors, one_paragraph) == [7, 14]
