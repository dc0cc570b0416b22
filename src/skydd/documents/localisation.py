"""The reader's language for documents sent to one person: catalog, dates, units, countries.

The access report and the request messages are read by one person, in one of the
organisation's languages. They share the policy's catalog (English msgids,
``locales/sv/LC_MESSAGES/messages.po``), so a legal term reads the same in the policy,
the register extract and the e-mail that announces it.

Dates are written out in full by Babel ("25 november 2026"). English dates follow
the European convention, day first ("25 November 2026", the CLDR locale ``en_150``,
English as used in Europe): the readers are an EU controller's data subjects, and
"11/12" or "November 25" would be read the wrong way round by many of them.

A :class:`Localisation` compiles its catalog once and keeps one Jinja2 environment
for HTML (autoescaped) and one for plain text; :func:`localisation` memoises one per
language, as the compiled catalog never changes while the process runs.
"""

from __future__ import annotations

import datetime as dt
import gettext
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from jinja2 import Environment, PackageLoader, StrictUndefined

from skydd.documents.catalogs import compile_catalog
from skydd.documents.policy_rendering import LOCALES
from skydd.documents.policy_rendering import _unit as spell_unit
from skydd.domain.policy_document import RetentionRow
from skydd.domain.policy_terms import Cited
from skydd.domain.register import Register
from skydd.domain.spans import Span

DATE_LOCALES: dict[str, str] = {"en": "en_150"}
"""The CLDR locale whose date format a language uses, where it is not the language itself."""


class Localisation:
    """Translates and formats for a reader of ``language``."""

    def __init__(self, language: str, locales: Path = LOCALES) -> None:
        self.language = language
        self.translations: gettext.NullTranslations = compile_catalog(locales, language)
        self.locale = _locale(DATE_LOCALES.get(language, language))
        self._environments: dict[bool, Environment] = {}

    def gettext(self, message: str) -> str:
        """``message`` (an English msgid) in the reader's language."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural of a msgid, as the reader's language counts ``n``."""
        return self.translations.ngettext(singular, plural, n)

    def date(self, day: dt.date) -> str:
        """A date written out in full: "25 november 2026", "25 November 2026"."""
        return format_date(day, "long", locale=self.locale)

    def country(self, code: str) -> str:
        """A country's name from its ISO 3166-1 code, else the code."""
        name: str = self.locale.territories.get(code, code)
        return name

    def cite(self, term: Cited) -> str:
        """A legal term with its article: "Samtycke (artikel 6.1 a)"."""
        label = self.gettext(term.label)
        return f"{label} ({self.gettext(term.article)})" if term.article else label

    def span(self, value: Span) -> str:
        """A length of time in words: "7 år", "1 year 6 months"."""
        return " ".join(spell_unit(self.translations, unit, n) for unit, n in value)

    def kept(self, row: RetentionRow) -> str:
        """How long a retention row keeps its data: "2 år efter att avtalet upphört"."""
        return self.gettext(row.kept) % {"period": self.span(row.period)}

    def environment(self, *, html: bool) -> Environment:
        """Templates under ``documents/templates`` in this language; HTML ones autoescaped."""
        if html not in self._environments:
            self._environments[html] = self._new_environment(html=html)
        return self._environments[html]

    def _new_environment(self, *, html: bool) -> Environment:
        env = Environment(
            loader=PackageLoader("skydd.documents", "templates"),
            # Packaged templates do not change while the process runs: no stat per lookup.
            auto_reload=False,
            autoescape=html,  # noqa: S701 - off only for text/plain, never rendered as HTML
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.i18n"],
        )
        env.policies["ext.i18n.trimmed"] = True
        env.install_gettext_translations(self.translations, newstyle=True)  # type: ignore[attr-defined]
        env.globals["html"] = html
        env.filters.update(
            t=self.gettext,
            date=self.date,
            country=self.country,
            cite=self.cite,
            span=self.span,
            kept=self.kept,
        )
        return env


@lru_cache(maxsize=8)
def localisation(language: str) -> Localisation:
    """The localisation of ``language`` from the packaged catalogs, compiled once."""
    return Localisation(language)


def reader_language(register: Register, language: str) -> str:
    """``language`` when the organisation publishes in it, else its default language."""
    org = register.organisation
    return language if language in org.languages else org.default_language


def _locale(identifier: str) -> Locale:
    try:
        return Locale.parse(identifier)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_150")
