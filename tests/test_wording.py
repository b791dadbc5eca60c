"""Messages worded per surface: the same error names API fields, CLI flags or UI controls."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarize import InputError, Service, load_settings
from summarize.cli import CLI_WORDS
from summarize.wording import Argument, Message, in_words

ENGLISH = (Path(__file__).resolve().parent.parent / "examples" / "article_en.txt").read_text(encoding="utf-8")
NAMES = st.sampled_from(["target_lang", "source_lang", "length", "text", "texts[3]"])
PARTS = st.lists(st.one_of(st.text(max_size=12), NAMES.map(Argument)), max_size=8)


@given(PARTS)
def test_a_message_reads_as_the_api_words(parts: list[str | Argument]) -> None:
    expected = "".join(part.name if isinstance(part, Argument) else part for part in parts)
    message = Message(*parts)
    assert str(message) == expected == message.in_words({})
    assert str(InputError(message)) == expected


@given(PARTS, st.dictionaries(NAMES, st.text(min_size=1, max_size=8)))
def test_in_words_replaces_only_the_arguments(parts: list[str | Argument], vocabulary: dict[str, str]) -> None:
    expected = "".join(vocabulary.get(part.name, part.name) if isinstance(part, Argument) else part for part in parts)
    assert Message(*parts).in_words(vocabulary) == expected
    assert pickle.loads(pickle.dumps(InputError(Message(*parts)))).in_words(vocabulary) == expected


def test_plain_text_is_not_reworded() -> None:
    assert in_words("target_lang is wrong", CLI_WORDS) == "target_lang is wrong"
    assert InputError("target_lang is wrong").in_words(CLI_WORDS) == "target_lang is wrong"


@pytest.fixture(scope="module")
def offline() -> Service:
    return Service(load_settings(overrides={"summarize.engine": "extractive"}, environ={}))


SURFACES = [
    ({}, "text is already in 'en'; translation goes en->zh or zh->en, so set target_lang to the other language"),
    (
        {**CLI_WORDS, "text": "news.txt"},
        "news.txt is already in 'en'; translation goes en->zh or zh->en, so set --to to the other language",
    ),
]


@pytest.mark.parametrize(("vocabulary", "message"), SURFACES)
def test_one_error_in_each_surfaces_words(offline: Service, vocabulary: dict[str, str], message: str) -> None:
    with pytest.raises(InputError) as raised:
        offline.translate(ENGLISH, "en")
    assert raised.value.in_words(vocabulary) == message


CONTRADICTION = (
    "the text looks English, but {flag} says 'zh': it was treated as Chinese (leave {flag} out to have the "
    "language detected)"
)


def test_a_given_language_contradicting_the_detection_gets_a_note(offline: Service) -> None:
    result = offline.summarize(ENGLISH, source_lang="zh")
    assert (result.source_lang, result.target_lang) == ("zh", "zh")
    assert result.notes == (CONTRADICTION.format(flag="source_lang"),)
    assert in_words(result.notes[0], CLI_WORDS) == CONTRADICTION.format(flag="--from")


@pytest.mark.parametrize(
    ("text", "given_lang"),
    [
        (ENGLISH, "en"),  # agrees
        ("The council met on Monday. 市议会周一开会，讨论了公园计划和预算。", "en"),  # mixed: not a confident detection
        ("Le conseil municipal a voté le plan et les travaux vont commencer dans la ville.", "en"),  # undetectable
    ],
)
def test_no_note_unless_the_detection_is_confident_and_different(offline: Service, text: str, given_lang: str) -> None:
    assert offline.summarize(text, source_lang=given_lang).notes == ()
