"""The extractive engine on text that is not one tidy story: several stories without headlines, and lists."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from news_stories import (
    BRIDGE,
    DROUGHT,
    HARVEST_BRIEF,
    HOUSING,
    LONGER_BRIDGE,
    MUSEUM_BRIEF,
    NIGHT_MARKET,
    ORCHESTRA,
    SUBWAY_BRIEF,
    VALLEY_FIRE,
)

from summarize import split_sentences
from summarize.config import ExtractiveSettings
from summarize.engines import extractive
from summarize.engines.extractive import (
    ExtractiveSummarizer,
    StoryTurns,
    found_story_starts,
    leaving_room,
    select,
    sentence_features,
    tfidf_vectors,
    with_stories,
)
from summarize.engines.page import Page, read_page
from summarize.engines.stories import story_boundaries

STORIES = [BRIDGE, ORCHESTRA, DROUGHT]
ALL = BRIDGE + ORCHESTRA + DROUGHT


def _vectors(sentences: list[str]) -> list[dict[str, float]]:
    return tfidf_vectors([sentence_features(sentence, "en") for sentence in sentences])


def test_the_stories_of_a_text_without_headlines_are_found() -> None:
    assert story_boundaries(_vectors(ALL)) == [7, 14]


def test_one_story_is_not_split() -> None:
    for story in STORIES:
        assert story_boundaries(_vectors(story + story)) == []  # one topic throughout, however long


@pytest.mark.parametrize("joiner", [" ", "\n", "\n\n", "\n---\n"], ids=["one paragraph", "lines", "blank lines", "separators"])
def test_the_long_summary_gives_each_story_its_share_in_input_order(joiner: str) -> None:
    text = joiner.join(" ".join(story) for story in STORIES) if joiner != "\n" else "\n".join(ALL)
    (summary,) = ExtractiveSummarizer(ExtractiveSettings()).summarize_documents([text], "en", "long")
    picked = [ALL.index(sentence) for sentence in split_sentences(summary.text)]
    # Each story's lead, then one more of each story's sentences, stories in input order: past the first three
    # picks diversity counts, and on found stories position counts half as much as on headed ones, so the
    # orchestra's and the drought's second picks add to their leads (the rehearsals, the dry wells) rather
    # than restate them.
    assert picked == [0, 1, 7, 9, 14, 17]


def test_two_stories_on_one_topic_are_told_apart_by_the_story_between_them() -> None:
    # The housing story shares the bridge story's town and council: each parted from the whole rest of the
    # text, the bridge story and the housing story look alike (cosine 0.15 and 0.18: the old check found no
    # story); parted from the orchestra between them (0.02 and 0.05), both boundaries hold, and the two town
    # stories share 0.21, too little for one story resumed after a digression.
    assert story_boundaries(_vectors(BRIDGE + ORCHESTRA + HOUSING)) == [7, 14]


def test_a_long_summary_tells_apart_two_stories_on_one_topic() -> None:
    # The fire story shares the drought story's valley, dry grass and wells: cosine 0.11, one story by the
    # finder's bar (0.1), two for a long summary (0.13), which then takes the fire story's lead.
    stories = [DROUGHT, VALLEY_FIRE, ORCHESTRA]
    page = read_page(" ".join(" ".join(story) for story in stories))
    features = [sentence_features(sentence, "en") for sentence in page.sentences]
    assert found_story_starts(page, "en", features) == [14]
    assert found_story_starts(page, "en", features, long=True) == [7, 14]
    summarizer = ExtractiveSummarizer(ExtractiveSettings())
    (long,) = summarizer.summarize_documents([" ".join(page.sentences)], "en", "long")
    assert split_sentences(long.text) == [DROUGHT[0], DROUGHT[3], VALLEY_FIRE[0], VALLEY_FIRE[6], ORCHESTRA[0],
                                          ORCHESTRA[2]]  # as one story: the fire's third sentence, not its lead
    (medium,) = summarizer.summarize_documents([" ".join(page.sentences)], "en", "medium")
    assert split_sentences(medium.text) == [DROUGHT[0], VALLEY_FIRE[6], ORCHESTRA[0]]
    # Under one headline the drought and the fire stay one story, long or not: the headline says where it starts.
    headed = read_page(f"Drought in Dry Valley\n{' '.join(DROUGHT + VALLEY_FIRE)}\n\nOrchestra wins in Vienna\n"
                       + " ".join(ORCHESTRA))
    assert found_story_starts(headed, "en", [sentence_features(text, "en") for text in headed.sentences], long=True) == []
    # A section of fewer than 20 sentences keeps the strict bar: six sentences already spread over it.
    for orchestra_sentences, starts in ((5, [14]), (6, [7, 14])):
        shorter = read_page(" ".join(DROUGHT + VALLEY_FIRE + ORCHESTRA[:orchestra_sentences]))
        features = [sentence_features(text, "en") for text in shorter.sentences]
        assert len(shorter.sentences) == 14 + orchestra_sentences
        assert found_story_starts(shorter, "en", features, long=True) == starts


def test_a_last_sentence_alone_does_not_hide_a_boundary() -> None:
    # The closing line shares no word with the orchestra story, so the last gap, whose block after it is that
    # line alone, has similarity 0; one sentence says nothing of cohesion, and it no longer masks the
    # orchestra story's start from the local-minimum test.
    closing = "Comments on this story are closed."
    assert story_boundaries(_vectors(BRIDGE + ORCHESTRA[:5] + [closing])) == [7]


MILL_HISTORY = [  # a digression for the bridge story: the river's past, in words the bridge story never uses
    "A century ago the valley's mills sent flour and timber downstream on flat barges.",
    "Steam tugs pulled the barges past the salt marshes to the sea.",
    "When the railway arrived, the barge trade declined and the mills closed one by one.",
    "Today the last mill houses a small museum of farm tools and old photographs.",
    "Volunteers give tours of its water wheel on the first Sunday of every month.",
    "Schoolchildren visit the museum each spring to grind flour by hand.",
    "The museum's founder, a retired miller, wrote a book about the barge trade.",
]
BRIDGE_END = [
    "Ortiz said the council had rejected a tunnel under the river as too expensive.",
    "The bridge will be built by a company from the capital that won the tender in May.",
    "Cyclists welcomed the plan and asked the council for a lane on both sides of the bridge.",
]


def test_a_story_that_resumes_after_a_digression_is_one_story(monkeypatch: pytest.MonkeyPatch) -> None:
    from summarize.engines import stories

    vectors = _vectors(LONGER_BRIDGE[:7] + MILL_HISTORY + LONGER_BRIDGE[7:] + BRIDGE_END)
    # The history shares nothing with the bridge story on either side, but the bridge story's two parts
    # share much (0.32): the history is a digression, not a story.
    assert story_boundaries(vectors) == []
    monkeypatch.setattr(stories, "MAX_RESUMED_SIMILARITY", 1.0)
    assert story_boundaries(vectors) == [7, 14]


def test_stories_are_found_inside_a_headed_section() -> None:
    # A photo caption in the bridge story reads as a headline; the drought story after the orchestra's
    # is found inside the caption's section, and the long summary covers all three stories.
    text = "\n\n".join([" ".join(BRIDGE[:4]), "Ortiz at the council meeting on Tuesday", " ".join(BRIDGE[4:]),
                         " ".join(ORCHESTRA), " ".join(DROUGHT)])
    page = read_page(text)
    assert page.sections == [0] * 4 + [1] * 17
    starts = found_story_starts(page, "en", [sentence_features(sentence, "en") for sentence in page.sentences])
    assert starts == [14]  # the orchestra's story starts three sentences in: too close to tell apart
    found = with_stories(page, starts)
    assert found.sections == [0] * 4 + [1] * 10 + [2] * 7
    assert found.headlines == ["", "Ortiz at the council meeting on Tuesday", ""]
    (summary,) = ExtractiveSummarizer(ExtractiveSettings()).summarize_documents([text], "en", "long")
    everything = BRIDGE + ORCHESTRA + DROUGHT
    assert [everything.index(sentence) for sentence in split_sentences(summary.text)] == [0, 4, 6, 7, 14, 15]


@given(st.lists(st.integers(1, 6), min_size=1, max_size=6), st.data())
def test_stories_found_cut_sections_and_keep_their_headlines(sizes: list[int], data: st.DataObject) -> None:
    sections = [section for section, size in enumerate(sizes) for _ in range(size)]
    headlines = [f"headline {section}" for section in range(len(sizes))]
    page = Page([f"sentence {index}" for index in range(len(sections))], sections, sections, headlines)
    inside = [index for index in range(1, len(sections)) if sections[index] == sections[index - 1]]
    starts = sorted(data.draw(st.sets(st.sampled_from(inside))) if inside else [])
    found = with_stories(page, starts)
    firsts = [index for index in range(len(sections)) if index == 0 or found.sections[index] != found.sections[index - 1]]
    assert firsts == sorted(starts + [index for index in range(len(sections)) if index == 0 or sections[index] != sections[index - 1]])
    assert found.sections == sorted(found.sections) and found.sections[-1] == len(found.headlines) - 1
    assert [found.headlines[found.sections[index]] for index in firsts] == [
        "" if index in starts else headlines[sections[index]] for index in firsts
    ]  # each headed section keeps its headline; a story found inside it has none


@pytest.mark.parametrize("joiner", [" ", "\n"], ids=["run together", "one a line"])
def test_a_headed_digest_is_not_split_further(joiner: str) -> None:
    titles = ["Harbor Bridge approved", "Orchestra wins in Vienna", "Drought in Dry Valley"]
    page = read_page("\n\n".join(f"{title}\n{joiner.join(story)}" for title, story in zip(titles, STORIES, strict=True)))
    assert page.sections == [0] * 7 + [1] * 7 + [2] * 7
    assert found_story_starts(page, "en", [sentence_features(sentence, "en") for sentence in page.sentences]) == []


def test_one_sentence_a_headed_story_goes_by_its_headline_and_content(monkeypatch: pytest.MonkeyPatch) -> None:
    # The night market story opens with a scene; its news is its second sentence, nearest its headline.
    titles = ["Riverton opens a night market", "Orchestra wins in Vienna", "Drought in Dry Valley"]
    stories = [NIGHT_MARKET, ORCHESTRA, DROUGHT]
    headed = read_page("\n\n".join(f"{title}\n{' '.join(story)}" for title, story in zip(titles, stories, strict=True)))
    # The museum brief's headline names its second sentence's bronzes.
    briefs = [SUBWAY_BRIEF, MUSEUM_BRIEF, HARVEST_BRIEF]
    chinese_titles = ["地铁三号线延长运营", "博物馆展出两百多件青铜器", "早稻进入收割高峰"]
    chinese = read_page("\n\n".join(f"{title}\n{''.join(brief)}" for title, brief in zip(chinese_titles, briefs, strict=True)))
    settings = ExtractiveSettings()
    assert select(headed, "en", 3, settings) == [1, 5, 12]
    assert select(chinese, "zh", 3, settings) == [0, 4, 6]
    # Two a story: the lead prior counts again.
    assert select(headed, "en", 6, settings) == [0, 1, 5, 6, 12, 13]
    assert select(chinese, "zh", 6, settings) == [0, 1, 3, 4, 6, 7]
    # With the prior, one a story would be each story's first sentence.
    monkeypatch.setattr(extractive, "ONE_A_HEADED_STORY_POSITION_WEIGHT", settings.position_weight)
    assert select(headed, "en", 3, settings) == [0, 5, 12]
    assert select(chinese, "zh", 3, settings) == [0, 3, 6]
    # Stories found by their words keep the prior (content alone would take the drought's sentence 15).
    found = read_page("\n\n".join(" ".join(story) for story in stories))
    assert select(found, "en", 3, settings) == [2, 5, 12]
    assert select(found, "en", 3, ExtractiveSettings(position_weight=0.0)) == [2, 5, 15]


def test_a_short_summary_of_stories_found_by_their_words_keeps_the_lead_prior() -> None:
    text = "\n\n".join(" ".join(story) for story in STORIES)
    (summary,) = ExtractiveSummarizer(ExtractiveSettings()).summarize_documents([text], "en", "short")
    assert summary.text == f"{BRIDGE[0]} {BRIDGE[1]}"
    # Content alone (short_english_position_weight on a single story) takes the bridge's footpath line.
    (by_content,) = ExtractiveSummarizer(ExtractiveSettings(position_weight=0.0)).summarize_documents([text], "en", "short")
    assert by_content.text == f"{BRIDGE[0]} {BRIDGE[6]}"


def test_a_story_found_between_headed_ones_leaves_each_headline_with_its_story() -> None:
    # The orchestra story, pasted under the bridge story's headline, is found; the drought story keeps its own
    # headline, which names its fifth sentence (the water trucks): that sentence is the story's second pick.
    text = "\n\n".join(["Harbor Bridge approved\n" + " ".join(BRIDGE + ORCHESTRA),
                         "Trucks bring water to dry villages\n" + " ".join(DROUGHT)])
    page = read_page(text)
    assert found_story_starts(page, "en", [sentence_features(sentence, "en") for sentence in page.sentences]) == [7]
    picked = select(page, "en", 6, ExtractiveSettings(), max_units=200)
    assert picked == [0, 1, 7, 9, 14, 18]
    assert page.sentences[18] == DROUGHT[4]  # with the headlines out of step, the drought story's third sentence


def test_room_is_left_for_as_many_stories_as_fit() -> None:
    units = np.array([45, 30, 15, 15])
    sections = np.array([0, 0, 1, 2])
    candidates = np.ones(4, dtype=bool)
    # 80 words hold any first pick and a sentence of each other story.
    assert leaving_room(candidates, units, sections, 80, set()).tolist() == [True, True, True, True]
    # 50 words: no first pick leaves room for both other stories; leaving room for one, the 45-word lead is out.
    assert leaving_room(candidates, units, sections, 50, set()).tolist() == [False, True, True, True]
    # Story 0 covered, 20 words left: stories 1 and 2 cannot both fit; none leaves room (select takes what fits).
    assert leaving_room(candidates, units, sections, 20, {0}).tolist() == [False, False, False, False]


def test_a_long_lead_leaves_room_for_the_other_stories() -> None:
    lead = ("The city council of Riverton approved the new Harbor Bridge on Tuesday after a two-year debate in which "
            "residents, engineers, shop owners and the port authority argued over its height, its cost, its lanes "
            "and the noise it would bring to the old port district.")  # 45 words
    text = "\n\n".join(["Harbor Bridge approved\n" + " ".join([lead, *BRIDGE[1:]]),
                         "Orchestra wins in Vienna\n" + " ".join(ORCHESTRA), "Drought in Dry Valley\n" + " ".join(DROUGHT)])
    page = read_page(text)
    picked = select(page, "en", 6, ExtractiveSettings(), max_units=50)
    # The lead would leave 5 words, too few for any sentence of the other two stories (10 words at least): the
    # bridge story's next sentence (13 words) is taken instead, and every story's lead fits after it.
    assert picked == [1, 7, 14]
    assert sum(len(page.sentences[index].split()) for index in picked) == 49
    assert select(page, "en", 6, ExtractiveSettings(), max_units=200)[0] == 0  # with room, the lead


def test_shares_follow_story_length() -> None:
    turns = StoryTurns([0] * 6 + [1] * 3)  # a story of two thirds and one of a third
    order = []
    for _ in range(9):
        order.append(turns.next_story({0, 1}))
        turns.taken(order[-1])
    # Each story's first in story order; then story 0 every 1.5 places, story 1 every 3 (ties: story order).
    assert order == [0, 1, 0, 0, 1, 0, 0, 1, 0]
    assert turns.next_story({1}) == 1  # a story with no candidate left gives its turn away


SHUFFLED_NOTES = [
    "- parking fees in the old town rise by a fifth in May.",
    "- the library will open on sundays from June.",
    "- the council approved the new budget for the libraries, the parks and the buses by seven votes to two.",
    "- the parks get new benches.",
    "- the budget adds two bus lines to the northern districts.",
]


def test_a_list_is_summarized_by_content_not_by_position() -> None:
    assert read_page("\n".join(SHUFFLED_NOTES)).is_list
    summarizer = ExtractiveSummarizer(ExtractiveSettings())
    (summary,) = summarizer.summarize_documents(["\n".join(SHUFFLED_NOTES)], "en", "medium")
    # The items that share most with the others (budget, parks, buses), not the first ones; one a line.
    assert summary.text == "\n".join([SHUFFLED_NOTES[2], SHUFFLED_NOTES[3], SHUFFLED_NOTES[4]])
    # The same sentences as one paragraph read as a story, lead first.
    (story,) = summarizer.summarize_documents([" ".join(item[2:] for item in SHUFFLED_NOTES)], "en", "medium")
    assert split_sentences(story.text) == [item[2:] for item in SHUFFLED_NOTES[:3]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- one\n- two\n- three", True),
        ("1. one\n2. two\n3) three\nA closing line.", True),
        ("一、第一\n二、第二\n三、第三", True),
        ("- one\n- two\nA line.\nAnother line.", False),  # half the lines: not a list
        ("The council met.\n- one item", False),
    ],
)
def test_what_is_a_list(text: str, expected: bool) -> None:
    from summarize.engines.page import is_list

    assert is_list(text) is expected
