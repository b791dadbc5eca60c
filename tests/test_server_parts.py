"""The server's parts on their own: error mapping, the capacity gate, summary choices, UI helpers, `serve`."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import tiny_overrides

from summarize import (
    ConfigError,
    InputError,
    ModelUnavailableError,
    Result,
    Service,
    SummarizeError,
    load_settings,
)
from summarize.batch import OutputRecord
from summarize.cli import main
from summarize.config import Settings
from summarize.store import ModelStore
from summarize.text import Detection
from summarize.web.api.errors import ApiError, error_response
from summarize.web.choices import SummaryChoices, choice_names, choice_settings
from summarize.web.demo.actions import CHART_MEASURES, Actions
from summarize.web.demo.batch import ShownProgress, web_record
from summarize.web.demo.common import (
    UI_WORDS,
    describe_detection,
    describe_result,
    error_markdown,
    in_place,
    notice,
    quality_line,
    read_upload,
)
from summarize.web.demo.ui import build_ui
from summarize.web.server import Gate

# --------------------------------------------------------------------------- error mapping


@pytest.mark.parametrize(
    ("error", "status", "kind", "message"),
    [
        (InputError("text is empty"), 422, "invalid_input", "text is empty"),
        (ModelUnavailableError("model missing"), 503, "model_unavailable", "model missing"),
        (ConfigError("bad setting"), 400, "error", "bad setting"),
        (SummarizeError("other"), 400, "error", "other"),
        (ApiError(401, "unauthorized", "no key"), 401, "unauthorized", "no key"),
    ],
    ids=["input", "model", "config", "base", "api"],
)
def test_error_response_maps_each_failure(error: Exception, status: int, kind: str, message: str) -> None:
    response = error_response(error)
    assert response.status_code == status
    assert json.loads(response.body) == {"error": {"type": kind, "message": message}}


def test_error_response_refuses_unknown_exceptions() -> None:
    with pytest.raises(TypeError, match="no HTTP mapping for KeyError"):
        error_response(KeyError("x"))


# --------------------------------------------------------------------------- capacity


async def _fill_and_overflow(limit: int, queue: int) -> tuple[ApiError, list[str]]:
    """Hold every slot and fill the queue, then ask once more; release and collect the results."""
    gate = Gate(limit, queue)
    release = threading.Event()
    running = [asyncio.create_task(gate.run(lambda i=i: release.wait() and f"running {i}")) for i in range(limit)]
    waiting = [asyncio.create_task(gate.run(lambda i=i: f"waiting {i}")) for i in range(queue)]
    while gate.waiting < queue:
        await asyncio.sleep(0.01)
    with pytest.raises(ApiError) as refused:
        await gate.run(lambda: "refused")
    release.set()
    return refused.value, list(await asyncio.gather(*running, *waiting))


@pytest.mark.parametrize(("limit", "queue"), [(1, 1), (2, 3)])
def test_gate_answers_busy_beyond_its_capacity(limit: int, queue: int) -> None:
    busy, done = asyncio.run(_fill_and_overflow(limit, queue))
    assert (busy.status_code, busy.kind, busy.headers) == (503, "busy", {"Retry-After": "2"})
    assert busy.detail == f"the server is busy ({limit} requests running, {queue} waiting); retry in a moment"
    assert done == [f"running {i}" for i in range(limit)] + [f"waiting {i}" for i in range(queue)]


def test_gate_runs_calls_in_order_when_there_is_room() -> None:
    async def scenario() -> list[int]:
        gate = Gate(1, 4)
        return list(await asyncio.gather(*(gate.run(lambda i=i: i) for i in range(5))))

    assert asyncio.run(scenario()) == [0, 1, 2, 3, 4]


# --------------------------------------------------------------------------- summary choices


@pytest.fixture(scope="module")
def choices_settings(tiny_models: dict[str, Path]):
    return load_settings(
        overrides=tiny_overrides(tiny_models, **{"server.model_choices": {"mt5": {"en": {"model": str(tiny_models["mt5"])}}}}),
        environ={},
    )


def test_choice_names_put_default_first(choices_settings) -> None:
    assert choice_names(choices_settings) == ["default", "extractive", "mt5"]


def test_default_choice_keeps_the_settings(choices_settings) -> None:
    assert choice_settings(choices_settings, "default") is choices_settings


def test_extractive_choice_switches_the_engine(choices_settings) -> None:
    chosen = choice_settings(choices_settings, "extractive")
    assert chosen.summarize.engine == "extractive"
    assert chosen.summarize.models == choices_settings.summarize.models


def test_named_choice_replaces_only_its_languages(choices_settings, tiny_models: dict[str, Path]) -> None:
    chosen = choice_settings(choices_settings, "mt5").summarize
    assert (chosen.models["en"].model, chosen.models["zh"].model) == (str(tiny_models["mt5"]), str(tiny_models["mt5"]))
    assert chosen.models["zh"] == choices_settings.summarize.models["zh"]


@pytest.mark.parametrize(("configured", "used"), [("auto", "auto"), ("seq2seq", "seq2seq"), ("extractive", "auto")])
def test_named_choice_uses_the_model_even_under_the_extractive_engine(tiny_models, configured: str, used: str) -> None:
    settings = load_settings(
        overrides=tiny_overrides(
            tiny_models,
            **{"summarize.engine": configured, "server.model_choices": {"m": {"en": {"model": str(tiny_models["bart"])}}}},
        ),
        environ={},
    )
    assert choice_settings(settings, "m").summarize.engine == used


def test_unknown_choice_is_an_input_error(choices_settings) -> None:
    with pytest.raises(InputError) as error:
        choice_settings(choices_settings, "gpt")
    assert str(error.value) == "model 'gpt' is not offered here; choose one of 'default', 'extractive', 'mt5' (server.model_choices)"


def test_choices_share_one_model_store_and_build_each_service_once(choices_settings) -> None:
    base = Service(choices_settings, store=ModelStore())
    choices = SummaryChoices(base)
    assert choices.service("default") is base
    assert choices.service("mt5") is choices.service("mt5")
    assert choices.service("mt5").store is base.store


# --------------------------------------------------------------------------- UI helpers


@pytest.mark.parametrize(
    ("detection", "shown"),
    [
        (Detection("en", False, 0.0), "English"),
        (Detection("zh", False, 1.0), "Chinese"),
        (Detection("zh", True, 0.625), "Mixed English/Chinese (62% Chinese), treated as Chinese"),
    ],
)
def test_detected_language_display(detection: Detection, shown: str) -> None:
    assert describe_detection(detection) == shown


def _result(engine: str, notes: tuple[str, ...] = (), chunks: int = 1) -> Result:
    return Result("text", "summarize", "en", "zh", engine, "m", chunks, 0.256, False, notes)


@pytest.mark.parametrize(
    ("chunks", "line"),
    [
        (1, "English → Chinese · engine `seq2seq` · model `m` · 1 chunk · 0.26 s"),
        (3, "English → Chinese · engine `seq2seq` · model `m` · 3 chunks · 0.26 s"),
    ],
)
def test_result_description(chunks: int, line: str) -> None:
    assert describe_result(_result("seq2seq", chunks=chunks)) == line


FALLBACK = (
    "⚠️ **Extractive fallback:** the summarization model could not be loaded, so this summary is made of "
    "sentences picked from the article."
)


@pytest.mark.parametrize(
    ("engine", "requested", "notes", "shown"),
    [
        ("seq2seq", "auto", (), ""),
        ("extractive", "extractive", (), ""),
        ("extractive", "auto", ("model gone",), f"{FALLBACK}\n- model gone"),
        ("extractive+seq2seq", "auto", ("model gone",), f"{FALLBACK}\n- model gone"),
        ("seq2seq", "auto", ("mixed text", "long input"), "- mixed text\n- long input"),
        (
            "seq2seq", "auto", ("document title: [Log in again](https://evil.example) <img src=x>", "run `summarize models pull`"),
            "- document title: \\[Log in again\\]\\(https://evil\\.example\\) \\<img src=x\\>\n- run `summarize models pull`",
        ),
    ],
    ids=["none", "chosen-extractive", "fallback", "fallback-translated", "notes", "markdown-in-a-note"],
)
def test_notice(engine: str, requested: str, notes: tuple[str, ...], shown: str) -> None:
    assert notice(_result(engine, notes), requested) == shown


@pytest.mark.parametrize(
    ("data", "text"), [("新闻\n".encode(), "新闻\n"), ("\ufeffNews".encode(), "News"), (b"", "")], ids=["utf8", "bom", "empty"]
)
def test_read_upload(tmp_path: Path, data: bytes, text: str) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    assert read_upload(str(path)) == text


def test_read_upload_rejects_other_encodings(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes("新闻".encode("gbk"))
    with pytest.raises(InputError) as error:
        read_upload(str(path))
    assert str(error.value) == "article.txt is not UTF-8 text (byte 0xd0 at offset 0); save it as UTF-8 and upload it again"


def test_cleared_upload_reads_as_empty() -> None:
    assert read_upload(None) == ""


@pytest.mark.parametrize(
    ("args", "result"),
    [
        (("en-zh", "Hello.", "你好。"), ("zh-en", "你好。", "", "", "")),
        (("zh-en", "你好。", ""), ("en-zh", "你好。", "", "", "")),
    ],
    ids=["with-translation", "without-translation"],
)
def test_swap_clears_the_outputs(args: tuple[str, str, str], result: tuple[str, str, str, str, str]) -> None:
    assert Actions.swap(*args) == result


@pytest.fixture(scope="module")
def actions(tiny_settings) -> Actions:
    return Actions(Service(tiny_settings, store=ModelStore()))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("", ""),
        ("  \n", ""),
        ("The council met on Monday.", "English"),
        ("市议会周一开会。", "Chinese"),
        ("Привет, как дела?", "unsupported language: the text is written in Cyrillic script; supported languages are en and zh"),
        ("市议会\ud800开会。", "the text box is not valid Unicode: character 3 is a lone surrogate (\\ud800); "
                           "send the text encoded as UTF-8"),  # the UI's words, as on the error lines
    ],
)
def test_detect_action(actions: Actions, text: str, shown: str) -> None:
    assert actions.detect(text) == shown


def test_translate_action_refuses_the_wrong_direction(actions: Actions) -> None:
    with pytest.raises(InputError) as error:
        list(actions.translate("市议会周一开会。", "en-zh"))
    assert str(error.value) == "the text looks Chinese but the direction is English → Chinese; press Swap or pick the other direction"


def test_translate_action_streams_then_describes(actions: Actions) -> None:
    text = "The council met on Monday. It voted on the budget."
    updates = list(actions.translate(text, "en-zh"))
    *partials, result = actions.service.translate_stream(text, "zh", source_lang="en")
    details = ["English → Chinese · model `marian-en-zh`", quality_line(result)]  # the folder's name, not its path
    assert updates == [(partial, "") for partial in partials] + [(partials[-1], "\n\n".join(filter(None, details)))]


@pytest.mark.parametrize("method", ["summarize_document", "translate_document"])
def test_document_actions_without_a_file_say_which_files_they_take(actions: Actions, method: str) -> None:
    arguments = ("same", "medium", "default") if method == "summarize_document" else ("en-zh",)
    with pytest.raises(InputError) as error:
        getattr(actions, method)(None, *arguments)
    assert str(error.value) == "upload a document first (.txt, .html, .htm, .md, .markdown, .docx, .srt)"


def test_translate_document_action_writes_the_translation_beside_the_upload(actions: Actions, tmp_path: Path) -> None:
    upload = tmp_path / "upload-hash" / "notes.md"
    upload.parent.mkdir()
    upload.write_text("# Budget\n\nThe council met on **Monday**.\n", encoding="utf-8")
    path, shown = actions.translate_document(str(upload), "en-zh")
    expected = actions.service.translate_document(upload.read_bytes(), "markdown", "zh", name="notes.md")
    assert (Path(path).name, Path(path).parent.parent, Path(path).read_bytes()) == ("notes.zh.md", upload.parent, expected.data)
    assert shown.startswith("English → Chinese · engine `seq2seq` · model `marian-en-zh` · 3 chunks · ")  # Budget, The council met on, Monday


def test_a_page_title_is_shown_as_text_not_as_markdown(actions: Actions, tmp_path: Path) -> None:
    upload = tmp_path / "page.html"
    upload.write_text(
        "<html><head><title>Rates ![x](https://evil.example/p.png) [Log in](https://evil.example)</title></head>"
        "<body><article><p>The council met on Monday to vote on the budget.</p></article></body></html>",
        encoding="utf-8",
    )
    _, _, shown = actions.summarize_document(str(upload), "same", "medium", "extractive")
    title = "Rates \\!\\[x\\]\\(https://evil\\.example/p\\.png\\) \\[Log in\\]\\(https://evil\\.example\\)"
    assert f"- document title: {title}" in shown.splitlines()  # no image fetched, no link to follow


def test_a_broken_document_upload_gets_the_readers_message(actions: Actions, tmp_path: Path) -> None:
    upload = tmp_path / "report.docx"
    upload.write_bytes(b"not a zip at all")
    with pytest.raises(InputError) as error:
        actions.summarize_document(str(upload), "same", "medium", "default")
    assert str(error.value) == "report.docx is not a Word document (.docx): it is not a zip file"


def test_bilingual_action_shows_the_summary_and_its_translation(actions: Actions) -> None:
    text = "市议会周一开会。议员们讨论了明年的预算。"
    english, chinese, shown = actions.bilingual(text, "medium", "default")
    summary, translated = actions.service.summarize_bilingual(text)
    assert (english, chinese) == (translated.text, summary.text)
    without_seconds = [line.rsplit(" · ", 1)[0] for line in shown.split("\n\n")]
    assert without_seconds == [describe_result(result).rsplit(" · ", 1)[0] for result in (summary, translated)]
    assert "/" not in shown  # local models are named by their folder, never their path


def test_bilingual_action_uses_the_chosen_engine_for_both_languages(actions: Actions) -> None:
    text = "The council met on Monday. It voted on the budget. The mayor was absent. Shops stayed open late."
    english, chinese, _ = actions.bilingual(text, "medium", "extractive")
    summary, translated = actions.choices.service("extractive").summarize_bilingual(text)
    assert (summary.engine, translated.engine) == ("extractive", "extractive+seq2seq")
    assert (english, chinese) == (summary.text, translated.text)


def test_bilingual_action_error_is_the_cross_lingual_summary_error(tiny_models, tmp_path: Path) -> None:
    settings = load_settings(
        overrides=tiny_overrides(tiny_models, **{"translate.models.zh-en.model": str(tmp_path / "gone")}), environ={}
    )
    actions = Actions(Service(settings, store=ModelStore()))
    text = "市议会周一开会。议员们讨论了明年的预算。"
    with pytest.raises(ModelUnavailableError) as error:
        actions.bilingual(text, "medium", "extractive")
    with pytest.raises(ModelUnavailableError) as expected:
        actions.choices.service("extractive").summarize(text, "en")
    assert str(error.value) == str(expected.value)
    gone = str(tmp_path / "gone")
    assert str(error.value).startswith(f"a zh->en summary needs the translation model: model directory {gone!r}")


@pytest.mark.parametrize(
    ("message", "markdown"),
    [
        ("text is empty; give the article text", "⚠️ text is empty; give the article text"),
        ("run `summarize models pull` first", "⚠️ run `summarize models pull` first"),
        ("my_*notes*.txt is not UTF-8 (byte 0xd0)", "⚠️ my\\_\\*notes\\*\\.txt is not UTF\\-8 \\(byte 0xd0\\)"),
        ("odd ` tick and `a_b`", "⚠️ odd \\` tick and \\`a\\_b\\`"),
        ("<b>[link](javascript:x)</b>", "⚠️ \\<b\\>\\[link\\]\\(javascript:x\\)\\</b\\>"),
    ],
    ids=["plain", "code-span", "markdown-syntax", "unpaired-backtick", "html-and-link"],
)
def test_error_markdown_shows_the_message_literally(message: str, markdown: str) -> None:
    assert error_markdown(message) == markdown


def _fails(text: str) -> tuple[str, str]:
    if not text:
        raise InputError("text is empty; give the article text")
    return text.upper(), "details"


def _streams(text: str):
    yield "partial", ""
    if not text:
        raise InputError("text is empty; give the article text")
    yield text.upper(), "details"


@pytest.mark.parametrize(
    ("text", "outputs"),
    [("abc", ("ABC", "details", "")), ("", ("", "", "⚠️ text is empty; give the article text"))],
    ids=["result", "error"],
)
def test_in_place_adds_the_error_line_and_blanks_the_outputs(text: str, outputs: tuple[str, str, str]) -> None:
    assert in_place(_fails, ("", ""))(text) == outputs


@pytest.mark.parametrize(
    ("text", "updates"),
    [
        ("abc", [("partial", "", ""), ("ABC", "details", "")]),
        ("", [("partial", "", ""), ("", "", "⚠️ text is empty; give the article text")]),
    ],
    ids=["result", "error"],
)
def test_in_place_streams_and_ends_with_blank_outputs_on_error(text: str, updates: list[tuple[str, str, str]]) -> None:
    assert list(in_place(_streams, ("", ""))(text)) == updates


def test_in_place_leaves_other_failures_to_the_server() -> None:
    def broken(text: str) -> tuple[str]:
        raise ZeroDivisionError("not a service error")

    with pytest.raises(ZeroDivisionError):
        in_place(broken, ("",))("abc")


def test_upload_error_keeps_the_article_and_is_shown_in_place(tmp_path: Path) -> None:
    import gradio

    path = tmp_path / "article.txt"
    path.write_bytes("新闻".encode("gbk"))
    assert in_place(read_upload, (gradio.skip(),))(str(path)) == (
        gradio.skip(),
        "⚠️ article\\.txt is not UTF\\-8 text \\(byte 0xd0 at offset 0\\); save it as UTF\\-8 and upload it again",
    )


def test_ui_queue_follows_the_settings(tiny_models) -> None:
    settings = load_settings(
        overrides=tiny_overrides(tiny_models, **{"server.concurrency_limit": 3, "server.max_queue": 7}), environ={}
    )
    demo = build_ui(Service(settings, store=ModelStore()))
    assert (demo._queue.default_concurrency_limit, demo._queue.max_size) == (3, 7)


# --------------------------------------------------------------------------- `summarize serve`


@pytest.mark.parametrize(
    ("argv", "host", "port"),
    [
        (["serve"], "127.0.0.1", 7860),
        (["serve", "--host", "0.0.0.0", "--port", "8000"], "0.0.0.0", 8000),
        (["serve", "--set", "server.port=9000"], "127.0.0.1", 9000),
        (["serve", "--set", "server.port=9000", "--port", "9001"], "127.0.0.1", 9001),
    ],
    ids=["defaults", "flags", "set", "flag-wins"],
)
def test_serve_arguments_become_settings(argv: list[str], host: str, port: int, monkeypatch) -> None:
    served = []
    monkeypatch.delenv("SUMMARIZE_CONFIG", raising=False)
    monkeypatch.setattr("summarize.web.server.serve", served.append)
    assert main(argv) == 0
    assert [(settings.server.host, settings.server.port) for settings in served] == [(host, port)]


@pytest.mark.parametrize(
    ("port", "message"),
    [
        ("70000", "setting 'server.port' must be at most 65535, not 70000"),
        ("-1", "setting 'server.port' must be 0 or more, not -1"),
    ],
)
def test_serve_rejects_a_bad_port(port: str, message: str, monkeypatch, capsys) -> None:
    monkeypatch.delenv("SUMMARIZE_CONFIG", raising=False)
    assert main(["serve", "--port", port]) == 1
    assert capsys.readouterr().err == f"summarize: error: {message}\n"


# --------------------------------------------------------------------------- batch and evaluate tabs


BATCH_TEXTS = {
    "a": "The council met on Monday. It voted on the budget. The mayor was absent. Shops stayed open late.",
    "b": "Rain fell all week in the valley. Farmers worried about the harvest. The river rose by a metre.",
}


def _expected_batch_rows(actions: Actions) -> list[list[str]]:
    extractive = actions.choices.service("extractive")
    return [[key, extractive.summarize(text).text, "en", ""] for key, text in BATCH_TEXTS.items()] + [
        ["c", "", "", "text is empty; give the article text"]
    ]


def test_batch_action_on_jsonl(actions: Actions, tmp_path: Path) -> None:
    source = tmp_path / "articles.jsonl"
    records = [{"id": key, "text": text} for key, text in BATCH_TEXTS.items()] + [{"id": "c", "text": " "}]
    source.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    output, counts, preview = actions.batch(str(source), "summarize", "en", "extractive")
    assert (Path(output).name, Path(output).parent.parent) == ("articles.results.jsonl", tmp_path)
    assert counts == "2 done, 1 failed (see the `error` field)"
    assert preview == _expected_batch_rows(actions)
    written = [json.loads(line) for line in Path(output).read_text(encoding="utf-8").splitlines()]
    assert [(record["id"], record["summary"], record["error"]) for record in written] == [
        (row[0], row[1], row[3]) for row in preview
    ]


def test_batch_action_on_csv(actions: Actions, tmp_path: Path) -> None:
    source = tmp_path / "articles.csv"
    rows = [f'{key},"{text}"' for key, text in BATCH_TEXTS.items()]
    source.write_text("id,text\n" + "\n".join(rows) + '\nc," "\n', encoding="utf-8")
    _, counts, preview = actions.batch(str(source), "summarize", "en", "extractive")
    assert (counts, preview) == ("2 done, 1 failed (see the `error` field)", _expected_batch_rows(actions))


def test_batch_action_runs_each_job_in_its_own_folder(actions: Actions, tmp_path: Path) -> None:
    source = tmp_path / "articles.jsonl"
    source.write_text(json.dumps({"id": "a", "text": BATCH_TEXTS["a"]}) + "\n", encoding="utf-8")
    first, _, _ = actions.batch(str(source), "summarize", "en", "extractive")
    second, counts, _ = actions.batch(str(source), "summarize", "en", "extractive")
    assert first != second
    assert counts == "1 done, 0 failed (see the `error` field)"


class _Bar:
    """Records what a batch job shows on the tab's progress bar (a stand-in for gr.Progress, not a model)."""

    def __init__(self) -> None:
        self.shown: list[tuple[tuple[int, int | None], str, str]] = []

    def __call__(self, progress: tuple[int, int | None], desc: str, unit: str) -> None:
        self.shown.append((progress, desc, unit))


def test_batch_action_shows_the_job_counts_on_the_progress_bar(actions: Actions, tmp_path: Path) -> None:
    source = tmp_path / "articles.jsonl"
    records = [{"id": key, "text": text} for key, text in BATCH_TEXTS.items()] + [{"id": "c", "text": " "}]
    source.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    bar = _Bar()
    actions.batch(str(source), "summarize", "en", "extractive", progress=bar)
    assert bar.shown == [((0, 3), "Working", "records"), ((3, 3), "Working", "records")]


def test_shown_progress_counts_like_the_batch_progress() -> None:
    shown = ShownProgress(_Bar())
    shown.start(5)
    shown.add([OutputRecord("a"), OutputRecord("b", error="bad")])
    shown.add([OutputRecord("c")])
    assert (shown.counts.done, shown.counts.failed, shown.bar.shown[-1][0]) == (2, 1, (3, 5))


def test_web_record_hides_server_paths_but_keeps_the_files_ids(tmp_path: Path) -> None:
    source = tmp_path / "uploads" / "articles.jsonl"
    failed = OutputRecord(
        f"{source}:3", summary="", error=f"OSError: [Errno 28] No space left on device: '{tmp_path}/out/x.jsonl'",
        model=f"{tmp_path}/models/bart + extractive", notes=(f"read from {source}",),
    )
    assert web_record(failed, source) == OutputRecord(
        "articles.jsonl:3", summary="", error="OSError: [Errno 28] No space left on device: 'x.jsonl'",
        model="bart + extractive", notes=("read from articles.jsonl",),
    )
    own = OutputRecord("/news/2024/tram", summary="Trams.", model="extractive")
    assert web_record(own, source) == own  # an id from the file, even one like a path, is the user's own


def test_batch_action_names_the_column_the_tab_reads(actions: Actions, tmp_path: Path) -> None:
    source = tmp_path / "articles.csv"
    source.write_text("id,body\na,The council met.\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        actions.batch(str(source), "summarize", "en", "extractive")
    assert caught.value.in_words(UI_WORDS) == (  # the tab has no field-name control: the file's header is the fix
        f"{source} has no 'text' column (columns: id, body); name the text column with the header 'text'"
    )


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_batch_action_refuses_a_file_over_the_record_limit_before_any_work(
    tiny_settings: Settings, tmp_path: Path, kind: str
) -> None:
    limited = Actions(Service(replace(tiny_settings, server=replace(tiny_settings.server, max_batch_records=2))))
    source = tmp_path / f"articles.{kind}"

    def write(texts: list[str]) -> None:  # blank lines between the records: they are not records
        if kind == "jsonl":
            source.write_text("".join(json.dumps({"text": text}) + "\n\n" for text in texts), encoding="utf-8")
        else:
            source.write_text("text\n" + "\n\n".join(texts) + "\n", encoding="utf-8")

    write(["The council met.", "The park opened.", "The bridge reopened."])
    with pytest.raises(InputError) as caught:
        limited.batch(str(source), "summarize", "en", "extractive")
    assert str(caught.value) == (
        f"articles.{kind} holds 3 records, over this server's limit of 2 per Batch tab job "
        "(server.max_batch_records); split the file, or run larger jobs with summarize batch"
    )
    assert list(tmp_path.iterdir()) == [source]  # no job folder, no results file
    write(["The council met.", "The park opened."])
    _, counts, _ = limited.batch(str(source), "summarize", "en", "extractive")
    assert counts == "2 done, 0 failed (see the `error` field)"


def test_batch_action_needs_a_file(actions: Actions) -> None:
    with pytest.raises(InputError, match="^upload a JSONL or CSV file first$"):
        actions.batch(None, "summarize", "en", "default")


@pytest.mark.parametrize("task", ["translate", "both"])
def test_batch_action_without_an_output_language_names_the_tabs_control(
    actions: Actions, tmp_path: Path, task: str
) -> None:
    source = tmp_path / "articles.jsonl"
    source.write_text(json.dumps({"id": "a", "text": BATCH_TEXTS["a"]}) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        actions.batch(str(source), task, "same", "default")
    assert str(error.value) == (
        f"the {task} task needs an output language: choose English, Chinese 中文 or Traditional Chinese 繁體中文 "
        "(not \"Same as the article\")"
    )  # not the command line's --to
    assert sorted(path.name for path in tmp_path.iterdir()) == ["articles.jsonl"]  # no job folder


@pytest.fixture()
def scored_files(tmp_path: Path) -> tuple[Path, Path]:
    predictions, references = tmp_path / "predictions.txt", tmp_path / "references.txt"
    predictions.write_text("the cat sat on the mat\nthe dog ran\n", encoding="utf-8")
    references.write_text("the cat was on the mat\na dog ran away\n", encoding="utf-8")
    return predictions, references


def test_evaluate_action_scores_with_rouge(scored_files: tuple[Path, Path]) -> None:
    predictions, references = scored_files
    table, chart, notes = Actions.evaluate(str(predictions), [str(references)], "en", "default for the language")
    assert table == [
        ["ROUGE-1", 0.75, 0.6667, 0.7024],
        ["ROUGE-2", 0.55, 0.4667, 0.5],
        ["ROUGE-L", 0.75, 0.6667, 0.7024],
        ["ROUGE-Lsum", 0.75, 0.6667, 0.7024],
    ]
    bars = re.findall(r'data-metric="([^"]+)" data-measure="([^"]+)" data-value="([^"]+)"', chart)
    assert bars == [(row[0], measure, str(value)) for row in table for measure, value in zip(CHART_MEASURES, row[1:])]
    assert '<span class="score-fill" style="width: 75.0%"></span><span class="score-label">precision 0.7500</span>' in chart
    assert notes.startswith("2 items · signature `nrefs:1|tok:en|stem:no|")


def test_evaluate_action_warns_about_chinese_scored_as_english(tmp_path: Path) -> None:
    predictions, references = tmp_path / "p.txt", tmp_path / "r.txt"
    predictions.write_text("市议会周一开会\n", encoding="utf-8")
    references.write_text("市议会周一召开会议\n", encoding="utf-8")
    _, _, notes = Actions.evaluate(str(predictions), [str(references)], "en", "en")
    assert notes.endswith(
        "⚠️ Chinese text scored with the 'en' tokenizer, which drops Chinese characters (scores will be near 0); "
        "use tokenizer 'zh-char' or 'zh-jieba' (--lang zh)"
    )


@pytest.mark.parametrize(
    ("predictions", "references", "message"),
    [
        (None, ["r.txt"], "upload the predictions file (one summary per line, or JSONL with id and text)"),
        ("p.txt", [], "upload at least one references file, aligned with the predictions"),
        ("p.txt", None, "upload at least one references file, aligned with the predictions"),
    ],
    ids=["no-predictions", "no-references", "references-cleared"],
)
def test_evaluate_action_needs_both_files(predictions: str | None, references: list[str] | None, message: str) -> None:
    with pytest.raises(InputError) as error:
        Actions.evaluate(predictions, references, "en", "default for the language")
    assert str(error.value) == message


def test_evaluate_action_reports_misaligned_files(scored_files: tuple[Path, Path]) -> None:
    predictions, references = scored_files
    references.write_text("only one line\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        Actions.evaluate(str(predictions), [str(references)], "en", "default for the language")
    assert str(error.value) == f"{predictions} has 2 lines but {references} has 1 lines; they must be aligned one to one"


@pytest.mark.parametrize("key", ["", "12345", "yes", "0123", "null", "k: v"])
def test_api_key_from_the_environment_stays_text(key: str) -> None:
    assert load_settings(environ={"SUMMARIZE_SERVER__API_KEY": key}).server.api_key == key


@pytest.mark.parametrize("key", ["12345", "on"])
def test_api_key_from_set_stays_text(key: str) -> None:
    assert load_settings(overrides={"server.api_key": key}, environ={}).server.api_key == key
