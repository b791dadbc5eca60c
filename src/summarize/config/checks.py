"""The range checks every settings section uses, and the error that names the setting."""

from __future__ import annotations

from ..errors import ConfigError


class SettingError(ConfigError):
    """One setting of a section has a value it cannot take: ``setting 'port' must be at most 65535, not 70000``.

    The loader names the setting by its full key (``server.port``), as its other messages do.
    """

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"setting '{name}' {problem}")
        self.name = name
        self.problem = problem


def require_positive(**values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise SettingError(name, f"must be at least 1, not {value!r}")


def require_not_negative(**values: float) -> None:
    for name, value in values.items():
        if not value >= 0:  # NaN too
            raise SettingError(name, f"must be 0 or more, not {value!r}")
