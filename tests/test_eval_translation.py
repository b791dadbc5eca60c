"""BLEU and chrF through sacrebleu: exact values, Chinese tokenization, several references, errors."""

from __future__ import annotations

import warnings

import pytest

from summarize.errors import InputError
from summarize.evaluation import (
    ChineseTargetTokenizeWarning,
    TranslationScorer,
    infer_target_lang,
    score_translation,
)

pytest.importorskip("sacrebleu", reason="sacrebleu is in the eval extra")

# sacrebleu's README example, references given per item: BLEU 48.53, chrF2 59.73.
README_HYPOTHESES = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."]
README_REFERENCES = [
    ["The dog bit the man.", "The dog had bit the man."],
    ["It was not unexpected.", "No one was surprised."],
    ["The man bit him first.", "The man had bitten the dog."],
]


def test_sacrebleu_readme_example():
    result = score_translation(README_HYPOTHESES, README_REFERENCES)
    assert round(result.bleu, 2) == 48.53
    assert round(result.chrf, 2) == 59.73
    assert result.bleu_signature == f"nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:{_sacrebleu_version()}"


def _sacrebleu_version() -> str:
    import sacrebleu

    return sacrebleu.__version__


@pytest.mark.parametrize(
    "hypotheses, references, target_lang, bleu, chrf",
    [
        (["我们今天去公园散步。"], [["我们今天去公园散步。"]], "zh", 100.0, 100.0),
        (["The cat sat on the mat."], [["The cat sat on the mat."]], "en", 100.0, 100.0),
        ([""], [["The cat sat on the mat."]], "en", 0.0, 0.0),
        (["今天天气很好"], [["猫坐在垫子上"]], "zh", 0.0, 0.0),
    ],
    ids=["identical-zh", "identical-en", "empty-hypothesis", "disjoint-zh"],
)
def test_exact_values(hypotheses, references, target_lang, bleu, chrf):
    result = score_translation(hypotheses, references, target_lang=target_lang)
    assert (result.bleu, result.chrf) == pytest.approx((bleu, chrf))


def test_chinese_target_uses_the_zh_tokenizer():
    # 13a keeps the whole Chinese sentence as one token, so a one-character difference scores 0.
    hypothesis, reference = ["猫坐在垫子上面"], [["猫坐在垫子上"]]
    zh = score_translation(hypothesis, reference, target_lang="zh")
    assert "tok:zh" in zh.bleu_signature
    assert zh.bleu > 50
    with pytest.warns(ChineseTargetTokenizeWarning, match="--target-lang zh"):
        unsplit = score_translation(hypothesis, reference, target_lang="en")
    assert unsplit.bleu == 0.0


def test_no_warning_for_english_references():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score_translation(["The cat sat."], [["The cat sat."]])


def test_variable_number_of_references():
    result = score_translation(["a b c d", "e f g h"], [["a b c d"], ["e f g h", "x y z w"]])
    assert result.bleu == pytest.approx(100.0)
    assert "nrefs:var" in result.bleu_signature


def test_scorer_reuses_references_for_several_systems():
    scorer = TranslationScorer([["The cat sat on the mat."], ["It rained all day."]])
    first = scorer.score(["The cat sat on the mat.", "It rained all day."])
    second = scorer.score(["A cat sat on a mat.", "It rained."])
    assert first.bleu == pytest.approx(100.0)
    assert second.bleu < first.bleu


def test_to_dict_has_the_score_py_shape():
    data = score_translation(["The cat sat."], [["The cat sat."]]).to_dict()
    assert list(data) == ["bleu", "chrf", "signature"]
    assert data["signature"].startswith("BLEU|nrefs:1|") and " chrF2|nrefs:1|" in data["signature"]


def test_bootstrap_interval():
    hypotheses = [f"the cat number {i} sat on the mat" for i in range(20)]
    references = [[f"the cat number {i % 5} sat on a mat"] for i in range(20)]
    result = score_translation(hypotheses, references, n_bootstrap=50)
    assert result.bleu_ci[0] <= result.bleu <= result.bleu_ci[1]
    assert "bleu_ci95" in result.to_dict()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: score_translation(["a"], [["a"], ["b"]]), "got 1 hypotheses but 2 reference items"),
        (lambda: score_translation(["a"], [[]]), "references for item 0 must be a string or a non-empty list"),
        (lambda: score_translation(["a"], [["a"]], target_lang="fr"), "unsupported target language 'fr'"),
        (lambda: score_translation(["a"], [["a"]], tokenize="bogus"), "unknown BLEU tokenizer 'bogus'"),
        (lambda: score_translation([None], [["a"]]), "hypothesis 0 must be a string, got NoneType"),
        (lambda: score_translation(["a"], [["a"]], n_bootstrap=1), "at least 2 resamples"),
    ],
    ids=["length-mismatch", "no-reference", "bad-language", "bad-tokenize", "hypothesis-none", "bootstrap-one"],
)
def test_bad_input_is_an_input_error(call, message):
    with pytest.raises(InputError, match=message):
        call()


# ---------------------------------------------------------------- target language inferred from the references


@pytest.mark.parametrize(
    "references, target, tokenize",
    [
        (["我们今天去公园散步。"], "zh", "zh"),
        (["We went for a walk in the park today."], "en", "13a"),
        # Mixed: 5 Han characters among 23 non-space characters (0.22 >= 0.1) count as Chinese ...
        (["The mayor, 王小明, said so. 很好。"], "zh", "zh"),
        # ... 3 of 50 (0.06) do not: an English sentence that names a person in Chinese stays English.
        (["The mayor 王小明 opened the new bridge over the river on Monday."], "en", "13a"),
        ([["We walked.", "我们散步。"]], "zh", "zh"),  # two references, one of each: 4 of 14
    ],
    ids=["chinese", "english", "mixed-mostly-chinese-share", "mixed-english-with-a-name", "one-reference-of-each"],
)
def test_target_language_is_inferred_from_the_references(references, target, tokenize):
    result = score_translation(["x"], references)
    assert result.bleu_signature.split("|")[3] == f"tok:{tokenize}"
    assert result.signature.endswith(f" target:{target}(inferred)")
    assert infer_target_lang(references) == target


def test_chinese_bleu_without_a_target_language_is_tokenized_as_chinese():
    # Without --target-lang this used to be 13a with only a warning; now it equals the explicit zh score.
    hypothesis, reference = ["两名男子被警方逮捕了。"], ["警方逮捕了两名男子。"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        inferred = score_translation(hypothesis, reference)
    given = score_translation(hypothesis, reference, target_lang="zh")
    assert (inferred.bleu, inferred.chrf) == (given.bleu, given.chrf)
    assert given.signature.endswith(" target:zh(given)")


def test_an_explicit_target_language_overrides_the_inference():
    with pytest.warns(ChineseTargetTokenizeWarning):
        result = score_translation(["两名男子"], ["两名男子"], target_lang="en")
    assert "tok:13a" in result.bleu_signature and result.signature.endswith(" target:en(given)")


def test_an_explicit_tokenizer_overrides_the_inferred_one():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # char splits Chinese: no warning
        result = score_translation(["两名男子"], ["两名男子"], tokenize="char")
    assert "tok:char" in result.bleu_signature and result.signature.endswith(" target:zh(inferred)")
