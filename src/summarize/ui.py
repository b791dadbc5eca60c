"""The Gradio demo: one tab per job, each action a thin call into the service.

``build_ui(service)`` returns the Blocks (with its queue configured from ``server``); the server
mounts it at ``/`` with :data:`UI_CSS`. A click first clears the tab's outputs (:func:`run_on_click`);
service errors are then shown in place, on the tab's error line, in one place: :func:`in_place`.
"""

from __future__ import annotations

import functools
import inspect
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

try:
    import gradio as gr
except ImportError as missing:  # pragma: no cover - depends on the installed extras
    raise ImportError("the web demo needs the 'web' extra: pip install 'bilingual-summarize[web]'") from missing

from .batch import TASKS, Task
from .choices import DEFAULT_CHOICE, EXTRACTIVE_CHOICE, SummaryChoices
from .documents import EXTENSIONS, format_for, translated_name
from .errors import InputError, SummarizeError
from .glossary import check_terms
from .redaction import hide_paths
from .results import Result
from .service import Service
from .text import LANGUAGE_NAMES, MODEL_LANGUAGE, Detection, decode_utf8, same_model_language
from .ui_batch import BATCH_PREVIEW_ROWS, run_uploaded_batch
from .ui_glossary import describe_terms, glossary_input, read_glossary
from .uploads import uploads_only

F = TypeVar("F", bound=Callable[..., Any])

SAME_LANGUAGE = "same"
OUTPUT_LANGUAGES = [("Same as the article", SAME_LANGUAGE), ("English", "en"), ("Chinese 中文", "zh"),
                    ("Traditional Chinese 繁體中文", "zh-Hant")]
LENGTHS = [("Short", "short"), ("Medium", "medium"), ("Long", "long")]
DIRECTIONS = {"en-zh": "English → Chinese", "en-zh-Hant": "English → Traditional Chinese",
              "zh-en": "Chinese → English"}
TARGET_LANGUAGES = [("English", "en"), ("Chinese 中文", "zh")]
BATCH_TYPES = [".jsonl", ".ndjson", ".csv"]
DOCUMENT_TYPES = list(EXTENSIONS)
CHART_MEASURES = ("precision", "recall", "F1")
DEFAULT_TOKENIZER = "default for the language"
ERROR_CLASS = "run-error"
UI_CSS = f"""
.{ERROR_CLASS}, .{ERROR_CLASS} * {{ color: var(--error-text-color) !important; }}
.toast-wrap.toast-wrap {{ top: auto; bottom: var(--size-4); }}
"""
"""The error lines in the error colour; pop-ups (Gradio's own) at the bottom, clear of the tabs' buttons."""
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")
UI_WORDS = {"text": "the text box", "target_lang": "the language choice", "length": "the Length choice"}
"""How error messages name the service's arguments here (the UI's controls)."""

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


def error_markdown(message: str) -> str:
    """`message` as Markdown that shows it literally, except its `code` spans (commands, settings), kept as code."""
    parts = message.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: nothing is code
        parts = [message]
    shown = (f"`{part}`" if index % 2 else _MARKDOWN_SYNTAX.sub(r"\\\1", part) for index, part in enumerate(parts))
    return "⚠️ " + "".join(shown)


def in_place(function: F, blanks: tuple[Any, ...]) -> F:
    """`function` with one more output, the tab's error line: empty, or the :class:`SummarizeError` it raised.

    On an error the other outputs become `blanks`, so nothing from an earlier run stays on screen and the
    event itself succeeds (no pop-up, no error badges over the outputs).
    """
    if inspect.isgeneratorfunction(function):

        @functools.wraps(function)
        def stream(*args: Any) -> Iterator[tuple[Any, ...]]:
            try:
                for outputs in function(*args):
                    yield (*outputs, "")
            except SummarizeError as error:
                yield (*blanks, error_markdown(hide_paths(error.in_words(UI_WORDS))))

        return stream  # type: ignore[return-value]

    @functools.wraps(function)
    def call(*args: Any) -> tuple[Any, ...]:
        try:
            outputs = function(*args)
        except SummarizeError as error:
            return (*blanks, error_markdown(hide_paths(error.in_words(UI_WORDS))))
        return (*outputs, "") if isinstance(outputs, tuple) else (outputs, "")

    return call  # type: ignore[return-value]


def run_on_click(
    button: gr.Button, action: Callable[..., Any], inputs: list[Any], outputs: list[Any], blanks: tuple[Any, ...],
    **options: Any,
) -> None:
    """Clear `outputs` (the last is the tab's error line) as soon as `button` is clicked, then run `action`."""
    cleared = (*blanks, "")
    button.click(lambda: cleared, None, outputs, queue=False, show_progress="hidden", api_visibility="private").then(
        in_place(action, blanks), inputs, outputs, **options
    )


def describe_detection(detection: Detection) -> str:
    """How the detected language is shown, e.g. ``Mixed English/Chinese (42% Chinese), treated as Chinese``."""
    name = LANGUAGE_NAMES[detection.language]
    if detection.is_mixed:
        return f"Mixed English/Chinese ({round(detection.zh_share * 100)}% Chinese), treated as {name}"
    return name


def describe_result(result: Result) -> str:
    """One line saying what produced `result`."""
    chunks = f"{result.chunks} chunk" + ("" if result.chunks == 1 else "s")
    return (
        f"{LANGUAGE_NAMES[result.source_lang]} → {LANGUAGE_NAMES[result.target_lang]} · engine `{result.engine}` · "
        f"model `{hide_paths(result.model)}` · {chunks} · {result.seconds:.2f} s"
    )


def notice(result: Result, requested_engine: str) -> str:
    """The notes of `result` as Markdown; a warning first when the extractive fallback replaced a model."""
    lines = []
    if requested_engine != "extractive" and result.engine.startswith("extractive"):
        lines.append("⚠️ **Extractive fallback:** the summarization model could not be loaded, so this summary "
                     "is made of sentences picked from the article.")
    lines.extend(f"- {hide_paths(note)}" for note in result.notes)
    return "\n".join(lines)


def read_upload(path: str | None) -> str:
    """The text of an uploaded UTF-8 file ('' when the upload was cleared)."""
    if not path:
        return ""
    return decode_utf8(Path(path).read_bytes(), Path(path).name, fix="save it as UTF-8 and upload it again")


def _document_upload(path: str | None) -> Path:
    if not path:
        raise InputError(f"upload a document first ({', '.join(DOCUMENT_TYPES)})")
    return Path(path)


class Actions:
    """What the UI's buttons do: each is one call into a service."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.choices = SummaryChoices(service)

    def detect(self, text: str) -> str:
        """The detected language, or why it cannot be detected ('' for empty input)."""
        if not text.strip():
            return ""
        try:
            return describe_detection(self.service.detect(text))
        except SummarizeError as error:
            return str(error)

    def summarize(
        self, text: str, output_lang: str, length: str, choice: str, glossary: str | None = None
    ) -> tuple[str, str, str]:
        """Summary, its description and its notice (with the glossary's terms of a summary in the other language)."""
        chosen = self.choices.service(choice)
        target = None if output_lang == SAME_LANGUAGE else output_lang
        result = chosen.summarize(text, target, length=length, glossary=read_glossary(glossary))
        shown = [notice(result, chosen.settings.summarize.engine), describe_terms(result.terms)]
        return result.text, describe_result(result), "\n\n".join(line for line in shown if line)

    def bilingual(self, text: str, length: str, choice: str) -> tuple[str, str, str]:
        """English summary, Chinese summary, and what produced them: one summary and its translation."""
        chosen = self.choices.service(choice)
        summary, translated = chosen.summarize_bilingual(text, length=length)
        texts = {MODEL_LANGUAGE[result.target_lang]: result.text for result in (summary, translated)}
        lines = [notice(summary, chosen.settings.summarize.engine), *map(describe_result, (summary, translated))]
        return texts["en"], texts["zh"], "\n\n".join(line for line in lines if line)

    def translate(self, text: str, direction: str, glossary: str | None = None) -> Iterator[tuple[str, str]]:
        """The translation so far after each sentence, then a description line (and the glossary's terms)."""
        source, target = direction.split("-", 1)
        used = read_glossary(glossary) or self.service.glossary
        detection = self.service.detect(text)
        if same_model_language(detection.language, source):
            source = detection.language  # Simplified or Traditional Chinese, as detected
        elif not detection.is_mixed:
            raise InputError(
                f"the text looks {LANGUAGE_NAMES[detection.language]} but the direction is "
                f"{DIRECTIONS[direction]}; press Swap or pick the other direction"
            )
        translation = ""
        for translation in self.service.translate_stream(text, target, source_lang=source, glossary=used):
            yield translation, ""
        settings = self.service.settings
        pair = f"{MODEL_LANGUAGE[source]}-{MODEL_LANGUAGE[target]}"
        model = settings.llm.model if settings.translate.engine == "llm" else settings.translate.models[pair].model
        checked = describe_terms(check_terms(used, self.service.check_text(text), translation, source, target))
        yield translation, f"{DIRECTIONS[direction]} · model `{hide_paths(model)}`" + (f"\n\n{checked}" if checked else "")

    def summarize_document(self, path: str | None, output_lang: str, length: str, choice: str) -> tuple[str, str, str]:
        """Summary of an uploaded document's main text, its description and its notice (title and date among the notes)."""
        source = _document_upload(path)
        chosen = self.choices.service(choice)
        target = None if output_lang == SAME_LANGUAGE else output_lang
        result = chosen.summarize_document(
            source.read_bytes(), format_for(source.name), target, length=length, name=source.name
        )
        return result.text, describe_result(result), notice(result, chosen.settings.summarize.engine)

    def translate_document(self, path: str | None, direction: str) -> tuple[str, str]:
        """Translate an uploaded document into a file of the same format: its path (for download) and a description."""
        source = _document_upload(path)
        target = direction.split("-", 1)[1]  # the source language is detected: a document in the target language is refused
        translation = self.service.translate_document(source.read_bytes(), format_for(source.name), target, name=source.name)
        output = source.parent / uuid.uuid4().hex / translated_name(source.name, target)
        output.parent.mkdir()
        output.write_bytes(translation.data)
        return str(output), describe_result(translation.result)

    def batch(
        self, path: str | None, task: Task, target_lang: str, choice: str, progress: gr.Progress = gr.Progress()
    ) -> tuple[str, str, list[list[str]]]:
        """Run a batch job on an uploaded JSONL/CSV file: the results file, a count line and a preview."""
        target = None if target_lang == SAME_LANGUAGE else target_lang
        return run_uploaded_batch(self.choices.service(choice), path, task, target, progress)

    @staticmethod
    def evaluate(
        predictions: str | None, references: Sequence[str] | None, lang: str, tokenizer: str
    ) -> tuple[list[list[Any]], Any, str]:
        """ROUGE of uploaded predictions against references: a table, chart data and the signature."""
        import pandas

        from .evaluation import score_summary_files
        from .evaluation.report import ROUGE_NAMES

        if not predictions:
            raise InputError("upload the predictions file (one summary per line, or JSONL with id and text)")
        if not references:
            raise InputError("upload at least one references file, aligned with the predictions")
        named = None if tokenizer == DEFAULT_TOKENIZER else tokenizer
        result = score_summary_files(predictions, references, lang, named)
        table = [
            [ROUGE_NAMES[kind], round(score.precision, 4), round(score.recall, 4), round(score.f1, 4)]
            for kind, score in result.scores.items()
        ]
        bars = [(row[0], measure, value) for row in table for measure, value in zip(CHART_MEASURES, row[1:])]
        lines = [f"{len(result.documents):,} items · signature `{result.signature}`"]
        lines.extend(f"⚠️ {note}" for note in result.notes)
        return table, pandas.DataFrame(bars, columns=["metric", "measure", "score"]), "\n\n".join(lines)

    @staticmethod
    def swap(direction: str, text: str, translation: str) -> tuple[str, str, str, str, str]:
        """The other direction, with the translation (when there is one) moved into the input; outputs cleared."""
        other = "en-zh" if direction == "zh-en" else "zh-en"
        return other, translation or text, "", "", ""


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
            with gr.Accordion("Glossary (for a summary in the other language)", open=False):
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
    run_on_click(document_button, uploads_only(actions.summarize_document, "path"),
                 [document, output_lang, length, choice], [summary, details, notes, error], ("", "", ""),
                 api_name="summarize_document")
    article.change(actions.detect, article, detected, api_visibility="private", show_progress="hidden",
                   trigger_mode="always_last")
    run_on_click(button, uploads_only(actions.summarize, "glossary"), [article, output_lang, length, choice, glossary],
                 [summary, details, notes, error], ("", "", ""), api_name="summarize")


def _translate_tab(actions: Actions) -> None:
    with gr.Row():
        direction = gr.Radio(list(zip(DIRECTIONS.values(), DIRECTIONS)), value="en-zh", label="Direction", scale=4)
        swap = gr.Button("⇄ Swap", scale=1, elem_id="swap-button")
    with gr.Row():
        text = gr.Textbox(label="Text", lines=10, placeholder="English or Chinese text…", elem_id="translate-input")
        translation = gr.Textbox(
            label="Translation", lines=10, interactive=False, buttons=["copy"], elem_id="translate-output"
        )
    with gr.Accordion("Glossary: terms the translation must use", open=False):
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
    run_on_click(document_button, uploads_only(actions.translate_document, "path"), [document, direction],
                 [translated, document_details, document_error], (None, ""), api_name="translate_document")
    swap.click(actions.swap, [direction, text, translation], [direction, text, translation, details, error],
               queue=False, api_visibility="private")


def _bilingual_tab(actions: Actions) -> None:
    with gr.Row():
        article = gr.Textbox(label="Article", lines=8, placeholder="English or Chinese article…", scale=3,
                             elem_id="bilingual-input")
        with gr.Column(scale=1):
            length = gr.Radio(LENGTHS, value="medium", label="Length")
            choice = gr.Dropdown(actions.choices.names, value=DEFAULT_CHOICE, label="Engine / model")
            button = gr.Button("Summarize in both languages", variant="primary", elem_id="bilingual-button")
            error = gr.Markdown(elem_id="bilingual-error", elem_classes=ERROR_CLASS)
    with gr.Row():
        english = gr.Textbox(label="English summary", lines=6, interactive=False, buttons=["copy"],
                             elem_id="bilingual-en")
        chinese = gr.Textbox(label="中文摘要", lines=6, interactive=False, buttons=["copy"], elem_id="bilingual-zh")
    details = gr.Markdown(elem_id="bilingual-notice")
    gr.Examples([[EXAMPLE_EN], [EXAMPLE_ZH]], inputs=[article], example_labels=["English news", "中文新闻"])

    run_on_click(button, actions.bilingual, [article, length, choice], [english, chinese, details, error],
                 ("", "", ""), api_name="bilingual")


def _batch_tab(actions: Actions) -> None:
    gr.Markdown(
        "Upload a JSONL file (one object per line with a `text` field and an optional `id`) or a CSV file "
        "with a `text` column. The results come back as JSONL, one record per input, in input order."
    )
    with gr.Row():
        upload = gr.File(label="Articles (.jsonl or .csv)", file_types=BATCH_TYPES, elem_id="batch-input")
        with gr.Column():
            task = gr.Radio(list(TASKS), value="summarize", label="Task")
            target = gr.Radio(OUTPUT_LANGUAGES, value="en", label="Output language")
            choice = gr.Dropdown(actions.choices.names, value=DEFAULT_CHOICE, label="Engine / model (summaries)")
            button = gr.Button("Run", variant="primary", elem_id="batch-button")
            error = gr.Markdown(elem_id="batch-error", elem_classes=ERROR_CLASS)
    with gr.Row():
        results = gr.File(label="Results (.jsonl)", interactive=False, elem_id="batch-output")
        counts = gr.Markdown(elem_id="batch-counts")
    preview = gr.Dataframe(
        headers=["id", "output", "source_lang", "error"], label=f"First {BATCH_PREVIEW_ROWS} results",
        interactive=False, wrap=True, column_widths=["12%", "58%", "10%", "20%"], elem_id="batch-preview",
    )
    run_on_click(button, uploads_only(actions.batch, "path"), [upload, task, target, choice], [results, counts, preview, error],
                 (None, "", None), api_name="batch")


def _evaluate_tab(actions: Actions) -> None:
    from .evaluation import tokenizer_names

    gr.Markdown(
        "Score summaries with ROUGE. Files are line-aligned text (one item per line) or JSONL with `id` and "
        "`text` (matched by id when all files are JSONL). Several reference files give several references per item."
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
        chart = gr.BarPlot(x="metric", y="score", color="measure", label="ROUGE", y_lim=[0, 1],
                           elem_id="evaluate-chart")
    signature = gr.Markdown(elem_id="evaluate-signature")
    run_on_click(button, uploads_only(actions.evaluate, "predictions", "references"), [predictions, references, lang, tokenizer],
                 [table, chart, signature, error], (None, None, ""), api_name="evaluate")


def build_ui(service: Service) -> gr.Blocks:
    """The demo's Blocks, with its queue sized by ``server.concurrency_limit`` and ``server.max_queue``."""
    actions = Actions(service)
    limits = service.settings.limits
    max_age = service.settings.server.upload_max_age_seconds
    cleanup = (max(1, max_age // 10), max_age)
    with gr.Blocks(title="Bilingual news summarizer", analytics_enabled=False, delete_cache=cleanup) as demo:
        gr.Markdown(
            "# Bilingual news summarizer\n"
            f"Summarize and translate English and Chinese news. Articles up to {limits.max_chars:,} characters. "
            "The HTTP API is documented at [/docs](/docs)."
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
