"""The llm engine through the service, the CLI and the web choices, against a real chat-completions server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chat_server import ChatServer, Reply

from summarize import Service, load_settings
from summarize.batch import run_batch
from summarize.batch.preflight import check_models
from summarize.cli import main
from summarize.engines.llm.documents import LLMSummarizer
from summarize.engines.llm.local import load_local_chat_model
from summarize.errors import ConfigError, InputError, ModelUnavailableError
from summarize.store import ModelStore
from summarize.web.choices import choice_names, choice_settings
from summarize.web.demo.actions import Actions

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = "The city council approved a new budget on Tuesday.\n\nThe mayor said it would create jobs."
CHINESE = "市政府星期二通过了新的预算。\n\n市长表示这将创造就业机会。"
TRANSLATIONS = {
    "The city council approved a new budget on Tuesday.": "市议会星期二通过了新预算。",
    "The mayor said it would create jobs.": "市长说这将创造就业机会。",
    "市政府星期二通过了新的预算。": "The city government passed a new budget on Tuesday.",
    "市长表示这将创造就业机会。": "The mayor said this would create jobs.",
}

UNKNOWN_TRANSLATION = "一篇没有列出的译文。"


def _article(body: dict[str, Any]) -> str:
    (data,) = re.findall(r"<article>\n(.*?)\n</article>", body["messages"][-1]["content"], re.DOTALL)
    return data


def script(body: dict[str, Any]) -> Reply:
    """Translations from the table above; summaries are the article's first sentence, "in" the asked language."""
    article = _article(body)
    if "Translate" in body["messages"][-1]["content"]:
        return Reply(f"<think>Translate carefully.</think>{TRANSLATIONS.get(article, UNKNOWN_TRANSLATION)}")
    first = article.split("\n")[0]
    wants_chinese = "in Simplified Chinese" in body["messages"][-1]["content"]
    summary = TRANSLATIONS[first] if wants_chinese != bool(re.search("[\u4e00-\u9fff]", first)) else first
    return Reply(f"Here is the summary:\n{summary}")


@pytest.fixture(scope="module")
def server() -> Iterator[ChatServer]:
    with ChatServer(script, models=("served-model",)) as running:
        yield running


def endpoint_service(server: ChatServer, **overrides: Any) -> Service:
    values = {"llm.endpoint": server.url, "llm.model": "served-model", "summarize.engine": "llm",
              "translate.engine": "llm", **overrides}
    return Service(load_settings(overrides=values, environ={}), store=ModelStore())


def test_translation_reply_becomes_the_result_text(server: ChatServer) -> None:
    result = endpoint_service(server).translate(ENGLISH, "zh")
    assert result.text == "市议会星期二通过了新预算。\n\n市长说这将创造就业机会。"
    assert (result.engine, result.model, result.chunks, result.notes) == ("llm", "served-model", 2, ())
    assert (result.source_lang, result.target_lang) == ("en", "zh")


def test_translate_batch_keeps_input_order(server: ChatServer) -> None:
    texts = [CHINESE, "市长表示这将创造就业机会。", "市政府星期二通过了新的预算。"]
    results = endpoint_service(server).translate_batch(texts, "en")
    assert [result.text for result in results] == [
        "The city government passed a new budget on Tuesday.\n\nThe mayor said this would create jobs.",
        "The mayor said this would create jobs.",
        "The city government passed a new budget on Tuesday.",
    ]
    assert [result.chunks for result in results] == [2, 1, 1]


def test_cross_lingual_summary_is_one_step(server: ChatServer) -> None:
    before = len(server.requests)
    result = endpoint_service(server).summarize(CHINESE, "en")
    assert result.text == "The city government passed a new budget on Tuesday."
    assert (result.engine, result.model, result.chunks) == ("llm", "served-model", 1)
    assert len(server.requests) == before + 1
    assert "Summarize the Simplified Chinese news article below directly in English" in server.requests[-1]["messages"][-1]["content"]


def test_summary_length_sets_the_sentence_goal(server: ChatServer) -> None:
    endpoint_service(server).summarize(ENGLISH, length="long")
    assert "in about 6 sentences" in server.requests[-1]["messages"][-1]["content"]


def test_seq2seq_summary_translated_by_the_llm(server: ChatServer) -> None:
    service = endpoint_service(server, **{"summarize.engine": "extractive"})
    result = service.summarize(ENGLISH, "zh")
    assert (result.engine, result.model) == ("extractive+llm", "extractive + served-model")
    assert result.text == UNKNOWN_TRANSLATION
    assert _article(server.requests[-1]) == "The city council approved a new budget on Tuesday. The mayor said it would create jobs."


def test_streamed_translation_ends_with_the_full_text(server: ChatServer) -> None:
    *steps, result = endpoint_service(server).translate_stream(ENGLISH, "zh")
    assert (result.text, result.engine, result.model) == (steps[-1], "llm", "served-model")
    assert steps[-1] == "市议会星期二通过了新预算。\n\n市长说这将创造就业机会。"
    assert "市议会星期二通过了新预算。" in steps


def test_llm_choice_is_offered_only_when_configured(server: ChatServer) -> None:
    plain = load_settings(environ={})
    configured = load_settings(overrides={"llm.endpoint": server.url}, environ={})
    assert choice_names(plain) == ["default", "extractive"]
    assert choice_names(configured) == ["default", "extractive", "llm"]
    assert choice_settings(configured, "llm").summarize.engine == "llm"
    with pytest.raises(InputError, match="model 'llm' is not offered here"):
        choice_settings(plain, "llm")


def test_model_choices_may_not_be_named_llm() -> None:
    with pytest.raises(ConfigError, match="model_choices may not be named 'llm'"):
        load_settings(overrides={"server.model_choices": {"llm": {"en": {"model": "x"}}}}, environ={})


def test_models_list_shows_the_local_llm_only_when_it_runs_here(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "list", "--json", "--set", "summarize.engine=llm", "--set", "llm.model=/nowhere/qwen"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"role": "llm", "name": "/nowhere/qwen", "status": "missing", "size_bytes": 0, "licence": ""} in rows
    assert main(["models", "list", "--json", "--set", "summarize.engine=llm", "--set", "llm.endpoint=http://h/v1"]) == 0
    assert all(row["role"] != "llm" for row in json.loads(capsys.readouterr().out))


def test_models_list_and_pull_cover_the_llm_instead_of_the_seq2seq_models_it_replaces(
    capsys: pytest.CaptureFixture[str],
) -> None:
    local = ["--config", str(ROOT / "configs" / "llm.yaml")]
    assert main(["models", "list", "--json", *local]) == 0
    assert [(row["role"], row["name"]) for row in json.loads(capsys.readouterr().out)] == [
        ("llm", "Qwen/Qwen2.5-7B-Instruct")
    ]
    # Summaries by the llm, translations by the seq2seq models: both kinds are needed.
    assert main(["models", "list", "--json", *local, "--set", "translate.engine=seq2seq"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["role"] for row in rows] == ["translate.models.en-zh", "translate.models.zh-en", "llm"]
    assert main(["models", "pull", *local]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "summarize: error: cannot pull 'Qwen/Qwen2.5-7B-Instruct' (llm): the Hugging Face Hub cannot be reached "
        "from this machine (or HF_HUB_OFFLINE is set); pull on a connected machine and copy the cache "
        "(~/.cache/huggingface), or set llm.model to a local directory"
    )


def test_the_ui_translate_tab_streams_the_llm_translation_and_names_its_model(server: ChatServer) -> None:
    actions = Actions(endpoint_service(server))
    updates = list(actions.translate(ENGLISH, "en-zh"))
    *partials, _result = actions.service.translate_stream(ENGLISH, "zh", source_lang="en")
    assert partials[-1] == "市议会星期二通过了新预算。\n\n市长说这将创造就业机会。" and len(partials) > 2
    assert updates == [(partial, "") for partial in partials] + [
        (partials[-1], "English → Chinese · model `served-model`")
    ]


def test_a_batch_job_runs_on_the_llm_without_the_seq2seq_models(server: ChatServer, tmp_path: Path) -> None:
    # The seq2seq models are missing: a job whose tasks use the llm must not be refused for them.
    missing = str(tmp_path / "no-model")
    service = endpoint_service(server, **{
        f"{role}.model": missing
        for role in ("summarize.models.en", "summarize.models.zh", "translate.models.en-zh", "translate.models.zh-en")
    })
    source = tmp_path / "in.jsonl"
    rows = [{"id": "a", "text": ENGLISH}, {"id": "b", "text": "The mayor said it would create jobs."}]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    records = list(run_batch([source], tmp_path / "out.jsonl", "both", "zh", service=service))
    assert [(r.id, r.summary, r.translation, r.error) for r in records] == [
        ("a", "市议会星期二通过了新预算。", "市议会星期二通过了新预算。\n\n市长说这将创造就业机会。", ""),
        ("b", "市长说这将创造就业机会。", "市长说这将创造就业机会。", ""),
    ]
    assert {r.engine for r in records} == {"llm; llm"}


@pytest.mark.parametrize(
    ("overrides", "task", "target"),
    [
        ({"summarize.engine": "llm"}, "summarize", None),
        ({"summarize.engine": "extractive", "translate.engine": "llm"}, "both", "zh"),
    ],
)
def test_a_batch_job_stops_before_it_starts_when_the_local_llm_is_missing(
    overrides: dict[str, str], task: str, target: str | None
) -> None:
    settings = load_settings(overrides={**overrides, "llm.model": "/nowhere/qwen"}, environ={})
    with pytest.raises(ModelUnavailableError) as caught:
        check_models(settings, task, target)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "no record of this job can succeed: model directory '/nowhere/qwen' (llm) has no config.json; "
        "point llm.model at a folder saved with save_pretrained()"
    )


def test_cli_translate_through_an_endpoint(server: ChatServer, tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ENGLISH, encoding="utf-8")
    command = [sys.executable, "-m", "summarize", "translate", str(article), "--to", "zh", "--engine", "llm",
               "--set", f"llm.endpoint={server.url}", "--set", "llm.model=served-model", "--json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    record = json.loads(done.stdout)
    assert (record["engine"], record["model"]) == ("llm", "served-model")
    assert record["text"] == "市议会星期二通过了新预算。\n\n市长说这将创造就业机会。"


def test_cli_reports_an_unreachable_server_in_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ENGLISH, encoding="utf-8")
    code = main(["translate", str(article), "--to", "zh", "--engine", "llm", "--set", "llm.endpoint=http://127.0.0.1:9/v1",
                 "--set", "llm.max_retries=0"])
    captured = capsys.readouterr()
    assert (code, captured.out) == (1, "")
    assert captured.err == (
        "summarize: error: cannot reach the LLM server at http://127.0.0.1:9/v1 (connection refused); "
        "start it (docs/llm.md) or fix llm.endpoint\n"
    )


def test_cli_summarize_with_the_local_backend(capsys: pytest.CaptureFixture[str], tiny_chat_model: Path, tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ENGLISH, encoding="utf-8")
    code = main(["summarize", str(article), "--engine", "llm", "--set", f"llm.model={tiny_chat_model}",
                 "--set", "llm.generation.max_new_tokens=8", "--set", "runtime.device=cpu", "--json"])
    captured = capsys.readouterr()
    record = json.loads(captured.out)
    assert code == 0
    assert (record["engine"], record["model"], record["chunks"]) == ("llm", str(tiny_chat_model), 1)
    # The text is what the same chat model, loaded here, writes for that article.
    overrides = {"llm.model": str(tiny_chat_model), "llm.generation.max_new_tokens": 8, "runtime.device": "cpu"}
    settings = load_settings(overrides=overrides, environ={})
    summarizer = LLMSummarizer(load_local_chat_model(settings.llm, settings.runtime), settings.summarize.extractive.sentences)
    (expected,) = summarizer.summarize_documents([ENGLISH], "en", "medium")
    assert (record["text"], record["notes"]) == (expected.text, list(expected.notes))


def test_eval_runs_the_llm_server_config_like_any_system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sacrebleu", reason="eval/run.py needs the eval extra")
    import importlib.util

    sources = ["市政府今天宣布扩建城东公园。新公园将增加两个运动场。", "气象台发布暴雨预警。部分学校已宣布停课一天。"]
    folder = tmp_path / "evaldata" / "lcsts-zh" / "data" / "LCSTS"
    folder.mkdir(parents=True)
    (folder / "test.src.txt").write_text("\n".join(sources) + "\n", encoding="utf-8")
    (folder / "test.tgt.txt").write_text("城东公园将扩建\n暴雨预警学校停课\n", encoding="utf-8")
    spec = importlib.util.spec_from_file_location("eval_run_for_llm", ROOT / "eval" / "run.py")
    run = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(run)  # type: ignore[union-attr]
    monkeypatch.chdir(ROOT)
    summaries = {source: source.split("。")[0] + "。" for source in sources}
    with ChatServer(lambda body: Reply(summaries[_article(body)]), models=("served-model",)) as server:
        status = run.main([
            "--dataset", "lcsts", "--data-dir", str(tmp_path / "evaldata"),
            "--system", f"llm=config:configs/llm-server.yaml,llm.endpoint={server.url},llm.model=served-model",
            "--results-dir", str(tmp_path / "results"), "--outputs-dir", str(tmp_path / "outputs"), "--no-progress",
        ])
    assert status == 0
    saved = (tmp_path / "outputs" / "lcsts" / "llm.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["text"] for line in saved] == ["市政府今天宣布扩建城东公园。", "气象台发布暴雨预警。"]
    assert len(server.requests) == 2


def test_a_glossary_goes_into_the_llm_prompt_and_is_checked(server: ChatServer, tmp_path: Path) -> None:
    from summarize.glossary import TermCheck

    glossary = tmp_path / "terms.tsv"
    glossary.write_text("city council\t市议会\nmayor\t市长大人\nbudget office\t预算办公室\n", encoding="utf-8")
    seen = len(server.requests)
    result = endpoint_service(server, **{"translate.glossary": str(glossary)}).translate(ENGLISH, "zh")
    assert result.text == "市议会星期二通过了新预算。\n\n市长说这将创造就业机会。"
    # The scripted model ignores the glossary: "mayor" came back as 市长, and Result.terms says so.
    assert result.terms == (TermCheck("city council", "市议会", True), TermCheck("mayor", "市长大人", False))
    assert result.notes == ()
    # The paragraphs are asked in parallel and reach the server in any order: each prompt lists its own terms.
    bodies = server.requests[seen:]
    terms = {_article(body): body["messages"][-1]["content"].split("<article>")[0].split("(term => translation):\n")[1]
             for body in bodies}
    assert len(bodies) == 2 and terms == {
        "The city council approved a new budget on Tuesday.": "- city council => 市议会\n\n",
        "The mayor said it would create jobs.": "- mayor => 市长大人\n\n",
    }


def test_a_glossary_term_keeps_its_writing_through_the_zh_hant_conversion() -> None:
    """The chat model's answer for a ``zh-Hant`` reader is converted by ``translate.hant_variant`` (s2twp:
    Taiwan phrases), but a glossary term in it stays as the glossary writes it, as a seq2seq translation's does."""
    from summarize.glossary import Glossary, TermCheck

    glossary = Glossary.from_mapping({"software": "軟件"})  # the Hong Kong word; s2twp writes 軟體
    article = "The new software is good."
    with ChatServer(lambda body: Reply("这个新軟件的信息很好。"), models=("served-model",)) as chat:
        service = endpoint_service(chat)
        translation = service.translate(article, "zh-Hant", glossary=glossary)
        *streamed, streamed_result = service.translate_stream(article, "zh-Hant", glossary=glossary)
        summary = service.summarize(article, "zh-Hant", glossary=glossary)
    expected = "這個新軟件的資訊很好。"  # 信息 -> 資訊 (Taiwan phrase); the term 軟件 kept
    assert (translation.text, translation.terms) == (expected, (TermCheck("software", "軟件", True),))
    assert streamed[-1] == expected
    assert (streamed_result.text, streamed_result.terms) == (translation.text, translation.terms)
    assert (summary.text, summary.terms) == (expected, (TermCheck("software", "軟件", True),))


def test_the_chat_model_is_told_a_traditional_article_is_traditional() -> None:
    """The chat model reads a Traditional article as written (docs/chinese-scripts.md), so its prompts name
    the article's script; the answer is asked in the model languages and converted afterwards."""
    article = "港灣區議會星期四通過了圖書館計劃。"
    with ChatServer(lambda body: Reply("The council approved the library plan."), models=("served-model",)) as chat:
        service = endpoint_service(chat)
        translation = service.translate(article, "en")
        translated = chat.requests[-1]["messages"]
        summary = service.summarize(article, "en")
        summarized = chat.requests[-1]["messages"][-1]["content"]
    assert (translation.source_lang, summary.source_lang) == ("zh-Hant", "zh-Hant")
    assert translated[0]["content"].startswith("You are a professional news translator from Traditional Chinese into English.")
    assert summarized.startswith("Summarize the Traditional Chinese news article below directly in English, in about 3 sentences.")


@pytest.mark.parametrize("name", ["bridge", "library"])
def test_the_chat_model_is_sent_the_story_without_the_page_furniture(name: str) -> None:
    """A pasted page is read into its story once, before the engine: the chat model's request holds every story
    paragraph and none of the view counters, bylines, labels, captions or share lines the extractive engine skips."""
    from pages import ARTICLES

    article = next(article for article in ARTICLES if article.name == name)
    with ChatServer(lambda body: Reply("The bridge reopened."), models=("served-model",)) as chat:
        endpoint_service(chat).summarize(article.text)
        sent = "\n".join(message["content"] for body in chat.requests for message in body["messages"])
    assert [paragraph for paragraph in article.story if paragraph not in sent] == []
    assert [line for line in article.furniture if line in sent] == []
