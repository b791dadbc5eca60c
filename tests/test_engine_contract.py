"""The engine contract (engines/base.py), the same checks for every engine on the tiny models, and an
echo engine that keeps the contract as a test double for data flow: each map-reduce round receives
every previous output, and every output maps to its own input. The LLM engine's two backends keep
their own contract (engines/llm/backend.py), checked alike on the tiny chat model and a chat server."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from chat_server import ChatServer, Reply
from conftest import FORCED_LENGTH, tiny_overrides

from summarize import Service, load_settings
from summarize.config import ExtractiveSettings, ModelSettings, RuntimeSettings
from summarize.engines.base import (
    Engine,
    Summarizer,
    Summary,
    Translator,
    read_model_files,
)
from summarize.engines.extractive import ExtractiveSummarizer
from summarize.engines.llm import ChatBackend, Completion, load_chat_backend
from summarize.engines.llm.documents import LLMSummarizer, LLMTranslator
from summarize.engines.loader import load_seq2seq
from summarize.pipeline.map_reduce import rounds_note
from summarize.store import ModelStore
from summarize.summarizer import AbstractiveSummarizer, summarize_documents
from summarize.text import split_sentences
from summarize.translate import (
    Seq2SeqTranslator,
    stream_translation,
    translate_documents,
)

BACKENDS = ("transformers", "ctranslate2")
ENGLISH = [
    "Shares in technology companies rose sharply after the bank kept interest rates unchanged.",
    "Heavy rain fell for a third day.",
    "The council approved the new budget on Tuesday. Spending on schools will rise.",
]
CHINESE = [
    "央行宣布维持利率不变后，科技公司股价大幅上涨。",
    "南方连续三天出现强降雨。",
    "市政府星期二通过了新的预算。学校的投入将会增加。",
]
# tiny model -> (family, text language, target language, content budget: max_input_tokens - specials - tag)
CASES = {
    "marian-en-zh": ("marian", ENGLISH, "zh", 512 - 1 - 1),
    "marian-zh-en": ("marian", CHINESE, "en", 512 - 1),
    "bart": ("bart", ENGLISH, "en", 1024 - 2),
    "mt5": ("t5", CHINESE, "zh", 512 - 1),
}


@pytest.fixture(scope="module")
def ct2_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("ctranslate2")
    return tmp_path_factory.mktemp("ct2_contract")


def load(folder: Path, backend: str, cache: Path, **runtime: object) -> Engine:
    spec = ModelSettings(model=str(folder), generation=dict(FORCED_LENGTH))
    return load_seq2seq(spec, "test", RuntimeSettings(device="cpu", backend=backend, cache_dir=str(cache), **runtime))


@pytest.mark.parametrize("case", sorted(CASES))
def test_both_generation_engines_keep_the_same_contract(case: str, tiny_models: dict[str, Path], ct2_cache: Path) -> None:
    family, texts, target, budget = CASES[case]
    engines = [load(tiny_models[case], backend, ct2_cache) for backend in BACKENDS]
    for engine in engines:
        assert isinstance(engine, Engine)
        assert (engine.name, engine.family.name, engine.content_budget) == (str(tiny_models[case]), family, budget)
        assert engine.count_tokens([]) == [] and engine.generate([], target) == []
        outputs = engine.generate([*texts, texts[0]], target)
        assert len(outputs) == len(texts) + 1 and all(isinstance(text, str) for text in outputs)
        assert outputs[-1] == outputs[0]  # a repeated input gets the same output
        view = engine.with_spec(replace(engine.spec, max_input_tokens=16))
        assert (type(view), view.tokenizer is engine.tokenizer, view.max_input_tokens) == (type(engine), True, 16)
        assert engine.max_input_tokens == (1024 if family == "bart" else 512)  # the view changed only itself
    transformers, ctranslate2 = engines
    # Siblings answer alike: token counts, prepared inputs, greedy outputs.
    assert transformers.count_tokens(texts) == ctranslate2.count_tokens(texts)
    assert [transformers.prepare(text, target) for text in texts] == [ctranslate2.prepare(text, target) for text in texts]
    assert transformers.generate(texts, target) == ctranslate2.generate(texts, target)


@pytest.fixture(scope="module")
def sharp_mt5(tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny mT5 with its weight matrices (not norms or position biases) scaled by 10: its greedy outputs then differ per input
    (the plain tiny models answer every input alike), so a wrong output order shows."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    folder = tmp_path_factory.mktemp("sharp") / "mt5"
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_models["mt5"])
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "norm" not in name and "bias" not in name:
                parameter.mul_(10)
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(tiny_models["mt5"]).save_pretrained(folder)
    return folder


@pytest.mark.parametrize("backend", BACKENDS)
def test_outputs_map_to_their_own_inputs_across_batches(backend: str, sharp_mt5: Path, ct2_cache: Path) -> None:
    # Lengths out of order and batches of at most two: the engine sorts by length and must restore the order.
    texts = [
        "The river rose overnight and roads were closed in the north of the city.",
        ENGLISH[1],
        "市政府星期二通过了新的预算。",
        "预算。",
        CHINESE[0],
        "The council approved the new budget on Tuesday.",
    ]
    engine = load(sharp_mt5, backend, ct2_cache, max_batch_size=2)
    alone = [engine.generate([text], "zh")[0] for text in texts]
    assert len(set(alone)) == len(texts), alone  # the check below can tell outputs apart
    assert engine.generate(texts, "zh") == alone


def chat_backend(model: str, endpoint: str = "") -> ChatBackend:
    """The LLM engine's backend: the tiny chat model here, or a served model at `endpoint`."""
    overrides = {"llm.model": model, "llm.endpoint": endpoint, "llm.generation.max_new_tokens": 6,
                 "llm.context_tokens": 2048, "runtime.device": "cpu", "runtime.allow_download": False}
    settings = load_settings(overrides=overrides, environ={})
    return load_chat_backend(settings.llm, settings.runtime)


def summarizers(tiny_models: dict[str, Path], ct2_cache: Path, tiny_chat_model: Path, chat_url: str) -> dict[str, Summarizer]:
    return {
        "extractive": ExtractiveSummarizer(ExtractiveSettings(sentences=1)),
        **{backend: AbstractiveSummarizer(load(tiny_models["bart"], backend, ct2_cache)) for backend in BACKENDS},
        "llm-local": LLMSummarizer(chat_backend(str(tiny_chat_model)), sentences=1),
        "llm-endpoint": LLMSummarizer(chat_backend("test-model", chat_url), sentences=1),
    }


def test_every_summarizer_keeps_the_summarizer_contract(
    tiny_models: dict[str, Path], ct2_cache: Path, tiny_chat_model: Path
) -> None:
    texts = [ENGLISH[2], ENGLISH[0]]
    found = {}
    with ChatServer() as server:  # it answers with the article it was sent: each summary shows its own input
        for key, summarizer in summarizers(tiny_models, ct2_cache, tiny_chat_model, server.url).items():
            summaries = summarizer.summarize_documents(texts, "en", "medium")
            assert all(isinstance(summary, Summary) for summary in summaries)
            found[key] = (summarizer.engine, summarizer.model, [(s.text, s.chunks) for s in summaries])
            assert summarizer.summarize_documents([], "en", "short") == []
    bart = str(tiny_models["bart"])
    generated = load(tiny_models["bart"], "transformers", ct2_cache).generate(texts, "en")
    local = found.pop("llm-local")  # a random-weight chat model: its words are noise, its labels and counts are not
    assert (local[:2], [chunks for _, chunks in local[2]]) == (("llm", str(tiny_chat_model)), [1, 1])
    assert found == {
        "extractive": ("extractive", "extractive", [("The council approved the new budget on Tuesday.", 1), (texts[1], 1)]),
        "transformers": ("seq2seq", bart, [(generated[0], 1), (generated[1], 1)]),
        "ctranslate2": ("seq2seq", bart, [(generated[0], 1), (generated[1], 1)]),
        "llm-endpoint": ("llm", "test-model", [(texts[0], 1), (texts[1], 1)]),
    }


def translators(
    tiny_models: dict[str, Path], ct2_cache: Path, tiny_chat_model: Path, chat_url: str, tiny_quickmt: dict[str, Path]
) -> dict[str, Translator]:
    return {
        **{backend: Seq2SeqTranslator(load(tiny_models["marian-en-zh"], backend, ct2_cache)) for backend in BACKENDS},
        "quickmt": Seq2SeqTranslator(load(tiny_quickmt["en-zh"], "transformers", ct2_cache)),  # the layout picks its engine
        "llm-local": LLMTranslator(chat_backend(str(tiny_chat_model)), "chat"),
        "llm-endpoint": LLMTranslator(chat_backend("test-model", chat_url), "chat"),
    }


def test_every_translator_keeps_the_translator_contract(
    tiny_models: dict[str, Path], ct2_cache: Path, tiny_chat_model: Path, tiny_quickmt: dict[str, Path]
) -> None:
    """One translation per text, in order, paragraphs kept; the stream's last text and its returned output
    are what the batch call gives; the labels and the script reading say what the translator is."""
    texts = ["The council met. It voted.\n\nRain fell.", "Shares rose."]
    found = {}
    with ChatServer() as server:  # it answers with the article it was sent: each output shows its own input
        for key, translator in translators(tiny_models, ct2_cache, tiny_chat_model, server.url, tiny_quickmt).items():
            outputs = translator.translate_documents(texts, "en", "zh", None)
            assert [output.text.count("\n\n") for output in outputs] == [1, 0], key
            stream = translator.stream_translation(texts[0], "en", "zh", None)
            partials = []
            while True:
                try:
                    partials.append(next(stream))
                except StopIteration as done:
                    streamed = done.value
                    break
            assert partials[-1] == streamed.text and streamed.chunks == outputs[0].chunks, key
            if key != "llm-local":  # the random chat model's words change with its batch's padding
                assert streamed.text == outputs[0].text, key
            assert translator.translate_documents([], "en", "zh", None) == []
            found[key] = (translator.engine, translator.reads_as_written, [output.chunks for output in outputs])
    marian = str(tiny_models["marian-en-zh"])
    assert found == {
        "transformers": ("seq2seq", False, [3, 1]),
        "ctranslate2": ("seq2seq", False, [3, 1]),
        "quickmt": ("seq2seq", False, [3, 1]),
        "llm-local": ("llm", True, [2, 1]),
        "llm-endpoint": ("llm", True, [2, 1]),
    }
    assert Seq2SeqTranslator(load(tiny_models["marian-en-zh"], "transformers", ct2_cache)).model == marian


# --------------------------------------------------------------------------- the LLM engine's backends

CONVERSATIONS = [
    [{"role": "user", "content": "Summarize: the council met on Tuesday."}],
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "市政府星期二通过了新的预算。"}],
]


def _answer(body: dict) -> Reply:
    return Reply(f"answer to {body['messages'][-1]['content']}")


@pytest.mark.parametrize("kind", ["local", "endpoint"])
def test_both_chat_backends_keep_the_same_contract(kind: str, tiny_chat_model: Path) -> None:
    with ChatServer(script=_answer) as server:
        model = str(tiny_chat_model) if kind == "local" else "test-model"
        backend = chat_backend(model, server.url if kind == "endpoint" else "")
        assert backend.name == model
        assert (backend.count_tokens([]), backend.complete([], 6)) == ([], [])
        short, long = backend.count_tokens(["The council met.", "The council met on Tuesday and approved the budget."])
        assert 0 < short < long
        for messages in CONVERSATIONS:  # a prompt counts its messages and the template around them
            assert backend.prompt_tokens(messages) > sum(backend.count_tokens([message["content"] for message in messages]))
        answers = backend.complete([*CONVERSATIONS, CONVERSATIONS[0]], 6)
        assert all(isinstance(answer, Completion) for answer in answers) and answers[2] == answers[0] != answers[1]
        assert "".join(backend.stream(CONVERSATIONS[1], 6)) == answers[1].text
        view = backend.with_settings(replace(backend.settings, context_tokens=1024))
        assert (type(view), view.name, view.settings.context_tokens) == (type(backend), model, 1024)
        assert backend.settings.context_tokens == 2048  # the view changed only itself
        if kind == "endpoint":  # the scripted server tells answers apart: each maps to its own conversation
            assert [answer.text for answer in answers] == [f"answer to {c[-1]['content']}" for c in [*CONVERSATIONS, CONVERSATIONS[0]]]
            backend.close()


# --------------------------------------------------------------------------- the echo engine


class EchoEngine(Engine):
    """Keeps the contract with the tiny BART's tokenizer and configs, and "generates" by echoing:
    the first sentence of each input (``keep="first"``) or the whole input (``keep="all"``).
    Every call's inputs are recorded."""

    def __init__(self, folder: Path, spec: ModelSettings, keep: str) -> None:
        config, family, tokenizer = read_model_files(folder, str(folder), {"local_files_only": True})
        super().__init__("echo", family, tokenizer, config, None, spec, RuntimeSettings(device="cpu"))
        self.keep = keep
        self.calls: list[list[str]] = []

    def generate_distinct(self, texts, target_lang, overrides=None):  # type: ignore[no-untyped-def]
        self.calls.append(list(texts))
        prepared = [self.prepare(text, target_lang) for text in texts]
        return prepared if self.keep == "all" else [split_sentences(text)[0] for text in prepared]


def tagged_document(number: int, sentences: int) -> str:
    return " ".join(f"Report {number}{index:02d} says the council met again on Tuesday." for index in range(sentences))


def tags(texts: list[str], number: int) -> list[str]:
    """The sentence tags of document `number` in `texts`, in order."""
    return [tag for text in texts for tag in re.findall(rf"Report ({number}\d\d)", text)]


def test_each_reduce_round_receives_every_previous_output(tiny_models: dict[str, Path]) -> None:
    echo = EchoEngine(tiny_models["bart"], ModelSettings(model="echo", max_input_tokens=48), keep="first")
    documents = [tagged_document(1, 1), tagged_document(2, 40), tagged_document(3, 12)]
    summaries = summarize_documents(echo, documents, "en", max_rounds=4)
    rounds = echo.calls
    assert len(rounds) == 4  # each chunk is one sentence, so the echo never shrinks: every round is used
    for round_number, (previous, current) in enumerate(zip(rounds, rounds[1:]), start=2):
        for number in (1, 2, 3):
            chunks = [text for text in previous if f"Report {number}" in text]
            outputs = [split_sentences(text)[0] for text in chunks]
            # A finished document is not sent again; an unfinished one sends every output, in order...
            expected = tags(outputs, number) if len(chunks) > 1 else []
            if round_number == 4 and expected:  # ...but the last round takes one input's worth, from the start
                assert tags(current, number) == expected[:1]
            else:
                assert tags(current, number) == expected
    first_round = [[text for text in rounds[0] if f"Report {number}" in text] for number in (1, 2, 3)]
    assert [len(chunks) > 1 for chunks in first_round] == [False, True, True]
    assert [(summary.text, summary.chunks) for summary in summaries] == [
        (f"Report {number}00 says the council met again on Tuesday.", len(chunks))
        for number, chunks in zip((1, 2, 3), first_round)
    ]
    assert [summary.notes for summary in summaries] == [(), (rounds_note(40, 4),), (rounds_note(12, 4),)]


def test_every_translated_segment_returns_to_its_own_document(tiny_models: dict[str, Path]) -> None:
    echo = EchoEngine(tiny_models["bart"], ModelSettings(model="echo", max_input_tokens=96), keep="all")
    documents = [
        "A short one.\n\nIts second paragraph is a little longer than the first one was.",
        tagged_document(4, 3) + "\n\n" + "Tiny.",
        "One paragraph, one sentence, and many words that make it the longest segment of all by some way.",
    ]
    translations = translate_documents(echo, documents, "zh")
    assert [(translation.text, translation.chunks) for translation in translations] == [
        (documents[0], 2),
        (documents[1], 4),
        (documents[2], 1),
    ]


def test_a_cut_sentence_comes_back_with_its_own_spacing(tiny_models: dict[str, Path]) -> None:
    # A 12-token budget cuts these sentences into pieces that keep their trailing space ("The council ");
    # rejoined, the echoed pieces must give back the text exactly (once: "council  approved").
    echo = EchoEngine(tiny_models["bart"], ModelSettings(model="echo", max_input_tokens=12), keep="all")
    documents = [
        "The council approved the new budget on Tuesday after a long debate about schools, roads and the old tram depot.",
        "市政府星期二通过了新的预算，学校的投入将会增加，道路和北部的旧电车车库也将得到修缮。",
        "The mayor said the Riverton tram plan 河畔市电车计划 was finally on track after two years of delays and disputes.",
    ]
    translations = translate_documents(echo, documents, "zh")
    assert [translation.text for translation in translations] == documents
    (pieces,) = echo.calls
    assert ("".join(pieces), pieces[:2]) == ("".join(documents), ["The council ", "approved the "])
    assert all(translation.chunks > 1 for translation in translations)
    assert sum(translation.chunks for translation in translations) == len(pieces)
    assert list(stream_translation(echo, documents[0], "zh"))[-1] == documents[0]


def test_the_service_routes_each_result_from_its_own_input(tiny_models: dict[str, Path]) -> None:
    engines: list[EchoEngine] = []

    def load_echo(spec: ModelSettings, role: str, runtime: RuntimeSettings) -> Engine:
        engines.append(EchoEngine(tiny_models["bart"], spec, keep="all" if role.startswith("translate") else "first"))
        return engines[-1]

    settings = load_settings(overrides=tiny_overrides(tiny_models, **{"summarize.engine": "seq2seq"}), environ={})
    service = Service(settings, store=ModelStore(load=load_echo))
    texts = [ENGLISH[2], CHINESE[2], "The river rose overnight. Roads were closed."]
    results = service.summarize_batch(texts)
    assert [(r.text, r.source_lang, r.engine, r.model) for r in results] == [
        ("The council approved the new budget on Tuesday.", "en", "seq2seq", "echo"),
        ("市政府星期二通过了新的预算。", "zh", "seq2seq", "echo"),
        ("The river rose overnight.", "en", "seq2seq", "echo"),
    ]
    crossed = service.summarize_batch(texts, target_lang="zh")
    assert [(r.text, r.engine, r.model) for r in crossed] == [
        (results[0].text, "seq2seq+seq2seq", "echo + echo"),
        (results[1].text, "seq2seq", "echo"),
        (results[2].text, "seq2seq+seq2seq", "echo + echo"),
    ]
    assert len(engines) == 3  # en and zh summaries, en->zh translation: each loaded once


# --------------------------------------------------------------------------- the store key


def test_services_with_other_runtime_settings_get_their_own_load(tiny_models: dict[str, Path]) -> None:
    store = ModelStore()
    services = [
        Service(load_settings(overrides=tiny_overrides(tiny_models, **{"runtime.batch_tokens": tokens}), environ={}), store=store)
        for tokens in (64, 4096, 4096)
    ]
    engines = [service.engines.translator("en", "zh").inner.generator for service in services]
    assert store.loads == 2
    assert [engine.runtime.batch_tokens for engine in engines] == [64, 4096, 4096]
    assert engines[2] is engines[1] and engines[1] is not engines[0]
