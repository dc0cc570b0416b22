"""Every visible string of the web pages has a Swedish translation, and no stale ones."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from skydd.web import translations
from skydd.web.pages import PageRenderer

WEB = Path(translations.__file__).parent
METHODS = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "gettext_noop": None}


def extracted_msgids() -> set[str]:
    found = extract_from_dir(
        str(WEB), METHODS, keywords=KEYWORDS, options_map={"**.html": {"trimmed": "false"}}
    )
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


def swedish_catalog() -> dict[str, str]:
    with (WEB / "locales" / "sv" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="sv")
    return {str(m.id): str(m.string) for m in catalog if m.id}


def test_every_web_string_is_translated_to_swedish() -> None:
    msgids = extracted_msgids()
    catalog = swedish_catalog()

    assert len(msgids) >= 20
    assert sorted(msgids - catalog.keys()) == []
    assert sorted(k for k in msgids if not catalog[k]) == []


def test_catalog_has_no_stale_entries() -> None:
    assert sorted(swedish_catalog().keys() - extracted_msgids()) == []


def test_catalog_compiles_in_memory() -> None:
    env = PageRenderer().environment("sv")

    assert env.from_string('{{ _("Privacy policy") }}').render() == "Integritetspolicy"
    assert PageRenderer().environment("de").from_string('{{ _("Version") }}').render() == "Version"
