"""ROUGE: hand-computed values (English, Chinese by character and by jieba word), rouge-score parity, properties."""

from __future__ import annotations

import warnings
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarize.errors import InputError
from summarize.evaluation import (
    ChineseWithEnglishTokenizerWarning,
    LsumWithoutNewlinesWarning,
    Rouge,
    lines_as_sentences,
    score_summary_files,
)
from summarize.evaluation.rouge import _lcs_indices, lcs_length

rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer", reason="rouge-score is in the eval extra")

TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")

# Most cases here are one-line texts; the Lsum warning has tests of its own.
pytestmark = pytest.mark.filterwarnings("ignore::summarize.evaluation.LsumWithoutNewlinesWarning")

# (case id, tokenizer, stem, prediction, references, {type: (precision, recall)}), all worked out by hand.
HAND_COMPUTED = [
    (
        "en-one-word-differs",
        "en", False,
        "The cat sat on the mat.",
        ["The cat is on the mat."],
        {"rouge1": (F(5, 6), F(5, 6)), "rouge2": (F(3, 5), F(3, 5)), "rougeL": (F(5, 6), F(5, 6)), "rougeLsum": (F(5, 6), F(5, 6))},
    ),
    (
        "en-reordered",
        "en", False,
        "Police arrested two men on Friday.",
        ["Two men were arrested by police."],
        {"rouge1": (F(2, 3), F(2, 3)), "rouge2": (F(1, 5), F(1, 5)), "rougeL": (F(1, 3), F(1, 3)), "rougeLsum": (F(1, 3), F(1, 3))},
    ),
    (
        "en-no-stemming",
        "en", False,
        "The cats were running",
        ["The cat runs"],
        {"rouge1": (F(1, 4), F(1, 3)), "rouge2": (F(0), F(0)), "rougeL": (F(1, 4), F(1, 3)), "rougeLsum": (F(1, 4), F(1, 3))},
    ),
    (
        "en-stemming",  # cats->cat, running->run, runs->run; "were" and 3-letter words are left alone
        "en", True,
        "The cats were running",
        ["The cat runs"],
        {"rouge1": (F(3, 4), F(1)), "rouge2": (F(1, 3), F(1, 2)), "rougeL": (F(3, 4), F(1)), "rougeLsum": (F(3, 4), F(1))},
    ),
    (
        "zh-char-one-sentence",
        "zh-char", False,
        "警方逮捕了两名男子",
        ["两名男子被警方逮捕"],
        {"rouge1": (F(8, 9), F(8, 9)), "rouge2": (F(6, 8), F(6, 8)), "rougeL": (F(4, 9), F(4, 9)), "rougeLsum": (F(4, 9), F(4, 9))},
    ),
    (
        # Lsum: 两名男子 from the first reference sentence, 警方 + 在调查 from the second: 9 hits of 15 / 17.
        "zh-char-two-sentences",
        "zh-char", False,
        "警方逮捕了两名男子。案件仍在调查。",
        ["两名男子被警方逮捕。警方正在调查此案。"],
        {"rouge1": (F(12, 15), F(12, 17)), "rouge2": (F(8, 14), F(8, 16)), "rougeL": (F(7, 15), F(7, 17)), "rougeLsum": (F(9, 15), F(9, 17))},
    ),
    (
        "zh-char-latin-and-digits",  # 苹 果 发 布 了 iphone 15 vs 苹 果 发 布 iphone 16: NFKC makes １５ into 15
        "zh-char", False,
        "苹果发布了iPhone １５。",
        ["苹果发布iPhone 16"],
        {"rouge1": (F(5, 7), F(5, 6)), "rouge2": (F(3, 6), F(3, 5)), "rougeL": (F(5, 7), F(5, 6)), "rougeLsum": (F(5, 7), F(5, 6))},
    ),
    (
        "zh-jieba-one-sentence",  # 警方/逮捕/了/两名/男子 vs 两名/男子/被/警方/逮捕
        "zh-jieba", False,
        "警方逮捕了两名男子",
        ["两名男子被警方逮捕"],
        {"rouge1": (F(4, 5), F(4, 5)), "rouge2": (F(2, 4), F(2, 4)), "rougeL": (F(2, 5), F(2, 5)), "rougeLsum": (F(2, 5), F(2, 5))},
    ),
    (
        # 警方 逮捕 了 两名 男子 | 案件 仍 在 调查  vs  两名 男子 被 警方 逮捕 | 警方 正在 调查 此案
        "zh-jieba-two-sentences",
        "zh-jieba", False,
        "警方逮捕了两名男子。案件仍在调查。",
        ["两名男子被警方逮捕。警方正在调查此案。"],
        {"rouge1": (F(5, 9), F(5, 9)), "rouge2": (F(2, 8), F(2, 8)), "rougeL": (F(3, 9), F(3, 9)), "rougeLsum": (F(4, 9), F(4, 9))},
    ),
    (
        # each type takes its own best reference: rouge1 the reversed one, rouge2/rougeL the second
        "multi-reference-best-per-type",
        "en", False,
        "red green blue black",
        ["black blue green red", "red green white pink"],
        {"rouge1": (F(1), F(1)), "rouge2": (F(1, 3), F(1, 3)), "rougeL": (F(1, 2), F(1, 2)), "rougeLsum": (F(1, 2), F(1, 2))},
    ),
    (
        "multi-reference-zh",
        "zh-char", False,
        "警方逮捕了两名男子",
        ["今天天气很好", "两名男子被警方逮捕"],
        {"rouge1": (F(8, 9), F(8, 9)), "rouge2": (F(6, 8), F(6, 8)), "rougeL": (F(4, 9), F(4, 9)), "rougeLsum": (F(4, 9), F(4, 9))},
    ),
    ("empty-prediction", "en", False, "", ["The cat sat."], {t: (F(0), F(0)) for t in TYPES}),
    ("punctuation-only-prediction", "en", False, "... !", ["The cat sat."], {t: (F(0), F(0)) for t in TYPES}),
    ("empty-reference", "en", False, "The cat sat.", [""], {t: (F(0), F(0)) for t in TYPES}),
    ("both-empty", "zh-char", False, "", [""], {t: (F(0), F(0)) for t in TYPES}),
    ("identical-en", "en", False, "The cat sat. It purred.", ["The cat sat. It purred."], {t: (F(1), F(1)) for t in TYPES}),
    ("identical-zh", "zh-char", False, "猫坐着。它很开心！", ["猫坐着。它很开心！"], {t: (F(1), F(1)) for t in TYPES}),
    ("identical-zh-jieba", "zh-jieba", False, "猫坐着。它很开心！", ["猫坐着。它很开心！"], {t: (F(1), F(1)) for t in TYPES}),
]


def _f1(precision: F, recall: F) -> F:
    return 2 * precision * recall / (precision + recall) if precision + recall else F(0)


def _flat(scores) -> dict[str, float]:
    """``{"rouge1.precision": ..., ...}`` from our Score objects or rouge-score's tuples."""
    return {
        f"{rouge_type}.{name}": float(value)
        for rouge_type, score in scores.items()
        for name, value in zip(
            ("precision", "recall", "f1"),
            score if isinstance(score, tuple) else (score.precision, score.recall, score.f1),
        )
    }


@pytest.mark.parametrize(
    "tokenizer, stem, prediction, references, expected",
    [case[1:] for case in HAND_COMPUTED],
    ids=[case[0] for case in HAND_COMPUTED],
)
def test_hand_computed(tokenizer, stem, prediction, references, expected):
    scores = Rouge(tokenizer, stem=stem, lsum_splitter="summarize").score(prediction, references)
    want = {t: (p, r, _f1(p, r)) for t, (p, r) in expected.items()}
    assert _flat(scores) == pytest.approx(_flat(want), abs=1e-12)


def test_corpus_score_is_the_mean_of_document_scores():
    result = Rouge("en").corpus_score(["The cat sat on the mat.", ""], [["The cat is on the mat."], ["A dog."]])
    assert result.scores["rouge1"].f1 == pytest.approx(5 / 12)
    assert result.scores["rouge2"].precision == pytest.approx(3 / 10)
    assert [doc["rouge1"].f1 for doc in result.documents] == pytest.approx([5 / 6, 0.0])


def test_corpus_signature_names_every_setting():
    result = Rouge("zh-char", stem=False, n_bootstrap=100, seed=7).corpus_score(["猫"], [["猫", "狗"]])
    assert result.signature.startswith("nrefs:2|tok:zh-char|stem:no|lsum:lines|multiref:best-f1|agg:mean|bs:100|")
    assert "|seed:7|version:" in result.signature


def test_signature_counts_variable_references():
    result = Rouge("en").corpus_score(["a b", "c d"], [["a b"], ["c d", "c"]])
    assert result.signature.startswith("nrefs:var|")


def test_jieba_signature_records_the_jieba_version():
    assert "|tok:zh-jieba-0." in "|" + Rouge("zh-jieba").signature(1)


def test_to_dict_has_the_score_py_shape():
    data = Rouge("en").corpus_score(["The cat sat."], ["The cat sat."]).to_dict()
    assert list(data) == ["rouge1", "rouge2", "rougeL", "rougeLsum", "signature"]
    assert data["rouge1"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_bootstrap_interval_brackets_the_mean_and_is_reproducible():
    predictions = [f"word{i} shared text here" for i in range(30)]
    references = [[f"word{i % 7} shared text there"] for i in range(30)]
    first = Rouge("en", n_bootstrap=200, seed=3).corpus_score(predictions, references)
    again = Rouge("en", n_bootstrap=200, seed=3).corpus_score(predictions, references)
    score = first.scores["rouge1"]
    low, high = score.ci["f1"]
    assert low <= score.f1 <= high and low < high
    assert first.scores == again.scores


def test_no_interval_without_bootstrap():
    assert Rouge("en").corpus_score(["a"], ["a"]).scores["rouge1"].ci is None


def test_lsum_splits_on_lines_by_default_and_on_sentences_only_when_asked():
    # One line, two sentences: the project splitter separates them, the line convention does not.
    prediction, reference = "Rain fell. Sun rose.", "Sun rose. Rain fell."
    by_line = Rouge("en").score(prediction, reference)["rougeLsum"]
    by_sentence = Rouge("en", lsum_splitter="summarize").score(prediction, reference)["rougeLsum"]
    assert by_line.f1 == pytest.approx(0.5)
    assert by_sentence.f1 == pytest.approx(1.0)


def test_lsum_signature_names_the_splitter():
    assert "|lsum:summarize|" in Rouge("en", lsum_splitter="summarize").signature(1)
    assert "|lsum:lines|" in Rouge("en").signature(1)


def test_lsum_convention_counts_each_line_as_a_sentence():
    # Reference lines "a b" / "c d", prediction lines "c d" / "a b": each reference sentence is found
    # whole in one prediction line, so Lsum is 1 while plain ROUGE-L (one sequence) is 2 of 4.
    result = Rouge("en").corpus_score(["c d\na b"], [["a b\nc d"]])
    assert result.scores["rougeLsum"].f1 == pytest.approx(1.0)
    assert result.scores["rougeL"].f1 == pytest.approx(0.5)


@pytest.mark.parametrize(
    "predictions, references, sides",
    [
        (["a b. c d."], [["a b. c d."]], "no prediction and no reference contains a newline"),
        (["a b\nc d"], [["a b. c d."]], "no reference contains a newline"),
        (["a b. c d.\n"], [["a b\nc d"]], "no prediction contains a newline"),  # a final newline is no separator
    ],
    ids=["neither", "references", "predictions"],
)
def test_lsum_without_newlines_warns(predictions, references, sides):
    with pytest.warns(LsumWithoutNewlinesWarning, match=f"^ROUGE-Lsum asked for but {sides}, so Lsum equals ROUGE-L"):
        Rouge("en").corpus_score(predictions, references)


@pytest.mark.parametrize(
    "options",
    [{"lsum_splitter": "summarize"}, {"rouge_types": ("rouge1", "rougeL")}],
    ids=["project-splitter", "no-lsum"],
)
def test_no_newline_warning_when_lsum_is_not_split_by_lines(options):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Rouge("en", **options).corpus_score(["a b. c d."], [["a b. c d."]])


def test_no_newline_warning_when_both_sides_have_lines():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Rouge("en").corpus_score(["a b", "c d\ne f"], [["a b\nx"], ["c d"]])


def test_unknown_lsum_splitter():
    with pytest.raises(InputError, match="^unknown Lsum sentence splitter 'nltk'; choose one of: lines, summarize$"):
        Rouge("en", lsum_splitter="nltk")


# ---------------------------------------------------------------- parity with rouge-score on English

ENGLISH_PAIRS = [
    ("The quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log."),
    ("Police said 3 people were injured, 2 seriously.", "Three people were hurt; two of them are in hospital."),
    ("It's a well-known fact: U.S. GDP grew 2.5% in 2023!", "US GDP grew by 2.5 percent in 2023, officials said."),
    ("running runners ran\nthe flies flying fly", "The runner runs.\nA fly flies over flying objects."),
    ("Tottenham drew 0-0 with Burnley.\nTownsend came on late.", "Townsend came on late as Tottenham drew.\n0-0."),
    ("", "Something happened."),
    ("Only punctuation here!", "?!"),
]


@pytest.mark.parametrize("stem", [False, True], ids=["plain", "stemmed"])
@pytest.mark.parametrize("prediction, reference", ENGLISH_PAIRS, ids=[f"pair{i}" for i in range(len(ENGLISH_PAIRS))])
def test_equals_rouge_score_on_english(prediction, reference, stem):
    ours = Rouge("en", stem=stem, lsum_splitter=lines_as_sentences).score(prediction, reference)
    theirs = rouge_scorer.RougeScorer(list(TYPES), use_stemmer=stem).score(reference, prediction)
    assert _flat(ours) == pytest.approx(_flat(theirs), abs=1e-12)


@pytest.mark.parametrize("stem", [False, True], ids=["plain", "stemmed"])
def test_equals_rouge_score_multi_reference(stem):
    prediction = "the cat sat on the mat\nit was warm"
    references = ["a cat sat on a mat", "the dog lay on the rug\nit was cold", "cats sit on mats"]
    ours = Rouge("en", stem=stem, lsum_splitter=lines_as_sentences).score(prediction, references)
    theirs = rouge_scorer.RougeScorer(list(TYPES), use_stemmer=stem).score_multi(references, prediction)
    assert {t: ours[t].f1 for t in TYPES} == pytest.approx({t: theirs[t].fmeasure for t in TYPES}, abs=1e-12)


_WORDS = ["the", "cat", "cats", "sat", "on", "mat", "Running", "runs", "dog", "a", "2024", "U.S.", "fox's", ",", "."]
_texts = st.lists(st.sampled_from(_WORDS + ["\n"]), max_size=25).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(prediction=_texts, reference=_texts, stem=st.booleans())
def test_property_equals_rouge_score(prediction, reference, stem):
    ours = Rouge("en", stem=stem, lsum_splitter=lines_as_sentences).score(prediction, reference)
    theirs = rouge_scorer.RougeScorer(list(TYPES), use_stemmer=stem).score(reference, prediction)
    assert _flat(ours) == pytest.approx(_flat(theirs), abs=1e-12)


# ---------------------------------------------------------------- properties

_zh_texts = st.text(alphabet="警方逮捕两名男子案件调查。，ab1 ", max_size=30)


@settings(max_examples=100, deadline=None)
@given(a=_zh_texts, b=_zh_texts)
def test_property_rouge_n_and_l_f1_are_symmetric(a, b):
    rouge = Rouge("zh-char", rouge_types=("rouge1", "rouge2", "rougeL"))
    forward, backward = rouge.score(a, b), rouge.score(b, a)
    for rouge_type in ("rouge1", "rouge2", "rougeL"):
        assert forward[rouge_type].f1 == pytest.approx(backward[rouge_type].f1, abs=1e-12)
        assert forward[rouge_type].precision == pytest.approx(backward[rouge_type].recall, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(text=_zh_texts)
def test_property_identical_text_scores_one(text):
    scores = Rouge("zh-char").score(text, text)
    tokens = Rouge("zh-char").tokenizer(text)
    for rouge_type in TYPES:
        if rouge_type == "rouge2" and len(tokens) < 2 or not tokens:
            assert scores[rouge_type].f1 == 0.0
        else:
            assert scores[rouge_type].f1 == pytest.approx(1.0)


@settings(max_examples=200, deadline=None)
@given(a=st.lists(st.sampled_from("abcd"), max_size=70), b=st.lists(st.sampled_from("abcd"), max_size=70))
def test_property_bit_parallel_lcs_equals_dynamic_programming(a, b):
    assert lcs_length(a, b) == len(_lcs_indices(a, b))


# ---------------------------------------------------------------- warnings and errors


def test_warns_when_chinese_is_scored_with_the_english_tokenizer():
    with pytest.warns(ChineseWithEnglishTokenizerWarning, match="zh-char"):
        scores = Rouge("en").score("警方逮捕了两名男子", "两名男子被警方逮捕")
    assert scores["rouge1"].f1 == 0.0


def test_corpus_score_warns_for_chinese_with_the_english_tokenizer():
    with pytest.warns(ChineseWithEnglishTokenizerWarning) as caught:
        result = Rouge("en").corpus_score(["猫坐着"], [["猫坐着"]])
    assert result.notes == (str(caught[0].message),)
    assert result.notes[0].startswith("Chinese text scored with the 'en' tokenizer, which drops Chinese characters")


@pytest.mark.parametrize("tokenizer, text", [("zh-char", "猫坐着"), ("en", "The cat sat.")])
def test_corpus_score_has_no_notes_when_the_tokenizer_fits(tokenizer, text):
    assert Rouge(tokenizer).corpus_score([text], [[text]]).notes == ()


def test_score_summary_files_picks_the_tokenizer_for_the_language(tmp_path):
    predictions, first, second = tmp_path / "p.txt", tmp_path / "r1.txt", tmp_path / "r2.txt"
    predictions.write_text("警方逮捕了两名男子\n猫坐着\n", encoding="utf-8")
    first.write_text("两名男子被警方逮捕\n狗坐着\n", encoding="utf-8")
    second.write_text("警方抓了人\n猫坐着\n", encoding="utf-8")
    result = score_summary_files(predictions, [first, second], "zh")
    expected = Rouge("zh-char").corpus_score(
        ["警方逮捕了两名男子", "猫坐着"], [["两名男子被警方逮捕", "警方抓了人"], ["狗坐着", "猫坐着"]]
    )
    assert (result.scores, result.signature, result.notes) == (expected.scores, expected.signature, ())
    assert result.signature.startswith("nrefs:2|tok:zh-char|")
    assert result.scores["rouge1"].f1 == pytest.approx(float((F(8, 9) + 1) / 2))  # 8 of 9 characters shared, then all


def test_score_summary_files_with_a_named_tokenizer_notes_chinese_scored_as_english(tmp_path):
    predictions, references = tmp_path / "p.txt", tmp_path / "r.txt"
    predictions.write_text("猫坐着\n", encoding="utf-8")
    references.write_text("猫坐着\n", encoding="utf-8")
    with pytest.warns(ChineseWithEnglishTokenizerWarning):
        result = score_summary_files(predictions, [references], "zh", "en")
    assert result.signature.startswith("nrefs:1|tok:en|") and len(result.notes) == 1


@pytest.mark.parametrize("tokenizer, text", [("zh-char", "猫坐着"), ("zh-jieba", "猫坐着"), ("en", "The cat sat.")])
def test_no_warning_when_the_tokenizer_fits(tokenizer, text):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Rouge(tokenizer).score(text, text)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: Rouge("en").corpus_score(["a", "b"], [["a"]]), "got 2 predictions but 1 reference items"),
        (lambda: Rouge("en").corpus_score([], []), "corpus is empty"),
        (lambda: Rouge("en").corpus_score(["a"], [[]]), "references for item 0 must be a string or a non-empty list"),
        (lambda: Rouge("en").corpus_score(["a", None], ["a", "b"]), "prediction 1 must be a string, got NoneType"),
        (lambda: Rouge("en").corpus_score(["a"], [["a", 3]]), "references for item 0 must be strings, got int"),
        (lambda: Rouge("en").score(5, "a"), "prediction must be a string, got int"),
        (lambda: Rouge("xx"), "unknown tokenizer 'xx'; choose one of: en, zh-char, zh-jieba"),
        (lambda: Rouge("en", rouge_types=["rougeX"]), "unknown ROUGE type 'rougeX'"),
        (lambda: Rouge("en", n_bootstrap=-1), "n_bootstrap must be 0"),
    ],
    ids=["length-mismatch", "empty-corpus", "no-reference", "prediction-none", "reference-int", "score-int",
         "unknown-tokenizer", "unknown-type", "negative-bootstrap"],
)
def test_bad_input_is_an_input_error(call, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        call()
