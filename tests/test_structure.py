"""The package's shape: imports run one way (no circles) and no source file grows past ~500 lines."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "summarize"
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = ["summarize", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, modules: set[str]) -> set[str]:
    """The package modules `path` imports anywhere in its body (function bodies and TYPE_CHECKING too)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in found if module in modules and module != name}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(path) for path in paths}
    return {module_name(path): imported_modules(path, modules) for path in paths}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a list of modules (first == last), or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        stack.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def test_the_graph_sees_known_imports() -> None:
    graph = import_graph()
    assert "summarize.store" in graph["summarize.service"]
    assert "summarize.engines.loader" in graph["summarize.store"]
    assert "summarize.engines.ctranslate2" in graph["summarize.engines.loader"]  # an import inside a function
    assert "summarize.families" in graph["summarize.engines.seq2seq"]  # a relative import two levels up


def test_the_cycle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_circles_in_the_package() -> None:
    assert find_cycle(import_graph()) is None


def test_layers_import_downwards_only() -> None:
    """service -> store -> engines -> hub, families: nothing below imports what is above it."""
    graph = import_graph()
    above = {
        "summarize.families": {"summarize.hub", "summarize.store", "summarize.service"},
        "summarize.hub": {"summarize.store", "summarize.service"},
        "summarize.store": {"summarize.service"},
    }
    for module, forbidden in above.items():
        assert not graph[module] & forbidden, module
    engines = [module for module in graph if module.startswith("summarize.engines")]
    for module in engines:
        assert not graph[module] & {"summarize.store", "summarize.service"}, module


def test_no_source_file_over_the_line_limit() -> None:
    sizes = {str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines()) for path in PACKAGE.rglob("*.py")}
    assert {name: lines for name, lines in sizes.items() if lines > MAX_LINES} == {}


def language_lists(path: Path) -> list[int]:
    """Lines of `path` where a list, tuple or set (a ``Literal[...]`` too) names both "en" and "zh"."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            values = {element.value for element in node.elts if isinstance(element, ast.Constant)}
            if {"en", "zh"} <= values:
                lines.append(node.lineno)
    return lines


def test_the_language_list_is_written_once() -> None:
    """Every list of languages (CLI choices, API and config types, checks) derives from ``text.Language``."""
    found = {str(path.relative_to(PACKAGE)): language_lists(path) for path in sorted(PACKAGE.rglob("*.py"))}
    assert {name: len(lines) for name, lines in found.items() if lines} == {"text.py": 1}


def test_the_web_layer_is_a_package_only_the_command_line_imports() -> None:
    """The web modules live in summarize.web (no http_*.py or ui*.py at the top), and nothing below the
    web layer imports them: the core (service, engines, documents, batch...) runs without a web framework."""
    assert not [path.name for path in PACKAGE.glob("*.py") if path.name.startswith(("http_", "ui"))]
    graph = import_graph()
    web_users = {
        module for module, imports in graph.items() if any(target.startswith("summarize.web") for target in imports)
    }
    assert {module for module in web_users if not module.startswith("summarize.web")} == {"summarize.cli"}
