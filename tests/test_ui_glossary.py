"""The web demo's glossary upload, through the tabs' actions on the tiny models: terms enforced,
shown under the result, and a bad file named by its line (without the server's path)."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarize import Service
from summarize.errors import InputError
from summarize.glossary import Glossary, TermCheck
from summarize.store import ModelStore
from summarize.ui import Actions
from summarize.ui_glossary import describe_terms

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
    assert details == "English → Chinese · model `marian-en-zh`\n\n" + describe_terms(expected.terms)
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
