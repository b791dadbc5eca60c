"""The web demo in a real browser: Debian's chromium driven by Playwright, against a server on 127.0.0.1.

Screenshots are saved under ``test-artifacts/`` (git-ignored). Skipped when chromium is not installed
(``apt-get install chromium``); Playwright's own browser download is not used.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import tiny_overrides
from live_server import LiveServer
from PIL import Image, ImageChops

from summarize import Service, Settings, load_settings
from summarize.store import ModelStore
from summarize.web.demo.actions import Actions
from summarize.web.demo.ui import (
    EXAMPLE_EN,
    EXAMPLE_TRANSLATE_EN,
    EXAMPLE_TRANSLATE_ZH,
    EXAMPLE_ZH,
)
from summarize.web.server import create_app

CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 60_000
MISSING_HUB_MODEL = "example-org/not-cached-model"
GLYPH_CONTRAST = 24
"""Pixel differences above this (0-255) are drawn content (text, badges), not anti-aliasing noise (1-2 levels)."""

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install chromium); browser tests skipped"
)


@pytest.fixture(scope="module")
def browser_settings(tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Tiny models; the English summary model is missing (summaries fall back to extractive) and so is the
    Chinese → English model (a Hub id not in the cache: its error names a command in backticks)."""
    missing = tmp_path_factory.mktemp("missing") / "summary-model"
    overrides = {"summarize.models.en.model": str(missing), "translate.models.zh-en.model": MISSING_HUB_MODEL}
    return load_settings(overrides=tiny_overrides(tiny_models, **overrides), environ={})


@pytest.fixture(scope="module")
def live(browser_settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(create_app(browser_settings)) as server:
        yield server


@pytest.fixture(scope="module")
def reference(browser_settings: Settings) -> Service:
    return Service(browser_settings, store=ModelStore())


@pytest.fixture()
def page(live: LiveServer) -> Iterator[object]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)  # a loaded machine may take more than the default 5 s
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{live.url}/")
            yield page
        finally:
            browser.close()


def _screenshot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)  # type: ignore[attr-defined]


def test_summarize_in_the_browser(page: object, reference: Service) -> None:
    from playwright.sync_api import expect

    expected = reference.summarize(EXAMPLE_EN)
    page.locator("#summarize-input textarea").fill(EXAMPLE_EN)  # type: ignore[attr-defined]
    expect(page.locator("#detected-language textarea")).to_have_value("English")  # type: ignore[attr-defined]
    page.locator("#summarize-button").click()  # type: ignore[attr-defined]
    expect(page.locator("#summary-output textarea")).to_have_value(expected.text)  # type: ignore[attr-defined]
    expect(page.locator("#summary-notice")).to_contain_text("Extractive fallback")  # type: ignore[attr-defined]
    expect(page.locator("#summary-details")).to_contain_text("engine extractive")  # type: ignore[attr-defined]
    _screenshot(page, "ui-summarize.png")


def test_translate_in_the_browser(page: object, reference: Service, browser_settings: Settings) -> None:
    from playwright.sync_api import expect

    expected = reference.translate(EXAMPLE_TRANSLATE_EN, "zh").text
    page.get_by_role("tab", name="Translate").click()  # type: ignore[attr-defined]
    page.locator("#translate-input textarea").fill(EXAMPLE_TRANSLATE_EN)  # type: ignore[attr-defined]
    page.locator("#translate-button").click()  # type: ignore[attr-defined]
    expect(page.locator("#translate-output textarea")).to_have_value(expected)  # type: ignore[attr-defined]
    model = Path(browser_settings.translate.models["en-zh"].model).name  # a local model is shown by its folder name
    expect(page.locator("#translate-details")).to_contain_text(f"English → Chinese · model {model}")  # type: ignore[attr-defined]
    _screenshot(page, "ui-translate.png")


def test_empty_input_shows_the_error_in_the_browser(page: object) -> None:
    from playwright.sync_api import expect

    page.locator("#summarize-button").click()  # type: ignore[attr-defined]
    expect(page.locator("#summarize-error")).to_have_text("⚠️ the text box is empty; give the article text")  # type: ignore[attr-defined]
    _expect_no_popup_and_no_error_badge(page)
    _screenshot(page, "ui-error.png")


def _pixels(page: object, selector: str) -> Image.Image:
    """The element as shown once its transitions have ended: Gradio fades a finished run's status overlay out
    over 0.1 s, and a screenshot taken during the fade would show part of it."""
    shot = page.locator(selector).screenshot(animations="disabled")  # type: ignore[attr-defined]
    return Image.open(io.BytesIO(shot)).convert("RGB")


def _assert_same_pixels(before: Image.Image, after: Image.Image, name: str) -> None:
    """`after` (a screenshot taken after an error) shows exactly what `before` (taken before any run) showed."""
    changed = ImageChops.difference(before, after).convert("L").point(lambda level: 255 if level > GLYPH_CONTRAST else 0)
    if before.size != after.size or changed.getbbox() is not None:
        ARTIFACTS.mkdir(exist_ok=True)
        before.save(ARTIFACTS / f"{name}-before.png")
        after.save(ARTIFACTS / f"{name}-after.png")
        raise AssertionError(f"{name}: the outputs after the error differ from the fresh page (see test-artifacts/)")


def _expect_no_popup_and_no_error_badge(page: object) -> None:
    from playwright.sync_api import expect

    expect(page.locator(".toast-body")).to_have_count(0)  # type: ignore[attr-defined]
    expect(page.get_by_text("Error", exact=True)).to_have_count(0)  # type: ignore[attr-defined]


def test_an_error_after_a_summary_leaves_nothing_of_it_on_screen(page: object) -> None:
    from playwright.sync_api import expect

    fresh = _pixels(page, "#summarize-outputs")
    page.locator("#summarize-input textarea").fill(EXAMPLE_EN)  # type: ignore[attr-defined]
    page.locator("#summarize-button").click()  # type: ignore[attr-defined]
    expect(page.locator("#summary-notice")).to_contain_text("Extractive fallback")  # type: ignore[attr-defined]
    expect(page.locator("#summary-details")).to_contain_text("engine extractive")  # type: ignore[attr-defined]
    with pytest.raises(AssertionError):  # the comparison sees the summary that is now on screen
        _assert_same_pixels(fresh, _pixels(page, "#summarize-outputs"), "ui-summarize-outputs-with-summary")

    page.locator("#summarize-input textarea").fill("Привет, как дела?")  # type: ignore[attr-defined]
    page.locator("#summarize-button").click()  # type: ignore[attr-defined]
    expect(page.locator("#summarize-error")).to_have_text(  # type: ignore[attr-defined]
        "⚠️ unsupported language: the text is written in Cyrillic script; supported languages are en and zh"
    )
    expect(page.locator("#summary-output textarea")).to_have_value("")  # type: ignore[attr-defined]
    for stale in ("#summary-details", "#summary-notice"):
        expect(page.locator(stale)).to_have_text("")  # type: ignore[attr-defined]
    _expect_no_popup_and_no_error_badge(page)
    _screenshot(page, "ui-error-after-summary.png")
    _assert_same_pixels(fresh, _pixels(page, "#summarize-outputs"), "ui-summarize-outputs")


def test_translate_error_is_shown_in_place_and_leaves_swap_usable(page: object) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Translate").click()  # type: ignore[attr-defined]
    fresh = _pixels(page, "#translate-output")
    page.locator("#translate-input textarea").fill(EXAMPLE_TRANSLATE_EN)  # type: ignore[attr-defined]
    page.locator("#translate-button").click()  # type: ignore[attr-defined]
    expect(page.locator("#translate-details")).to_contain_text("English → Chinese · model")  # type: ignore[attr-defined]
    expect(page.locator("#translate-output textarea")).not_to_have_value("")  # type: ignore[attr-defined]

    page.locator("#translate-input textarea").fill(EXAMPLE_TRANSLATE_ZH)  # type: ignore[attr-defined]
    page.get_by_label("Chinese → English").check()  # type: ignore[attr-defined]
    page.locator("#translate-button").click()  # type: ignore[attr-defined]
    error = page.locator("#translate-error")  # type: ignore[attr-defined]
    expect(error).to_contain_text(f"model '{MISSING_HUB_MODEL}' (translate.models.zh-en) is not in the local")
    expect(error).to_contain_text("the server's operator can fetch it (summarize models pull on a connected machine)")
    expect(error.locator("code")).to_have_text("summarize models pull")
    assert "`" not in error.inner_text()
    expect(page.locator("#translate-output textarea")).to_have_value("")  # type: ignore[attr-defined]
    expect(page.locator("#translate-details")).to_have_text("")  # type: ignore[attr-defined]
    _expect_no_popup_and_no_error_badge(page)
    swap = page.locator("#swap-button")  # type: ignore[attr-defined]
    expect(swap).to_be_visible()
    box = swap.bounding_box()
    on_top = page.evaluate(  # type: ignore[attr-defined]
        "([x, y]) => document.elementFromPoint(x, y).closest('#swap-button') !== null",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top, "something covers the Swap button"
    _screenshot(page, "ui-translate-error.png")
    _assert_same_pixels(fresh, _pixels(page, "#translate-output"), "ui-translate-output")

    swap.click()
    expect(page.locator("#translate-error")).to_have_text("")  # type: ignore[attr-defined]
    expect(page.get_by_label("English → Chinese")).to_be_checked()  # type: ignore[attr-defined]


def test_upload_a_text_file_in_the_browser(page: object, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    article = tmp_path / "article.txt"
    article.write_text(EXAMPLE_ZH, encoding="utf-8")
    with page.expect_file_chooser() as chooser:  # type: ignore[attr-defined]
        page.locator("#summarize-upload").click()  # type: ignore[attr-defined]
    chooser.value.set_files(str(article))
    expect(page.locator("#summarize-input textarea")).to_have_value(EXAMPLE_ZH)  # type: ignore[attr-defined]
    expect(page.locator("#detected-language textarea")).to_have_value("Chinese")  # type: ignore[attr-defined]


def test_batch_in_the_browser(page: object, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    source = tmp_path / "articles.jsonl"
    records = [{"id": "one", "text": EXAMPLE_EN}, {"id": "two", "text": EXAMPLE_TRANSLATE_EN}, {"id": "three", "text": ""}]
    source.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    page.get_by_role("tab", name="Batch").click()  # type: ignore[attr-defined]
    _upload_to(page, "#batch-input", source)
    page.locator("#batch-button").click()  # type: ignore[attr-defined]
    expect(page.locator("#batch-counts")).to_have_text("2 done, 1 failed (see the error field)")  # type: ignore[attr-defined]
    expect(page.locator("#batch-preview")).to_contain_text("text is empty; give the article text")  # type: ignore[attr-defined]
    _screenshot(page, "ui-batch.png")
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.locator("#batch-output a").click()  # type: ignore[attr-defined]
    assert download.value.suggested_filename == "articles.results.jsonl"
    written = [json.loads(line) for line in Path(download.value.path()).read_text(encoding="utf-8").splitlines()]
    assert [(record["id"], record["error"]) for record in written] == [
        ("one", ""), ("two", ""), ("three", "text is empty; give the article text")
    ]


def test_a_mixed_batch_with_the_defaults_summarizes_each_row_in_its_own_language(
    page: object, reference: Service, tmp_path: Path
) -> None:
    """The Batch tab's output language is the article's own by default, as on the Summarize tab and in the
    CLI: a Chinese row gets a Chinese summary, not a translation it may not have the model for."""
    from playwright.sync_api import expect

    source = Path(__file__).resolve().parent.parent / "examples" / "batch_mixed.jsonl"  # the tab's own example
    records = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    page.get_by_role("tab", name="Batch").click()  # type: ignore[attr-defined]
    _upload_to(page, "#batch-input", source)
    page.locator("#batch-button").click()  # type: ignore[attr-defined]
    expect(page.locator("#batch-counts")).to_have_text("3 done, 0 failed (see the error field)")  # type: ignore[attr-defined]
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.locator("#batch-output a").click()  # type: ignore[attr-defined]
    written = [json.loads(line) for line in Path(download.value.path()).read_text(encoding="utf-8").splitlines()]
    assert [(record["id"], record["source_lang"], record["target_lang"], record["error"]) for record in written] == [
        ("tram", "en", "en", ""), ("harvest", "zh", "zh", ""), ("library", "en", "en", ""),
    ]
    assert [record["summary"] for record in written] == [reference.summarize(record["text"]).text for record in records]


def test_batch_of_web_pages_in_the_browser(page: object, reference: Service, tmp_path: Path) -> None:
    from document_shapes import FIXTURES
    from playwright.sync_api import expect

    html = (FIXTURES / "bridge_en.html").read_text(encoding="utf-8")
    source = tmp_path / "pages.jsonl"
    source.write_text(json.dumps({"id": "bridge", "text": html}) + "\n", encoding="utf-8")
    page.get_by_role("tab", name="Batch").click()  # type: ignore[attr-defined]
    page.get_by_label("Saved web pages (HTML)").check()  # type: ignore[attr-defined]
    _upload_to(page, "#batch-input", source)
    page.locator("#batch-button").click()  # type: ignore[attr-defined]
    expect(page.locator("#batch-counts")).to_have_text("1 done, 0 failed (see the error field)")  # type: ignore[attr-defined]
    expected = reference.summarize_document(html.encode(), "html", name="text (html)")
    assert expected.text.startswith("The Harbour Bridge reopened to traffic on Monday morning")
    expect(page.locator("#batch-preview")).to_contain_text(expected.text)  # type: ignore[attr-defined]
    expect(page.locator("#batch-preview")).not_to_contain_text("We use cookies")  # type: ignore[attr-defined]
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.locator("#batch-output a").click()  # type: ignore[attr-defined]
    (record,) = [json.loads(line) for line in Path(download.value.path()).read_text(encoding="utf-8").splitlines()]
    assert record["summary"] == expected.text
    assert {"document title: Harbour Bridge reopens after eight months of repairs", "document date: 2024-05-02"} <= set(
        record["notes"]
    )


def _upload_to(page: object, element: str, source: Path) -> None:
    from playwright.sync_api import expect

    with page.expect_file_chooser() as chooser:  # type: ignore[attr-defined]
        page.locator(element).get_by_text("Click to Upload").click()  # type: ignore[attr-defined]
    chooser.value.set_files(str(source))
    # Gradio lists a finished upload as a row named after the file, with a download link to the
    # stored copy (while uploading, the name shows without the link; the row's text splits the name).
    name_cell = page.locator(f'td.filename[aria-label="{source.name}"]')  # type: ignore[attr-defined]
    row = page.locator(element).locator("tr", has=name_cell)  # type: ignore[attr-defined]
    expect(row.get_by_role("link")).to_have_attribute("href", re.compile(re.escape(source.name) + "$"))


def test_translate_a_page_in_the_browser_downloads_it_translated(page: object, reference: Service) -> None:
    from document_shapes import FIXTURES, html_tags

    source = FIXTURES / "bridge_en.html"
    page.get_by_role("tab", name="Translate").click()  # type: ignore[attr-defined]
    page.get_by_text("Translate a document").click()  # type: ignore[attr-defined]
    _upload_to(page, "#document-input", source)
    page.locator("#document-button").click()  # type: ignore[attr-defined]
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.locator("#document-output a").click()  # type: ignore[attr-defined]
    _screenshot(page, "ui-translate-document.png")
    assert download.value.suggested_filename == "bridge_en.zh.html"
    written = Path(download.value.path()).read_bytes()
    expected = reference.translate_document(source.read_bytes(), "html", "zh", name="bridge_en.html")
    assert written == expected.data
    assert html_tags(written.decode("utf-8")) == html_tags(source.read_text(encoding="utf-8"))
    assert "Harbour Bridge reopened" not in written.decode("utf-8")  # the words were replaced, the tags kept


def test_a_page_in_the_wrong_direction_is_refused_in_the_browser(page: object) -> None:
    from document_shapes import FIXTURES
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Translate").click()  # type: ignore[attr-defined]
    page.get_by_label("Chinese → English").check()  # type: ignore[attr-defined]
    page.get_by_text("Translate a document").click()  # type: ignore[attr-defined]
    _upload_to(page, "#document-input", FIXTURES / "bridge_en.html")
    page.locator("#document-button").click()  # type: ignore[attr-defined]
    message = "⚠️ bridge_en.html is already in 'en'; set the language choice to the other language"
    expect(page.locator("#document-error")).to_have_text(message)  # type: ignore[attr-defined]


def test_summarize_a_page_in_the_browser(page: object, reference: Service) -> None:
    from document_shapes import FIXTURES
    from playwright.sync_api import expect

    source = FIXTURES / "bridge_en.html"
    page.get_by_text("summarize a document").click()  # type: ignore[attr-defined]
    _upload_to(page, "#summarize-document", source)
    page.locator("#summarize-document-button").click()  # type: ignore[attr-defined]
    expected = reference.summarize_document(source.read_bytes(), "html", name="bridge_en.html")
    expect(page.locator("#summary-output textarea")).to_have_value(expected.text)  # type: ignore[attr-defined]
    notice = page.locator("#summary-notice")  # type: ignore[attr-defined]
    expect(notice).to_contain_text("document title: Harbour Bridge reopens after eight months of repairs")
    expect(notice).to_contain_text("document date: 2024-05-02")
    _screenshot(page, "ui-summarize-document.png")


def test_the_evaluate_chart_shows_precision_recall_and_f1_side_by_side_with_values(page: object, tmp_path: Path) -> None:
    """Each metric gets three bars of their own (not stacked), on a 0-1 scale, labelled with the values the table holds."""
    from playwright.sync_api import expect

    examples = Path(__file__).resolve().parent.parent / "examples"  # the tab's own example files
    predictions, references = examples / "eval_predictions.txt", examples / "eval_references.txt"
    page.get_by_role("tab", name="Evaluate").click()  # type: ignore[attr-defined]
    _upload_to(page, "#evaluate-predictions", predictions)
    _upload_to(page, "#evaluate-references", references)
    page.locator("#evaluate-button").click()  # type: ignore[attr-defined]
    bars = page.locator("#evaluate-chart .score-bar")  # type: ignore[attr-defined]
    expect(bars).to_have_count(12)
    shown = [
        (bar.get_attribute("data-metric"), bar.get_attribute("data-measure"), float(bar.get_attribute("data-value")),
         bar.locator(".score-label").inner_text(), bar.locator(".score-fill").bounding_box()["width"] / bar.bounding_box()["width"])
        for bar in bars.all()
    ]
    expected = Actions.evaluate(str(predictions), [str(references)], "en", "default for the language")[0]
    assert [(metric, measure, value) for metric, measure, value, _, _ in shown] == [
        (row[0], measure, value) for row in expected for measure, value in zip(("precision", "recall", "F1"), row[1:])
    ]
    assert all(label == f"{measure} {value:.4f}" for _, measure, value, label, _ in shown)
    assert all(abs(width - value) < 0.02 for _, _, value, _, width in shown)  # the bar's length is its value
    _screenshot(page, "ui-evaluate.png")
