"""Reading a rendered policy in tests: its sections, tables and text as a person sees it."""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from skydd.documents.policy_rendering import PolicyRendering
from skydd.domain.register import Register
from skydd.storage.register_files import load_register

_HEADING = re.compile(r"^(#+) (.*?)(?: \{#([a-z0-9-]+)\})?$")


@cache
def register_at(folder: Path) -> Register:
    return load_register(folder)


@cache
def rendered(folder: Path, language: str, fmt: str) -> str:
    return PolicyRendering().render(register_at(folder), language, fmt)


def plain(markdown: str) -> str:
    """The words a reader sees, on one line: no heading or list marks, emphasis, escapes."""
    text = re.sub(r" \{#[a-z0-9-]+\}$", "", markdown, flags=re.MULTILINE)
    text = re.sub(r"^(#+|\s*-) ", "", text, flags=re.MULTILINE)
    text = re.sub(r"(?<!\\)\*\*", "", text)
    text = re.sub(r"<((?:https?://|[\w.+-]+@)[^<>\s]*)>", r"\1", text)
    text = re.sub(r"\\(.)", r"\1", text)
    return " ".join(text.split())


def section(markdown: str, anchor: str) -> str:
    """The Markdown of the section whose heading has ``{#anchor}``, up to the next peer heading."""
    lines = markdown.splitlines()
    starts = [i for i, line in enumerate(lines) if line.endswith(f" {{#{anchor}}}")]
    assert len(starts) == 1, f"no single heading with anchor {anchor!r}"
    start = starts[0]
    level = len(lines[start]) - len(lines[start].lstrip("#"))
    end = len(lines)
    for j in range(start + 1, len(lines)):
        match = _HEADING.match(lines[j])
        if match and len(match.group(1)) <= level:
            end = j
            break
    return "\n".join(lines[start:end])


def section_text(markdown: str, anchor: str) -> str:
    """The plain text of one section."""
    return plain(section(markdown, anchor))


def table_rows(markdown: str) -> list[list[str]]:
    """Every table row (header included) as its cells' plain text."""
    rows = []
    for line in markdown.splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
            rows.append([plain(cell) for cell in cells])
    return rows


def list_items(markdown: str) -> list[str]:
    """The plain text of every top-level list item."""
    return [plain(line[2:]) for line in markdown.splitlines() if line.startswith("- ")]


def headings(markdown: str) -> list[tuple[int, str, str | None]]:
    """Every heading as ``(level, text, anchor)``."""
    found = []
    for line in markdown.splitlines():
        match = _HEADING.match(line)
        if match:
            found.append((len(match.group(1)), plain(match.group(2)), match.group(3)))
    return found


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> str:
    """The text of an HTML fragment, on one line."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())
