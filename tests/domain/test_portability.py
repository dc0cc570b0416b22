"""Portability (Art. 20): provided data on consent or contract, decided from the register alone."""

from __future__ import annotations

import pytest
from fideslang.default_taxonomy import DEFAULT_TAXONOMY

from skydd.domain.access_answer import FoundCollection, FoundSystem
from skydd.domain.portability import (
    DataOrigin,
    data_origin,
    is_portable_category,
    is_portable_field,
    portable_data,
)
from skydd.domain.register import Register
from skydd.domain.taxonomy import DataCategory
from tests.conftest import MESTRO, SECOND_ORG
from tests.documents.policy_reading import register_at

pytestmark = pytest.mark.promise("P19")


@pytest.fixture
def mestro() -> Register:
    return register_at(MESTRO)


@pytest.fixture
def second_org() -> Register:
    return register_at(SECOND_ORG)


def _category(register: Register, key: str) -> DataCategory:
    category = register.data_category(key)
    assert category is not None
    return category


def test_every_branch_of_the_fideslang_taxonomy_has_an_origin() -> None:
    branches = {c.fides_key for c in DEFAULT_TAXONOMY.data_category if c.fides_key.count(".") == 1}
    assert sorted(b for b in branches if data_origin(b) is None) == []


@pytest.mark.parametrize(
    ("taxonomy", "origin"),
    [
        ("user.contact.email", DataOrigin.PROVIDED),
        ("user.content.private", DataOrigin.PROVIDED),
        ("user.behavior.browsing_history", DataOrigin.OBSERVED),
        ("user.device.cookie_id", DataOrigin.OBSERVED),
        ("user.health_and_medical", DataOrigin.CREATED),
        ("user.health_and_medical.insurance_beneficiary_id", DataOrigin.PROVIDED),
        ("user.authorization.password", DataOrigin.CREATED),
        ("user.unique_id.pseudonymous", DataOrigin.CREATED),
    ],
)
def test_the_nearest_listed_branch_decides_the_origin(taxonomy: str, origin: DataOrigin) -> None:
    assert data_origin(taxonomy) is origin


def test_an_unknown_key_has_no_origin_and_is_never_portable(mestro: Register) -> None:
    assert data_origin("custom.loyalty_points") is None
    assert data_origin("user") is None
    assert not is_portable_field(mestro, "hubspot", ["custom.loyalty_points"])


@pytest.mark.parametrize(
    ("system", "category", "portable"),
    [
        ("mestro_platform", "name", True),  # contract
        ("mestro_platform", "user_account", True),  # contract
        ("mestro_platform", "product_usage", False),  # observed, though analytics has consent
        ("hubspot", "email", True),  # newsletter: consent
        ("hubspot", "food_preferences", True),  # events: consent
        ("hubspot", "email_engagement", False),  # observed
        ("hubspot", "cookie_id", False),  # observed
        ("hubspot", "inquiry_content", False),  # inquiries: legitimate interests only
        ("teamtailor", "cv", False),  # inquiries: legitimate interests only
        ("fortnox", "invoice_data", True),  # customer relations: contract
    ],
)
def test_mestro_categories_are_portable_when_provided_on_consent_or_contract(
    mestro: Register, system: str, category: str, portable: bool
) -> None:
    assert is_portable_category(mestro, _category(mestro, category), system) is portable


@pytest.mark.parametrize(
    ("system", "category", "portable"),
    [
        ("patient_portal", "full_name", True),  # patient care: contract
        ("patient_portal", "date_of_birth", True),
        ("patient_portal", "appointment_history", False),  # observed, though on contract
        ("clinicdesk", "clinical_notes", False),  # written by the clinician
        ("mailchimp", "email_address", True),  # newsletter: consent
        ("matomo", "visitor_id", False),  # observed, though on consent
    ],
)
def test_second_org_categories_follow_the_same_rule(
    second_org: Register, system: str, category: str, portable: bool
) -> None:
    assert is_portable_category(second_org, _category(second_org, category), system) is portable


def test_a_system_narrows_which_purposes_count(mestro: Register) -> None:
    email = _category(mestro, "email")
    assert is_portable_category(mestro, email, "hubspot")
    assert not is_portable_category(mestro, email, "teamtailor")  # inquiries only there


def test_the_same_fideslang_tag_reads_as_what_the_system_holds(mestro: Register) -> None:
    # In HubSpot user.content.private covers support cases (contract); in Teamtailor
    # it covers CVs, cover letters and inquiries (legitimate interests).
    assert is_portable_field(mestro, "hubspot", ["user.content.private"])
    assert not is_portable_field(mestro, "teamtailor", ["user.content.private"])


def test_a_field_is_portable_only_when_every_tag_is(mestro: Register) -> None:
    assert is_portable_field(mestro, "hubspot", ["user.contact.email", "name"])
    assert not is_portable_field(mestro, "hubspot", ["user.contact.email", "email_engagement"])
    assert not is_portable_field(mestro, "hubspot", [])


def test_portable_data_keeps_portable_fields_and_drops_what_is_left_empty(
    mestro: Register,
) -> None:
    hubspot = FoundSystem(
        "hubspot",
        (
            FoundCollection(
                "contacts",
                (
                    {"id": 1, "email": "alex@example.com", "opens": 4},
                    {"id": 2, "opens": 9},
                ),
                {"email": ("user.contact.email",), "opens": ("email_engagement",)},
            ),
        ),
    )
    platform = FoundSystem(
        "mestro_platform",
        (FoundCollection("usage", ({"id": 1, "clicks": 12},), {"clicks": ("product_usage",)}),),
    )
    selection = portable_data(mestro, [hubspot, platform])
    assert [s.key for s in selection.systems] == ["hubspot"]
    contacts = selection.systems[0].collections[0]
    assert contacts.rows == ({"email": "alex@example.com"},)
    assert dict(contacts.field_categories) == {"email": ("user.contact.email",)}
    assert selection.included == {"email"}
    assert selection.left_out == {"email_engagement", "product_usage"}


def test_a_category_included_anywhere_is_not_reported_as_left_out(mestro: Register) -> None:
    found = [
        FoundSystem(
            key,
            (FoundCollection("people", ({"email": "alex@example.com"},), {"email": ("email",)}),),
        )
        for key in ("hubspot", "teamtailor")
    ]
    selection = portable_data(mestro, found)
    assert [s.key for s in selection.systems] == ["hubspot"]
    assert selection.included == {"email"}
    assert selection.left_out == frozenset()


def test_an_unregistered_system_is_judged_on_every_purpose(second_org: Register) -> None:
    assert is_portable_field(second_org, "spreadsheet", ["user.name"])
    assert not is_portable_field(second_org, "spreadsheet", ["user.behavior"])
