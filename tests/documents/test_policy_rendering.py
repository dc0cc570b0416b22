"""How the policy is rendered: same bytes every time, register text cannot break out, all sv."""

from __future__ import annotations

from pathlib import Path

import pytest

from skydd.documents.policy_rendering import PolicyRendering, load_translations
from skydd.domain import policy_terms
from skydd.domain.errors import InvalidInput, UnknownLanguageError
from skydd.domain.policy import POLICY_FORMATS
from skydd.domain.policy_document import SECTIONS
from skydd.domain.policy_text import PolicyText
from skydd.domain.purposes import Art9Condition, LegalBasis
from skydd.services.policy import check_language, render_policy
from tests.conftest import MESTRO, SECOND_ORG
from tests.documents.policy_reading import (
    headings,
    html_text,
    list_items,
    plain,
    register_at,
    section,
    section_text,
    table_rows,
)
from tests.factories import make_register, replace_item, replace_organisation

ORGS = [pytest.param(MESTRO, id="mestro"), pytest.param(SECOND_ORG, id="second_org")]


@pytest.mark.parametrize("folder", ORGS)
def test_the_same_register_renders_the_same_bytes(folder: Path) -> None:
    first = render_policy(PolicyRendering(), register_at(folder))
    second = render_policy(PolicyRendering(), register_at(folder))
    assert first == second
    assert sorted(first) == [(lang, fmt) for lang in ("en", "sv") for fmt in POLICY_FORMATS]


@pytest.mark.parametrize("folder", ORGS)
def test_every_fixed_heading_is_translated_in_swedish(folder: Path) -> None:
    renderer = PolicyRendering()
    sv = headings(renderer.render(register_at(folder), "sv", "markdown"))
    en = headings(renderer.render(register_at(folder), "en", "markdown"))
    assert [anchor for _, _, anchor in sv] == [anchor for _, _, anchor in en]
    leaked = {text for _, text, _ in sv} & {text for _, text, _ in en}
    assert leaked == set()


@pytest.mark.parametrize("folder", ORGS)
def test_every_section_has_a_stable_anchor_in_html(folder: Path) -> None:
    html = PolicyRendering().render(register_at(folder), "sv", "html")
    for anchor, _ in SECTIONS:
        assert html.count(f' id="{anchor}"') == 1
        assert f'<a href="#{anchor}">' in html
    assert html.count(' id="exercise-rights"') == 1
    assert "{#" not in html


def test_a_script_in_register_text_is_escaped_in_html() -> None:
    script = "<script>alert(1)</script>"
    register = replace_item(
        make_register(), "purposes", "newsletter", name={"sv": script, "en": script}
    )
    register = replace_organisation(register, legal_name=f"Exempel {script} AB")
    html = PolicyRendering().render(register, "sv", "html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f"Exempel {script} AB är personuppgiftsansvarig" in html_text(html)


def test_pipes_and_stars_in_register_text_keep_tables_and_lists_intact() -> None:
    tricky = "a | b *c* _d_ [e](f) `g`"
    register = replace_item(
        make_register(), "cookies", "session", name=tricky, provider="x|y", duration="P13M"
    )
    register = replace_item(register, "purposes", "events", name={"sv": tricky, "en": tricky})
    markdown = PolicyRendering().render(register, "sv", "markdown")
    cookies = table_rows(section(markdown, "cookies"))
    assert all(len(row) == 7 for row in cookies)
    assert cookies[1][:3] == [tricky, "Cookie", "x|y"]
    assert cookies[1][5] == "13 månader"
    retention = table_rows(section(markdown, "retention"))
    assert all(len(row) == 5 for row in retention)
    assert tricky in [row[0] for row in retention]
    html = PolicyRendering().render(register, "sv", "html")
    assert "<em>" not in html
    assert "<code>" not in html
    assert 'href="f"' not in html
    assert f"<td>{tricky}</td>" in html


def test_register_text_that_looks_like_markdown_blocks_stays_text() -> None:
    register = make_register()
    prose = {
        "intro": "1. not a list\n\n- nor this\n\n# nor a heading\n\n---",
        "security": "> not a quote",
    }
    policy = dict(register.policy)
    policy["sv"] = PolicyText.model_validate(register.policy["sv"].model_dump() | prose)
    register = register.model_copy(update={"policy": policy})
    html = PolicyRendering().render(register, "sv", "html")
    for text in ("1. not a list", "- nor this", "# nor a heading", "---"):
        assert f"<p>{text}</p>" in html
    assert "<p>&gt; not a quote</p>" in html
    assert "<ol>" not in html
    assert "<hr>" not in html
    assert "<blockquote>" not in html


def test_unknown_languages_are_refused_by_the_service() -> None:
    register = register_at(MESTRO)
    assert check_language(register, "en") == "en"
    with pytest.raises(
        UnknownLanguageError, match="that language is not published; choose one of: sv, en"
    ):
        check_language(register, "de")


def test_unknown_formats_are_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown policy format 'pdf'"):
        PolicyRendering().render(register_at(MESTRO), "sv", "pdf")


def test_a_minimal_register_states_the_defaults_instead_of_leaving_gaps() -> None:
    register = replace_organisation(make_register(), dpo=None, supervisory_authority=None)
    register = register.model_copy(update={"cookies": [], "policy": {}})
    register = replace_item(register, "systems", "mailer", transfers=[], hosting={"country": "SE"})
    markdown = PolicyRendering().render(register, "en", "markdown")
    assert "dpo" not in [anchor for _, _, anchor in headings(markdown)]
    assert plain(markdown).startswith("Privacy policy This policy explains how Exempel processes")
    assert "We do not use cookies, pixel tags or similar techniques." in plain(markdown)
    assert "We do not transfer personal data to countries outside the EU/EEA." in (
        section_text(markdown, "transfers")
    )
    assert "in particular in the EU/EEA country where you live or work" in (
        section_text(markdown, "complaint")
    )
    assert "We protect personal data with organisational and technical measures" in (
        section_text(markdown, "security")
    )


def test_an_undecided_retention_period_is_shown_as_such() -> None:
    markdown = PolicyRendering().render(make_register(), "en", "markdown")
    invoices = next(
        row for row in table_rows(section(markdown, "retention")) if row[1] == "invoice (en)"
    )
    assert invoices[2] == "As long as the purpose requires"


def test_automated_decisions_are_stated_where_a_purpose_makes_them() -> None:
    register = replace_item(make_register(), "purposes", "inquiries", automated_decisions=True)
    markdown = PolicyRendering().render(register, "en", "markdown")
    rights = list_items(section(markdown, "rights"))
    assert (
        "Automated decisions (Art. 22): These purposes involve decisions based solely on "
        "automated processing: inquiries (en)." in rights[-1]
    )


def test_legal_terms_cite_the_articles_the_domain_cites() -> None:
    for basis in LegalBasis:
        assert policy_terms.BASES[basis].article == basis.article
    for condition in Art9Condition:
        assert policy_terms.ART9_CONDITIONS[condition].article == condition.article


def test_fuzzy_translations_are_not_used(tmp_path: Path) -> None:
    catalog = tmp_path / "sv" / "LC_MESSAGES" / "messages.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Consent"\nmsgstr "Samtycke"\n\n'
        '#, fuzzy\nmsgid "Controller"\nmsgstr "Personuppgiftsansvarig"\n',
        encoding="utf-8",
    )
    translations = load_translations("sv", tmp_path)
    assert translations.gettext("Consent") == "Samtycke"
    assert translations.gettext("Controller") == "Controller"
    assert load_translations("en", tmp_path).gettext("Consent") == "Consent"
