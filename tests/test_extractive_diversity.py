"""The extractive engine's picks spread over the text: diversity, and stories found inside stories."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from news_stories import (
    BRIDGE,
    DROUGHT,
    HARVEST_BRIEF,
    LONGER_BRIDGE,
    LONGER_DROUGHT,
    MUSEUM_BRIEF,
    ORCHESTRA,
    SUBWAY_BRIEF,
)

from summarize.config import ConfigError, ExtractiveSettings
from summarize.config.loader import load_settings
from summarize.engines import stories as stories_module
from summarize.engines.extractive import (
    ExtractiveSummarizer,
    SimilarityIndex,
    cosine,
    found_story_starts,
    select_sentences,
    sentence_features,
    tfidf_vectors,
)
from summarize.engines.order import opens_with_quotation
from summarize.engines.page import read_page
from summarize.engines.stories import (
    MIN_STORY_SENTENCES,
    gap_similarities,
    story_boundaries,
)
from summarize.text import split_sentences

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

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


def _vectors(sentences: list[str], lang: str = "en") -> list[dict[str, float]]:
    return tfidf_vectors([sentence_features(sentence, lang) for sentence in sentences])


def test_a_short_story_between_two_long_ones_is_found_by_searching_again() -> None:
    # The first search sees the bridge story end; the orchestra's five sentences hide in the blocks of the
    # drought story until the text after the bridge is searched on its own.
    assert story_boundaries(_vectors(LONGER_BRIDGE + ORCHESTRA[:5] + LONGER_DROUGHT)) == [11, 16]


def _bridge_orchestra_drought() -> tuple[list[list[str]], list[dict[str, float]]]:
    # The bridge story's last sentence is about the orchestra, so the words change one sentence early.
    bridge = BRIDGE + ["Ortiz said the Lakeside Youth Orchestra would play at the opening of the bridge."]
    stories = [bridge, ORCHESTRA, DROUGHT]
    return stories, _vectors([sentence for story in stories for sentence in story])


def test_a_boundary_moves_to_where_the_whole_stories_around_it_share_least() -> None:
    _, vectors = _bridge_orchestra_drought()
    block = gap_similarities(vectors, MIN_STORY_SENTENCES)  # 22 sentences: blocks of five
    assert min(range(5, 11), key=lambda gap: block[gap - 1]) == 7  # the blocks' minimum: a sentence early
    assert story_boundaries(vectors) == [8, 15]  # the bridge's last sentence shares its story's names


def test_a_placed_boundary_leaves_every_story_its_minimum() -> None:
    # Topics a (sentences 0-7), b (8-12), c (13-22), found two sentences early at 6 and 11: the first may not
    # move to 8, which would leave the story up to 11 three sentences; the second moves to 13.
    vectors = tfidf_vectors([["alpha"]] * 8 + [["beta"]] * 5 + [["gamma"]] * 10)
    assert stories_module._placed(vectors, [6, 11]) == [6, 13]
    assert stories_module._placed(vectors, [6, 13]) == [8, 13]


def test_a_boundary_moves_to_the_paragraph_break_next_to_it() -> None:
    stories, vectors = _bridge_orchestra_drought()
    paragraphs = read_page("\n\n".join(" ".join(story) for story in stories)).paragraphs
    assert story_boundaries(vectors, paragraphs) == [8, 15]
    one_paragraph = read_page(" ".join(" ".join(story) for story in stories)).paragraphs
    assert story_boundaries(vectors, one_paragraph) == [8, 15]
    # The writer's paragraphs outrank the words: the bridge's last sentence opens the orchestra's paragraph.
    assert story_boundaries(vectors, [0] * 7 + [1] * 8 + [2] * 7) == [7, 15]
    # Breaks one sentence either side of 7, as near: the one whose neighbours share less (the seam) wins.
    bridge_in_two = [0] * 6 + [1] * 2 + [2] * 7 + [3] * 7
    assert stories_module._snapped(vectors, [7, 15], bridge_in_two) == [8, 15]


def test_each_story_check_compares_a_bounded_part(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two hundred made-up topics of five sentences: a story every five sentences, found by searching again
    # inside the stories found; no whole-part check may sum more than MAX_PART_SENTENCES vectors a side.
    sizes: list[int] = []
    real_summed = stories_module._summed
    monkeypatch.setattr(stories_module, "_summed", lambda vectors: sizes.append(len(vectors)) or real_summed(vectors))
    features = [[f"topic{index // 5}a", f"topic{index // 5}b"][index % 2 :] for index in range(1000)]
    starts = story_boundaries(tfidf_vectors(features))
    assert starts and all(start % 5 == 0 for start in starts)  # every boundary found falls between two topics
    assert max(sizes) == stories_module.MAX_PART_SENTENCES


def test_three_short_chinese_briefs_are_told_apart() -> None:
    # Nine sentences: too few for blocks, so every cut is tried; each brief's lead opens its story.
    briefs = SUBWAY_BRIEF + MUSEUM_BRIEF + HARVEST_BRIEF
    assert story_boundaries(_vectors(briefs, "zh")) == [3, 6]
    (summary,) = ExtractiveSummarizer(ExtractiveSettings()).summarize_documents(["".join(briefs)], "zh", "medium")
    assert split_sentences(summary.text) == [briefs[0], briefs[3], briefs[6]]


@pytest.mark.parametrize(
    ("story", "lang"),
    [(BRIDGE, "en"), (ORCHESTRA, "en"), (DROUGHT, "en"), (LONGER_BRIDGE[:12], "en"), (SUBWAY_BRIEF, "zh"),
     (MUSEUM_BRIEF + ["展厅每周一闭馆，其他时间上午九点开放。"], "zh")],
)
def test_a_short_single_story_is_not_cut(story: list[str], lang: str) -> None:
    assert story_boundaries(_vectors(story, lang)) == []


def test_a_quotation_never_opens_a_story_of_a_short_text() -> None:
    # The example article's eleven sentences are cut by cut; its quoted neighbour shares no word with the rest.
    page = read_page((EXAMPLES / "article_en.txt").read_text(encoding="utf-8"))
    features = [sentence_features(sentence, "en") for sentence in page.sentences]
    vectors = tfidf_vectors(features)
    assert page.sentences[5].startswith('"Our children')
    assert story_boundaries(vectors, page.paragraphs) == [4, 7]  # without the guard: the quotation is a story
    assert found_story_starts(page, "en", features) == []


@pytest.mark.parametrize(
    ("sentence", "quoted"),
    [('"We are ready," she said.', True), ("“这改变了一切。”", True), ("「开放了。」", True), ("'Yes,' he said.", True),
     ("‘Now,’ she said.", True), ('She said: "We are ready."', False), ("他说：“这改变了一切。”", False)],
)
def test_opens_with_quotation(sentence: str, quoted: bool) -> None:
    assert opens_with_quotation(sentence) is quoted
