"""Simplified vs Traditional Chinese: detection by OpenCC data, conversion, the settings that steer it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarize import ConfigError, load_settings
from summarize.chinese_script import (
    SCRIPT_SAMPLE_CHARACTERS,
    count_scripts,
    to_simplified,
    to_traditional,
)
from summarize.glossary import Glossary, Term
from summarize.script_handling import ScriptHandling
from summarize.sources import Source
from summarize.text import detect_language

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TRADITIONAL_ARTICLE = (EXAMPLES / "article_zh_hant.txt").read_text(encoding="utf-8")
SIMPLIFIED_ARTICLE = (EXAMPLES / "article_zh.txt").read_text(encoding="utf-8")

# Sentences written for these tests, in Simplified characters; each has characters written differently in Traditional.
SIMPLIFIED_SENTENCES = (
    "港府今日宣布新的交通措施。",
    "区议会通过了兴建图书馆的计划。",
    "记者在现场看到很多市民排队。",
    "这项工程预计后年完成。",
    "专家认为经济将会继续增长。",
)

DETECTIONS = [
    # (text, language, traditional share, scripts mixed)
    ("港府今日宣佈新措施。", "zh-Hant", 1.0, False),
    ("港府今日宣布新措施。", "zh", 0.0, False),
    # Mixed scripts: 這個計劃 (4 Traditional characters) twice, 这个计划 (4 Simplified) once.
    ("這個計劃很好，这个计划很好，這個計劃很好。", "zh-Hant", 0.6667, True),
    ("后来他說", "zh", 0.3333, True),  # 后, 来 Simplified; 說 Traditional
    # Short texts: one distinctive character decides; none leaves the text Simplified ("zh").
    ("發", "zh-Hant", 1.0, False),
    ("发", "zh", 0.0, False),
    ("台灣", "zh-Hant", 1.0, False),  # 台 is also Taiwan's standard form: only 灣 counts
    ("中文", "zh", 0.0, False),  # written alike in both scripts
    ("著名", "zh", 0.0, False),  # 著 in this word is Simplified too (OpenCC phrase data)
    # An English text with a Traditional name stays English.
    ("Taipei 臺北 is busy today and the city council met", "en", 0.0, False),
]


@pytest.mark.parametrize(("text", "language", "share", "mixed"), DETECTIONS)
def test_detection_tells_the_scripts_apart(text: str, language: str, share: float, mixed: bool) -> None:
    detection = detect_language(text)
    assert (detection.language, detection.traditional_share, detection.scripts_mixed) == (language, share, mixed)


def test_articles_are_detected_in_their_script() -> None:
    assert detect_language(TRADITIONAL_ARTICLE).language == "zh-Hant"
    assert detect_language(SIMPLIFIED_ARTICLE).language == "zh"
    assert detect_language(to_simplified(TRADITIONAL_ARTICLE)).language == "zh"
    assert detect_language(to_traditional(SIMPLIFIED_ARTICLE)).language == "zh-Hant"


@settings(deadline=None)  # OpenCC loads its dictionaries on first use: timing never decides a test
@given(st.lists(st.sampled_from(SIMPLIFIED_SENTENCES), min_size=1, max_size=6))
def test_conversion_round_trip_flips_the_detected_script(sentences: list[str]) -> None:
    text = "".join(sentences)
    traditional = to_traditional(text, "s2t")
    assert detect_language(text).language == "zh"
    assert detect_language(traditional).language == "zh-Hant"
    assert count_scripts(traditional).simplified == 0
    assert to_simplified(traditional) == text


def test_the_script_is_told_from_the_start_of_a_long_text() -> None:
    simplified = "港府今日宣布新的交通措施。" * (SCRIPT_SAMPLE_CHARACTERS // 13 + 1)
    traditional = to_traditional(simplified, "s2t")
    assert detect_language(simplified + traditional * 3).language == "zh"
    assert detect_language(traditional + simplified * 3).language == "zh-Hant"


def test_mixed_scripts_are_noted() -> None:
    text = "這個計劃很好，这个计划很好，這個計劃很好。"
    source = Source(text, "zh-Hant", "zh-Hant", detect_language(text), [])
    assert source.notes == ["mixed Simplified/Traditional Chinese characters (67% Traditional); treated as 'zh-Hant'"]


@pytest.mark.parametrize(
    ("variant", "expected"),
    [("s2twp", "臺灣的軟體和計程車"), ("s2tw", "臺灣的軟件和出租車"), ("s2hk", "台灣的軟件和出租車"), ("s2t", "臺灣的軟件和出租車")],
)
def test_each_variant_writes_its_region(variant: str, expected: str) -> None:
    assert ScriptHandling(variant=variant).written("台湾的软件和出租车", "zh-Hant") == expected  # type: ignore[arg-type]
    assert ScriptHandling(variant=variant).written("台湾的软件和出租车", "zh") == "台湾的软件和出租车"


def test_model_input_follows_hant_input() -> None:
    assert ScriptHandling(model_input="simplified").model_text("臺灣的軟體", "zh-Hant") == "台湾的软体"
    assert ScriptHandling(model_input="traditional").model_text("臺灣的軟體", "zh-Hant") == "臺灣的軟體"
    assert ScriptHandling(model_input="simplified").model_text("臺灣的軟體", "zh") == "臺灣的軟體"


def test_glossary_source_terms_follow_the_model_input() -> None:
    glossary = Glossary([Term("陳大文", "Chan Tai-man", "zh-en"), Term("Legislative Council", "立法會", "en-zh")])
    converted = ScriptHandling().model_glossary(glossary, "zh-Hant")
    assert converted is not None
    assert [(term.source, term.target) for term in converted.terms] == [
        ("陈大文", "Chan Tai-man"),
        ("Legislative Council", "立法會"),
    ]
    assert ScriptHandling(model_input="traditional").model_glossary(glossary, "zh-Hant") is glossary


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("translate.hant_variant", "s2x", "setting 'translate.hant_variant' is 's2x'; allowed values: s2twp, s2tw, s2hk, s2t"),
        ("translate.hant_variant", "tw2s", "setting 'translate.hant_variant' is 'tw2s'; allowed values: s2twp, s2tw, s2hk, s2t"),
        ("translate.hant_input", "both", "setting 'translate.hant_input' is 'both'; allowed values: simplified, traditional"),
    ],
)
def test_bad_script_settings_are_refused(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(overrides={key: value}, environ={})
    assert str(caught.value) == message


def test_script_settings_from_yaml_and_environment(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("translate:\n  hant_variant: s2hk\n  hant_input: traditional\n", encoding="utf-8")
    settings = load_settings(config, environ={})
    assert (settings.translate.hant_variant, settings.translate.hant_input) == ("s2hk", "traditional")
    assert load_settings(environ={}).translate.hant_variant == "s2twp"
