"""Renders page templates in one language: Jinja2 with autoescape and the i18n extension.

There is one Jinja2 environment per language, built lazily, each with that language's
catalog installed: gettext is then bound at template compile time instead of per
request, and two requests in different languages never share mutable state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from skydd.web.translations import SOURCE_LANGUAGE, load_translations

TEMPLATES = Path(__file__).parent / "templates"


class PageRenderer:
    """Turns a template name, a language and a context into an HTML response."""

    def __init__(self, templates: Path = TEMPLATES) -> None:
        self._templates = templates
        self._environments: dict[str, Environment] = {}

    def render(
        self,
        template: str,
        language: str,
        context: Mapping[str, Any],
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        """The HTML response of ``template`` rendered in ``language``."""
        html = self.environment(language).get_template(template).render(context, lang=language)
        return HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))

    def environment(self, language: str) -> Environment:
        """The Jinja2 environment whose gettext speaks ``language``."""
        if language not in self._environments:
            self._environments[language] = self._build(language)
        return self._environments[language]

    def _build(self, language: str) -> Environment:
        env = Environment(
            loader=FileSystemLoader(self._templates),
            autoescape=select_autoescape(default=True, default_for_string=True),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.install_gettext_translations(load_translations(language), newstyle=True)  # type: ignore[attr-defined]
        locale = babel_locale(language)
        env.filters["long_date"] = lambda value: format_date(value, "long", locale=locale)
        env.filters["utc_time"] = lambda value: utc_time(value, locale)
        env.filters["language_name"] = language_name
        return env


def babel_locale(language: str) -> Locale:
    """The Babel locale of ``language``; English when Babel does not know it."""
    try:
        return Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return Locale.parse(SOURCE_LANGUAGE)


def utc_time(value: dt.datetime, locale: Locale) -> str:
    """A moment as the locale writes date and time, in UTC and saying so.

    Staff may sit in several time zones; UTC is what the audit log shows too.
    """
    return f"{format_datetime(value, 'short', tzinfo=dt.UTC, locale=locale)} UTC"


def language_name(language: str) -> str:
    """A language's name in that language, capitalised: ``Svenska``, ``English``."""
    name = babel_locale(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]
