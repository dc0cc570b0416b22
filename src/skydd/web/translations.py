"""The web layer's own sv/en message catalog, compiled in memory when the app is built.

Page text is written in English in the templates (the msgids); Swedish comes from
``locales/sv/LC_MESSAGES/messages.po``. The ``.po`` file is the only source: it is
compiled to an in-memory ``.mo`` at start-up, so no compiled file is committed or can
drift from it. A language without a catalog falls back to the English msgids.
"""

from __future__ import annotations

from gettext import NullTranslations
from pathlib import Path

from skydd.documents.catalogs import DOMAIN, compile_catalog

LOCALES = Path(__file__).parent / "locales"
SOURCE_LANGUAGE = "en"
"""The language the msgids are written in; it needs no catalog."""


def catalog_languages() -> list[str]:
    """Every language with a catalog, plus the source language, sorted."""
    found = {p.parent.parent.name for p in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return sorted(found | {SOURCE_LANGUAGE})


def load_translations(language: str) -> NullTranslations:
    """The compiled catalog of ``language``; the msgids themselves when there is none."""
    return compile_catalog(LOCALES, language)


def gettext_noop(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message
