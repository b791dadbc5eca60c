"""The embedded extractive summarizer: features, selection rules and exact outputs."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarize import split_sentences
from summarize.chinese_script import to_traditional
from summarize.config import ExtractiveSettings
from summarize.engines.extractive import (
    ExtractiveSummarizer,
    select_sentences,
    sentence_features,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_english_features_drop_stop_words_and_case() -> None:
    assert sentence_features("The Mayor said the PARK opens in 2025.", "en") == ["mayor", "park", "opens", "2025"]


def test_chinese_features_with_jieba() -> None:
    assert sentence_features("市议会批准了公园计划", "zh") == ["市议会", "批准", "公园", "计划"]


def test_traditional_chinese_features_are_those_of_the_simplified_sentence() -> None:
    """jieba's dictionary is Simplified: 市議會 read as written would be 市議 + 會, and 對 kept as a term."""
    assert sentence_features("市议会对这个计划表示支持", "zh") == ["市议会", "这个", "计划", "表示", "支持"]
    assert sentence_features("市議會對這個計劃表示支持", "zh") == ["市议会", "这个", "计划", "表示", "支持"]
    assert sentence_features("市議會通過", "zh", "char-bigram") == ["市议", "议会", "会通", "通过"]


@pytest.mark.parametrize("variant", ["s2t", "s2twp", "s2hk"])
def test_a_traditional_article_gets_the_sentences_of_its_simplified_twin(variant: str) -> None:
    article = (EXAMPLES / "article_zh.txt").read_text(encoding="utf-8")
    summarizer = ExtractiveSummarizer(ExtractiveSettings())
    for count in (3, 5):
        simplified = split_sentences(summarizer.summarize(article, "zh", count))
        traditional = split_sentences(summarizer.summarize(to_traditional(article, variant), "zh", count))
        assert [to_traditional(sentence, variant) for sentence in simplified] == traditional


def test_chinese_features_with_character_bigrams() -> None:
    assert sentence_features("公园开放 in May", "zh", "char-bigram") == ["in", "may", "公园", "园开", "开放"]


def test_short_text_is_returned_whole() -> None:
    summarizer = ExtractiveSummarizer(ExtractiveSettings())
    assert summarizer.summarize("One thing happened. Then another.", "en", 3) == "One thing happened. Then another."


def test_near_duplicates_are_skipped() -> None:
    sentences = ["The park opens in May.", "The park opens in May.", "Trees were planted.", "Rain fell."]
    assert select_sentences(sentences, "en", 2, ExtractiveSettings(position_weight=1.0)) == [0, 2]


def test_pure_position_prior_is_the_lead() -> None:
    sentences = [f"Sentence number {word} is here." for word in ("one", "two", "three", "four", "five")]
    assert select_sentences(sentences, "en", 3, ExtractiveSettings(position_weight=1.0)) == [0, 1, 2]


def test_pure_centrality_prefers_the_sentence_sharing_most_terms() -> None:
    sentences = [
        "Weather was cold.",
        "The river park plan won council votes.",
        "Council votes decided the river plan.",
        "The park plan for the river got money.",
    ]
    assert select_sentences(sentences, "en", 1, ExtractiveSettings(position_weight=0.0)) == [1]


def test_english_example_summary() -> None:
    summary = ExtractiveSummarizer(ExtractiveSettings()).summarize((EXAMPLES / "article_en.txt").read_text(), "en", 2)
    assert summary == (
        "The city council of Riverton approved a plan on Tuesday to turn the old freight yard beside the river into "
        "a public park, ending a debate that had lasted almost ten years. The plan, which passed by seven votes to "
        "two, sets aside 4.2 million dollars for the first phase of work."
    )


def test_chinese_example_summary() -> None:
    summary = ExtractiveSummarizer(ExtractiveSettings()).summarize((EXAMPLES / "article_zh.txt").read_text(), "zh", 2)
    assert summary == "河畔市议会周二通过一项计划，将河边的旧货运站改建为公共公园，为持续近十年的争论画上句号。该计划以七票赞成、两票反对获得通过，第一期工程拨款420万元。"


@given(
    st.lists(st.sampled_from(["Rain fell.", "Parks opened.", "Votes were cast.", "市议会开会。", "树木种好了。"]), max_size=12),
    st.integers(min_value=1, max_value=5),
)
def test_selection_is_ordered_unique_and_bounded(sentences: list[str], count: int) -> None:
    chosen = select_sentences(sentences, "en", count, ExtractiveSettings())
    assert chosen == sorted(set(chosen))
    assert len(chosen) <= count
    assert all(0 <= index < len(sentences) for index in chosen)
    assert (len(chosen) == 0) == (len(sentences) == 0)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_summary_sentences_come_from_the_article(lang: str) -> None:
    text = (EXAMPLES / f"article_{lang}.txt").read_text()
    summary = ExtractiveSummarizer(ExtractiveSettings()).summarize(text, lang, 3)
    assert set(split_sentences(summary)) <= set(split_sentences(text))


def test_six_thousand_one_character_sentences_build_no_pairwise_structure(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hardening issue's attack: 36 KB of one-character Chinese sentences took gigabytes with
    sentence x sentence and sentence x vocabulary matrices. Now every structure is linear in the text:
    one sparse vector entry per distinct term of a sentence, one cosine per sentence for centrality and
    at most `count` per sentence for the redundancy check, one lookup in the term index per pick (each
    visiting only the sentences that share a term with the pick), and a small allocation peak."""
    from summarize.engines import extractive

    characters = "好是的人我他们有来去大小上下中"
    sentences = [characters[index % len(characters)] + "。" for index in range(6000)]
    vectors = extractive.tfidf_vectors([sentence_features(s, "zh", "char-bigram") for s in sentences])
    assert [len(vector) for vector in vectors] == [1] * 6000

    calls = []
    real_cosine = extractive.cosine
    monkeypatch.setattr(extractive, "cosine", lambda left, right: calls.append(1) or real_cosine(left, right))
    visited = []
    real_lookup = extractive.SimilarityIndex.to
    monkeypatch.setattr(extractive.SimilarityIndex, "to",
                        lambda index, sentence: visited.append(len(index.postings[next(iter(index.vectors[sentence]))]))
                        or real_lookup(index, sentence))
    tracemalloc.start()
    chosen = select_sentences(sentences, "zh", 3, ExtractiveSettings(chinese_tokens="char-bigram"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert chosen == [0, 1, 2]  # all equally central; the lead prior and the redundancy check decide
    assert len(calls) <= 6000 + 6000 * 3
    assert visited == [400, 400, 400]  # one lookup per pick, each over the 400 sentences of the picked character
    assert peak < 16 * 2**20  # a 6000 x 6000 float matrix alone would be 275 MiB



def test_the_six_thousand_sentence_request_through_the_service_stays_small() -> None:
    """The path the HTTP API, the web demo and batch jobs share: Service.summarize with the extractive
    engine, default settings (jieba features), on the issue's 36 KB request."""
    from summarize import Service
    from summarize.config import load_settings

    service = Service(load_settings(None, {"summarize.engine": "extractive"}, environ={}))
    text = "".join("好是的人我他们有来去大小上下中"[index % 15] + "。" for index in range(6000))
    assert len(text.encode()) == 36_000
    service.summarize("河畔市议会周二通过计划。公园明年开放。树木种好了。天气晴朗。", source_lang="zh")  # loads jieba
    tracemalloc.start()
    result = service.summarize(text, source_lang="zh")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.text == "好。是。人。"  # "的" is a stop word: no terms, no centrality
    assert peak < 32 * 2**20  # the old 6000 x 6000 similarity matrix alone was 275 MiB
