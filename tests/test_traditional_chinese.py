"""Traditional Chinese (``zh-Hant``) in and out, on the tiny models: translations, summaries, CLI, API, batch.

The tiny models write random text in the Simplified characters they were trained on, so each
check compares the real output with its OpenCC conversion and checks that no Simplified-only
character is left (the script round trip), never only that some text came back.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import tiny_overrides
from test_engine_contract import EchoEngine
from tiny_models import build_tiny_marian

from summarize import InputError, Service, load_settings
from summarize.batch.processing import process_group
from summarize.batch.records import PendingRecord
from summarize.charclasses import HAN_CHAR
from summarize.chinese_script import count_scripts, to_simplified, to_traditional
from summarize.cli import main
from summarize.config import ModelSettings
from summarize.glossary import Glossary, TermCheck, kept_terms
from summarize.script_handling import ScriptHandling, ScriptTranslator
from summarize.store import ModelStore
from summarize.translate import Seq2SeqTranslator

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ENGLISH = (EXAMPLES / "article_en.txt").read_text(encoding="utf-8")
TRADITIONAL = (EXAMPLES / "article_zh_hant.txt").read_text(encoding="utf-8")
SIMPLIFIED = (EXAMPLES / "article_zh.txt").read_text(encoding="utf-8")
SHORT_ENGLISH = "The council approved the new library on Thursday. Work starts next month."


def is_traditional(text: str) -> bool:
    """Chinese text with no Simplified-only character left (OpenCC's view)."""
    return bool(HAN_CHAR.search(text)) and count_scripts(text).simplified == 0


@pytest.fixture(scope="module")
def hans_only_marian(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An en-zh Marian model whose vocabulary has >>cmn_Hans<< but no >>cmn_Hant<< tag."""
    return build_tiny_marian(tmp_path_factory.mktemp("hans_only") / "marian-en-zh", "en", "zh", (">>cmn_Hans<<",))


def make_service(tiny_models: dict[str, Path], **extra: object) -> Service:
    overrides = tiny_overrides(tiny_models, **{"summarize.engine": "seq2seq", **extra})
    return Service(load_settings(overrides=overrides, environ={}), store=ModelStore())


@pytest.fixture(scope="module")
def service(tiny_models: dict[str, Path]) -> Service:
    return make_service(tiny_models)


@pytest.fixture(scope="module")
def hans_only_service(tiny_models: dict[str, Path], hans_only_marian: Path) -> Service:
    """Translation into zh-Hant by conversion only: the en-zh model has no Traditional tag."""
    return make_service(tiny_models, **{"translate.models.en-zh.model": str(hans_only_marian)})


# --------------------------------------------------------------------------- translation into Traditional


def test_the_traditional_tag_is_used_where_the_model_has_it(service: Service, hans_only_service: Service) -> None:
    assert service.engines.translator("en", "zh-Hant").inner.generator.target_tag("zh-Hant") == ">>cmn_Hant<<"
    assert service.engines.translator("en", "zh").inner.generator.target_tag("zh") == ">>cmn_Hans<<"
    assert hans_only_service.engines.translator("en", "zh-Hant").inner.generator.target_tag("zh-Hant") == ">>cmn_Hans<<"


def test_translation_into_zh_hant_is_the_converted_simplified_output(hans_only_service: Service) -> None:
    simplified = hans_only_service.translate(SHORT_ENGLISH, "zh")
    traditional = hans_only_service.translate(SHORT_ENGLISH, "zh-Hant")
    assert (traditional.source_lang, traditional.target_lang, traditional.engine) == ("en", "zh-Hant", "seq2seq")
    assert count_scripts(simplified.text).simplified > 0  # the tiny model writes Simplified characters
    assert traditional.text == to_traditional(simplified.text, "s2twp")
    assert is_traditional(traditional.text)


def test_hant_variant_picks_the_conversion(tiny_models: dict[str, Path], hans_only_marian: Path) -> None:
    hk = make_service(
        tiny_models, **{"translate.models.en-zh.model": str(hans_only_marian), "translate.hant_variant": "s2hk"}
    )
    simplified = hk.translate(SHORT_ENGLISH, "zh").text
    assert hk.translate(SHORT_ENGLISH, "zh-Hant").text == to_traditional(simplified, "s2hk")


def test_translation_with_the_traditional_tag_comes_out_traditional(service: Service) -> None:
    result = service.translate(ENGLISH, "zh-Hant")
    assert result.target_lang == "zh-Hant"
    assert is_traditional(result.text)
    assert result.text.count("\n\n") == ENGLISH.strip().count("\n\n")  # paragraphs kept
    *partials, streamed = service.translate_stream(ENGLISH, "zh-Hant")
    assert (partials[-1], streamed.text, streamed.chunks) == (result.text, result.text, result.chunks)


def test_a_cross_lingual_summary_into_zh_hant(hans_only_service: Service) -> None:
    simplified = hans_only_service.summarize(ENGLISH, "zh")
    traditional = hans_only_service.summarize(ENGLISH, "zh-Hant")
    assert (traditional.source_lang, traditional.target_lang, traditional.engine) == ("en", "zh-Hant", "seq2seq+seq2seq")
    assert traditional.text == to_traditional(simplified.text)
    assert is_traditional(traditional.text)


def test_chinese_is_not_translated_into_chinese(service: Service) -> None:
    with pytest.raises(InputError) as caught:
        service.translate(SIMPLIFIED, "zh-Hant")
    assert str(caught.value) == (
        "text is already in 'zh'; translation goes en->zh or zh->en, so set target_lang to the other language"
    )


# --------------------------------------------------------------------------- Traditional articles


def test_a_traditional_article_is_detected_and_its_summary_stays_traditional(tiny_models: dict[str, Path]) -> None:
    longer = {"num_beams": 1, "min_new_tokens": 24, "max_new_tokens": 24}
    service = make_service(tiny_models, **{"summarize.models.zh.generation": longer})
    result = service.summarize(TRADITIONAL)
    as_simplified = service.summarize(TRADITIONAL, source_lang="zh")  # the same model output, left as written
    assert (result.source_lang, result.target_lang, result.engine) == ("zh-Hant", "zh-Hant", "seq2seq")
    assert count_scripts(as_simplified.text).simplified > 0
    assert result.text == to_traditional(as_simplified.text)
    assert is_traditional(result.text)


def test_an_extractive_summary_copies_the_traditional_sentences(tiny_models: dict[str, Path]) -> None:
    extractive = make_service(tiny_models, **{"summarize.engine": "extractive"})
    result = extractive.summarize(TRADITIONAL)
    assert (result.source_lang, result.target_lang, result.engine) == ("zh-Hant", "zh-Hant", "extractive")
    assert result.text.startswith("港灣區議會星期四通過一項計劃")
    assert result.text == extractive.summarize(TRADITIONAL, source_lang="zh").text  # never converted


def test_a_simplified_article_summarized_into_zh_hant_is_converted(tiny_models: dict[str, Path]) -> None:
    extractive = make_service(tiny_models, **{"summarize.engine": "extractive"})
    result = extractive.summarize(SIMPLIFIED, "zh-Hant")
    assert (result.source_lang, result.target_lang, result.engine) == ("zh", "zh-Hant", "extractive+opencc")
    assert result.text == to_traditional(extractive.summarize(SIMPLIFIED).text)
    back = extractive.summarize(TRADITIONAL, "zh")
    assert back.text == to_simplified(extractive.summarize(TRADITIONAL).text)


@pytest.mark.parametrize("hant_input", ["simplified", "traditional"])
def test_translation_from_traditional_reads_as_hant_input_says(tiny_models: dict[str, Path], hant_input: str) -> None:
    chosen = make_service(tiny_models, **{"translate.hant_input": hant_input})
    result = chosen.translate(TRADITIONAL, "en")
    model_reads = to_simplified(TRADITIONAL) if hant_input == "simplified" else TRADITIONAL
    assert (result.source_lang, result.target_lang) == ("zh-Hant", "en")
    assert result.text == chosen.translate(model_reads, "en", source_lang="zh").text


@pytest.mark.parametrize("hant_input", ["simplified", "traditional"])
def test_the_model_reads_and_writes_as_the_settings_say(tiny_models: dict[str, Path], hant_input: str) -> None:
    """An engine that echoes its input shows what the model is given and what is done with its output."""
    reads = ScriptHandling(model_input=hant_input)  # type: ignore[arg-type]
    echo = EchoEngine(tiny_models["marian-zh-en"], ModelSettings(model="echo"), keep="all")
    (translation,) = ScriptTranslator(Seq2SeqTranslator(echo), reads).translate_documents(
        ["港灣區議會通過計劃。市民表示歡迎。"], "zh-Hant", "en", None
    )
    expected = "港湾区议会通过计划。市民表示欢迎。" if hant_input == "simplified" else "港灣區議會通過計劃。市民表示歡迎。"
    assert translation.text == expected
    tagged = EchoEngine(tiny_models["marian-en-zh"], ModelSettings(model="echo"), keep="all")
    (translation,) = ScriptTranslator(Seq2SeqTranslator(tagged), ScriptHandling(variant="s2hk")).translate_documents(
        ["记者说工程后年完成。"], "en", "zh-Hant", None
    )
    assert translation.text == ">>cmn_Hant<< 記者説工程後年完成。"  # 説: the Hong Kong form


@pytest.mark.parametrize(
    ("hant_input", "source_terms", "reported"),
    [
        ("simplified", ("港湾", "港灣"), ["港湾", "港灣"]),  # the model reads 港湾 either way: both are enforced
        ("traditional", ("港湾", "港灣"), ["港灣"]),  # the model reads 港灣: only the term written so is
    ],
)
def test_glossary_terms_of_a_traditional_article_are_reported_where_the_model_reads_them(
    tiny_models: dict[str, Path], hant_input: str, source_terms: tuple[str, ...], reported: list[str]
) -> None:
    """``Result.terms`` lists a term wherever the translation model was given it (in the script it reads),
    named as the glossary writes it."""
    chosen = make_service(tiny_models, **{"translate.hant_input": hant_input})
    found = []
    for source_term in source_terms:
        result = chosen.translate("港灣區議會通過計劃。市民表示歡迎。", "en", glossary=Glossary.from_mapping({source_term: "harbour"}))
        assert result.source_lang == "zh-Hant"
        assert all(term == TermCheck(source_term, "harbour", "harbour" in kept_terms(result.text, ["harbour"])) for term in result.terms)
        found += [term.source for term in result.terms]
    assert found == reported


def test_a_simplified_glossary_term_is_enforced_and_reported_in_a_traditional_article(tiny_models: dict[str, Path]) -> None:
    echo = EchoEngine(tiny_models["marian-zh-en"], ModelSettings(model="echo"), keep="all")
    glossary = Glossary.from_mapping({"港湾": "harbour"})
    reads = ScriptHandling()
    (translation,) = ScriptTranslator(Seq2SeqTranslator(echo), reads).translate_documents(
        ["港灣，議會通過計劃。"], "zh-Hant", "en", glossary
    )
    assert translation.text == "harbour，议会通过计划。"  # the echo of 7001，议会通过计划。, the term put back
    checks = reads.check_terms(glossary, "港灣，議會通過計劃。", translation.text, "zh-Hant", "en")
    assert checks == (TermCheck("港湾", "harbour", True),)
    assert reads.check_terms(glossary, "港灣，議會通過計劃。", translation.text, "zh-Hant", "en", as_model=False) == ()


def test_bilingual_summary_of_a_traditional_article(service: Service) -> None:
    summary, translated = service.summarize_bilingual(TRADITIONAL)
    assert (summary.target_lang, translated.target_lang) == ("zh-Hant", "en")
    assert replace(translated, seconds=0) == replace(service.summarize(TRADITIONAL, "en"), seconds=0)


# --------------------------------------------------------------------------- shells


def test_cli_translate_to_zh_hant(capsys: pytest.CaptureFixture[str], tiny_models: dict[str, Path], tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(SHORT_ENGLISH, encoding="utf-8")
    flags = []
    for key, value in tiny_overrides(tiny_models).items():
        flags += ["--set", f"{key}={json.dumps(value) if isinstance(value, dict) else value}"]
    code = main(["translate", str(article), "--to", "zh-Hant", "--json", *flags])
    record = json.loads(capsys.readouterr().out)
    assert (code, record["source_lang"], record["target_lang"]) == (0, "en", "zh-Hant")
    assert is_traditional(record["text"])


def test_cli_refuses_an_unknown_script(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["translate", "-", "--to", "zh-TW"])
    assert caught.value.code == 2
    assert capsys.readouterr().err.endswith(
        "summarize translate: error: argument --to: invalid choice: 'zh-TW' (choose from 'en', 'zh', 'zh-Hant')\n"
    )


def test_api_translates_into_zh_hant(tiny_models: dict[str, Path]) -> None:
    from fastapi.testclient import TestClient

    from summarize.web.server import create_app

    settings = load_settings(overrides=tiny_overrides(tiny_models), environ={})
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        response = client.post("/v1/translate", json={"text": SHORT_ENGLISH, "target_lang": "zh-Hant"})
        summary = client.post("/v1/summarize", json={"text": TRADITIONAL})
    assert response.status_code == 200
    assert response.json()["target_lang"] == "zh-Hant"
    assert is_traditional(response.json()["text"])
    assert (summary.json()["source_lang"], summary.json()["target_lang"]) == ("zh-Hant", "zh-Hant")


def test_batch_translates_into_zh_hant_and_skips_chinese(service: Service) -> None:
    records = [PendingRecord("en", SHORT_ENGLISH), PendingRecord("hant", TRADITIONAL), PendingRecord("zh", SIMPLIFIED)]
    english, hant, chinese = process_group(service, records, "translate", "zh-Hant")
    assert (english.source_lang, english.target_lang, english.error) == ("en", "zh-Hant", "")
    assert english.translation == service.translate(SHORT_ENGLISH, "zh-Hant").text
    assert (hant.source_lang, hant.error) == (
        "zh-Hant",
        "text is already in 'zh-Hant'; translation goes en->zh or zh->en, so set target_lang to the other language",
    )
    assert (chinese.source_lang, chinese.translation) == ("zh", "")



def test_ui_translates_into_traditional_and_reads_traditional(service: Service, tmp_path: Path) -> None:
    from summarize.web.demo.actions import DIRECTIONS, Actions
    from summarize.web.demo.glossary import describe_terms

    actions = Actions(service)
    assert DIRECTIONS["en-zh-Hant"] == "English → Traditional Chinese"
    *_, (translation, details) = actions.translate(SHORT_ENGLISH, "en-zh-Hant")
    assert translation == service.translate(SHORT_ENGLISH, "zh-Hant").text
    assert details.startswith("English → Traditional Chinese · model ")
    *_, (back, _) = actions.translate(TRADITIONAL, "zh-en")  # the detected script is kept: zh-Hant -> en
    assert back == service.translate(TRADITIONAL, "en").text
    # a Simplified glossary term in a Traditional text: listed where the model was given it, as the service lists it
    glossary = tmp_path / "terms.tsv"
    glossary.write_text("港湾\tharbour\n", encoding="utf-8")
    article = "港灣區議會通過計劃。市民表示歡迎。"
    *_, (_, shown) = actions.translate(article, "zh-en", str(glossary))
    expected = service.translate(article, "en", glossary=Glossary.from_mapping({"港湾": "harbour"})).terms
    assert [term.source for term in expected] == ["港湾"] and shown.endswith(describe_terms(expected))
    assert actions.swap("en-zh-Hant", "text", "譯文")[:2] == ("zh-en", "譯文")
    english, chinese, _ = actions.bilingual(TRADITIONAL, "medium", "default")
    summary, translated = service.summarize_bilingual(TRADITIONAL)
    assert (english, chinese) == (translated.text, summary.text)
    upload = tmp_path / "article.txt"
    upload.write_text(SHORT_ENGLISH, encoding="utf-8")
    path, _ = actions.translate_document(str(upload), "en-zh-Hant")
    assert Path(path).name == "article.zh-Hant.txt"
    assert is_traditional(Path(path).read_text(encoding="utf-8"))
