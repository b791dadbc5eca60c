"""The web demo's glossary upload, through the tabs' actions on the tiny models: terms enforced,
shown under the result (or counted, on the Batch tab), and a bad file named by its line; and the
Batch tab's format choice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from document_shapes import FIXTURES

from summarize import Service
from summarize.errors import InputError
from summarize.glossary import Glossary, TermCheck
from summarize.store import ModelStore
from summarize.web.demo.actions import Actions
from summarize.web.demo.common import quality_line
from summarize.web.demo.glossary import describe_terms

TEXT = "The mayor opened the bridge. The bridge crosses the river."


@pytest.fixture(scope="module")
def actions(tiny_settings) -> Actions:
    return Actions(Service(tiny_settings, store=ModelStore()))


@pytest.fixture()
def terms_file(tmp_path: Path) -> Path:
    path = tmp_path / "terms.tsv"
    path.write_text("mayor\t市长\nbridge\t大桥\nairport\t机场\n", encoding="utf-8")
    return path


def test_describe_terms() -> None:
    terms = (TermCheck("mayor", "市长", True), TermCheck("New `York`", "纽约", False))
    assert describe_terms(terms) == (
        "**Glossary terms:** 1 of 2 kept\n- ✓ `mayor` → `市长`\n- ✗ not in the output: `New 'York'` → `纽约`"
    )
    assert describe_terms(()) == ""


def test_translate_action_enforces_the_uploaded_glossary_and_shows_its_terms(actions: Actions, terms_file: Path) -> None:
    *_, (translation, details) = actions.translate(TEXT, "en-zh", str(terms_file))
    expected = actions.service.translate(TEXT, "zh", source_lang="en", glossary=Glossary.from_file(terms_file))
    assert translation == expected.text
    lines = ["English → Chinese · model `marian-en-zh`", quality_line(expected), describe_terms(expected.terms)]
    assert details == "\n\n".join(line for line in lines if line)
    assert [term.source for term in expected.terms] == ["mayor", "bridge"]


def test_summarize_action_shows_the_terms_of_a_cross_lingual_summary(actions: Actions, terms_file: Path) -> None:
    summary, _, shown = actions.summarize(TEXT, "zh", "short", "extractive", str(terms_file))
    expected = actions.choices.service("extractive").summarize(
        TEXT, "zh", length="short", glossary=Glossary.from_file(terms_file)
    )
    assert (summary, shown) == (expected.text, describe_terms(expected.terms))
    assert expected.terms


def test_a_bad_glossary_upload_names_its_line(actions: Actions, tmp_path: Path) -> None:
    path = tmp_path / "terms.csv"
    path.write_text("mayor,市长\nbridge,,extra,more\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        list(actions.translate(TEXT, "en-zh", str(path)))
    assert str(error.value) == (
        f"glossary {path} line 2: expected 2 or 3 columns (source, target, optional direction), got 4"
    )


# --------------------------------------------------------------------------- the other tabs: documents, bilingual, batch


def test_translate_document_action_enforces_the_glossary_and_shows_its_terms(
    actions: Actions, terms_file: Path, tmp_path: Path
) -> None:
    page = tmp_path / "bridge_en.html"
    page.write_bytes((FIXTURES / "bridge_en.html").read_bytes())
    output, details = actions.translate_document(str(page), "en-zh", str(terms_file))
    expected = actions.service.translate_document(
        page.read_bytes(), "html", "zh", name=page.name, glossary=Glossary.from_file(terms_file)
    )
    assert Path(output).read_bytes() == expected.data
    assert [term.source for term in expected.result.terms] == ["bridge"]  # the page has no mayor and no airport
    assert details.split("\n\n", 1)[1] == describe_terms(expected.result.terms)


def test_summarize_document_action_shows_the_terms_of_a_cross_lingual_summary(
    actions: Actions, terms_file: Path, tmp_path: Path
) -> None:
    page = tmp_path / "bridge_en.html"
    page.write_bytes((FIXTURES / "bridge_en.html").read_bytes())
    summary, _, shown = actions.summarize_document(str(page), "zh", "short", "extractive", str(terms_file))
    expected = actions.choices.service("extractive").summarize_document(
        page.read_bytes(), "html", "zh", length="short", name=page.name, glossary=Glossary.from_file(terms_file)
    )
    assert summary == expected.text
    assert [term.source for term in expected.terms] == ["bridge"]
    assert shown.endswith("\n\n" + describe_terms(expected.terms))
    assert "- document title: Harbour Bridge reopens after eight months of repairs" in shown


def test_bilingual_action_shows_the_terms_of_the_translated_summary(actions: Actions, terms_file: Path) -> None:
    english, chinese, shown = actions.bilingual(TEXT, "short", "extractive", str(terms_file))
    summary, translated = actions.choices.service("extractive").summarize_bilingual(
        TEXT, length="short", glossary=Glossary.from_file(terms_file)
    )
    assert (english, chinese) == (summary.text, translated.text)
    assert [term.source for term in translated.terms] == ["mayor", "bridge"]
    assert shown.endswith("\n\n" + describe_terms(translated.terms))


def _jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")
    return path


def test_batch_action_enforces_the_glossary_in_each_translation(
    actions: Actions, terms_file: Path, tmp_path: Path
) -> None:
    texts = {"a": TEXT, "b": "Rain is expected at the airport."}
    source = _jsonl(tmp_path / "articles.jsonl", [{"id": key, "text": text} for key, text in texts.items()])
    output, counts, preview = actions.batch(str(source), "translate", "zh", "default", "text", str(terms_file))
    glossary = Glossary.from_file(terms_file)
    expected = {key: actions.service.translate(text, "zh", glossary=glossary) for key, text in texts.items()}
    written = [json.loads(line) for line in Path(output).read_text(encoding="utf-8").splitlines()]
    assert [(record["id"], record["translation"]) for record in written] == [
        (key, result.text) for key, result in expected.items()
    ]
    assert [record["terms"] for record in written] == [
        [term.to_dict() for term in result.terms] for result in expected.values()
    ]
    assert [[term["source"] for term in record["terms"]] for record in written] == [["mayor", "bridge"], ["airport"]]
    kept = sum(term.found for result in expected.values() for term in result.terms)
    assert counts == f"2 done, 0 failed (see the `error` field) · glossary terms kept: {kept} of 3 (see the `terms` field)"
    assert [row[:2] for row in preview] == [[key, result.text] for key, result in expected.items()]


def test_batch_action_checks_the_terms_of_cross_lingual_summaries(
    actions: Actions, terms_file: Path, tmp_path: Path
) -> None:
    source = _jsonl(tmp_path / "articles.jsonl", [{"id": "a", "text": TEXT}])
    output, _, _ = actions.batch(str(source), "summarize", "zh", "extractive", "text", str(terms_file))
    expected = actions.choices.service("extractive").summarize(TEXT, "zh", glossary=Glossary.from_file(terms_file))
    (record,) = [json.loads(line) for line in Path(output).read_text(encoding="utf-8").splitlines()]
    assert (record["summary"], record["terms"]) == (expected.text, [term.to_dict() for term in expected.terms])
    assert expected.terms


def test_batch_action_reads_a_field_of_web_pages_for_their_stories(actions: Actions, tmp_path: Path) -> None:
    page = (FIXTURES / "bridge_en.html").read_text(encoding="utf-8")
    source = _jsonl(tmp_path / "pages.jsonl", [{"id": "bridge", "text": page}])
    output, counts, preview = actions.batch(str(source), "summarize", "en", "extractive", "html")
    expected = actions.choices.service("extractive").summarize_document(page.encode(), "html", name="text (html)")
    (record,) = [json.loads(line) for line in Path(output).read_text(encoding="utf-8").splitlines()]
    assert (record["summary"], preview[0][1], counts) == (
        expected.text, expected.text, "1 done, 0 failed (see the `error` field)"
    )
    assert expected.text.startswith("The Harbour Bridge reopened to traffic on Monday morning")
    assert record["notes"][:2] == ["document title: Harbour Bridge reopens after eight months of repairs",
                                   "document date: 2024-05-02"]
    _, _, as_text = actions.batch(str(source), "summarize", "en", "extractive", "text")
    assert as_text[0][1] == expected.text  # given as plain text, the page is still read as a page (its markup sniffed)


def test_a_bad_glossary_stops_the_batch_job_before_it_starts(actions: Actions, tmp_path: Path) -> None:
    source = _jsonl(tmp_path / "articles.jsonl", [{"id": "a", "text": TEXT}])
    bad = tmp_path / "terms.tsv"
    bad.write_text("mayor\t市长\nbridge\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        actions.batch(str(source), "translate", "zh", "default", "text", str(bad))
    assert str(error.value) == f"glossary {bad} line 2: expected 2 or 3 columns (source, target, optional direction), got 1"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["articles.jsonl", "terms.tsv"]  # no job folder
