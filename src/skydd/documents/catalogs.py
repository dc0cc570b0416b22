"""Gettext catalogs compiled in memory from their ``.po`` source.

The ``.po`` file is the only source of a translation: it is compiled to an in-memory
``.mo`` when first needed, so no compiled file is committed or can drift from it.
Fuzzy entries are left out, so an unreviewed translation shows the English msgid.
"""

from __future__ import annotations

import gettext
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

DOMAIN = "messages"


def catalog_path(locales: Path, language: str) -> Path:
    """Where the catalog of ``language`` lives under ``locales``."""
    return locales / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalog(locales: Path, language: str) -> gettext.NullTranslations:
    """The catalog of ``language`` compiled in memory; the msgids themselves if none."""
    po_file = catalog_path(locales, language)
    if not po_file.is_file():
        return gettext.NullTranslations()
    with po_file.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)
