"""The service over tiny random-weight models: routing, structure, order, fallbacks, bad input."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import tiny_overrides
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarize import InputError, ModelUnavailableError, Service, load_settings
from summarize.store import ModelStore
from summarize.translate import output_cap, translate_segments

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ENGLISH = (EXAMPLES / "article_en.txt").read_text(encoding="utf-8")
CHINESE = (EXAMPLES / "article_zh.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shared_service(tiny_settings) -> Service:
    """One service for the property tests (hypothesis reuses it across examples)."""
    return Service(tiny_settings, store=ModelStore())


def test_english_summary_uses_the_english_model(tiny_service: Service, tiny_models: dict[str, Path]) -> None:
    result = tiny_service.summarize(ENGLISH)
    assert (result.task, result.source_lang, result.target_lang) == ("summarize", "en", "en")
    assert (result.engine, result.model, result.chunks) == ("seq2seq", str(tiny_models["bart"]), 1)
    assert result.text and result.notes == ()


def test_chinese_summary_uses_the_chinese_model(tiny_service: Service, tiny_models: dict[str, Path]) -> None:
    result = tiny_service.summarize(CHINESE)
    assert (result.source_lang, result.target_lang, result.engine) == ("zh", "zh", "seq2seq")
    assert result.model == str(tiny_models["mt5"])


def test_cross_lingual_summary_translates_the_summary(tiny_service: Service, tiny_models: dict[str, Path]) -> None:
    result = tiny_service.summarize(ENGLISH, "zh")
    assert (result.source_lang, result.target_lang, result.engine) == ("en", "zh", "seq2seq+seq2seq")
    assert result.model == f"{tiny_models['bart']} + {tiny_models['marian-en-zh']}"


def test_chinese_to_english_summary(tiny_service: Service, tiny_models: dict[str, Path]) -> None:
    result = tiny_service.summarize(CHINESE, target_lang="en")
    assert result.model == f"{tiny_models['mt5']} + {tiny_models['marian-zh-en']}"


@pytest.mark.parametrize(("text", "other"), [(ENGLISH, "zh"), (CHINESE, "en")], ids=["en", "zh"])
def test_bilingual_summary_is_the_summary_and_the_cross_lingual_summary(
    tiny_service: Service, text: str, other: str
) -> None:
    summary, translated = tiny_service.summarize_bilingual(text)
    assert replace(summary, seconds=0) == replace(tiny_service.summarize(text), seconds=0)
    assert replace(translated, seconds=0) == replace(tiny_service.summarize(text, other), seconds=0)
    assert summary.text
    assert translated.text == tiny_service.translate(summary.text, other, source_lang=summary.source_lang).text


def test_bilingual_summary_keeps_the_extractive_fallback_notes(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    service = Service(missing_model_settings(tiny_models, tmp_path, "auto"), store=ModelStore())
    summary, translated = service.summarize_bilingual(ENGLISH)
    assert (summary.engine, translated.engine) == ("extractive", "extractive+seq2seq")
    assert translated.model == f"extractive + {tiny_models['marian-en-zh']}"
    assert translated.notes == summary.notes != ()


def test_bilingual_summary_without_translation_model(tiny_models: dict[str, Path]) -> None:
    overrides = tiny_overrides(tiny_models, **{"translate.models.en-zh.model": "example-org/not-cached-model"})
    service = Service(load_settings(overrides=overrides, environ={}), store=ModelStore())
    with pytest.raises(ModelUnavailableError, match=r"^a en->zh summary needs the translation model: model 'example-org"):
        service.summarize_bilingual(ENGLISH)


def test_opus_mt_target_tag_is_put_before_every_sentence(tiny_service: Service) -> None:
    model = tiny_service.engines.translator("en", "zh").inner.generator
    tag_id = model.tokenizer.convert_tokens_to_ids(">>cmn_Hans<<")
    assert model.prepare("The park opens in May.", "zh") == ">>cmn_Hans<< The park opens in May."
    assert model.tokenizer(model.prepare("The park opens in May.", "zh"))["input_ids"][0] == tag_id


def test_chinese_to_english_model_gets_no_tag(tiny_service: Service) -> None:
    model = tiny_service.engines.translator("zh", "en").inner.generator
    assert model.prepare("公园五月开放。", "en") == "公园五月开放。"


def test_configured_target_token_overrides_the_family_default(tiny_models: dict[str, Path]) -> None:
    overrides = tiny_overrides(tiny_models, **{"translate.models.en-zh.target_token": ">>cmn_Hant<<"})
    service = Service(load_settings(overrides=overrides, environ={}), store=ModelStore())
    assert service.engines.translator("en", "zh").inner.generator.prepare("Hi.", "zh") == ">>cmn_Hant<< Hi."


def test_translation_counts_sentences_as_segments(tiny_service: Service, tiny_models: dict[str, Path]) -> None:
    result = tiny_service.translate("The park opens in May. It has a lake.\n\nTickets are free.", "zh")
    assert (result.task, result.source_lang, result.target_lang, result.chunks) == ("translate", "en", "zh", 3)
    assert result.model == str(tiny_models["marian-en-zh"])
    assert result.text.count("\n\n") == 1


@pytest.mark.parametrize(
    ("source_tokens", "configured", "cap"),
    [(1, 200, 40), (16, 200, 40), (17, 200, 72), (40, 200, 136), (100, 200, 200), (100, None, 264), (3, 20, 20)],
)
def test_translation_output_cap(source_tokens: int, configured: int | None, cap: int) -> None:
    assert output_cap(source_tokens, configured) == cap


def test_short_sentence_translation_stops_at_its_cap(tiny_models: dict[str, Path]) -> None:
    forced = {"num_beams": 1, "min_new_tokens": 200, "max_new_tokens": 200}
    overrides = tiny_overrides(tiny_models, **{"translate.models.en-zh.generation": forced})
    model = Service(load_settings(overrides=overrides, environ={}), store=ModelStore()).engines.translator("en", "zh").inner.generator
    (short,) = translate_segments(model, ["Rain fell."], "zh")
    # Forced to the cap of 40 new tokens instead of the configured 200 (re-encoding may merge a few).
    assert 10 <= len(model.tokenizer(text_target=short, add_special_tokens=False)["input_ids"]) <= 40


def test_long_input_is_summarized_in_several_chunks(tiny_service: Service) -> None:
    result = tiny_service.summarize(ENGLISH * 12)
    assert result.chunks > 1
    assert result.text


def test_long_chinese_input_is_chunked_by_the_512_token_limit(tiny_service: Service) -> None:
    model = tiny_service.store.get(
        tiny_service.settings.summarize.models["zh"], "summarize.models.zh", tiny_service.settings.runtime
    )
    assert model.max_input_tokens == 512
    assert tiny_service.summarize(CHINESE * 10).chunks > 1


def test_input_limits_come_from_the_family() -> None:
    from summarize.families import FAMILIES

    assert {family.name: family.max_input_tokens for family in FAMILIES} == {"marian": 512, "bart": 1024, "t5": 512}


def test_each_model_is_loaded_once(tiny_service: Service) -> None:
    for _ in range(3):
        tiny_service.summarize(ENGLISH)
        tiny_service.translate(ENGLISH, "zh")
    assert tiny_service.store.loads == 2


def test_batch_results_come_back_in_input_order(tiny_service: Service) -> None:
    results = tiny_service.summarize_batch([CHINESE, ENGLISH, CHINESE, ENGLISH])
    assert [result.source_lang for result in results] == ["zh", "en", "zh", "en"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["en", "zh"]), min_size=1, max_size=6))
def test_batch_order_equals_input_order(shared_service: Service, languages: list[str]) -> None:
    texts = [{"en": "The park will open soon. It is large.", "zh": "公园即将开放。它很大。"}[lang] for lang in languages]
    assert [result.source_lang for result in shared_service.summarize_batch(texts)] == languages


PARAGRAPHS = st.lists(
    st.lists(st.sampled_from(["The mayor spoke.", "Crews planted trees.", "It rained all day."]), min_size=1, max_size=3),
    min_size=1,
    max_size=5,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(PARAGRAPHS, st.sampled_from(["\n", "\n\n"]))
def test_translation_keeps_the_paragraph_count(shared_service: Service, paragraphs: list[list[str]], gap: str) -> None:
    text = gap.join(" ".join(sentences) for sentences in paragraphs)
    translated = shared_service.translate(text, "zh", source_lang="en").text  # "Crews planted trees." x7 has no English stop word
    assert len([line for line in translated.split("\n") if line.strip()]) == len(paragraphs)


def test_stream_ends_with_the_full_translation(tiny_service: Service) -> None:
    text = "The mayor spoke. Crews planted trees.\n\nIt rained all day."
    *partials, result = tiny_service.translate_stream(text, "zh")
    assert result == replace(tiny_service.translate(text, "zh"), seconds=result.seconds)
    assert len(partials) == 3
    assert partials[-1] == tiny_service.translate(text, "zh").text
    assert all(later.startswith(earlier) for earlier, later in zip(partials, partials[1:]))


def test_mixed_text_is_reported_and_routed_by_majority(tiny_service: Service) -> None:
    result = tiny_service.summarize("市议会今天批准了公园计划。The park will open in May next year.")
    assert (result.source_lang, result.source_mixed) == ("zh", True)
    assert result.notes[0] == "mixed English/Chinese text (60% Chinese); treated as Chinese"


def test_given_source_language_skips_detection(tiny_service: Service) -> None:
    result = tiny_service.summarize(ENGLISH, source_lang="zh")
    assert (result.source_lang, result.target_lang, result.source_mixed) == ("zh", "zh", False)


# ---------------------------------------------------------------- engines and fallbacks


def missing_model_settings(tiny_models: dict[str, Path], tmp_path: Path, engine: str):
    overrides = tiny_overrides(tiny_models, **{"summarize.engine": engine, "summarize.models.en.model": str(tmp_path)})
    return load_settings(overrides=overrides, environ={})


def test_auto_falls_back_to_extractive_with_a_note(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    service = Service(missing_model_settings(tiny_models, tmp_path, "auto"), store=ModelStore())
    result = service.summarize(ENGLISH)
    assert (result.engine, result.model, result.chunks) == ("extractive", "extractive", 1)
    assert result.notes == (
        f"abstractive model unavailable (model directory {str(tmp_path)!r} (summarize.models.en) has no "
        f"config.json; point summarize.models.en.model at a folder saved with save_pretrained()); "
        f"extractive summary used instead",
    )


def test_seq2seq_engine_has_no_fallback(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    service = Service(missing_model_settings(tiny_models, tmp_path, "seq2seq"), store=ModelStore())
    with pytest.raises(ModelUnavailableError) as raised:
        service.summarize(ENGLISH)
    assert str(raised.value) == (
        f"model directory {str(tmp_path)!r} (summarize.models.en) has no config.json; "
        f"point summarize.models.en.model at a folder saved with save_pretrained()"
    )


def test_extractive_engine_never_loads_a_model(tiny_models: dict[str, Path]) -> None:
    settings = load_settings(overrides=tiny_overrides(tiny_models, **{"summarize.engine": "extractive"}), environ={})
    service = Service(settings, store=ModelStore())
    result = service.summarize(ENGLISH)
    assert (result.engine, service.store.loads) == ("extractive", 0)


def test_missing_translation_model_fails_clearly(tiny_models: dict[str, Path]) -> None:
    overrides = tiny_overrides(tiny_models, **{"translate.models.en-zh.model": "example-org/not-cached-model"})
    service = Service(load_settings(overrides=overrides, environ={}), store=ModelStore())
    with pytest.raises(ModelUnavailableError) as raised:
        service.translate(ENGLISH, "zh")
    assert str(raised.value) == (
        "model 'example-org/not-cached-model' (translate.models.en-zh) is not in the local Hugging Face cache "
        "and the Hub cannot be reached; run `summarize models pull` on a connected machine (or copy its cache), "
        "or set translate.models.en-zh.model in the config to a local directory"
    )


def test_cross_lingual_summary_without_translation_model(tiny_models: dict[str, Path]) -> None:
    overrides = tiny_overrides(tiny_models, **{"translate.models.en-zh.model": "example-org/not-cached-model"})
    service = Service(load_settings(overrides=overrides, environ={}), store=ModelStore())
    with pytest.raises(ModelUnavailableError, match=r"^a en->zh summary needs the translation model: model 'example-org"):
        service.summarize(ENGLISH, "zh")


# ---------------------------------------------------------------- bad input

BAD_CALLS = [
    (lambda s: s.summarize(""), "text is empty; give the article text"),
    (lambda s: s.summarize(" \n\t\u3000 "), "text is empty; give the article text"),
    (lambda s: s.summarize(42), "text must be a string, not int"),
    (lambda s: s.summarize(None), "text must be a string, not NoneType"),
    (lambda s: s.summarize(ENGLISH, "fr"), "target_lang 'fr' is not supported; use 'en', 'zh' or 'zh-Hant'"),
    (lambda s: s.summarize(ENGLISH, source_lang="de"), "source_lang 'de' is not supported; use 'en', 'zh' or 'zh-Hant'"),
    (lambda s: s.summarize(ENGLISH, length="tiny"), "length 'tiny' is not supported; use 'short', 'medium' or 'long'"),
    (lambda s: s.translate(ENGLISH, "ja"), "target_lang 'ja' is not supported; use 'en', 'zh' or 'zh-Hant'"),
    (
        lambda s: s.translate(ENGLISH, "en"),
        "text is already in 'en'; translation goes en->zh or zh->en, so set target_lang to the other language",
    ),
    (
        lambda s: s.summarize("Привет, как дела? Всё хорошо."),
        "unsupported language: the text is written in Cyrillic script; supported languages are en and zh",
    ),
    (lambda s: s.summarize_batch("one text"), "texts must be a list of strings, not str"),
    (lambda s: s.summarize_batch([ENGLISH, ""]), "texts[1] is empty; give the article text"),
    (lambda s: s.translate_batch([CHINESE, 3.5], "en"), "texts[1] must be a string, not float"),
]


@pytest.mark.parametrize(("call", "message"), BAD_CALLS)
def test_bad_input_gets_a_clear_message(tiny_service: Service, call, message: str) -> None:
    with pytest.raises(InputError) as raised:
        call(tiny_service)
    assert str(raised.value) == message


def test_text_over_the_character_limit(tiny_models: dict[str, Path]) -> None:
    settings = load_settings(overrides=tiny_overrides(tiny_models, **{"limits.max_chars": 100}), environ={})
    with pytest.raises(InputError) as raised:
        Service(settings, store=ModelStore()).summarize("x" * 150)
    assert str(raised.value) == (
        "text has 150 characters, over the limit of 100 (limits.max_chars); split it or raise the limit"
    )


def test_empty_batches_give_empty_lists(tiny_service: Service) -> None:
    assert (tiny_service.summarize_batch([]), tiny_service.translate_batch([], "zh")) == ([], [])


def test_bad_input_in_a_batch_loads_no_model(tiny_service: Service) -> None:
    with pytest.raises(InputError):
        tiny_service.summarize_batch([ENGLISH, 7])
    assert tiny_service.store.loads == 0


def test_a_text_of_exactly_the_character_limit_passes_and_one_more_is_refused() -> None:
    service = Service(load_settings(overrides={"limits.max_chars": 40, "summarize.engine": "extractive"}, environ={}))
    exact = "The council met on Monday. It voted now."
    assert len(exact) == 40
    assert service.summarize(exact).text == exact
    with pytest.raises(InputError, match=r"^text has 41 characters, over the limit of 40 \(limits\.max_chars\); split it or raise the limit$"):
        service.summarize(exact + "y")
