"""ROUGE and BLEU/chrF on Traditional Chinese: character level, and with both sides in one script."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

pytest.importorskip("sacrebleu", reason="sacrebleu is in the eval extra")

from summarize.evaluation import AlignedItems, Rouge  # noqa: E402
from summarize.evaluation.chinese_scripts import in_one_script  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PREDICTION = "臺灣經濟成長"  # Traditional, Taiwan's 臺
REFERENCE = "台灣經濟增長"  # Traditional with 台; 增 where the prediction has 成


def _score_script():
    spec = importlib.util.spec_from_file_location("eval_score_hant", ROOT / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_character_rouge_on_traditional_text() -> None:
    scores = Rouge(tokenizer="zh-char").score(PREDICTION, REFERENCE)
    # Unigrams in common: 灣 經 濟 長 (4 of 6); bigrams: 灣經 經濟 (2 of 5).
    assert scores["rouge1"].f1 == pytest.approx(4 / 6)
    assert scores["rouge2"].f1 == pytest.approx(2 / 5)


def test_one_script_converts_both_sides() -> None:
    items = AlignedItems(outputs=[PREDICTION, "后来"], references=[[REFERENCE], ["後來", "以后"]])
    simplified = in_one_script(items, "simplified")
    assert simplified.outputs == ["台湾经济成长", "后来"]
    assert simplified.references == [["台湾经济增长"], ["后来", "以后"]]
    assert in_one_script(items, "traditional").outputs == ["臺灣經濟成長", "後來"]


def test_score_py_converts_with_chinese_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pred, ref = tmp_path / "pred.txt", tmp_path / "ref.txt"
    pred.write_text(PREDICTION + "\n", encoding="utf-8")
    ref.write_text(REFERENCE + "\n", encoding="utf-8")
    score = _score_script()
    argv = ["--task", "summarization", "--pred", str(pred), "--ref", str(ref), "--lang", "zh", "--json"]
    assert score.main(argv) == 0
    as_written = json.loads(capsys.readouterr().out)
    assert score.main([*argv, "--chinese-script", "simplified"]) == 0
    converted = json.loads(capsys.readouterr().out)
    assert as_written["rouge1"]["f1"] == pytest.approx(4 / 6)
    # 台湾经济成长 vs 台湾经济增长: 5 of 6 characters, 3 of 5 bigrams.
    assert (converted["rouge1"]["f1"], converted["rouge2"]["f1"]) == (pytest.approx(5 / 6), pytest.approx(3 / 5))
    assert converted["signature"].endswith("|script:t2s")
    assert "script:" not in as_written["signature"]


def test_term_accuracy_reads_the_outputs_as_written_whatever_script_they_are_scored_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--chinese-script converts outputs to match the references; the glossary's 市长 is still the term the
    system wrote (市長 after the conversion)."""
    files = {"hyp": "市长说新大桥已经开放。", "ref": "市長說新大橋已經開放。", "src": "The mayor said the new bridge is open."}
    for name, text in files.items():
        (tmp_path / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    (tmp_path / "terms.tsv").write_text("mayor\t市长\nbridge\t大桥\n", encoding="utf-8")
    argv = ["--task", "translation", "--target-lang", "zh", "--glossary", str(tmp_path / "terms.tsv"), "--json"]
    argv += [arg for name in files for arg in (f"--{name}", str(tmp_path / f"{name}.txt"))]
    terms = {}
    for script in ("traditional", "simplified"):
        assert _score_script().main([*argv, "--chinese-script", script]) == 0
        terms[script] = json.loads(capsys.readouterr().out)["terms"]["value"]
    assert terms == {"traditional": 1.0, "simplified": 1.0}


def test_score_py_refuses_an_unknown_script(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        _score_script().main(["--task", "summarization", "--pred", "p", "--ref", "r", "--chinese-script", "hk"])
    assert caught.value.code == 2
    assert "argument --chinese-script: invalid choice: 'hk' (choose from 'simplified', 'traditional')" in (
        capsys.readouterr().err
    )


def test_hant_input_measurement_runs_on_a_stand_in_flores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_models: dict[str, Path]
) -> None:
    """eval/hant_input.py end to end on the tiny models and three team-written sentence pairs
    (the tiny models' scores are noise: this checks the plumbing, not the answer)."""
    from conftest import tiny_overrides

    folder = tmp_path / "flores200-eng-zho" / "data" / "flores200_dataset" / "devtest"
    folder.mkdir(parents=True)
    (folder / "zho_Hans.devtest").write_text("市政府宣布扩建公园。\n记者说工程后年完成。\n学生开始考试。\n", encoding="utf-8")
    (folder / "eng_Latn.devtest").write_text(
        "The city will expand the park.\nThe reporter said the work ends in two years.\nStudents began exams.\n",
        encoding="utf-8",
    )
    spec = importlib.util.spec_from_file_location("eval_hant_input", ROOT / "eval" / "hant_input.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    flags = [
        f"--set={key}={json.dumps(value) if isinstance(value, dict) else value}"
        for key, value in tiny_overrides(tiny_models).items()
    ]
    assert module.main(["--data-dir", str(tmp_path), "--limit", "2", "--json", *flags]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["model"], report["sentences"]) == (str(tiny_models["marian-zh-en"]), 2)
    assert report["traditional_source"] == "zho_Hans.devtest converted with OpenCC s2twp (no zho_Hant file here)"
    assert list(report["scores"]) == ["simplified", "hant-as-written", "hant-converted"]
    # Converting the OpenCC-made Traditional back gives the Simplified sentences: the same translations.
    assert report["scores"]["hant-converted"]["bleu"] == report["scores"]["simplified"]["bleu"]
    (folder / "zho_Hant.devtest").write_text("市政府宣佈擴建公園。\n記者說工程後年完成。\n", encoding="utf-8")
    assert module.main(["--data-dir", str(tmp_path), "--limit", "2", "--json", *flags]) == 0
    assert json.loads(capsys.readouterr().out)["traditional_source"] == "FLORES-200 zho_Hant.devtest"


def test_hant_input_names_a_bad_set_option_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("eval_hant_input_bad_set", ROOT / "eval" / "hant_input.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--set", "translate.hant_input"]) == 1
    assert capsys.readouterr().err == (
        "eval/hant_input.py: error: --set expects KEY=VALUE, e.g. summarize.engine=extractive; got 'translate.hant_input'\n"
    )
