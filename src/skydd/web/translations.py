"""The web layer's own sv/en message catalog, compiled in memory when the app is built.

Page text is written in English in the templates (the msgids); Swedish comes from
``locales/sv/LC_MESSAGES/messages.po``. The ``.po`` file is the only source: it is
compiled to an in-memory ``.mo`` at start-up, so no compiled file is committed or can
drift from it. A language without a catalog falls back to the English msgids.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
"""The language the msgids are written in; it needs no catalog."""


def catalog_languages() -> list[str]:
    """Every language with a catalog, plus the source language, sorted."""
    found = {p.parent.parent.name for p in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return sorted(found | {SOURCE_LANGUAGE})


def load_translations(language: str) -> NullTranslations:
    """The compiled catalog of ``language``; the msgids themselves when there is none."""
    po_path = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.is_file():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext_noop(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message
