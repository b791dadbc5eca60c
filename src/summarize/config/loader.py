"""Reading settings: YAML file < environment variables < CLI overrides.

``load_settings`` merges the layers and validates the result against the schema
(:mod:`.schema`): an unknown key or a bad value raises :class:`ConfigError`
naming the key, where it came from and what is allowed.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, Union

import yaml

from ..errors import ConfigError
from .checks import SettingError
from .schema import Settings

ENV_PREFIX = "SUMMARIZE_"
ENV_SEPARATOR = "__"


def load_settings(
    path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    path_from: str = "",
) -> Settings:
    """Build settings from a YAML file, ``SUMMARIZE_*`` variables and dotted overrides.

    Environment variables name a key with ``__`` between levels, e.g.
    ``SUMMARIZE_RUNTIME__DEVICE=cpu``; overrides use dots,
    e.g. ``{"summarize.engine": "extractive"}``. Later layers win. An error caused by an
    environment variable names it; `path_from` says where `path` came from when it was not
    given directly (e.g. ``"the environment variable SUMMARIZE_CONFIG"``), for the file's errors.
    """
    merged: dict[str, Any] = {}
    if path is not None:
        _deep_merge(merged, _read_yaml(Path(path), f" (from {path_from})" if path_from else ""))
    environ = os.environ if environ is None else environ
    for name, raw in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or ENV_SEPARATOR not in name:
            continue
        keys = name[len(ENV_PREFIX):].lower().split(ENV_SEPARATOR)
        _merge_variable(merged, name, _nest(keys, _parse_text(keys, raw)))
    for dotted, value in (overrides or {}).items():
        keys = dotted.split(".")
        _deep_merge(merged, _nest(keys, _parse_text(keys, value) if isinstance(value, str) else value))
    return _build(Settings, merged, prefix="")


def _merge_variable(merged: dict[str, Any], name: str, layer: dict[str, Any]) -> None:
    """Merge one environment variable's setting; if it makes the settings invalid, say it came from `name`."""
    candidate = copy.deepcopy(merged)
    _deep_merge(candidate, layer)
    try:
        _build(Settings, candidate, prefix="")
    except ConfigError as error:
        if _is_valid(merged):
            raise ConfigError(f"{error} (from the environment variable {name}; fix or unset it)") from None
    _deep_merge(merged, layer)


def _is_valid(data: dict[str, Any]) -> bool:
    try:
        _build(Settings, copy.deepcopy(data), prefix="")
    except ConfigError:
        return False
    return True


def _yaml_problem(error: Exception) -> str:
    """A YAML parser error in one line: what is wrong and where (``line L, column C``)."""
    def at(mark: Any) -> str:
        return f"line {mark.line + 1}, column {mark.column + 1}"

    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    mark, context, opened = (getattr(error, name, None) for name in ("problem_mark", "context", "context_mark"))
    where = f" at {at(mark)}" if mark is not None else ""
    if context and opened is not None:
        return f"{problem}{where} ({context} that starts at {at(opened)})"
    return f"{problem}{where}" + (f" ({context})" if context else "")


def _read_yaml(path: Path, origin: str = "") -> dict[str, Any]:
    """The mapping in a YAML file; errors name the file and, after it, `origin` (where its path came from)."""
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}{origin}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read config file {path}{origin}: {error}") from None
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as error:
        raise ConfigError(f"config file {path}{origin} is not valid YAML: {_yaml_problem(error)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path}{origin} must hold a mapping of settings, not {type(data).__name__}")
    return data


def _setting_type(keys: list[str]) -> Any:
    """The declared type of the setting at `keys`, or None when no such setting exists."""
    hint: Any = Settings
    for key in keys:
        if dataclasses.is_dataclass(hint):
            hint = typing.get_type_hints(hint).get(key)
        elif typing.get_origin(hint) is dict:
            hint = typing.get_args(hint)[1]
        else:
            return None
    return hint


def _parse_text(keys: list[str], raw: str) -> Any:
    """A value given as text (environment, ``--set``): kept as it is for a string setting
    (an API key ``12345`` or ``yes`` stays a string), else read as a YAML scalar."""
    return raw if _setting_type(keys) is str else _parse_scalar(raw)


def _parse_scalar(raw: str) -> Any:
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw


def _nest(keys: list[str], value: Any) -> dict[str, Any]:
    nested: Any = value
    for key in reversed(keys):
        nested = {key: nested}
    return nested


def _deep_merge(target: dict[str, Any], layer: Mapping[str, Any]) -> None:
    for key, value in layer.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = dict(value) if isinstance(value, Mapping) else value


def _allowed(hint: Any) -> str:
    return ", ".join(str(value) for value in typing.get_args(hint))


def _build(cls: type, data: Any, prefix: str) -> Any:
    """Instantiate dataclass `cls` from `data`, validating keys and values."""
    where = prefix.rstrip(".") or "the top level"
    if not isinstance(data, Mapping):
        raise ConfigError(f"setting {where} must be a mapping, not {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = [spec.name for spec in dataclasses.fields(cls)]
    unknown = [key for key in data if key not in names]
    if unknown:
        raise ConfigError(f"unknown setting '{prefix}{unknown[0]}'; allowed keys in {where}: {', '.join(names)}")
    values: dict[str, Any] = {}
    for name in names:
        if name in data:
            values[name] = _convert(hints[name], data[name], f"{prefix}{name}", default=_default(cls, name))
    try:
        return cls(**values)
    except TypeError:
        missing = [spec.name for spec in dataclasses.fields(cls) if spec.name not in values]
        raise ConfigError(f"setting {where} is missing required key '{prefix}{missing[0]}'") from None
    except SettingError as error:
        raise ConfigError(f"setting '{prefix}{error.name}' {error.problem}") from None
    except ConfigError as error:
        raise ConfigError(f"{where}: {error}") from None


def _default(cls: type, name: str) -> Any:
    spec = next(spec for spec in dataclasses.fields(cls) if spec.name == name)
    if spec.default_factory is not dataclasses.MISSING:
        return spec.default_factory()
    return None if spec.default is dataclasses.MISSING else spec.default


def _convert(hint: Any, value: Any, key: str, default: Any = None) -> Any:
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        base = dataclasses.asdict(default) if default is not None else {}
        _deep_merge(base, value if isinstance(value, Mapping) else {})
        return _build(hint, base if isinstance(value, Mapping) else value, prefix=f"{key}.")
    if origin is Literal:
        if value not in typing.get_args(hint):
            raise ConfigError(f"setting '{key}' is {value!r}; allowed values: {_allowed(hint)}")
        return value
    if origin is dict:
        key_hint, value_hint = typing.get_args(hint)
        if not isinstance(value, Mapping):
            raise ConfigError(f"setting '{key}' must be a mapping, not {type(value).__name__}")
        converted = dict(default or {})
        for item_key, item in value.items():
            if typing.get_origin(key_hint) is Literal and item_key not in typing.get_args(key_hint):
                raise ConfigError(f"unknown key '{key}.{item_key}'; allowed keys: {_allowed(key_hint)}")
            item_default = (default or {}).get(item_key)
            converted[item_key] = _convert(value_hint, item, f"{key}.{item_key}", default=item_default)
        return converted
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"setting '{key}' must be a list, not {type(value).__name__}")
        (item_hint,) = typing.get_args(hint)
        return [_convert(item_hint, item, f"{key}[{index}]") for index, item in enumerate(value)]
    if origin in (Union, types.UnionType) or hint is Any:
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"setting '{key}' must be true or false, not {value!r}")
        return value
    if hint is int:  # its range is the section's rule (schema.py), checked once there
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"setting '{key}' must be a whole number, not {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"setting '{key}' must be a number, not {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"setting '{key}' must be a string, not {value!r}")
        return value
    raise ConfigError(f"setting '{key}' has an unsupported type {hint!r}")
