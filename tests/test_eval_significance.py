"""Paired bootstrap p-values on constructed cases whose answer is known, and parity with sacrebleu."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarize.errors import InputError
from summarize.evaluation import PairedBootstrap, Rouge, TranslationScorer

sacrebleu = pytest.importorskip("sacrebleu", reason="sacrebleu is in the eval extra")

# Thirty short team-written sentences; every system below is built from them.
WORDS = "the council met on monday to discuss a new plan for the old river park and its long path".split()
REFERENCES = [" ".join(WORDS[i % 7 : i % 7 + 6 + i % 5]) for i in range(30)]
PERFECT = list(REFERENCES)
# Drops the last two words of every reference: worse than PERFECT on every single item.
TRUNCATED = [" ".join(reference.split()[:-2]) for reference in REFERENCES]
# Right on even items, truncated on odd ones: sometimes better, sometimes worse than ALTERNATE.
MIXED = [PERFECT[i] if i % 2 == 0 else TRUNCATED[i] for i in range(30)]
ALTERNATE = [TRUNCATED[i] if i % 3 == 0 else PERFECT[i] for i in range(30)]
TEST = PairedBootstrap(n_samples=1000, seed=12345)


@pytest.fixture(scope="module")
def scorer() -> TranslationScorer:
    return TranslationScorer(REFERENCES, target_lang="en")


def test_identical_systems_get_p_1(scorer):
    assert scorer.paired_p_values(TRUNCATED, TRUNCATED, TEST) == {"bleu": 1.0, "chrf": 1.0}


def test_sacrebleu_itself_would_call_identical_systems_significant():
    # The one place we differ from sacrebleu 2.6: it counts only strictly larger resampled differences.
    from sacrebleu.significance import PairedTest

    test = PairedTest([("a", TRUNCATED), ("b", TRUNCATED)], {"BLEU": sacrebleu.BLEU()}, [REFERENCES], "bs", 1000)
    _, results = test()
    assert results["BLEU"][1].p_value == pytest.approx(1 / 1001)


def test_better_on_every_item_is_significant(scorer):
    p_values = scorer.paired_p_values(PERFECT, TRUNCATED, TEST)
    assert p_values == {"bleu": 1 / 1001, "chrf": 1 / 1001}


def test_p_values_equal_sacrebleus_where_no_resample_ties(scorer):
    from sacrebleu.significance import PairedTest

    metrics = {"BLEU": sacrebleu.BLEU(), "chrF2": sacrebleu.CHRF()}
    _, results = PairedTest([("base", ALTERNATE), ("system", MIXED)], metrics, [REFERENCES], "bs", 1000)()
    ours = scorer.paired_p_values(MIXED, ALTERNATE, TEST)
    assert 0.05 < ours["bleu"] < 1.0
    assert ours == {"bleu": results["BLEU"][1].p_value, "chrf": results["chrF2"][1].p_value}


def test_rouge_identical_and_dominating_systems():
    rouge = Rouge("en", rouge_types=("rouge1", "rougeL"))
    truncated = rouge.corpus_score(TRUNCATED, REFERENCES)
    perfect = rouge.corpus_score(PERFECT, REFERENCES)
    assert TEST.p_value(truncated.item_f1("rouge1"), truncated.item_f1("rouge1")) == 1.0
    assert TEST.p_value(perfect.item_f1("rouge1"), truncated.item_f1("rouge1")) == 1 / 1001
    assert TEST.p_value(perfect.item_f1("rougeL"), truncated.item_f1("rougeL")) == 1 / 1001


def test_one_different_item_in_thirty_is_not_significant():
    baseline = [0.5] * 30
    system = [0.5] * 29 + [0.6]
    assert TEST.p_value(system, baseline) > 0.05


def test_signature():
    assert TEST.signature == "paired-bs|n:1000|seed:12345"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: TEST.p_value([1.0, 2.0], [1.0]), "paired test needs aligned items: system has 2 but baseline has 1"),
        (lambda: TEST.p_value([], []), "paired test needs at least one item"),
        (lambda: PairedBootstrap(n_samples=0), "the paired bootstrap needs at least 1 resample, not 0"),
    ],
    ids=["misaligned", "empty", "no-resamples"],
)
def test_bad_input(call, message):
    with pytest.raises(InputError, match=message):
        call()


_scores = st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=20)


@settings(max_examples=30, deadline=None)
@given(data=st.data(), system=_scores)
def test_p_is_a_probability_and_symmetric(data, system):
    baseline = data.draw(st.lists(st.floats(min_value=0, max_value=1), min_size=len(system), max_size=len(system)))
    test = PairedBootstrap(n_samples=50)
    p = test.p_value(system, baseline)
    assert 1 / 51 <= p <= 1.0
    assert test.p_value(baseline, system) == p
