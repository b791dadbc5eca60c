"""Every summary length keeps its budget whatever the text looks like: no capitals, one long sentence, Chinese."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarize import split_sentences
from summarize.config import ExtractiveSettings
from summarize.engines.base import LENGTH_SCALE
from summarize.engines.extractive import CUT_MARK, ExtractiveSummarizer, cut_to_budget
from summarize.text import has_balanced_quotes, length_units

SETTINGS = ExtractiveSettings()

# A transcript-like paragraph: no capitals, stops followed by lowercase words.
LOWERCASE_PARAGRAPH = (
    "the city council approved a new budget for the public libraries on tuesday night. "
    "the libraries will open on sundays and stay open until nine on weekdays. "
    "the council also approved money for new books, e.g. the children's collection. "
    "residents had asked for longer opening hours for years! "
    "some members worried about the cost of the extra staff. "
    "the mayor said the money would come from the parking fund."
)


def test_a_lowercase_paragraph_is_split_into_its_sentences() -> None:
    assert split_sentences(LOWERCASE_PARAGRAPH) == [
        "the city council approved a new budget for the public libraries on tuesday night.",
        "the libraries will open on sundays and stay open until nine on weekdays.",
        "the council also approved money for new books, e.g. the children's collection.",
        "residents had asked for longer opening hours for years!",
        "some members worried about the cost of the extra staff.",
        "the mayor said the money would come from the parking fund.",
    ]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("“Why?” he asked. nobody answered.", ["“Why?” he asked.", "nobody answered."]),
        ("i was... well, tired. we left at 5 p.m. on friday.", ["i was... well, tired.", "we left at 5 p.m. on friday."]),
        ("see smith et al. for more. approx. five people came.", ["see smith et al. for more.", "approx. five people came."]),
        ("what a day! we went home.", ["what a day!", "we went home."]),
    ],
)
def test_stops_before_lowercase_words(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_short_is_shorter_than_medium_on_a_lowercase_paragraph() -> None:
    summarizer = ExtractiveSummarizer(SETTINGS)
    short, medium = (summarizer.summarize_documents([LOWERCASE_PARAGRAPH], "en", length)[0].text for length in ("short", "medium"))
    assert length_units(short, "en") <= SETTINGS.words * LENGTH_SCALE["short"]
    assert length_units(medium, "en") <= SETTINGS.words
    # Both are whole sentences of the paragraph (the budget fits them): the short one by content alone (the budget
    # and the books), the medium one the lead three.
    sentences = split_sentences(LOWERCASE_PARAGRAPH)
    assert split_sentences(short) == [sentences[0], sentences[2]]
    assert split_sentences(medium) == sentences[:3]


ONE_LONG_SENTENCE = (
    "the council met for six hours on tuesday, and after a long debate about the cost of the extra staff, "
    "the opening hours and the parking fund that would pay for both, it approved the budget for the libraries "
    "by seven votes to two, with the mayor promising a review of the first year in the spring"
)


@pytest.mark.parametrize(
    ("budget", "expected"),
    [
        (20, "the council met for six hours on tuesday, and after a long debate about the cost of the extra staff…"),
        (8, "the council met for six hours on tuesday…"),
        (3, "the council met…"),
    ],
)
def test_a_sentence_over_the_budget_is_cut_after_a_clause_or_a_word(budget: int, expected: str) -> None:
    assert cut_to_budget(ONE_LONG_SENTENCE, "en", budget) == expected
    assert length_units(expected, "en") <= budget


def test_an_unpunctuated_transcript_keeps_the_short_budget() -> None:
    summarizer = ExtractiveSummarizer(SETTINGS)
    (summary,) = summarizer.summarize_documents([ONE_LONG_SENTENCE], "en", "short")
    assert summary.text == cut_to_budget(ONE_LONG_SENTENCE, "en", round(SETTINGS.words * LENGTH_SCALE["short"]))
    assert summary.text.endswith(CUT_MARK)


CHINESE_LONG = "市议会周二晚上经过六个小时的讨论，以七票对两票通过了图书馆的新预算，市长承诺明年春天对第一年的情况进行评估并向市民公布结果"


def test_a_chinese_sentence_is_cut_in_characters_after_a_clause() -> None:
    assert cut_to_budget(CHINESE_LONG, "zh", 40) == "市议会周二晚上经过六个小时的讨论，以七票对两票通过了图书馆的新预算…"
    assert cut_to_budget(CHINESE_LONG, "zh", 12) == "市议会周二晚上经过六个…"


def test_a_cut_inside_a_quotation_closes_it() -> None:
    quoted = "“我们会在明年春天评估第一年的情况，并向所有市民公布结果，”市长说。"
    assert cut_to_budget(quoted, "zh", 22) == "“我们会在明年春天评估第一年的情况…”"  # 20 characters: the clause
    assert cut_to_budget(quoted, "zh", 16) == "“我们会在明年春天评估…”"  # words: the clause is over 16 with its marks
    assert all(has_balanced_quotes(cut_to_budget(quoted, "zh", budget)) for budget in range(2, 40))
    english = cut_to_budget('he said "we will review the first year in the spring and publish it" on tuesday', "en", 6)
    assert english == 'he said "we will review the…"'


WORDS = st.sampled_from(["the", "council", "met,", "on", "tuesday;", "budget", "“libraries", "open”", "—", "books"])


@settings(max_examples=200, deadline=None)
@given(words=st.lists(WORDS, min_size=1, max_size=60), budget=st.integers(min_value=1, max_value=40))
def test_cuts_keep_the_budget_and_whole_words(words: list[str], budget: int) -> None:
    sentence = " ".join(words)
    cut = cut_to_budget(sentence, "en", budget)
    assert length_units(cut, "en") <= budget
    if cut != sentence:
        kept = cut.rstrip("”\"").removesuffix(CUT_MARK).split()  # the quotes it closed, then the mark
        assert kept == words[: len(kept)] or kept[:-1] == words[: len(kept) - 1]  # the last may lose its comma
        assert all(word in words or word.rstrip(",;") in [w.rstrip(",;") for w in words] for word in kept)
