"""What a withdrawal of consent erases: only what that consent alone allowed (P6, P11)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from skydd.domain.consent import ConsentEventId, ConsentState, ConsentStatus
from skydd.domain.dataset_graph import CollectionAddress
from skydd.domain.erasure_rules import erasure_policy
from skydd.domain.errors import InvalidInput
from skydd.domain.periods import Period
from skydd.domain.register import Register
from skydd.domain.subjects import SubjectId
from skydd.domain.withdrawal import KeptBecause, field_names, withdrawal_erasure
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, ROOT

pytestmark = pytest.mark.promise("P6", "P11")

SECOND = ROOT / "tests" / "data" / "second_org"
EVENTS = ("company", "email", "food_preferences", "home_town", "job_title", "name", "phone")


@pytest.fixture(scope="module")
def mestro() -> Register:
    return load_register(MESTRO)


def given(purpose: str, *categories: str) -> ConsentState:
    return ConsentState(
        subject_id=SubjectId(uuid.uuid4()),
        purpose=purpose,
        status=ConsentStatus.GIVEN,
        categories=tuple(sorted(categories)),
        since=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        last_record_id=ConsentEventId(uuid.uuid4()),
        policy_version=1,
        notice_id="",
    )


def test_withdrawing_one_category_erases_it_and_nothing_else(mestro: Register) -> None:
    plan = withdrawal_erasure(
        mestro, "events", ["food_preferences"], still_given=[given("events", *EVENTS[:2])]
    )
    assert plan.categories == ("food_preferences",)
    # HubSpot is the one system serving events that holds food preferences.
    assert plan.systems == {"hubspot": ("food_preferences",)}
    assert plan.kept == {}


def test_the_person_chooses_what_to_keep_of_what_they_withdrew(mestro: Register) -> None:
    plan = withdrawal_erasure(
        mestro, "events", ["food_preferences", "home_town"], erase=["home_town"]
    )
    assert plan.categories == ("home_town",)
    assert plan.systems == {"hubspot": ("home_town",)}
    assert plan.kept == {"food_preferences": KeptBecause.CHOSEN}


def test_only_withdrawn_categories_can_be_chosen_for_erasure(mestro: Register) -> None:
    with pytest.raises(InvalidInput, match="only withdrawn categories"):
        withdrawal_erasure(mestro, "events", ["home_town"], erase=["email"])


def test_data_another_basis_covers_is_kept_where_that_purpose_is_served(
    mestro: Register,
) -> None:
    # The newsletter's name, e-mail and company: HubSpot and Zapier also serve
    # marketing on legitimate interests and customer relations on contract.
    plan = withdrawal_erasure(mestro, "newsletter", ["company", "email", "name"])
    assert plan.systems == {}
    # skydd's own records of them serve those purposes too.
    assert plan.categories == ()


def test_a_purpose_on_two_bases_erases_only_what_its_withdrawal_rule_names(
    mestro: Register,
) -> None:
    withdrawn = ["browsing_behaviour", "cookie_id", "email", "email_engagement", "ip_address"]
    plan = withdrawal_erasure(mestro, "analytics", [*withdrawn, "product_usage"])
    assert plan.kept == {
        "ip_address": KeptBecause.NO_RULE,
        "product_usage": KeptBecause.NO_RULE,
    }
    assert plan.systems == {"hubspot": ("browsing_behaviour", "cookie_id", "email_engagement")}
    assert plan.categories == ("browsing_behaviour", "cookie_id", "email_engagement")


def test_a_category_still_consented_for_another_purpose_stays(mestro: Register) -> None:
    still = [given("analytics", "email_engagement")]
    plan = withdrawal_erasure(mestro, "events", ["home_town", "phone"], still_given=still)
    assert "home_town" in plan.categories
    still = [given("newsletter", "company")]
    plan = withdrawal_erasure(mestro, "events", ["company", "home_town"], still_given=still)
    assert plan.kept == {"company": KeptBecause.CONSENTED_ELSEWHERE}
    assert "company" not in plan.systems.get("hubspot", ())


def test_a_rule_with_a_period_defers_its_categories_to_retention(mestro: Register) -> None:
    rule = next(r for r in mestro.retention if r.key == "events_consent_withdrawn")
    later = rule.model_copy(update={"key": "later", "period": Period.parse("P30D")})
    register = mestro.model_copy(
        update={"retention": [r for r in mestro.retention if r is not rule] + [later]}
    )
    plan = withdrawal_erasure(register, "events", ["home_town"])
    assert plan.deferred == ("home_town",)
    assert not plan.erases_anything


def test_a_second_organisation_plans_from_its_own_register() -> None:
    register = load_register(SECOND)
    consent_purposes = [p for p in register.purposes if "consent" in p.bases()]
    assert consent_purposes, "the second organisation has a purpose on consent"
    purpose = consent_purposes[0]
    plan = withdrawal_erasure(register, purpose.key, purpose.data_categories)
    for system, categories in plan.systems.items():
        found = register.system(system)
        assert found is not None
        assert purpose.key in found.purposes
        assert set(categories) <= set(found.data_categories) & set(purpose.data_categories)


def test_shared_fideslang_parents_are_never_matched_for_one_category(mestro: Register) -> None:
    # cv, cover letter, inquiry and support case all sit under user.content.private.
    assert field_names(mestro, ["cv"]) == {"user.content.private.cv"}
    assert field_names(mestro, ["home_town"]) == {
        "user.contact.address.city",
        "user.contact.address.city.home_town",
    }


def test_a_scoped_erasure_masks_exact_categories_only(mestro: Register) -> None:
    policy = erasure_policy(mestro, dt.date(2026, 11, 26), only=["home_town"])
    assert policy.strategy_for(["user.contact.address.city"]) is not None
    assert policy.strategy_for(["user.contact.email"]) is None
    # Not by fideslang's fallback to a parent: product usage (user.behavior) is not
    # e-mail engagement (user.behavior.media_consumption).
    usage = erasure_policy(mestro, dt.date(2026, 11, 26), only=["product_usage"])
    assert usage.strategy_for(["user.behavior.media_consumption"]) is None
    assert usage.strategy_for(["user.behavior"]) is not None


def test_a_scoped_erasure_still_honours_the_bookkeeping_hold(mestro: Register) -> None:
    policy = erasure_policy(mestro, dt.date(2026, 11, 26), only=["invoice_data"])
    where = CollectionAddress("shop", "invoices")
    invoice = ["user.financial.invoice_data"]
    hold = policy.hold_on(where, "billing_name", invoice, {"issued_on": "2024-03-01"})
    assert hold is not None
    assert hold.until == dt.date(2031, 12, 31)
