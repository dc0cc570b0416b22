"""Output formats shared by commands that print data."""

from __future__ import annotations

from enum import StrEnum


class OutputFormat(StrEnum):
    """Human text, or JSON for machines."""

    TEXT = "text"
    JSON = "json"
