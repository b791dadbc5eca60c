"""quickmt's layout (a CTranslate2 model with SentencePiece files, no transformers config) as a translation
engine: recognized by its files, translating as quickmt itself does, and working everywhere the other
engines do (glossary, zh-Hant, documents, batch jobs, cross-lingual summaries); broken folders refused
in one line. The models are tiny random-weight ones built offline (tests/tiny_models.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import ctranslate2
import pytest
import sentencepiece

from summarize import Service, load_settings
from summarize.batch import InputRecord, process_records
from summarize.chinese_script import to_traditional
from summarize.documents.srt import parse_cues
from summarize.engines.quickmt import QuickMTModel
from summarize.errors import ModelUnavailableError
from summarize.glossary import Glossary, TermCheck
from summarize.hub import is_native_folder, native_repo_files
from summarize.store import ModelStore
from summarize.translate import output_cap

SENTENCE = "The council approved the new park on Tuesday."
GENERATION = {"num_beams": 5, "max_new_tokens": 12, "no_repeat_ngram_size": 0}  # as quickmt decodes
ROOT = Path(__file__).resolve().parent.parent


def quickmt_service(tiny_quickmt: dict[str, Path], en_zh: str = "en-zh", **extra: object) -> Service:
    overrides = {
        "runtime.device": "cpu", "runtime.allow_download": False, "summarize.engine": "extractive",
        "translate.models.en-zh.model": str(tiny_quickmt[en_zh]), "translate.models.en-zh.generation": GENERATION,
        "translate.models.zh-en.model": str(tiny_quickmt["zh-en"]), "translate.models.zh-en.generation": GENERATION,
        **extra,
    }
    return Service(load_settings(overrides=overrides, environ={}), store=ModelStore())


def as_quickmt_does(folder: Path, sentence: str, beam_size: int, max_decoding_length: int) -> str:
    """A direct ctranslate2 + sentencepiece call, as quickmt's translator.py makes it."""
    joint = (folder / "joint.spm.model").is_file()
    source = sentencepiece.SentencePieceProcessor(model_file=str(folder / ("joint.spm.model" if joint else "src.spm.model")))
    target = sentencepiece.SentencePieceProcessor(model_file=str(folder / ("joint.spm.model" if joint else "tgt.spm.model")))
    translator = ctranslate2.Translator(str(folder), device="cpu", compute_type="int8")
    (result,) = translator.translate_batch(
        [source.encode(sentence, out_type=str)], beam_size=beam_size, max_decoding_length=max_decoding_length
    )
    return target.decode(result.hypotheses[0]).strip()


def test_the_layout_is_recognized_by_its_files(tiny_quickmt: dict[str, Path], tiny_models: dict[str, Path]) -> None:
    assert all(is_native_folder(folder) for folder in tiny_quickmt.values())
    assert not is_native_folder(tiny_models["marian-en-zh"])  # a transformers folder
    assert native_repo_files(["README.md", "model.bin", "config.json", "src.spm.model", "tgt.spm.model",
                              "source_vocabulary.json", "target_vocabulary.json", "eole-config.yaml"]) == [
        "config.json", "model.bin", "src.spm.model", "tgt.spm.model", "source_vocabulary.json", "target_vocabulary.json",
    ]
    assert native_repo_files(["model.bin", "config.json", "joint.spm.model", "shared_vocabulary.json"]) == [
        "config.json", "model.bin", "joint.spm.model", "shared_vocabulary.json",
    ]
    assert native_repo_files(["config.json", "model.safetensors", "source.spm"]) is None


@pytest.mark.parametrize("variant", ["en-zh", "en-zh-joint"])
def test_a_sentence_comes_out_as_a_direct_quickmt_call_gives_it(tiny_quickmt: dict[str, Path], variant: str) -> None:
    service = quickmt_service(tiny_quickmt, variant)
    engine = service.engines.translator("en", "zh").inner.generator
    assert isinstance(engine, QuickMTModel) and engine.compute_type == "int8"  # int8 on CPU by default
    (count,) = engine.count_tokens([SENTENCE])
    expected = as_quickmt_does(tiny_quickmt[variant], SENTENCE, 5, output_cap(count, GENERATION["max_new_tokens"]))
    result = service.translate(SENTENCE, "zh")
    assert (result.text, result.engine, result.model) == (expected, "seq2seq", str(tiny_quickmt[variant]))


def test_traditional_output_is_the_simplified_translation_converted(tiny_quickmt: dict[str, Path]) -> None:
    service = quickmt_service(tiny_quickmt)
    assert service.translate(SENTENCE, "zh-Hant").text == to_traditional(service.translate(SENTENCE, "zh").text)


def test_glossary_terms_are_enforced_and_checked(tiny_quickmt: dict[str, Path]) -> None:
    service = quickmt_service(tiny_quickmt)
    result = service.translate(SENTENCE, "zh", glossary=Glossary.from_mapping({"council": "市议会"}))
    assert result.terms == (TermCheck("council", "市议会", "市议会" in result.text),)


def test_a_subtitle_file_keeps_its_cues_and_timings(tiny_quickmt: dict[str, Path]) -> None:
    source = "1\n00:00:01,000 --> 00:00:02,500\nThe council met.\n\n2\n00:00:03,000 --> 00:00:04,000\nIt voted.\n"
    translation = quickmt_service(tiny_quickmt).translate_document(source.encode(), "srt", "zh", name="a.srt")
    before, after = parse_cues(source, "a.srt"), parse_cues(translation.data.decode(), "a.zh.srt")
    assert [(cue.number, cue.timing) for cue in after] == [(cue.number, cue.timing) for cue in before]


def test_a_cross_lingual_summary_is_summarized_then_translated(tiny_quickmt: dict[str, Path]) -> None:
    service = quickmt_service(tiny_quickmt)
    article = "The council met on Tuesday. It approved the new park. Work starts in May."
    summary = service.summarize(article, "zh")
    own = service.summarize(article)
    assert (summary.engine, summary.model) == ("extractive+seq2seq", f"extractive + {tiny_quickmt['en-zh']}")
    assert summary.text == service.translate(own.text, "zh").text


def test_a_batch_job_translates_with_it(tiny_quickmt: dict[str, Path]) -> None:
    service = quickmt_service(tiny_quickmt)
    records = [InputRecord("in:1", "a", SENTENCE), InputRecord("in:2", "b", "Work starts in May.")]
    out = list(process_records(service, records, "translate", "zh"))
    assert [(record.id, record.error) for record in out] == [("a", ""), ("b", "")]
    assert out[0].translation == service.translate(SENTENCE, "zh").text


@pytest.mark.parametrize(
    ("remove", "message"),
    [
        (["tgt.spm.model"], "tgt.spm.model is missing from the folder"),
        (["src.spm.model", "tgt.spm.model"], "src.spm.model and tgt.spm.model (or joint.spm.model) is missing from the folder"),
    ],
)
def test_a_folder_missing_a_sentencepiece_file_is_named(
    tiny_quickmt: dict[str, Path], tmp_path: Path, remove: list[str], message: str
) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(tiny_quickmt["en-zh"], folder)
    for name in remove:
        (folder / name).unlink()
    service = quickmt_service(tiny_quickmt, **{"translate.models.en-zh.model": str(folder)})
    with pytest.raises(ModelUnavailableError) as raised:
        service.translate(SENTENCE, "zh")
    assert str(raised.value) == (
        f"model {str(folder)!r} (translate.models.en-zh) is a CTranslate2 model without its SentencePiece model: "
        f"{message}; add the file the model was trained with, or set translate.models.en-zh.model to a full folder"
    )
    assert service.store.state("translate.models.en-zh", service.settings.translate.models["en-zh"],
                               service.settings.runtime).state == "failed"  # nothing half-loaded kept


def test_a_sentencepiece_model_that_does_not_match_the_vocabulary_is_refused(tiny_quickmt: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "mismatched"
    shutil.copytree(tiny_quickmt["en-zh"], folder)
    shutil.copy(tiny_quickmt["en-zh"] / "tgt.spm.model", folder / "src.spm.model")  # Chinese pieces for English
    service = quickmt_service(tiny_quickmt, **{"translate.models.en-zh.model": str(folder)})
    with pytest.raises(ModelUnavailableError, match=r"src\.spm\.model does not match the model's vocabulary \([\d,]+ of its [\d,]+ pieces are not in it\); use the SentencePiece model the model was trained with$"):
        service.translate(SENTENCE, "zh")


def test_the_defaults_are_quickmt_with_their_licence(capsys: pytest.CaptureFixture[str]) -> None:
    from summarize.cli import main

    assert main(["models", "list", "--json"]) == 0
    rows = {row["role"]: row for row in json.loads(capsys.readouterr().out)}
    assert {role: (rows[role]["name"], rows[role]["licence"]) for role in ("translate.models.en-zh", "translate.models.zh-en")} == {
        "translate.models.en-zh": ("quickmt/quickmt-en-zh", "CC-BY-4.0"),
        "translate.models.zh-en": ("quickmt/quickmt-zh-en", "CC-BY-4.0"),
    }
    opus = load_settings(ROOT / "configs" / "opus-mt.yaml", environ={}).translate.models
    assert (opus["en-zh"].model, opus["zh-en"].model) == ("Helsinki-NLP/opus-mt-en-zh", "Helsinki-NLP/opus-mt-zh-en")


def test_the_command_translates_a_file_into_traditional_with_a_quickmt_folder(tiny_quickmt: dict[str, Path], tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(SENTENCE + "\n\nWork starts in May.", encoding="utf-8")
    command = [sys.executable, "-m", "summarize", "translate", str(article), "--to", "zh-Hant", "--json",
               "--set", f"translate.models.en-zh.model={tiny_quickmt['en-zh']}", "--set", "runtime.allow_download=false"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    expected = quickmt_service(tiny_quickmt, **{"translate.models.en-zh.generation": {}}).translate(
        article.read_text(encoding="utf-8"), "zh-Hant"
    )
    assert (result["target_lang"], result["text"].count("\n\n"), result["model"]) == ("zh-Hant", 1, str(tiny_quickmt["en-zh"]))
    assert result["text"] == expected.text
