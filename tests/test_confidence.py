"""The model's own confidence in a translation: mean token log-probability of the output given the source
(transformers, teacher-forced; CTranslate2 and quickmt, as they generate; a chat server's logprobs),
carried in Result.quality as a 0-1 value."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from chat_server import ChatServer, Reply
from conftest import FORCED_LENGTH, tiny_overrides
from test_quickmt import quickmt_service

from summarize import Service, load_settings
from summarize.config import ModelSettings, RuntimeSettings
from summarize.engines.loader import load_seq2seq
from summarize.quality import Quality, model_confidence
from summarize.store import ModelStore

SOURCES = ["The council approved the new park on Tuesday.", "Rain is expected at the airport tomorrow."]


@pytest.fixture(scope="module")
def ct2_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("ctranslate2")
    return tmp_path_factory.mktemp("ct2_confidence")


def _engine(folder: Path, backend: str, cache: Path, **runtime: object):  # noqa: ANN202 - an Engine
    spec = ModelSettings(model=str(folder), generation=dict(FORCED_LENGTH))
    return load_seq2seq(spec, "test", RuntimeSettings(device="cpu", backend=backend, cache_dir=str(cache), **runtime))


def test_an_output_the_model_chose_scores_higher_than_another(tiny_models: dict[str, Path], ct2_cache: Path) -> None:
    """Each greedy output is the model's own pick, token by token: it scores above the same characters in the
    reverse order (a misaligned label shift would not keep this order)."""
    engine = _engine(tiny_models["marian-en-zh"], "transformers", ct2_cache)
    outputs = engine.generate(SOURCES, "zh")
    own = engine.score_outputs(SOURCES, outputs, "zh")
    reversed_ = engine.score_outputs(SOURCES, [output[::-1] for output in outputs], "zh")
    assert all(score is not None and score < 0 for score in own + reversed_)
    assert own[0] > reversed_[0] and own[1] > reversed_[1]


def test_a_vocabulary_restricted_to_the_target_language_scores_higher(tiny_models: dict[str, Path], ct2_cache: Path) -> None:
    """A Marian model restricted to its target language's tokens (the default) spreads its probability over
    fewer tokens than the same model over the whole vocabulary: a mapping bug would break the order."""
    folder = tiny_models["marian-en-zh"]
    whole = _engine(folder, "transformers", ct2_cache, restrict_vocabulary=False)
    outputs = whole.generate(SOURCES, "zh")
    broad = whole.score_outputs(SOURCES, outputs, "zh")
    narrow = _engine(folder, "transformers", ct2_cache).score_outputs(SOURCES, outputs, "zh")
    assert all(a is not None and b is not None and a > b for a, b in zip(narrow, broad, strict=True))


def test_ctranslate2_engines_score_as_they_generate(tiny_models: dict[str, Path], ct2_cache: Path) -> None:
    """CTranslate2 gives its own score with each translation (return_scores): no second pass, and the same
    outputs as without it."""
    engine = _engine(tiny_models["marian-en-zh"], "ctranslate2", ct2_cache)
    scored = engine.generate_scored(SOURCES, "zh")
    assert [text for text, _ in scored] == engine.generate(SOURCES, "zh")
    assert all(isinstance(score, float) and score < 0 for _, score in scored)
    assert engine.score_outputs(SOURCES, [text for text, _ in scored], "zh") == [None, None]  # nothing after


def test_an_empty_output_has_no_score(tiny_models: dict[str, Path], ct2_cache: Path) -> None:
    engine = _engine(tiny_models["marian-en-zh"], "transformers", ct2_cache)
    assert engine.score_outputs(SOURCES, ["", "  "], "zh") == [None, None]


def test_a_translation_result_carries_the_geometric_mean_of_its_sentences(tiny_models: dict[str, Path]) -> None:
    service = Service(load_settings(overrides=tiny_overrides(tiny_models, **{"runtime.device": "cpu"}), environ={}), ModelStore())
    text = " ".join(SOURCES)
    result = service.translate(text, "zh", source_lang="en")
    assert result.quality is not None and result.quality.confidence is not None
    assert 0 < result.quality.confidence <= 1
    assert result.to_dict()["quality"]["confidence"] == result.quality.confidence
    # The same as scoring each sentence's translation by hand and taking the geometric mean.
    alone = [service.translate(sentence, "zh", source_lang="en") for sentence in SOURCES]
    logs = [math.log(single.quality.confidence) for single in alone]
    assert result.quality.confidence == pytest.approx(math.exp(sum(logs) / len(logs)), abs=2e-4)


def test_quickmt_results_carry_the_confidence_of_their_generation(tiny_quickmt: dict[str, Path]) -> None:
    service = quickmt_service(tiny_quickmt)
    result = service.translate(SOURCES[0], "zh", source_lang="en")
    assert result.quality is not None and 0 < (result.quality.confidence or 0) <= 1
    *_, streamed = service.translate_stream(SOURCES[0], "zh", source_lang="en")
    assert streamed.quality == result.quality  # streamed, the same generation's score



def test_summaries_and_chat_answers_have_none() -> None:
    quality = Service(load_settings(overrides={"summarize.engine": "extractive", "runtime.allow_download": False}, environ={})).summarize(
        " ".join(SOURCES)
    ).quality
    assert quality is not None and quality.confidence is None
    assert quality.to_dict()["confidence"] is None  # absent, never invented


def test_confidence_round_trips_and_combines() -> None:
    assert model_confidence([]) is None
    assert model_confidence([math.log(0.5), math.log(0.125)]) == 0.25
    quality = Quality(0.8, (), 0.25)
    assert Quality.from_dict(quality.to_dict()) == quality
    assert Quality.from_dict({"score": 1.0, "flags": []}) == Quality(1.0)


def _endpoint_service(server: ChatServer) -> Service:
    overrides = {"llm.endpoint": server.url, "llm.model": "test-model", "translate.engine": "llm",
                 "summarize.engine": "extractive", "runtime.allow_download": False}
    return Service(load_settings(overrides=overrides, environ={}), store=ModelStore())


def test_a_chat_server_s_logprobs_become_the_confidence() -> None:
    reply = Reply("市议会星期二批准了新公园。", logprobs=[-0.1, -0.3, -0.2])
    with ChatServer(replies=[reply]) as server:
        result = _endpoint_service(server).translate(SOURCES[0], "zh", source_lang="en")
    assert server.requests[0]["logprobs"] is True
    assert result.quality is not None and result.quality.confidence == round(math.exp(-0.2), 4)


@pytest.mark.parametrize("logprobs", [None, [], [-0.1, "high"], [0.5]], ids=["none", "empty", "not a number", "positive"])
def test_a_chat_server_without_usable_logprobs_gives_no_confidence(logprobs: list[object] | None) -> None:
    with ChatServer(replies=[Reply("市议会星期二批准了新公园。", logprobs=logprobs)]) as server:  # type: ignore[arg-type]
        result = _endpoint_service(server).translate(SOURCES[0], "zh", source_lang="en")
    assert result.quality is not None and result.quality.confidence is None  # absent, never invented


def test_translate_confidence_off_skips_the_scoring(tiny_models: dict[str, Path]) -> None:
    overrides = tiny_overrides(tiny_models, **{"runtime.device": "cpu", "translate.confidence": False})
    service = Service(load_settings(overrides=overrides, environ={}), ModelStore())
    assert service.translate(SOURCES[0], "zh", source_lang="en").quality.confidence is None  # type: ignore[union-attr]
    *_, streamed = service.translate_stream(SOURCES[0], "zh", source_lang="en")
    assert streamed.quality.confidence is None  # type: ignore[union-attr]
