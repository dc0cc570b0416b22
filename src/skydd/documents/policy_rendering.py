"""The published policy as Markdown and HTML, in each published language (P1–P20).

Markdown is the source: ``templates/policy.md.j2`` lays out the
:class:`~skydd.domain.policy_document.PolicyDocument`, escaping every register value
as Markdown. HTML is that Markdown through markdown-it-py (CommonMark with tables,
raw HTML off), wrapped in ``<article class="policy">``: one text, two formats, so
they cannot drift apart. Fixed phrases are English msgids; the Swedish catalog
(``locales/sv/LC_MESSAGES/messages.po``) is compiled in memory when first used, so
no ``.mo`` file is ever committed or stale. See docs/decisions/0003-policy-rendering.md.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markupsafe import Markup

from skydd.documents.catalogs import compile_catalog
from skydd.documents.markdown_text import (
    Md,
    email_link,
    escape_format,
    finalize,
    heading_anchor,
    markdown_escape,
    md_join,
    url_link,
)
from skydd.domain.errors import InvalidInput
from skydd.domain.organisation import MonthDay
from skydd.domain.policy import POLICY_FORMATS
from skydd.domain.policy_assembly import build_policy_document
from skydd.domain.policy_document import RetentionRow, TrackerRow, Transfer
from skydd.domain.policy_terms import NOT_STORED, SESSION_LIFETIME, Cited
from skydd.domain.register import Register
from skydd.domain.spans import Span

LOCALES = Path(__file__).parent / "locales"
"""Where the catalogs live: ``LOCALES/<language>/LC_MESSAGES/messages.po``."""

_HEADING_ANCHOR = re.compile(r"[ \t]+\{#([a-z][a-z0-9-]*)\}$")


def load_translations(language: str, locales: Path = LOCALES) -> gettext.NullTranslations:
    """The catalog of ``language``; msgids are English, so there is none for en."""
    return compile_catalog(locales, language)


class PolicyRendering:
    """Renders the policy of a register as Markdown or HTML (the PolicyRenderer port)."""

    def __init__(self, locales: Path = LOCALES) -> None:
        self._locales = locales
        self._environments: dict[str, Environment] = {}
        self._html = Environment(
            loader=PackageLoader("skydd.documents", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=True),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        self._markdown_it = MarkdownIt("js-default")
        self._markdown_it.core.ruler.after("block", "heading_anchor", _heading_anchors)

    def render(self, register: Register, language: str, fmt: str) -> str:
        """The policy in ``language`` and ``fmt``; the caller has checked the language."""
        if fmt not in POLICY_FORMATS:
            msg = f"unknown policy format {fmt!r}; choose one of: {', '.join(POLICY_FORMATS)}"
            raise InvalidInput(msg)
        document = build_policy_document(register, language)
        template = self._environment(language).get_template("policy.md.j2")
        markdown = _tidy(template.render(doc=document))
        if fmt == "markdown":
            return markdown
        body = Markup(self._markdown_it.render(markdown))  # noqa: S704 - raw HTML is off
        return self._html.get_template("policy.html.j2").render(language=language, body=body)

    def _environment(self, language: str) -> Environment:
        if language not in self._environments:
            translations = load_translations(language, self._locales)
            self._environments[language] = _markdown_environment(translations, language)
        return self._environments[language]


def _markdown_environment(translations: gettext.NullTranslations, language: str) -> Environment:
    """A Jinja2 environment that prints Markdown: values escaped unless already :class:`Md`."""
    env = Environment(
        loader=PackageLoader("skydd.documents", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        finalize=finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True

    def translate(message: str) -> Md:
        return escape_format(translations.gettext(message))

    def translate_plural(singular: str, plural: str, n: int) -> Md:
        return escape_format(translations.ngettext(singular, plural, n))

    env.install_gettext_callables(translate, translate_plural, newstyle=True)  # type: ignore[attr-defined]
    locale = _locale(language)

    def cite(term: Cited) -> Md:
        label = translate(term.label)
        return Md(f"{label} ({translate(term.article)})") if term.article else label

    def span(value: Span) -> Md:
        return md_join((_unit(translations, unit, n) for unit, n in value), " ")

    def lifetime(row: TrackerRow) -> Md:
        if row.session:
            return translate(SESSION_LIFETIME)
        if row.lifetime is None:
            return markdown_escape(row.lifetime_text)
        return span(row.lifetime) if row.lifetime else translate(NOT_STORED)

    def kept(row: RetentionRow) -> Md:
        return translate(row.kept) % {"period": span(row.period)}

    def transfers(lines: Iterable[Transfer]) -> Md:
        rendered = [
            Md(f"{country(t.country)}: {md_join(translate(s.label) for s in t.safeguards)}")
            for t in lines
        ]
        return md_join(rendered, "; ") if rendered else Md("—")

    def country(code: str) -> Md:
        return markdown_escape(locale.territories.get(code, code))

    def month_day(day: MonthDay) -> Md:
        date = dt.date(2000, day.month, day.day)  # a leap year, so 29 February exists
        return markdown_escape(format_skeleton("MMMMd", date, locale=locale))

    filters: dict[str, Callable[..., Md]] = {
        "t": translate,
        "tjoin": lambda values: md_join(translate(v) for v in values),
        "join": md_join,
        "cite": cite,
        "citejoin": lambda terms: md_join(cite(t) for t in terms),
        "span": span,
        "lifetime": lifetime,
        "kept": kept,
        "transfers": transfers,
        "country": country,
        "month_day": month_day,
        "email": email_link,
        "url": url_link,
        "anchor": heading_anchor,
    }
    env.filters.update(filters)
    return env


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _unit(translations: gettext.NullTranslations, unit: str, n: int) -> str:
    """``n`` of ``unit`` in words; each call is spelled out so babel extracts it."""
    ngettext = translations.ngettext
    plurals = {
        "year": lambda: ngettext("%(num)d year", "%(num)d years", n),
        "month": lambda: ngettext("%(num)d month", "%(num)d months", n),
        "week": lambda: ngettext("%(num)d week", "%(num)d weeks", n),
        "day": lambda: ngettext("%(num)d day", "%(num)d days", n),
        "hour": lambda: ngettext("%(num)d hour", "%(num)d hours", n),
        "minute": lambda: ngettext("%(num)d minute", "%(num)d minutes", n),
        "second": lambda: ngettext("%(num)d second", "%(num)d seconds", n),
    }
    return plurals[unit]() % {"num": n}


def _heading_anchors(state: StateCore) -> None:
    """Turn a heading's trailing ``{#anchor}`` into its ``id`` (runs before inline parsing)."""
    tokens = state.tokens
    for i, token in enumerate(tokens[:-1]):
        inline = tokens[i + 1]
        if token.type != "heading_open" or inline.type != "inline":
            continue
        match = _HEADING_ANCHOR.search(inline.content)
        if match:
            token.attrSet("id", match.group(1))
            inline.content = inline.content[: match.start()]


def _tidy(markdown: str) -> str:
    """No trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in markdown.splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip("\n") + "\n"
