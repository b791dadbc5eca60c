"""ROUGE tokenizers: what each registered tokenizer makes of English, Chinese and mixed text."""

from __future__ import annotations

import pytest

from summarize.errors import InputError
from summarize.evaluation import (
    default_tokenizer,
    get_tokenizer,
    register_tokenizer,
    tokenizer_names,
    tokenizers,
)
from summarize.evaluation.tokenizers import looks_chinese

CASES = [
    ("en", False, "The U.S. economy grew 2.5% in 2023!", ["the", "u", "s", "economy", "grew", "2", "5", "in", "2023"]),
    ("en", True, "Cats were running faster", ["cat", "were", "run", "faster"]),
    ("en", False, "警方逮捕了两名男子", []),
    ("zh-char", False, "苹果发布了iPhone 15。", ["苹", "果", "发", "布", "了", "iphone", "15"]),
    ("zh-char", False, "ＧＰＴ－４模型，很强！", ["gpt", "4", "模", "型", "很", "强"]),
    ("zh-char", False, "“你好”，世界", ["你", "好", "世", "界"]),
    ("zh-char", True, "running的人", ["run", "的", "人"]),
    ("zh-jieba", False, "警方逮捕了两名男子", ["警方", "逮捕", "了", "两名", "男子"]),
    ("zh-jieba", False, "苹果发布了iPhone 15。", ["苹果", "发布", "了", "iphone", "15"]),
    ("zh-jieba", False, "", []),
]


@pytest.mark.parametrize("name, stem, text, tokens", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_tokens(name, stem, text, tokens):
    assert get_tokenizer(name, stem=stem)(text) == tokens


def test_registry_names():
    assert {"en", "zh-char", "zh-jieba"} <= set(tokenizer_names())


@pytest.mark.parametrize("lang, name", [("en", "en"), ("zh", "zh-char")])
def test_default_tokenizer_by_language(lang, name):
    assert default_tokenizer(lang) == name


def test_default_tokenizer_rejects_other_languages():
    with pytest.raises(InputError, match="unsupported language 'fr'; choose one of: en, zh"):
        default_tokenizer("fr")


def test_unknown_tokenizer_names_the_choices():
    with pytest.raises(InputError, match="unknown tokenizer 'spaces'; choose one of: en, zh-char, zh-jieba"):
        get_tokenizer("spaces")


def test_register_a_tokenizer_by_name(monkeypatch):
    monkeypatch.setattr(tokenizers, "_REGISTRY", dict(tokenizers._REGISTRY))
    register_tokenizer("test-whitespace", lambda text, stem: text.split())
    assert get_tokenizer("test-whitespace")("a  b") == ["a", "b"]


@pytest.mark.parametrize(
    "texts, expected",
    [(["警方逮捕了两名男子"], True), (["The cat sat."], False), (["The cat 猫 sat on the mat all day."], False), ([""], False)],
)
def test_looks_chinese(texts, expected):
    assert looks_chinese(texts) is expected
