"""The consent ledger's rules: events checked against the register, and the one fold."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skydd.domain.consent import (
    CollectionMethod,
    ConsentChange,
    ConsentEvent,
    ConsentState,
    ConsentStatus,
    fold,
    is_stale,
    new_event,
    project,
    state_lines,
    withdrawn_categories,
)
from skydd.domain.errors import InvalidInput
from skydd.domain.register import Register
from skydd.domain.subjects import SubjectId
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO

pytestmark = pytest.mark.promise("P5", "P6")

AT = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
ANNA = SubjectId(uuid.uuid4())
BO = SubjectId(uuid.uuid4())
MESTRO_REGISTER = load_register(MESTRO)
NEWSLETTER = ("company", "email", "name")


def event(
    status: ConsentStatus,
    categories: tuple[str, ...] = (),
    *,
    subject: SubjectId = ANNA,
    purpose: str = "newsletter",
    minutes: int = 0,
    register: Register = MESTRO_REGISTER,
) -> ConsentEvent:
    change = ConsentChange(purpose, status, categories, CollectionMethod.FORM, "n-1", "sv", "test")
    return new_event(
        register, subject, change, at=AT + dt.timedelta(minutes=minutes), policy_version=3
    )


def test_giving_without_naming_categories_gives_all_of_the_purpose() -> None:
    given_ = event(ConsentStatus.GIVEN)
    assert given_.categories == NEWSLETTER
    state = fold(None, given_)
    assert state.active and state.categories == NEWSLETTER and state.policy_version == 3


def test_partial_withdrawal_keeps_the_purpose_with_the_rest() -> None:
    state = fold(None, event(ConsentStatus.GIVEN))
    after = fold(state, event(ConsentStatus.WITHDRAWN, ("company",), minutes=1))
    assert after.status is ConsentStatus.GIVEN and after.categories == ("email", "name")
    assert withdrawn_categories(state, after) == ("company",)
    gone = fold(after, event(ConsentStatus.WITHDRAWN, minutes=2))
    assert gone.status is ConsentStatus.WITHDRAWN and gone.categories == ()
    assert withdrawn_categories(after, gone) == ("email", "name")


def test_withdrawing_the_last_category_ends_the_consent() -> None:
    state = fold(None, event(ConsentStatus.GIVEN, ("email",)))
    after = fold(state, event(ConsentStatus.WITHDRAWN, ("email",), minutes=1))
    assert after.status is ConsentStatus.WITHDRAWN and not after.active


def test_consent_given_again_after_withdrawal_starts_afresh() -> None:
    state = fold(None, event(ConsentStatus.GIVEN))
    state = fold(state, event(ConsentStatus.WITHDRAWN, minutes=1))
    again = fold(state, event(ConsentStatus.GIVEN, ("email",), minutes=2))
    assert again.categories == ("email",)


@pytest.mark.parametrize(
    ("purpose", "categories", "status", "message"),
    [
        ("no_such", (), ConsentStatus.GIVEN, "unknown purpose; those resting on consent"),
        ("customer_relations", (), ConsentStatus.GIVEN, "does not rest on consent"),
        ("newsletter", ("food_preferences",), ConsentStatus.GIVEN, "processes no category"),
        ("newsletter", ("email",), ConsentStatus.REFUSED, "a refusal is of the whole purpose"),
    ],
)
def test_a_change_the_register_does_not_allow_is_refused(
    purpose: str, categories: tuple[str, ...], status: ConsentStatus, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        event(status, categories, purpose=purpose)


_changes = st.lists(
    st.tuples(
        st.sampled_from([ANNA, BO]),
        st.sampled_from(list(ConsentStatus)),
        st.lists(st.sampled_from(NEWSLETTER), max_size=3, unique=True),
    ),
    max_size=40,
)


@given(_changes)
def test_folding_event_by_event_is_the_projection_of_the_whole_ledger(
    changes: list[tuple[SubjectId, ConsentStatus, list[str]]],
) -> None:
    """What each write stores is what a rebuild from the ledger gives, line for line."""
    ledger = []
    stored: dict[tuple[SubjectId, str], ConsentState] = {}
    for minute, (subject, status, categories) in enumerate(changes):
        chosen = () if status is ConsentStatus.REFUSED else tuple(categories)
        entry = event(status, chosen, subject=subject, minutes=minute)
        ledger.append(entry)
        key = (subject, entry.purpose)
        stored[key] = fold(stored.get(key), entry)
    rebuilt = project(ledger)
    assert state_lines(rebuilt) == state_lines(stored)
    for state in rebuilt.values():
        assert set(state.categories) <= set(NEWSLETTER)
        assert state.active == (state.status is ConsentStatus.GIVEN and bool(state.categories))


def test_the_receipt_claims_name_the_event_as_a_consent_record_does() -> None:
    claims = event(ConsentStatus.GIVEN).claims("mestro")
    assert claims["controller"] == "mestro" and claims["consent_status"] == "given"
    assert claims["pii_categories"] == list(NEWSLETTER)
    assert set(claims) >= {
        "record_id",
        "pii_principal_id",
        "purpose",
        "notice_id",
        "policy_version",
        "collection_method",
        "event_time",
        "language",
        "source",
    }


def _changed(**update: object) -> Register:
    newsletter = MESTRO_REGISTER.purpose("newsletter")
    assert newsletter is not None
    purposes = [
        p.model_copy(update=update) if p.key == "newsletter" else p
        for p in MESTRO_REGISTER.purposes
    ]
    return MESTRO_REGISTER.model_copy(update={"purposes": purposes})


@pytest.mark.parametrize(
    ("update", "stale"),
    [
        ({"name": {"sv": "Nyhetsbrevet", "en": "The newsletter"}}, False),
        ({"description": {"sv": "Nu även sms.", "en": "Now also by text message."}}, True),
        ({"data_categories": ["name", "email", "company", "phone"]}, True),
        ({"automated_decisions": True}, True),
    ],
)
def test_a_consent_goes_stale_when_its_purpose_changes_in_substance(
    update: dict[str, object], stale: bool
) -> None:
    state = fold(None, event(ConsentStatus.GIVEN))
    assert not is_stale(state, MESTRO_REGISTER)
    assert is_stale(state, _changed(**update)) is stale


def test_a_new_processor_for_the_purpose_makes_it_stale_and_withdrawn_ones_never_are() -> None:
    state = fold(None, event(ConsentStatus.GIVEN))
    platform = next(s for s in MESTRO_REGISTER.systems if s.key == "mestro_platform")
    serving = platform.model_copy(update={"purposes": [*platform.purposes, "newsletter"]})
    systems = [serving if s.key == platform.key else s for s in MESTRO_REGISTER.systems]
    changed = MESTRO_REGISTER.model_copy(update={"systems": systems})
    assert is_stale(state, changed)
    withdrawn = fold(state, event(ConsentStatus.WITHDRAWN, minutes=1))
    assert not is_stale(withdrawn, changed)
    # Consenting again, to the new terms, renews it.
    renewed = fold(
        withdrawn,
        new_event(
            changed,
            ANNA,
            ConsentChange("newsletter", ConsentStatus.GIVEN),
            at=AT + dt.timedelta(minutes=2),
            policy_version=4,
        ),
    )
    assert not is_stale(renewed, changed)
