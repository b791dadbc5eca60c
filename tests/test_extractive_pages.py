"""The extractive engine on page-like articles: furniture never in a summary, the lead kept, Chinese
quotations whole, lengths in words and characters, digests covered beyond their first story."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from pages import ARTICLES, DIGESTS, FURNITURE_KINDS, PageArticle

from summarize import Service, split_sentences
from summarize.charclasses import HAN
from summarize.config import ExtractiveSettings, load_settings
from summarize.engines.extractive import ExtractiveSummarizer, select_sentences
from summarize.engines.page import is_furniture, read_page
from summarize.text import (
    has_balanced_quotes,
    join_sentences,
    length_units,
    normalize_text,
)

LENGTHS = ("short", "medium", "long")


@pytest.fixture(scope="module")
def service() -> Service:
    return Service(load_settings(None, {"summarize.engine": "extractive"}, environ={}))


def test_the_test_set_has_twenty_articles_in_both_languages_with_every_kind_of_furniture() -> None:
    assert len(ARTICLES) >= 20
    for lang in ("en", "zh"):
        kinds = {kind for article in ARTICLES if article.lang == lang for kind, _ in article.lines}
        assert kinds >= set(FURNITURE_KINDS), (lang, set(FURNITURE_KINDS) - kinds)


def _story_sentences(article: PageArticle) -> set[str]:
    return {sentence for line in article.story for sentence in split_sentences(line)}


@pytest.mark.parametrize("article", ARTICLES + DIGESTS, ids=lambda article: article.name)
@pytest.mark.parametrize("length", LENGTHS)
def test_no_furniture_in_any_summary_and_no_glued_lines(service: Service, article: PageArticle, length: str) -> None:
    summary = service.summarize(article.text, source_lang=article.lang, length=length).text
    for line in article.furniture:
        assert line not in summary
    sentences = split_sentences(summary)
    assert sentences and set(sentences) <= _story_sentences(article)


@pytest.mark.parametrize("article", [a for a in ARTICLES if a.lead_first], ids=lambda article: article.name)
def test_the_opening_sentence_is_in_the_medium_summary(service: Service, article: PageArticle) -> None:
    opening = split_sentences(article.story[0])[0]
    summary = service.summarize(article.text, source_lang=article.lang, length="medium").text
    assert summary.startswith(opening)


@pytest.mark.parametrize("digest", DIGESTS, ids=lambda article: article.name)
def test_the_long_summary_of_a_digest_covers_more_than_the_first_story(service: Service, digest: PageArticle) -> None:
    summary = service.summarize(digest.text, source_lang=digest.lang, length="long").text
    stories = {index for index, line in enumerate(digest.story) for sentence in split_sentences(summary)
               if sentence in split_sentences(line)}
    assert 0 in stories and len(stories) > 1


def test_a_page_is_read_into_its_story_sentences_and_headline() -> None:
    page = read_page(ARTICLES[0].text)
    assert page.sentences == [sentence for line in ARTICLES[0].story for sentence in split_sentences(line)]
    assert page.paragraphs == [3, 3, 5, 5, 6, 6]
    assert page.headlines == ["Harbour Bridge Reopens After Repairs Harbour Bridge reopens"]


def test_headlines_after_story_text_start_new_sections() -> None:
    page = read_page(DIGESTS[1].text)
    assert page.headlines == ["今日要闻", "风暴导致沿海停电", "马拉松刷新纪录"]
    assert page.sections == [0, 0, 0, 1, 1, 2, 2]


def test_a_page_of_furniture_only_keeps_its_lines() -> None:
    assert read_page("Harbour Bridge Reopens\n\n2024-05-02").sentences == ["Harbour Bridge Reopens", "2024-05-02"]


@pytest.mark.parametrize(
    ("text", "furniture"),
    [
        ("By Maria Lopez and Tom Reid", True),
        ("Written by Sam Okafor", True),
        ("Photo: Cars cross the bridge.", True),
        ("Related: Ferry fares to rise", True),
        ("Share this article", True),
        ("© 2024 Harbour City Daily.", True),
        ("EP07: Metro Desk", True),
        ("3,412 views · 27 comments", True),
        ("Updated 07:45 GMT, 9 November 2024", True),
        ("记者：王小明", True),
        ("图为修复室里的这幅画。（新华社记者 张伟 摄）", True),
        ("相关阅读：渡轮票价七月起上调", True),
        ("版权所有，未经授权禁止转载。", True),
        ("第7期：城市观察", True),
        ("浏览 3412 次  评论 27", True),
        ("More than two hundred people were hurt.", False),
        ("By 2030 the city wants every bus to be electric.", False),
        ("Share prices fell by a tenth on Monday.", False),
        ("Photographs of the flood spread quickly.", False),
        ("图书馆工作日开放到晚上九点。", False),
        ("记者会上，市长宣布了新计划。", False),
    ],
)
def test_furniture_lines_and_sentences_that_only_look_like_it(text: str, furniture: bool) -> None:
    assert is_furniture(text) is furniture


# --------------------------------------------------------------------------- Chinese quotations


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("他说：“目前我们保持按兵不动。我们会观察。”随后离开。", ["他说：“目前我们保持按兵不动。我们会观察。”", "随后离开。"]),
        ("店主说：「我们支持。『停车』也重要。」市政府回应。", ["店主说：「我们支持。『停车』也重要。」", "市政府回应。"]),
        ("“好。走吧”，他说。然后离开。", ["“好。走吧”，他说。", "然后离开。"]),
        ("他说：“目前我们保持按兵不动。我们会观察。", ["他说：“目前我们保持按兵不动。", "我们会观察。"]),
        ("“We will build. We will build well,” she said. Then she left.", ["“We will build. We will build well,” she said.", "Then she left."]),
    ],
)
def test_quotations_are_not_cut(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


@pytest.mark.parametrize(
    ("sentences", "joined"),
    [
        (["他说：“好。”", "随后离开。"], "他说：“好。”随后离开。"),
        (["市长说。", "“我们会开工。”"], "市长说。“我们会开工。”"),
        (["店主说：「好。」", "「走。」"], "店主说：「好。」「走。」"),
        (["She said “yes.”", "Then she left."], "She said “yes.” Then she left."),
        (["他说OK。", "Then she left."], "他说OK。 Then she left."),
    ],
)
def test_chinese_sentences_join_without_space_english_with_one(sentences: list[str], joined: str) -> None:
    assert join_sentences(sentences) == joined


def test_a_sentence_with_an_unclosed_quotation_is_never_picked() -> None:
    sentences = ["市长说：“公园将开放。", "公园周一开放。", "公园开放计划获得通过。", "天气晴朗。"]
    assert select_sentences(sentences, "zh", 2, ExtractiveSettings(position_weight=1.0, diversity=0.0)) == [1, 2]
    assert 0 not in select_sentences(sentences, "zh", 3, ExtractiveSettings(position_weight=1.0))


def test_a_whole_quotation_is_picked_and_joined_without_space() -> None:
    summary = ExtractiveSummarizer(ExtractiveSettings()).summarize(ARTICLES[17].text, "zh", 2)
    assert summary == "市长周三表示，三条新的公交专用道将在年底前完工。她对记者说道：“目前我们保持按兵不动。我们会在秋天开工。”"


# --------------------------------------------------------------------------- length


def test_length_is_counted_in_words_for_english_and_characters_for_chinese() -> None:
    assert length_units("The bridge reopened, after repairs.", "en") == 5
    assert length_units("大桥重新 通车。", "zh") == 7


ENGLISH_LONG_SENTENCES = [
    "The council voted on Tuesday to turn the old freight yard beside the river into a public park for everyone.",
    "Builders will plant four hundred trees and lay new paths along the water before the summer holidays begin.",
    "Local shops expect more visitors once the gates open, although parking near the yard will become harder.",
    "Opponents of the plan said the money should have gone to repairing roads and schools across the district.",
]
CHINESE_LONG_SENTENCES = [
    "市议会周二投票决定，把河边的旧货运站改建成一座面向所有市民开放的大型公园。",
    "施工队将在暑假开始之前种下四百棵树，并沿着河岸铺设新的步道和自行车道。",
    "附近商店预计公园开放后客流会增加，不过货运站周边停车将变得更加困难。",
    "反对者认为，这笔钱本应用于修缮全区的道路和学校，而不是建设新的公园。",
    "公园设计方案还包括一座儿童游乐场、一个露天剧场和两处公共卫生间。",
    "市长表示，公园第一期工程预计明年春天完工，届时将举行开放仪式。",
]


def test_a_word_budget_makes_a_summary_of_long_sentences_short() -> None:
    settings = ExtractiveSettings(position_weight=1.0)
    assert [length_units(sentence, "en") for sentence in ENGLISH_LONG_SENTENCES] == [20, 18, 17, 18]
    assert select_sentences(ENGLISH_LONG_SENTENCES, "en", 3, settings, max_units=40) == [0, 1]
    assert select_sentences(ENGLISH_LONG_SENTENCES, "en", 3, settings, max_units=10) == [0]  # the first always
    assert select_sentences(ENGLISH_LONG_SENTENCES, "en", 3, settings) == [0, 1, 2]


def test_service_lengths_scale_the_character_budget() -> None:
    """80 characters for a medium summary: 40 short, 160 long; the sentence caps (2, 3, 6) do not bind."""
    service = Service(load_settings(None, {"summarize.engine": "extractive", "summarize.extractive.characters": 80}, {}))
    text = "".join(CHINESE_LONG_SENTENCES)
    assert [len(sentence) for sentence in CHINESE_LONG_SENTENCES] == [37, 35, 34, 34, 32, 31]
    summaries = {length: service.summarize(text, source_lang="zh", length=length).text for length in LENGTHS}
    assert summaries["short"] == CHINESE_LONG_SENTENCES[0]  # over 40, but a summary has at least one sentence
    assert {length: len(split_sentences(summary)) for length, summary in summaries.items()} == {
        "short": 1, "medium": 2, "long": 4
    }
    assert len(summaries["medium"]) <= 80 and len(summaries["long"]) <= 160


FLORES_ZH = (
    Path(os.environ.get("SUMMARIZE_EVALDATA") or Path(__file__).resolve().parent.parent.parent / "shared" / "evaldata")
    / "flores200-eng-zho" / "data" / "flores200_dataset" / "devtest" / "zho_Hans.devtest"
)


@pytest.mark.skipif(not FLORES_ZH.is_file(), reason="the shared evaluation data (FLORES-200) is not on this machine")
@pytest.mark.parametrize("separator", ["\n", ""])
def test_real_chinese_text_never_gets_an_unbalanced_quote_or_a_space_after_a_quote(separator: str) -> None:
    """Windows of 20 consecutive FLORES-200 Chinese lines (as the issue reproduced it), every length."""
    lines = FLORES_ZH.read_text(encoding="utf-8").splitlines()
    summarizer = ExtractiveSummarizer(ExtractiveSettings())
    quoted = 0
    for start in range(0, len(lines) - 20, 20):
        text = normalize_text(separator.join(lines[start : start + 20]))
        for count, units in ((2, 75), (3, 150), (6, 300)):
            summary = summarizer.summarize(text, "zh", count, units)
            assert all(has_balanced_quotes(sentence) for sentence in split_sentences(summary)), summary
            assert not re.search(f"[”」』] (?=[{HAN}“「『])", summary), summary
            quoted += "“" in summary
    assert quoted > 0  # the windows do exercise quotations


@pytest.mark.parametrize(
    ("name", "notes"),
    [
        ("library", ("document title: New central library opens its doors", "document date: March 14")),
        ("storm-zh", ("document title: 风暴导致沿海数万户停电", "document date: 2024年11月9日")),
        ("vaccine", ("document title: Free flu shots for all adults this winter",)),
        ("bridge", ("document date: 2024-05-02",)),  # its kicker and label are no title
    ],
)
def test_a_pasted_page_keeps_its_title_and_date_in_the_notes(name: str, notes: tuple[str, ...]) -> None:
    """The page furniture is left out of every engine's input; what it says of the story stays, as a document's
    notes say it."""
    article = next(article for article in ARTICLES if article.name == name)
    service = Service(load_settings(Path(__file__).resolve().parent.parent / "configs" / "offline.yaml", environ={}))
    assert service.summarize(article.text).notes == notes


def test_an_article_without_page_furniture_gets_no_page_notes() -> None:
    examples = Path(__file__).resolve().parent.parent / "examples"
    service = Service(load_settings(examples.parent / "configs" / "offline.yaml", environ={}))
    assert [service.summarize((examples / name).read_text(encoding="utf-8")).notes for name in ("article_en.txt", "article_zh.txt")] == [(), ()]


@pytest.mark.parametrize(
    ("sentence", "balanced"),
    [
        ('The report, "Global Governance" and "International Law", was published.', True),
        ('The report on Global Governance" and "International Law" was published.', False),
        ("She said “we will build it” on Monday.", True),
        ("She said “we will build it on Monday.", False),
        ("他说：“我们明年开工。”", True),
    ],
)
def test_straight_and_curly_quotes_must_pair_up(sentence: str, balanced: bool) -> None:
    assert has_balanced_quotes(sentence) is balanced


def test_a_sentence_with_an_odd_straight_quote_is_not_picked() -> None:
    article = (
        'The forum on Global Governance" and "International Law" opened on Monday in Riverton with 40 delegates. '
        "Delegates from forty countries met in Riverton on Monday to discuss global governance. "
        "The forum will publish its findings on international law next spring."
    )
    summary = ExtractiveSummarizer(ExtractiveSettings(sentences=2)).summarize(article, "en", 2)
    assert summary == (
        "Delegates from forty countries met in Riverton on Monday to discuss global governance. "
        "The forum will publish its findings on international law next spring."
    )
