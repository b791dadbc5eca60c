"""Normalization, language detection and sentence splitting: exact tables, both languages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarize import (
    InputError,
    detect_language,
    normalize_text,
    split_paragraphs,
    split_sentences,
)
from summarize.text import join_sentences, lone_surrogate_problem, paragraph_separator

ENGLISH_SPLITS = [
    ("One. Two.", ["One.", "Two."]),
    ("Dr. Smith met Mrs. Jones. They talked.", ["Dr. Smith met Mrs. Jones.", "They talked."]),
    ("Growth was 3.5 percent. It rose.", ["Growth was 3.5 percent.", "It rose."]),
    ("The U.S. economy grew. Prices fell.", ["The U.S. economy grew.", "Prices fell."]),
    ("She moved to the U.S. The next year she left.", ["She moved to the U.S.", "The next year she left."]),
    ("J. K. Rowling wrote it. George W. Bush read it.", ["J. K. Rowling wrote it.", "George W. Bush read it."]),
    ("Is it true? Yes! It is.", ["Is it true?", "Yes!", "It is."]),
    ('He said "No." Then he left.', ['He said "No."', "Then he left."]),
    ('"Help!" she said. Nobody came.', ['"Help!" she said.', "Nobody came."]),
    ("Wait... What happened?", ["Wait...", "What happened?"]),
    ("It starts at 3 p.m. tomorrow. Come early.", ["It starts at 3 p.m. tomorrow.", "Come early."]),
    ("Apple Inc. reported profits. It beat forecasts.", ["Apple Inc. reported profits.", "It beat forecasts."]),
    ("Prices rose in Jan. 2024 and fell.", ["Prices rose in Jan. 2024 and fell."]),
    ("See e.g. the annex. Then sign.", ["See e.g. the annex.", "Then sign."]),
    ("no terminal punctuation", ["no terminal punctuation"]),
    ("First line\nSecond line.", ["First line", "Second line."]),
]

CHINESE_SPLITS = [
    ("今天下雨。明天晴天。", ["今天下雨。", "明天晴天。"]),
    ("你去吗？我去！好的。", ["你去吗？", "我去！", "好的。"]),
    ("他说：“我们赢了！”大家都笑了。", ["他说：“我们赢了！”", "大家都笑了。"]),
    ("「你好。」她说。", ["「你好。」", "她说。"]),
    ("『再见！』他挥手。", ["『再见！』", "他挥手。"]),
    ("第一，修路；第二，建桥。", ["第一，修路；", "第二，建桥。"]),
    ("他沉默了……然后离开。", ["他沉默了……", "然后离开。"]),
    ("增长了3.5%。这是好消息。", ["增长了3.5%。", "这是好消息。"]),
    ("真的吗？！太好了。", ["真的吗？！", "太好了。"]),
]

MIXED_SPLITS = [
    ("苹果发布了iPhone 17. 然后股价上涨。", ["苹果发布了iPhone 17.", "然后股价上涨。"]),
    ("The mayor spoke. 市长讲话了。He left.", ["The mayor spoke.", "市长讲话了。", "He left."]),
]


@pytest.mark.parametrize(("text", "expected"), ENGLISH_SPLITS)
def test_english_sentence_splits(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(("text", "expected"), CHINESE_SPLITS)
def test_chinese_sentence_splits(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(("text", "expected"), MIXED_SPLITS)
def test_mixed_sentence_splits(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


NORMALIZATIONS = [
    ("Ｈｅｌｌｏ １２３", "Hello 123"),
    ("你好，世界！“引号”", "你好，世界！“引号”"),
    ("中国 经济　增长", "中国经济增长"),
    ("a\u200bb\ufeffc", "abc"),
    ("one\r\ntwo\rthree", "one\ntwo\nthree"),
    ("p1\n\n\n\n\np2", "p1\n\np2"),
    ("  spaced \t out  \n  line ", "spaced out\nline"),
    ("e\u0301", "é"),
    ("bell\x07", "bell"),
]


@pytest.mark.parametrize(("raw", "expected"), NORMALIZATIONS)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


DETECTIONS = [
    ("The council approved the plan on Tuesday.", "en", False),
    ("市议会周二批准了这项计划。", "zh", False),
    ("苹果公司今天在加州发布了新款 iPhone 手机。", "zh", False),
    ("Apple said 苹果 will launch the new phone in China next month.", "en", False),
    ("The 市议会 approved 这项计划 today", "zh", True),
    ("The mayor met Le Pen and Van der Berg in den Haag.", "en", False),
    ("Je pense, donc je suis, wrote Descartes in a famous line.", "en", False),
    ("El Niño and La Niña change the weather of the Pacific.", "en", False),
]


@pytest.mark.parametrize(("text", "language", "mixed"), DETECTIONS)
def test_detect_language(text: str, language: str, mixed: bool) -> None:
    detection = detect_language(text)
    assert (detection.language, detection.is_mixed) == (language, mixed)


def test_detection_label_and_share() -> None:
    detection = detect_language("The 市议会 approved 这项计划 today")
    assert detection.label == "mixed"
    assert detection.zh_share == 0.7


UNSUPPORTED = [
    ("Привет, как дела?", "unsupported language: the text is written in Cyrillic script; supported languages are en and zh"),
    ("こんにちは、元気ですか。", "unsupported language: the text looks like Japanese; supported languages are en and zh"),
    ("12345 !!! ...", "cannot detect the language: the text has no English or Chinese words"),
    (
        "Bonjour tout le monde, je suis là.",
        "unsupported language: the text is in Latin script but does not look like English; "
        "supported languages are en and zh",
    ),
    (
        "Guten Morgen, ich bin nicht zu Hause.",
        "unsupported language: the text is in Latin script but does not look like English; "
        "supported languages are en and zh",
    ),
    (
        "Le conseil municipal a approuvé mardi un plan visant à transformer la vieille gare de "
        "marchandises près du fleuve en parc public après dix ans de débats animés entre élus locaux",
        "unsupported language: the text is in Latin script but does not look like English; "
        "supported languages are en and zh",
    ),
]


@pytest.mark.parametrize(("text", "message"), UNSUPPORTED)
def test_unsupported_language_messages(text: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        detect_language(text)
    assert str(raised.value) == message


def test_paragraphs_and_separator() -> None:
    text = "First para.\n\nSecond para.\nThird."
    assert split_paragraphs(text) == ["First para.", "Second para.", "Third."]
    assert paragraph_separator(text) == "\n\n"
    assert paragraph_separator("a\nb") == "\n"


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("市長表示……工程將延期。", ["市長表示……", "工程將延期。"]),
        ("他说：“好……”然后离开了。", ["他说：“好……”", "然后离开了。"]),
        ("He paused… Then he left.", ["He paused…", "Then he left."]),
        ("市议会通过了计划。2026年工程将开始。", ["市议会通过了计划。", "2026年工程将开始。"]),
        ("会议决定了。iPhone销量上升。", ["会议决定了。", "iPhone销量上升。"]),
        ("他说：“OK。”3月开始。", ["他说：“OK。”", "3月开始。"]),
        ("会议决定了。 The vote was close.", ["会议决定了。", "The vote was close."]),
    ],
)
def test_chinese_sentences_join_without_spaces_whatever_they_start_with(text: str, sentences: list[str]) -> None:
    """No space between Chinese sentences, also where the next one opens with a number or a Latin word
    (2026年, iPhone) or the last one ends in an ellipsis (…, narrow by Unicode's width); an English
    sentence after a Chinese one keeps its space."""
    assert split_sentences(text) == sentences
    assert join_sentences(sentences) == text


def test_join_sentences_spacing() -> None:
    assert join_sentences(["你好。", "世界。", "Hello.", "World.", "再见。"]) == "你好。世界。 Hello. World. 再见。"
    # A seam that has whitespace already gets none added (the pieces of a cut sentence keep theirs).
    assert join_sentences(["The council ", "approved it.", " Then", "\n它通过了。", "Fine."]) == (
        "The council approved it. Then\n它通过了。 Fine."
    )


sentence_text = st.lists(
    st.sampled_from(list("abc XYZ.!?。！？；…”」\n3,") + ["Dr.", "U.S.", "中文", "句子", " The"]), max_size=40
).map("".join)


@given(sentence_text)
def test_splitting_loses_nothing_but_whitespace(text: str) -> None:
    sentences = split_sentences(text)
    assert "".join("".join(sentence.split()) for sentence in sentences) == "".join(text.split())
    assert all(sentence == sentence.strip() and sentence for sentence in sentences)


@given(st.text(max_size=200))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


def test_a_lone_surrogate_is_worded_once_for_texts_and_glossary_terms() -> None:
    from summarize import Service
    from summarize.glossary import Glossary

    assert lone_surrogate_problem("港灣\ud800區") == "is not valid Unicode: character 2 is a lone surrogate (\\ud800)"
    assert lone_surrogate_problem("港灣區") is None
    with pytest.raises(InputError) as text_error:
        Service().check_text("港灣\ud800區")
    with pytest.raises(InputError) as term_error:
        Glossary.from_mapping({"港灣\ud800區": "harbour"})
    assert str(text_error.value) == "text is not valid Unicode: character 2 is a lone surrogate (\\ud800); send the text encoded as UTF-8"
    assert str(term_error.value) == (
        "glossary['港灣\\ud800區']: the source term is not valid Unicode: character 2 is a lone surrogate (\\ud800); "
        "send it encoded as UTF-8"
    )
