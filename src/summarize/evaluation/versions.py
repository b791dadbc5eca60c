"""The version strings that scores' signatures record."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "bilingual-summarize"


def package_version() -> str:
    """This project's installed version, or ``unknown`` when it runs uninstalled from source."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown"
