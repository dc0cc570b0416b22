"""Markdown that is safe to splice: escaping for text from the register (Markdown's Markup).

Jinja2 autoescapes HTML, not Markdown. A purpose called ``Sales | *VIP*`` would
otherwise end a table cell and start emphasis. The policy template therefore runs
with a ``finalize`` hook that escapes every plain ``str`` it prints, and lets
:class:`Md` through: like ``markupsafe.Markup``, an ``Md`` is text already in
Markdown form, and ``Md % args`` escapes the arguments that are not ``Md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~]|&(?=#?[A-Za-z0-9]+;))")
"""ASCII punctuation that starts or ends inline Markdown, and ``&`` that starts an entity."""

_LIST_MARKER = re.compile(r"^( *)(?:[-+=]|\d{1,9}[.)])(?= |$)")
"""A bullet or ordered-list marker: what turns a line into a list item when it comes first."""

_RULE_LINE = re.compile(r"^( *)[-=](?=[-= ]*$)")
"""A line of ``-`` or ``=`` only: a thematic break or a heading underline."""

_FORMAT_FIELD = re.compile(r"(%\([a-z_]+\)[sd]|%%)")

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_URL = re.compile(r"^https?://[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]+$")


class Md(str):
    """A string already in Markdown form, printed as is."""

    __slots__ = ()

    def __mod__(self, args: Any) -> Md:
        if isinstance(args, Mapping):
            args = {key: _escape_arg(value) for key, value in args.items()}
        elif isinstance(args, tuple):
            args = tuple(_escape_arg(value) for value in args)
        else:
            args = _escape_arg(args)
        return Md(str.__mod__(self, args))


def _escape_arg(value: object) -> object:
    """Numbers stay numbers for ``%d``; everything else becomes escaped Markdown."""
    if isinstance(value, int | float):
        return value
    return markdown_escape(value)


def markdown_escape(value: object) -> Md:
    """``value`` as Markdown that reads as its own text: one line, no markup."""
    if isinstance(value, Md):
        return value
    return Md(_escape_text(str(value)))


def escape_format(template: str) -> Md:
    """A ``%``-format string (a translation) as Markdown, its ``%(name)s`` fields intact."""
    parts = _FORMAT_FIELD.split(template)
    return Md("".join(p if i % 2 else _escape_text(p, first=i == 0) for i, p in enumerate(parts)))


def _escape_text(text: str, *, first: bool = True) -> str:
    """Escape inline markup and a block marker at the start; whitespace runs become one space.

    Leading and trailing space is kept (a template may print ``" "``); register values
    arrive stripped. ``first`` is False for the text after a format field, which never
    starts a line.
    """
    text = _SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", text))
    if not first:
        return text
    marker = _LIST_MARKER.match(text) or _RULE_LINE.match(text)
    if marker is None:
        return text
    cut = marker.end() - 1
    return f"{text[:cut]}\\{text[cut:]}"


def finalize(value: object) -> object:
    """Jinja2 ``finalize`` hook: every printed value that is not :class:`Md` is escaped."""
    return markdown_escape("" if value is None else value)


def md_join(values: Iterable[object], separator: str = ", ") -> Md:
    """Join escaped values with a literal separator (Jinja's ``join`` would re-escape)."""
    return Md(separator.join(markdown_escape(v) for v in values))


def email_link(address: str) -> Md:
    """An e-mail autolink, or the escaped address when it is not a plain one."""
    return Md(f"<{address}>") if _EMAIL.match(address) else markdown_escape(address)


def url_link(url: str) -> Md:
    """A web autolink, or the escaped text when it is not a plain http(s) URL."""
    return Md(f"<{url}>") if _URL.match(url) else markdown_escape(url)


def heading_anchor(anchor: str) -> Md:
    """The ``{#anchor}`` suffix a heading carries; anchors are slugs the domain makes."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*", anchor):
        msg = f"{anchor!r} is not a heading anchor"
        raise ValueError(msg)
    return Md(f"{{#{anchor}}}")
