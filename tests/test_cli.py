"""The `summarize` command: output, JSON fields, exit codes and one-line errors."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import tiny_overrides

from summarize.cli import STDIN_HINT, main

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = ROOT / "examples" / "article_en.txt"
CHINESE = ROOT / "examples" / "article_zh.txt"
OFFLINE = str(ROOT / "configs" / "offline.yaml")


def tiny_flags(tiny_models: dict[str, Path], **extra: object) -> list[str]:
    flags: list[str] = []
    for key, value in tiny_overrides(tiny_models, **extra).items():
        flags += ["--set", f"{key}={json.dumps(value) if isinstance(value, dict) else value}"]
    return flags


def run(argv: list[str], capsys: pytest.CaptureFixture[str], stdin: bytes | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        code = main(argv)
    finally:
        sys.stdin = sys.__stdin__
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_summarize_file_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["summarize", str(CHINESE), "--config", OFFLINE, "--json"], capsys)
    record = json.loads(out)
    assert (code, err) == (0, "")
    assert {key: record[key] for key in ("source_lang", "target_lang", "engine", "model")} == {
        "source_lang": "zh",
        "target_lang": "zh",
        "engine": "extractive",
        "model": "extractive",
    }
    assert record["text"].startswith("河畔市议会周二通过一项计划")


def test_summarize_reads_stdin(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["summarize", "-", "--config", OFFLINE, "--length", "short"], capsys, ENGLISH.read_bytes())
    assert (code, err) == (0, "")  # no hint when stdin is not a terminal
    assert out.startswith("The city council of Riverton approved a plan on Tuesday")


def test_stdin_hint_when_stdin_is_a_terminal() -> None:
    controller, terminal = pty.openpty()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "summarize", "summarize", "--config", OFFLINE, "--length", "short"]
    with subprocess.Popen(command, stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as process:
        os.close(terminal)
        os.write(controller, ENGLISH.read_text(encoding="utf-8").split("\n")[0].encode() + b"\n\x04")
        out, err = process.communicate(timeout=120)
    os.close(controller)
    assert (process.returncode, err.decode()) == (0, STDIN_HINT + "\n")
    assert out.decode().startswith("The city council of Riverton approved a plan on Tuesday")


FROM_NOTE = (
    "note: the text looks English, but --from says 'zh': it was treated as Chinese "
    "(leave --from out to have the language detected)\n"
)


def test_from_contradicting_the_detection_gets_a_note_naming_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["summarize", str(ENGLISH), "--from", "zh", "--config", OFFLINE], capsys)
    assert (code, err) == (0, FROM_NOTE)
    code, out, err = run(["summarize", str(ENGLISH), "--from", "zh", "--config", OFFLINE, "--json"], capsys)
    assert (code, err, json.loads(out)["notes"]) == (0, "", [FROM_NOTE.removeprefix("note: ").rstrip("\n")])
    assert run(["summarize", str(ENGLISH), "--from", "en", "--config", OFFLINE], capsys)[2] == ""


def test_auto_fallback_prints_a_note_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["summarize", str(ENGLISH), "--set", "summarize.models.en.model=example-org/missing"], capsys)
    assert code == 0 and out.strip()
    assert err == (  # one line
        "note: extractive summary: model 'example-org/missing' is not cached here and cannot be downloaded now "
        "(`summarize models pull` fetches it)\n"
    )


def test_translate_with_tiny_models(capsys: pytest.CaptureFixture[str], tiny_models: dict[str, Path]) -> None:
    code, out, err = run(["translate", str(ENGLISH), "--to", "zh", "--json", *tiny_flags(tiny_models)], capsys)
    record = json.loads(out)
    assert (code, record["source_lang"], record["target_lang"], record["engine"]) == (0, "en", "zh", "seq2seq")
    assert record["model"] == str(tiny_models["marian-en-zh"])


def test_cross_lingual_summary_with_tiny_models(capsys: pytest.CaptureFixture[str], tiny_models: dict[str, Path]) -> None:
    flags = tiny_flags(tiny_models, **{"summarize.engine": "seq2seq"})
    code, out, _ = run(["summarize", str(CHINESE), "--to", "en", "--json", *flags], capsys)
    assert (code, json.loads(out)["engine"]) == (0, "seq2seq+seq2seq")


ERRORS = [
    (["summarize", "/no/such/file.txt"], "summarize: error: cannot read /no/such/file.txt: no such file\n"),
    (["summarize", str(ROOT)], f"summarize: error: cannot read {ROOT}: it is a directory\n"),
    (["summarize", "--config", "/no/such.yaml", str(ENGLISH)], "summarize: error: config file not found: /no/such.yaml\n"),
    (
        ["summarize", str(ENGLISH), "--set", "runtime.device=tpu"],
        "summarize: error: setting 'runtime.device' is 'tpu'; allowed values: auto, cpu, cuda, mps\n",
    ),
    (
        ["summarize", str(ENGLISH), "--set", "oops"],
        "summarize: error: --set expects KEY=VALUE, e.g. summarize.engine=extractive; got 'oops'\n",
    ),
    (
        ["translate", str(ENGLISH), "--to", "en"],
        f"summarize: error: {ENGLISH} is already in 'en'; translation goes en->zh or zh->en, so set --to to the other language\n",
    ),
    (
        ["translate", str(ENGLISH), "--to", "zh", "--config", OFFLINE],
        "summarize: error: model 'quickmt/quickmt-en-zh' (translate.models.en-zh) is not in the local Hugging Face "
        "cache and the Hub cannot be reached; run `summarize models pull` on a connected machine (or copy its cache), "
        "or set translate.models.en-zh.model in the config to a local directory\n",
    ),
]


@pytest.mark.parametrize(("argv", "message"), ERRORS)
def test_errors_exit_1_with_one_line(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert run(argv, capsys) == (1, "", message)


def test_environment_errors_name_the_variable(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZE_CONFIG", "nope.yaml")
    assert run(["summarize", str(ENGLISH)], capsys) == (
        1, "", "summarize: error: config file not found: nope.yaml (from the environment variable SUMMARIZE_CONFIG)\n"
    )
    monkeypatch.delenv("SUMMARIZE_CONFIG")
    monkeypatch.setenv("SUMMARIZE_RUNTIM__DEVICE", "cpu")
    assert run(["summarize", str(ENGLISH), "--config", OFFLINE], capsys)[2] == (
        "summarize: error: unknown setting 'runtim'; allowed keys in the top level: runtime, limits, summarize, "
        "translate, server, batch, llm (from the environment variable SUMMARIZE_RUNTIM__DEVICE; fix or unset it)\n"
    )


def test_empty_stdin(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["summarize", "--config", OFFLINE], capsys, b"  \n ") == (
        1,
        "",
        "summarize: error: standard input is empty; give the article text\n",
    )


def test_non_utf8_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("市议会批准了计划。".encode("gbk"))
    code, _, err = run(["summarize", str(path)], capsys)
    assert (code, err) == (1, f"summarize: error: {path} is not UTF-8 text (byte 0xca at offset 0); convert it to UTF-8\n")


USAGE_ERRORS = [
    ["translate", str(ENGLISH)],
    ["translate", str(ENGLISH), "--to", "fr"],
    ["summarize", "--length", "huge"],
    ["frobnicate"],
    [],
]


@pytest.mark.parametrize(
    ("argv", "last_line"),
    [
        (["summarize", "--lenght", "short"], "summarize summarize: error: unrecognized arguments: --lenght; did you mean --length?"),
        (["translate", "--to", "zh", "--fron=en"], "summarize translate: error: unrecognized arguments: --fron=en; did you mean --from?"),
        (
            ["summarize", "--lenght=short", "--jsn"],
            "summarize summarize: error: unrecognized arguments: --lenght=short --jsn; did you mean --length for --lenght, --json for --jsn?",
        ),
        (["summarize", "--zzzzzz"], "summarize summarize: error: unrecognized arguments: --zzzzzz"),
    ],
)
def test_mistyped_option_gets_a_suggestion(capsys: pytest.CaptureFixture[str], argv: list[str], last_line: str) -> None:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == last_line


@pytest.mark.parametrize("argv", USAGE_ERRORS)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    assert "usage: summarize" in capsys.readouterr().err


def test_models_list_as_json(capsys: pytest.CaptureFixture[str], tiny_models: dict[str, Path]) -> None:
    code, out, _ = run(["models", "list", "--json", "--set", f"summarize.models.en.model={tiny_models['bart']}"], capsys)
    rows = {row["role"]: row for row in json.loads(out)}
    assert code == 0
    assert rows["summarize.models.en"]["status"] == "local directory"
    assert rows["translate.models.zh-en"] == {
        "role": "translate.models.zh-en",
        "name": "quickmt/quickmt-zh-en",
        "status": "missing",
        "size_bytes": 0,
        "licence": "CC-BY-4.0",
    }


def test_models_pull_offline_fails_clearly(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["models", "pull"], capsys)
    assert code == 1
    assert err.splitlines()[-1].startswith("summarize: error: cannot pull 'facebook/bart-large-cnn' (summarize.models.en)")


def test_console_script_and_module_agree_on_a_fresh_process() -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    outputs = [
        subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
        for command in (
            [sys.executable, "-m", "summarize", "summarize", str(ENGLISH), "--config", OFFLINE],
            [str(Path(sys.executable).parent / "summarize"), "summarize", str(ENGLISH), "--config", OFFLINE],
        )
    ]
    assert outputs[0] == outputs[1] and outputs[0].startswith("The city council of Riverton")
