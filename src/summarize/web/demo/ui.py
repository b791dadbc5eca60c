"""The Gradio demo: one tab per job, each action a thin call into the service.

``build_ui(service)`` returns the Blocks (with its queue configured from ``server``); the server
mounts it at ``/`` with :data:`~summarize.web.demo.common.UI_CSS`. This module lays the tabs out; what their
buttons do is :class:`~summarize.web.demo.actions.Actions`, and how errors and results are shown,
:mod:`summarize.web.demo.common`. Every handler that takes a file is wrapped with
:func:`~summarize.web.demo.uploads.uploads_only`.
"""

from __future__ import annotations

from typing import get_args

try:
    import gradio as gr
except ImportError as missing:  # pragma: no cover - depends on the installed extras
    raise ImportError("the web demo needs the 'web' extra: pip install 'bilingual-summarize[web]'") from missing

from ...batch import TASKS
from ...documents import TEXT_FORMATS
from ...engines.base import Length
from ...service import Service
from ..choices import DEFAULT_CHOICE, EXTRACTIVE_CHOICE
from .actions import (
    DEFAULT_TOKENIZER,
    DIRECTIONS,
    DOCUMENT_TYPES,
    OUTPUT_LANGUAGES,
    SAME_LANGUAGE,
    Actions,
)
from .batch import BATCH_PREVIEW_ROWS, KeepFiles, keep_nothing
from .common import ERROR_CLASS, in_place, read_upload, run_on_click
from .glossary import glossary_input
from .uploads import uploads_only

LENGTHS = [(length.capitalize(), length) for length in get_args(Length)]
TARGET_LANGUAGES = [("English", "en"), ("Chinese 中文", "zh")]
BATCH_TYPES = [".jsonl", ".ndjson", ".csv"]
FORMAT_LABELS = {"text": "Plain text", "html": "Saved web pages (HTML)", "markdown": "Markdown", "srt": "Subtitles (SRT)"}
"""How the Batch tab names the formats a text field can hold (:data:`summarize.documents.TEXT_FORMATS`)."""

EXAMPLE_EN = """Riverton opened its first electric tram line on Monday, linking the airport with the old town in 25 minutes.

The 14-kilometre line has 18 stops and runs every six minutes at peak hours. City officials expect about 40,000 riders a day within a year, and say the trams will cut morning traffic on the airport road by a fifth.

The project cost 620 million dollars and opened two years later than planned, after a dispute over the route through the historic market district. Shop owners there had warned that the works would drive customers away; the council agreed to pay rent relief to 140 businesses during construction.

Mayor Elena Ruiz, who rode the first tram, called the opening "a promise kept". Critics on the council said the delays had added 90 million dollars to the bill and asked for an independent review of the contract.

A second line, to the university campus, is due to start construction next spring."""

EXAMPLE_ZH = """青川市周三宣布，全市首批二十辆无人驾驶公交车将于下月在新区投入试运营。

这批公交车由本地一家科技企业研发，每辆可载客三十人，最高时速四十公里。试运营期间，车上仍会配备一名安全员，乘客可免费乘坐。

市交通局负责人表示，新区人口增长较快，但公交线路覆盖不足，许多居民早晚通勤需要步行二十多分钟才能到达车站。无人驾驶公交车将连接三个住宅小区、两所学校和地铁站，预计每天服务约五千人次。

也有市民对安全问题表示担忧。交通局称，这些车辆已在封闭道路上完成了一万公里的测试，并将在雨雪天气暂停运营。

如果试运营顺利，青川市计划明年将线路延伸到老城区。"""

EXAMPLE_TRANSLATE_EN = (
    "The new library will open on Saturday. It has room for 200,000 books and a reading room for children."
)
EXAMPLE_TRANSLATE_ZH = "今年夏天的降雨量比往年多了三成。当地农民说，水稻的收成可能会受到影响。"


def _summarize_tab(actions: Actions) -> None:
    with gr.Row():
        with gr.Column(scale=3):
            article = gr.Textbox(
                label="Article",
                lines=12,
                max_lines=30,
                placeholder="Paste an English or Chinese news article…",
                elem_id="summarize-input",
            )
            with gr.Row(equal_height=True):
                upload = gr.UploadButton(
                    "…or upload a .txt file (UTF-8)", file_types=[".txt"], size="sm", elem_id="summarize-upload"
                )
                detected = gr.Textbox(
                    label="Detected language", interactive=False, elem_id="detected-language", scale=2
                )
            with gr.Accordion(f"…or summarize a document ({', '.join(DOCUMENT_TYPES)}): a page's story, "
                              "without its menus", open=False):
                document = gr.File(label="Document", file_types=DOCUMENT_TYPES, elem_id="summarize-document")
                document_button = gr.Button("Summarize document", elem_id="summarize-document-button")
            with gr.Accordion("Glossary (for a summary in the other language, of the article or the document)",
                              open=False):
                glossary = glossary_input("summarize-glossary")
        with gr.Column(scale=2):
            output_lang = gr.Radio(OUTPUT_LANGUAGES, value=SAME_LANGUAGE, label="Summary language")
            length = gr.Radio(LENGTHS, value="medium", label="Length")
            choice = gr.Dropdown(
                actions.choices.names,
                value=DEFAULT_CHOICE,
                label="Engine / model",
                info=f"'{DEFAULT_CHOICE}': the configured models (extractive fallback when unavailable); "
                f"'{EXTRACTIVE_CHOICE}': sentences picked from the article",
            )
            button = gr.Button("Summarize", variant="primary", elem_id="summarize-button")
            error = gr.Markdown(elem_id="summarize-error", elem_classes=ERROR_CLASS)
    with gr.Column(elem_id="summarize-outputs"):
        summary = gr.Textbox(label="Summary", lines=6, interactive=False, buttons=["copy"], elem_id="summary-output")
        details = gr.Markdown(elem_id="summary-details")
        notes = gr.Markdown(elem_id="summary-notice")
    gr.Examples([[EXAMPLE_EN], [EXAMPLE_ZH]], inputs=[article], example_labels=["English news", "中文新闻"])

    upload.upload(in_place(uploads_only(read_upload, "path"), (gr.skip(),)), upload, [article, error],
                  api_visibility="private")
    run_on_click(document_button, uploads_only(actions.summarize_document, "path", "glossary"),
                 [document, output_lang, length, choice, glossary], [summary, details, notes, error], ("", "", ""),
                 api_name="summarize_document")
    article.change(actions.detect, article, detected, api_visibility="private", show_progress="hidden",
                   trigger_mode="always_last")
    run_on_click(button, uploads_only(actions.summarize, "glossary"), [article, output_lang, length, choice, glossary],
                 [summary, details, notes, error], ("", "", ""), api_name="summarize")


def _translate_tab(actions: Actions) -> None:
    with gr.Row():
        direction = gr.Radio(list(zip(DIRECTIONS.values(), DIRECTIONS, strict=True)), value="en-zh", label="Direction", scale=4)
        swap = gr.Button("⇄ Swap", scale=1, elem_id="swap-button")
    with gr.Row():
        text = gr.Textbox(label="Text", lines=10, placeholder="English or Chinese text…", elem_id="translate-input")
        translation = gr.Textbox(
            label="Translation", lines=10, interactive=False, buttons=["copy"], elem_id="translate-output"
        )
    with gr.Accordion("Glossary: terms the translation must use (the text's and the document's)", open=False):
        glossary = glossary_input("translate-glossary")
    button = gr.Button("Translate", variant="primary", elem_id="translate-button")
    error = gr.Markdown(elem_id="translate-error", elem_classes=ERROR_CLASS)
    details = gr.Markdown(elem_id="translate-details")
    gr.Examples([[EXAMPLE_TRANSLATE_EN, "en-zh"], [EXAMPLE_TRANSLATE_ZH, "zh-en"]], inputs=[text, direction],
                example_labels=["English → Chinese", "中文 → English"])

    run_on_click(button, uploads_only(actions.translate, "glossary"), [text, direction, glossary],
                 [translation, details, error], ("", ""), api_name="translate")
    with gr.Accordion(f"Translate a document ({', '.join(DOCUMENT_TYPES)}): the same format out", open=False):
        with gr.Row():
            document = gr.File(label="Document", file_types=DOCUMENT_TYPES, elem_id="document-input")
            translated = gr.File(label="Translated document", interactive=False, elem_id="document-output")
        document_button = gr.Button("Translate document", elem_id="document-button")
        document_error = gr.Markdown(elem_id="document-error", elem_classes=ERROR_CLASS)
        document_details = gr.Markdown(elem_id="document-details")
    run_on_click(document_button, uploads_only(actions.translate_document, "path", "glossary"),
                 [document, direction, glossary], [translated, document_details, document_error], (None, ""),
                 api_name="translate_document")
    swap.click(actions.swap, [direction, text, translation], [direction, text, translation, details, error],
               queue=False, api_visibility="private")


def _bilingual_tab(actions: Actions) -> None:
    with gr.Row():
        article = gr.Textbox(label="Article", lines=8, placeholder="English or Chinese article…", scale=3,
                             elem_id="bilingual-input")
        with gr.Column(scale=1):
            length = gr.Radio(LENGTHS, value="medium", label="Length")
            choice = gr.Dropdown(actions.choices.names, value=DEFAULT_CHOICE, label="Engine / model")
            with gr.Accordion("Glossary (for the translated summary)", open=False):
                glossary = glossary_input("bilingual-glossary")
            button = gr.Button("Summarize in both languages", variant="primary", elem_id="bilingual-button")
            error = gr.Markdown(elem_id="bilingual-error", elem_classes=ERROR_CLASS)
    with gr.Row():
        english = gr.Textbox(label="English summary", lines=6, interactive=False, buttons=["copy"],
                             elem_id="bilingual-en")
        chinese = gr.Textbox(label="中文摘要", lines=6, interactive=False, buttons=["copy"], elem_id="bilingual-zh")
    details = gr.Markdown(elem_id="bilingual-notice")
    gr.Examples([[EXAMPLE_EN], [EXAMPLE_ZH]], inputs=[article], example_labels=["English news", "中文新闻"])

    run_on_click(button, uploads_only(actions.bilingual, "glossary"), [article, length, choice, glossary],
                 [english, chinese, details, error], ("", "", ""), api_name="bilingual")


def _batch_tab(actions: Actions) -> None:
    gr.Markdown(
        "Upload a JSONL file (one object per line with a `text` field and an optional `id`) or a CSV file "
        "with a `text` column. The results come back as JSONL, one record per input, in input order. "
        "To try it, upload `examples/batch_mixed.jsonl` from the project (English and Chinese articles)."
    )
    with gr.Row():
        upload = gr.File(label="Articles (.jsonl or .csv)", file_types=BATCH_TYPES, elem_id="batch-input")
        with gr.Column():
            task = gr.Radio(list(TASKS), value="summarize", label="Task")
            target = gr.Radio(OUTPUT_LANGUAGES, value=SAME_LANGUAGE, label="Output language",
                              info="summaries: the article's own language unless you choose one; translations need one")
            text_format = gr.Radio(
                [(FORMAT_LABELS.get(name, name), name) for name in TEXT_FORMATS], value="text",
                label="The text field holds", info="as summarize batch --format: a web page is read for its story, not its menus",
                elem_id="batch-format",
            )
            choice = gr.Dropdown(actions.choices.names, value=DEFAULT_CHOICE, label="Engine / model (summaries)")
            with gr.Accordion("Glossary (translations and summaries in the other language)", open=False):
                glossary = glossary_input("batch-glossary")
            button = gr.Button("Run", variant="primary", elem_id="batch-button")
            error = gr.Markdown(elem_id="batch-error", elem_classes=ERROR_CLASS)
    with gr.Row():
        results = gr.File(label="Results (.jsonl)", interactive=False, elem_id="batch-output")
        counts = gr.Markdown(elem_id="batch-counts")
    preview = gr.Dataframe(
        headers=["id", "output", "source_lang", "error"], label=f"First {BATCH_PREVIEW_ROWS} results",
        interactive=False, wrap=True, column_widths=["12%", "58%", "10%", "20%"], elem_id="batch-preview",
    )
    run_on_click(button, uploads_only(actions.batch, "path", "glossary"),
                 [upload, task, target, choice, text_format, glossary], [results, counts, preview, error],
                 (None, "", None), api_name="batch")


def _evaluate_tab(actions: Actions) -> None:
    from ...evaluation import tokenizer_names

    gr.Markdown(
        "Score summaries with ROUGE. Files are line-aligned text (one item per line) or JSONL with `id` and "
        "`text` (matched by id when all files are JSONL). Several reference files give several references per item. "
        "To try it, upload `examples/eval_predictions.txt` and `examples/eval_references.txt` from the project."
    )
    with gr.Row():
        predictions = gr.File(label="Predictions", file_types=[".txt", ".jsonl"], elem_id="evaluate-predictions")
        references = gr.File(label="References", file_count="multiple", file_types=[".txt", ".jsonl"],
                             elem_id="evaluate-references")
        with gr.Column():
            lang = gr.Radio(TARGET_LANGUAGES, value="en", label="Summary language")
            tokenizer = gr.Dropdown([DEFAULT_TOKENIZER, *tokenizer_names()], value=DEFAULT_TOKENIZER, label="Tokenizer")
            button = gr.Button("Score", variant="primary", elem_id="evaluate-button")
            error = gr.Markdown(elem_id="evaluate-error", elem_classes=ERROR_CLASS)
    with gr.Row():
        table = gr.Dataframe(headers=["metric", "precision", "recall", "F1"], label="ROUGE", interactive=False,
                             elem_id="evaluate-table")
        chart = gr.HTML(label="ROUGE, 0 to 1", elem_id="evaluate-chart")
    signature = gr.Markdown(elem_id="evaluate-signature")
    run_on_click(button, uploads_only(actions.evaluate, "predictions", "references"), [predictions, references, lang, tokenizer],
                 [table, chart, signature, error], (None, None, ""), api_name="evaluate")


def build_ui(service: Service, keep_files: KeepFiles = keep_nothing) -> gr.Blocks:
    """The demo's Blocks, with its queue sized by ``server.concurrency_limit`` and ``server.max_queue``;
    the files it writes for its users are given to `keep_files` (see :class:`Actions`)."""
    actions = Actions(service, keep_files)
    limits = service.settings.limits
    max_age = service.settings.server.upload_max_age_seconds
    cleanup = (max(1, max_age // 10), max_age)
    with gr.Blocks(title="Bilingual news summarizer", analytics_enabled=False, delete_cache=cleanup) as demo:
        gr.Markdown(
            "# Bilingual news summarizer\n"
            f"Summarize and translate English and Chinese news. Articles up to {limits.max_chars:,} characters. "
            "The HTTP API is described at [/openapi.json](/openapi.json) (readable offline) and, when this browser "
            "can load its scripts from the internet, at [/docs](/docs)."
        )
        with gr.Tabs():
            with gr.Tab("Summarize", id="summarize"):
                _summarize_tab(actions)
            with gr.Tab("Translate", id="translate"):
                _translate_tab(actions)
            with gr.Tab("Bilingual", id="bilingual"):
                _bilingual_tab(actions)
            with gr.Tab("Batch", id="batch"):
                _batch_tab(actions)
            with gr.Tab("Evaluate", id="evaluate"):
                _evaluate_tab(actions)
    server = service.settings.server
    return demo.queue(default_concurrency_limit=server.concurrency_limit, max_size=server.max_queue)
