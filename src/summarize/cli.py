"""The ``summarize`` command line: summarize, translate, and manage models.

Exit codes: 0 success, 1 input or runtime error (one line on stderr, no
traceback), 2 usage error.
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, get_args

from .config import Settings, SummarizeEngine, TranslateEngine, load_settings
from .engines.base import Length
from .errors import InputError, SummarizeError
from .results import Result
from .sources import ALSO_A_NOTE
from .text import LANGUAGE_NAMES, SUPPORTED_LANGUAGES, decode_utf8
from .wording import Vocabulary, in_words

PROGRAM = "summarize"
CONFIG_ENV = "SUMMARIZE_CONFIG"
STDIN_NAME = "standard input"
STDIN_HINT = f"{PROGRAM}: reading the article from standard input; end it with Ctrl-D (Ctrl-Z Enter on Windows), or give a FILE"
CLI_WORDS: Vocabulary = {
    "target_lang": "--to", "source_lang": "--from", "length": "--length", "text_field": "--text-field", "text_format": "--format"
}
"""How messages name the service's arguments on the command line: by their flags."""


def cli_words(args: argparse.Namespace) -> Vocabulary:
    """The command line's words for the service's arguments; the text is named by where it came from."""
    source = getattr(args, "file", None)
    return {**CLI_WORDS, "text": STDIN_NAME if source in (None, "-") else source}


def read_bytes(source: str | None) -> bytes:
    """Read a file's bytes, or stdin's when `source` is None or ``-``."""
    if source in (None, "-"):
        if sys.stdin.isatty():
            print(STDIN_HINT, file=sys.stderr, flush=True)
        return sys.stdin.buffer.read()
    try:
        return Path(source).read_bytes()
    except FileNotFoundError:
        raise InputError(f"cannot read {source}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"cannot read {source}: it is a directory") from None
    except OSError as error:
        raise InputError(f"cannot read {source}: {error.strerror or error}") from None


def read_text(source: str | None) -> str:
    """Read UTF-8 text from a file, or from stdin when `source` is None or ``-``."""
    return decode_utf8(read_bytes(source), STDIN_NAME if source in (None, "-") else source)


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """``--set KEY=VALUE`` options as overrides; :class:`InputError` for one without ``=`` or a key."""
    overrides: dict[str, Any] = {}
    for item in items:
        key, separator, value = item.partition("=")
        if not separator or not key:
            raise InputError(f"--set expects KEY=VALUE, e.g. summarize.engine=extractive; got {item!r}")
        overrides[key.strip()] = value
    return overrides


def settings_from_args(args: argparse.Namespace, extra: dict[str, Any] | None = None) -> Settings:
    """Settings from --config (or $SUMMARIZE_CONFIG), the environment and --set overrides."""
    overrides = parse_overrides(args.set or [])
    overrides.update(extra or {})
    if args.config:
        return load_settings(args.config, overrides)
    return load_settings(os.environ.get(CONFIG_ENV) or None, overrides, path_from=f"the environment variable {CONFIG_ENV}")


def _notes(result: Result, args: argparse.Namespace) -> list[str]:
    """The result's notes in the command line's words."""
    return [in_words(note, cli_words(args)) for note in result.notes]


def _print_result(result: Result, args: argparse.Namespace) -> None:
    if args.json:
        print(json.dumps({**result.to_dict(), "notes": _notes(result, args)}, ensure_ascii=False))
        return
    print(result.text)
    _print_notes(result, args)


def _print_notes(result: Result, args: argparse.Namespace) -> None:
    for note in _notes(result, args):
        print(f"note: {note}", file=sys.stderr)


def _service(args: argparse.Namespace, extra: dict[str, Any] | None = None):
    from .service import Service

    return Service(settings_from_args(args, extra))


def _document_format(args: argparse.Namespace) -> str:
    """``text`` for plain text (the default for stdin), else the document format of FILE or --format."""
    from .documents import format_for

    if args.format is None and args.file in (None, "-"):
        return "text"
    return format_for(args.file or "-", args.format)


def _run_summarize(args: argparse.Namespace) -> None:
    extra = {"summarize.engine": args.engine} if args.engine else {}
    if args.glossary:
        extra["translate.glossary"] = args.glossary
    service = _service(args, extra)
    format_name = _document_format(args)
    if format_name == "text":
        result = service.summarize(read_text(args.file), args.to, source_lang=args.source, length=args.length)
    else:
        result = service.summarize_document(
            read_bytes(args.file), format_name, args.to, source_lang=args.source, length=args.length,
            name=args.file or STDIN_NAME,
        )
    _print_result(result, args)


def _run_translate(args: argparse.Namespace) -> None:
    format_name = _document_format(args)
    if format_name == "docx" and not args.output:
        raise InputError("a Word document translates to a Word document: give the output file with -o PATH")
    extra = {"translate.glossary": args.glossary} if args.glossary else {}
    if args.engine:
        extra["translate.engine"] = args.engine
    service = _service(args, extra)
    if format_name == "text":
        result = service.translate(read_text(args.file), args.to, source_lang=args.source)
        data = result.text.encode("utf-8")
    else:
        translation = service.translate_document(
            read_bytes(args.file), format_name, args.to, source_lang=args.source, name=args.file or STDIN_NAME
        )
        result, data = translation.result, translation.data
    if args.output:
        try:
            Path(args.output).write_bytes(data)
        except OSError as error:
            raise InputError(f"cannot write {args.output}: {error.strerror or error}") from None
    if args.json:
        _print_result(result, args)
        return
    if args.output:
        print(f"{PROGRAM}: wrote the {LANGUAGE_NAMES[result.target_lang]} translation to {args.output}", file=sys.stderr)
    else:
        print(data.decode("utf-8"), end="\n" if format_name == "text" else "")
    _print_notes(result, args)


def _format_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            break
    return f"{size:.1f} {unit}"


def _run_batch(args: argparse.Namespace) -> None:
    from .batch import Progress, run_batch

    settings = settings_from_args(args, {"translate.glossary": args.glossary} if args.glossary else None)
    progress = Progress(sys.stderr, quiet=args.quiet, interval=settings.batch.progress_seconds)
    options: dict[str, Any] = {
        "text_field": args.text_field, "id_field": args.id_field, "text_format": args.format, "progress": progress
    }
    if args.engine == "ray":
        from .batch.ray_runner import run_batch_ray

        records = run_batch_ray(
            args.input, args.output, args.task, args.to, settings=settings, verbose=args.verbose, **options
        )
    else:
        from .service import Service

        records = run_batch(args.input, args.output, args.task, args.to, service=Service(settings), **options)
    for _ in records:
        pass


def _run_models(args: argparse.Namespace) -> None:
    from .hub import model_status, pull_model

    settings = settings_from_args(args)
    if args.action == "list":
        rows = [model_status(role, spec) for role, spec in settings.model_entries()]
        if args.json:
            print(json.dumps([row.__dict__ for row in rows], ensure_ascii=False))
            return
        width = max(len(row.name) for row in rows)
        for row in rows:
            size = _format_size(row.size_bytes) if row.size_bytes else "-"
            print(f"{row.role:<24} {row.name:<{width}}  {row.status:<15} {size:<9} {row.licence or '-'}")
        return
    for role, spec in settings.model_entries():
        print(f"pulling {spec.model} ({role}) ...", file=sys.stderr)
        folder = pull_model(role, spec)
        print(f"{role}: {spec.model} -> {folder}")


def _run_serve(args: argparse.Namespace) -> None:
    extra: dict[str, Any] = {}
    if args.host is not None:
        extra["server.host"] = args.host
    if args.port is not None:
        extra["server.port"] = args.port
    settings = settings_from_args(args, extra)
    if args.replicas is not None:
        from .web.replicas import serve_replicas

        serve_replicas(settings, args.replicas)
        return
    from .web.server import serve

    serve(settings)


def _at_least_one(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expects a whole number, not {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def _glossary_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--glossary", metavar="PATH", help="terms to enforce in translations: TSV/CSV of source, target (translate.glossary)"
    )


def _format_option(parser: argparse.ArgumentParser) -> None:
    from .documents import FORMATS

    parser.add_argument(
        "--format", choices=list(FORMATS), help="input format (default: from FILE's extension; text for stdin)"
    )


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="PATH", help=f"YAML settings file (default: ${CONFIG_ENV} or built-in)")
    parser.add_argument(
        "--set", action="append", metavar="KEY=VALUE", help="override one setting, e.g. runtime.device=cpu (repeatable)"
    )


class CommandParser(argparse.ArgumentParser):
    """A subcommand's parser: an unknown option is an error that suggests the closest known one."""

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def]
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}{self._suggestion(extras)}")
        return namespace, extras

    def _suggestion(self, extras: list[str]) -> str:
        """``; did you mean --length?`` for the unknown options that are close to a known one."""
        known = [option for action in self._actions for option in action.option_strings]
        matches: dict[str, str] = {}
        for given in (extra.partition("=")[0] for extra in extras if extra.startswith("--")):
            matches.update((given, close) for close in difflib.get_close_matches(given, known, n=1))
        if not matches:
            return ""
        if len(matches) == 1:
            return f"; did you mean {next(iter(matches.values()))}?"
        return "; did you mean " + ", ".join(f"{close} for {given}" for given, close in matches.items()) + "?"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``summarize`` command."""
    parser = argparse.ArgumentParser(prog=PROGRAM, description="Summarize and translate English and Chinese news.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=CommandParser)

    summarize = commands.add_parser("summarize", help="summarize an article")
    summarize.add_argument(
        "file", nargs="?", metavar="FILE", help="article: .txt, .html, .md, .docx or .srt; '-' or absent reads stdin"
    )
    summarize.add_argument("--to", choices=SUPPORTED_LANGUAGES, help="summary language (default: the article's)")
    summarize.add_argument("--from", dest="source", choices=SUPPORTED_LANGUAGES, help="article language (default: detected)")
    summarize.add_argument("--length", choices=get_args(Length), default="medium")
    summarize.add_argument(
        "--engine", choices=get_args(SummarizeEngine), help="override summarize.engine"
    )
    summarize.add_argument("--json", action="store_true", help="print one JSON object")
    _format_option(summarize)
    _glossary_option(summarize)
    _common(summarize)
    summarize.set_defaults(handler=_run_summarize)

    translate = commands.add_parser("translate", help="translate an article")
    translate.add_argument(
        "file", nargs="?", metavar="FILE", help="article: .txt, .html, .md, .docx or .srt; '-' or absent reads stdin"
    )
    translate.add_argument("--to", choices=SUPPORTED_LANGUAGES, required=True, help="target language")
    translate.add_argument("--from", dest="source", choices=SUPPORTED_LANGUAGES, help="article language (default: detected)")
    translate.add_argument("--engine", choices=get_args(TranslateEngine), help="override translate.engine")
    translate.add_argument("--json", action="store_true", help="print one JSON object")
    translate.add_argument(
        "-o", "--output", metavar="PATH", help="write the translation here (in the input's format; required for .docx)"
    )
    _format_option(translate)
    _glossary_option(translate)
    _common(translate)
    translate.set_defaults(handler=_run_translate)

    models = commands.add_parser("models", help="list or download the configured models")
    models.add_argument("action", choices=["list", "pull"])
    models.add_argument("--json", action="store_true", help="list as JSON")
    _common(models)
    models.set_defaults(handler=_run_models)

    batch = commands.add_parser("batch", help="summarize and/or translate files of articles; resumable")
    batch.add_argument(
        "--input", nargs="+", action="extend", required=True, metavar="PATH",
        help="input files or glob patterns: .jsonl, .csv, .parquet",
    )
    batch.add_argument(
        "--output", required=True, metavar="PATH", help=".jsonl or .parquet; the same command again resumes it"
    )
    batch.add_argument("--task", choices=["summarize", "translate", "both"], required=True)
    batch.add_argument(
        "--to", choices=SUPPORTED_LANGUAGES,
        help="language of the summaries and translations (required for translate and both; "
        "without it each summary is in its article's language)",
    )
    batch.add_argument("--text-field", metavar="NAME", help="field holding the article (default: batch.text_field)")
    batch.add_argument("--id-field", metavar="NAME", help="field holding the record id (default: batch.id_field)")
    from .documents import TEXT_FORMATS

    batch.add_argument(
        "--format", choices=list(TEXT_FORMATS), default="text",
        help="what the text field holds: plain text, or a saved web page (html; its story is summarized or "
        "translated, without menus or footers), Markdown or subtitles (srt)",
    )
    batch.add_argument(
        "--engine", choices=["local", "ray"], default="local",
        help="run here, or through Ray Data (extra [ray]; $RAY_ADDRESS or a local Ray runtime)",
    )
    batch.add_argument("--quiet", action="store_true", help="no progress bar or lines (the final line stays)")
    batch.add_argument("--verbose", action="store_true", help="show Ray's own log lines (with --engine ray)")
    _glossary_option(batch)
    _common(batch)
    batch.set_defaults(handler=_run_batch)

    serve = commands.add_parser("serve", help="run the web demo (/) and the HTTP API (/v1, docs at /docs)")
    serve.add_argument("--host", help="interface to bind (default: server.host, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="TCP port (default: server.port, 7860)")
    serve.add_argument(
        "--replicas", type=_at_least_one, metavar="N",
        help="serve the API (no web demo) as a Ray Serve deployment of N replicas (extra [serve]; $RAY_ADDRESS "
        "or a local Ray runtime)",
    )
    _common(serve)
    serve.set_defaults(handler=_run_serve)
    return parser


class _LogLine(logging.Formatter):
    """A library log record as the command shows it: ``summarize: <message>`` (tracebacks left out)."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{PROGRAM}: {record.getMessage()}"


@contextmanager
def _library_log_on_stderr() -> Iterator[None]:
    """The package's log (``summarize.*``, INFO and above) on stderr while a command runs, but for the
    records that a result's notes (printed as ``note:`` lines) already tell."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LogLine())
    handler.addFilter(lambda record: not getattr(record, ALSO_A_NOTE, False))
    logger = logging.getLogger(__package__)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        with _library_log_on_stderr():
            args.handler(args)
    except SummarizeError as error:
        print(f"{PROGRAM}: error: {error.in_words(cli_words(args))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0
